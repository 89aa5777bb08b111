# Fannkuch-redux: for every permutation of 0..n-1, count the prefix
# reversals ("pancake flips") until 0 comes first; prints a checksum
# (flip counts added and subtracted alternately, in permutation order) and
# the most flips any permutation needs.
import sys


def fannkuch(n):
    perm1 = list(range(n))
    count = [0] * n
    max_flips = 0
    checksum = 0
    index = 0
    r = n
    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1
        perm = perm1[:]
        flips = 0
        k = perm[0]
        while k != 0:
            i = 0
            j = k
            while i < j:
                t = perm[i]
                perm[i] = perm[j]
                perm[j] = t
                i += 1
                j -= 1
            flips += 1
            k = perm[0]
        if flips > max_flips:
            max_flips = flips
        if index % 2 == 0:
            checksum += flips
        else:
            checksum -= flips
        # Next permutation: rotate the first r + 1 items left until some
        # counter has turns left.
        while True:
            if r == n:
                return [checksum, max_flips]
            first = perm1[0]
            for i in range(r):
                perm1[i] = perm1[i + 1]
            perm1[r] = first
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1
        index += 1


def main(n):
    # Five rounds: n = 9 is ten times n = 8, too long for a bench run.
    result = []
    for round in range(5):
        result = fannkuch(n)
    print(result[0])
    print("Pfannkuchen(%d) = %d" % (n, result[1]))


main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
