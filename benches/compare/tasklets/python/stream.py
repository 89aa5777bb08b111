"""Stream: N messages from one producer tasklet to a consumer over one channel."""
import micro as sched

N = 3000000
total = 0


def producer(ch, n):
    for i in range(n):
        ch.send(i)


def consumer(ch, n):
    global total
    for _ in range(n):
        total += ch.receive()


ch = sched.Channel()
sched.spawn(producer, ch, N)
sched.spawn(consumer, ch, N)
sched.run()
print(total)
