# Path-finding: breadth-first search over a generated grid map (about a
# quarter walls), from several start cells as NPCs would; prints how many
# cells each reaches, the farthest distance and the path length to a goal.
import sys


def make_grid(size, seed):
    grid = []
    for y in range(size):
        row = []
        for x in range(size):
            seed = seed * 48271 % 2147483647
            row.append(1 if seed % 100 < 27 else 0)
        grid.append(row)
    return grid


def bfs(grid, size, sx, sy):
    dist = [-1] * (size * size)
    queue = [sy * size + sx]
    dist[sy * size + sx] = 0
    head = 0
    while head < len(queue):
        cell = queue[head]
        head += 1
        x = cell % size
        y = cell // size
        d = dist[cell] + 1
        for step in [[1, 0], [-1, 0], [0, 1], [0, -1]]:
            nx = x + step[0]
            ny = y + step[1]
            if nx >= 0 and nx < size and ny >= 0 and ny < size:
                n = ny * size + nx
                if dist[n] < 0 and grid[ny][nx] == 0:
                    dist[n] = d
                    queue.append(n)
    return dist


def main(size):
    grid = make_grid(size, 99)
    starts = [[0, 0], [size // 2, size // 2], [size - 1, 0], [size // 3, size - 1]]
    for rounds in range(3):
        for s in starts:
            grid[s[1]][s[0]] = 0
            dist = bfs(grid, size, s[0], s[1])
            reached = 0
            farthest = 0
            for d in dist:
                if d >= 0:
                    reached += 1
                    if d > farthest:
                        farthest = d
            goal = dist[size * size - 1]
            if rounds == 0:
                print("from (%d, %d): %d cells reached, farthest %d, goal %d"
                      % (s[0], s[1], reached, farthest, goal))


main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
