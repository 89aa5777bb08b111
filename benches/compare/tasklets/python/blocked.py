"""1M tasklets blocked receiving on one channel (for peak RSS per tasklet)."""
import micro as sched

N = 1000000
ch = sched.Channel()
for _ in range(N):
    sched.spawn(ch.receive)
sched.run()
print(-ch.balance)
