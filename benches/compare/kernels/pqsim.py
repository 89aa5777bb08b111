# Priority-queue simulation: a thousand NPCs each schedule their next action
# in a binary min-heap of event keys (time * 4096 + npc); the loop pops the
# earliest event, acts, and schedules the next. Prints per-action counts and
# the NPCs' gold.
import sys

KINDS = ["walk", "talk", "trade", "rest"]
DELAYS = {"walk": 3, "talk": 5, "trade": 8, "rest": 20}

heap = []
seed = 12345


def next_random():
    global seed
    seed = seed * 48271 % 2147483647
    return seed


def push(key):
    heap.append(key)
    i = len(heap) - 1
    while i > 0:
        parent = (i - 1) // 2
        if heap[parent] <= key:
            break
        heap[i] = heap[parent]
        i = parent
    heap[i] = key


def pop():
    top = heap[0]
    last = heap.pop()
    n = len(heap)
    if n > 0:
        i = 0
        while True:
            c = 2 * i + 1
            if c >= n:
                break
            if c + 1 < n and heap[c + 1] < heap[c]:
                c += 1
            if heap[c] >= last:
                break
            heap[i] = heap[c]
            i = c
        heap[i] = last
    return top


def main(events):
    npcs = 1000
    gold = [0] * npcs
    counts = {}
    for kind in KINDS:
        counts[kind] = 0
    for npc in range(npcs):
        push(npc)
    t = 0
    for e in range(events):
        key = pop()
        t = key // 4096
        npc = key % 4096
        r = next_random()
        kind = KINDS[r % 4]
        counts[kind] += 1
        if kind == "trade":
            gold[npc] += r % 50
        elif kind == "rest" and gold[npc] > 0:
            gold[npc] -= 1
        push((t + DELAYS[kind] + r % 7) * 4096 + npc)
    for kind in KINDS:
        print("%-6s %d" % (kind, counts[kind]))
    richest = 0
    for npc in range(npcs):
        if gold[npc] > gold[richest]:
            richest = npc
    print("time %d, gold %d, richest npc %d with %d" % (t, sum(gold), richest, gold[richest]))


main(int(sys.argv[1]) if len(sys.argv) > 1 else 200000)
