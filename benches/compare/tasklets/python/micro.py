"""A small Stackless-style scheduler over greenlets: a FIFO run queue,
schedule(), and unbuffered channels whose send/receive block the caller
until a partner arrives. A tasklet that meets a waiting partner goes on and
the partner joins the tail of the run queue (Stackless preference 0).
The main greenlet runs the queue; tasklets switch back to it to yield.
"""

from collections import deque

from greenlet import getcurrent, greenlet

_queue = deque()
_push = _queue.append
_main = getcurrent()


def spawn(func, *args):
    g = greenlet(lambda _: func(*args), parent=_main)
    _push((g, None))


def run():
    pop = _queue.popleft
    while _queue:
        g, v = pop()
        g.switch(v)


def schedule():
    _push((getcurrent(), None))
    return _main.switch()


class Channel:
    __slots__ = ("waiters", "balance")

    def __init__(self):
        self.waiters = deque()  # (greenlet, value); balance > 0: senders
        self.balance = 0

    def send(self, v):
        if self.balance < 0:
            self.balance += 1
            g, _ = self.waiters.popleft()
            _push((g, v))
        else:
            self.balance += 1
            self.waiters.append((getcurrent(), v))
            _main.switch()

    def receive(self):
        if self.balance > 0:
            self.balance -= 1
            g, v = self.waiters.popleft()
            _push((g, None))
            return v
        self.balance -= 1
        self.waiters.append((getcurrent(), None))
        return _main.switch()
