# N-queens: counts the ways to put n queens on an n x n board with no two
# attacking each other, by backtracking over rows with three occupancy
# tables (columns and both diagonals); prints the count and the first
# solution found.
import sys


def solve(n, row, cols, diag1, diag2, placed, found):
    if row == n:
        if found[0] == 0:
            found[1] = placed[:]
        found[0] += 1
        return found
    for c in range(n):
        if not cols[c] and not diag1[row + c] and not diag2[row - c + n - 1]:
            cols[c] = True
            diag1[row + c] = True
            diag2[row - c + n - 1] = True
            placed[row] = c
            found = solve(n, row + 1, cols, diag1, diag2, placed, found)
            cols[c] = False
            diag1[row + c] = False
            diag2[row - c + n - 1] = False
    return found


def main(n):
    found = solve(n, 0, [False] * n, [False] * (2 * n), [False] * (2 * n), [0] * n, [0, []])
    print("%d queens: %d solutions" % (n, found[0]))
    print("first: " + " ".join([str(c) for c in found[1]]))


main(int(sys.argv[1]) if len(sys.argv) > 1 else 12)
