# List and dict churn: counting in a dict, a sliding window of small lists.
def main():
    counts = {}
    window = []
    total = 0
    for i in range(300000):
        k = i % 1000
        counts[k] = counts.get(k, 0) + 1
        window.append([i, k])
        if len(window) > 64:
            total += window.pop(0)[1]
    for k in counts:
        total += counts[k]
    return total

print(main())
