import micro as sched  # noqa: F401  (the same imports as the others)

print(0)
