"""Spawn: N tasklets that each run a trivial body and end."""
import micro as sched

N = 200000
total = 0


def body(i):
    global total
    total += 1


for i in range(N):
    sched.spawn(body, i)
sched.run()
print(total)
