# Method calls on built-in values: list, dict and str methods in a loop.
def main():
    xs = []
    d = {"a": 1, "b": 2}
    word = "tasklet"
    n = 0
    for i in range(1000000):
        xs.append(i)
        n += d.get("a", 0)
        if word.startswith("task"):
            n += 1
        if len(xs) == 100:
            xs.clear()
    return n + len(xs)

print(main())
