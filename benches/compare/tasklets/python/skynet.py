"""Skynet: a tree of 10-way tasklets down to 1M leaves; each leaf sends its
number up its parent's channel and each parent sends the sum of its ten."""
import micro as sched


def skynet(out, num, size):
    if size == 1:
        out.send(num)
        return
    ch = sched.Channel()
    step = size // 10
    for i in range(10):
        sched.spawn(skynet, ch, num + i * step, step)
    s = 0
    for _ in range(10):
        s += ch.receive()
    out.send(s)


result = []
root = sched.Channel()
sched.spawn(skynet, root, 0, 1000000)
sched.spawn(lambda _=None: result.append(root.receive()))
sched.run()
print(result[0])
