# Binary trees: build many perfect binary trees of nested two-item lists,
# count their nodes, and let them go; one long-lived tree stays throughout.
import sys


def make(depth):
    if depth == 0:
        return [None, None]
    return [make(depth - 1), make(depth - 1)]


def check(tree):
    if tree[0] is None:
        return 1
    return 1 + check(tree[0]) + check(tree[1])


def main(max_depth):
    min_depth = 4
    if max_depth < min_depth + 2:
        max_depth = min_depth + 2
    stretch = max_depth + 1
    print("stretch tree of depth %d\t check: %d" % (stretch, check(make(stretch))))
    long_lived = make(max_depth)
    depth = min_depth
    while depth <= max_depth:
        iterations = 2 ** (max_depth - depth + min_depth)
        total = 0
        for i in range(iterations):
            total += check(make(depth))
        print("%d\t trees of depth %d\t check: %d" % (iterations, depth, total))
        depth += 2
    print("long lived tree of depth %d\t check: %d" % (max_depth, check(long_lived)))


main(int(sys.argv[1]) if len(sys.argv) > 1 else 14)
