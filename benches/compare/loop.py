# Integer arithmetic in a tight loop: 10 000 000 iterations on locals.
def main():
    total = 0
    for i in range(10000000):
        total = (total + i * 3) % 1000003
    return total

print(main())
