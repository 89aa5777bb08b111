"""Round robin: 100k tasklets each call schedule() K times."""
import micro as sched

N, K = 100000, 20
total = 0


def worker(k):
    global total
    schedule = sched.schedule
    for _ in range(k):
        schedule()
    total += k


for _ in range(N):
    sched.spawn(worker, K)
sched.run()
print(total)
