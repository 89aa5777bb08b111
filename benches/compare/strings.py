# String building: concatenation, str(), f-strings and one big join.
def main():
    out = []
    for i in range(300000):
        s = "npc-" + str(i)
        out.append(f"{s}:{i % 7}")
    text = ",".join(out)
    return len(text)

print(main())
