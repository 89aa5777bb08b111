# 0/1 knapsack: the most value that fits in a bag, over generated items, by
# dynamic programming over capacities (one row, walked downwards so each
# item is used at most once).
import sys


def make_items(n, seed):
    items = []
    for i in range(n):
        seed = seed * 48271 % 2147483647
        weight = 5 + seed % 96
        seed = seed * 48271 % 2147483647
        value = 10 + seed % 991
        items.append([weight, value])
    return items


def best_values(items, capacity):
    best = [0] * (capacity + 1)
    for item in items:
        weight = item[0]
        value = item[1]
        c = capacity
        while c >= weight:
            candidate = best[c - weight] + value
            if candidate > best[c]:
                best[c] = candidate
            c -= 1
    return best


def main(n):
    items = make_items(n, 7)
    capacity = n * 25
    best = best_values(items, capacity)
    print("%d items, total weight %d" % (len(items), sum([it[0] for it in items])))
    for c in [capacity // 4, capacity // 2, capacity]:
        print("capacity %d: best value %d" % (c, best[c]))


main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
