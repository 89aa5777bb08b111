// Go versions of the tasklet benchmarks, one program per first argument:
// empty, rr, pingpong, stream, spawn, skynet, blocked. Run with GOMAXPROCS=1 so
// goroutines take turns on one thread like tasklets do.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
)

// rr: 100k goroutines each call runtime.Gosched() K times.
func rr() int64 {
	const n, k = 100000, 20
	var total int64
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			for j := 0; j < k; j++ {
				runtime.Gosched()
			}
			total += k // one thread (GOMAXPROCS=1) and no preemption point here
			wg.Done()
		}()
	}
	wg.Wait()
	return total
}

// pingpong: N messages between two goroutines over two unbuffered channels.
func pingpong() int64 {
	const n = 500000
	a, b := make(chan int64), make(chan int64)
	done := make(chan int64)
	go func() {
		var total int64
		for i := int64(0); i < n/2; i++ {
			a <- i
			total += <-b
		}
		done <- total
	}()
	go func() {
		for i := 0; i < n/2; i++ {
			b <- <-a
		}
	}()
	return <-done
}

// stream: N messages from one producer goroutine to main over one
// unbuffered channel.
func stream() int64 {
	const n = 3000000
	ch := make(chan int64)
	go func() {
		for i := int64(0); i < n; i++ {
			ch <- i
		}
	}()
	var total int64
	for i := 0; i < n; i++ {
		total += <-ch
	}
	return total
}

// spawn: N goroutines that each run a trivial body and end.
func spawn() int64 {
	const n = 200000
	var total int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			mu.Lock()
			total++
			mu.Unlock()
			wg.Done()
		}()
	}
	wg.Wait()
	return total
}

func skynetNode(out chan<- int64, num, size int64) {
	if size == 1 {
		out <- num
		return
	}
	ch := make(chan int64)
	step := size / 10
	for i := int64(0); i < 10; i++ {
		go skynetNode(ch, num+i*step, step)
	}
	var s int64
	for i := 0; i < 10; i++ {
		s += <-ch
	}
	out <- s
}

// skynet: a tree of 10-way goroutines down to 1M leaves.
func skynet() int64 {
	root := make(chan int64)
	go skynetNode(root, 0, 1000000)
	return <-root
}

// blocked: 1M goroutines blocked receiving on one channel (peak RSS).
func blocked() int64 {
	const n = 1000000
	ch := make(chan int64)
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			wg.Done()
			<-ch
		}()
	}
	wg.Wait()
	return n
}

func main() {
	progs := map[string]func() int64{
		"empty": func() int64 { return 0 }, "rr": rr, "pingpong": pingpong, "stream": stream,
		"spawn": spawn, "skynet": skynet, "blocked": blocked,
	}
	if len(os.Args) != 2 || progs[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: tasklets empty|rr|pingpong|stream|spawn|skynet|blocked")
		os.Exit(2)
	}
	fmt.Println(progs[os.Args[1]]())
}
