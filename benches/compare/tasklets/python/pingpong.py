"""Ping-pong: N messages between two tasklets over two channels."""
import micro as sched

N = 500000
total = 0


def ping(a, b, n):
    global total
    for i in range(n // 2):
        a.send(i)
        total += b.receive()


def pong(a, b, n):
    for _ in range(n // 2):
        b.send(a.receive())


a, b = sched.Channel(), sched.Channel()
sched.spawn(ping, a, b, N)
sched.spawn(pong, a, b, N)
sched.run()
print(total)
