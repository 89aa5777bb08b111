# Longest common subsequence of two generated DNA-like strings, by dynamic
# programming over two rows of the table.
import sys


def generate(n, seed):
    letters = "ACGT"
    out = []
    for i in range(n):
        seed = seed * 48271 % 2147483647
        out.append(letters[seed % 4])
    return "".join(out)


def lcs_length(a, b):
    prev = [0] * (len(b) + 1)
    for i in range(len(a)):
        cur = [0] * (len(b) + 1)
        ai = a[i]
        for j in range(len(b)):
            if ai == b[j]:
                cur[j + 1] = prev[j] + 1
            elif prev[j + 1] >= cur[j]:
                cur[j + 1] = prev[j + 1]
            else:
                cur[j + 1] = cur[j]
        prev = cur
    return prev[len(b)]


def main(n):
    a = generate(n, 42)
    b = generate(n + n // 10, 4242)
    print(a[:20], b[:20])
    print("lcs(%d, %d) = %d" % (len(a), len(b), lcs_length(a, b)))


main(int(sys.argv[1]) if len(sys.argv) > 1 else 1600)
