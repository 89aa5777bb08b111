# Word counts: a generated text (words made of syllables, drawn with a skew
# so some are common, some capitalised and followed by punctuation) is split,
# normalised and counted in a dict; prints the ten most common words.
import sys

SYLLABLES = ["ka", "lo", "mi", "ren", "to", "sa", "vel", "dor", "an", "ith", "ur", "bel"]


def vocabulary(size):
    words = []
    for k in range(size):
        word = ""
        m = k + 12
        while m > 0:
            word += SYLLABLES[m % 12]
            m = m // 12
        words.append(word)
    return words


def generate(n, seed):
    vocab = vocabulary(600)
    out = []
    for i in range(n):
        seed = seed * 48271 % 2147483647
        a = seed % 600
        seed = seed * 48271 % 2147483647
        b = seed % 600
        word = vocab[a * b // 600]
        if i % 7 == 3:
            word = word.capitalize()
            if i % 2 == 0:
                word += ","
            else:
                word += "."
        out.append(word)
    return " ".join(out)


def by_count(pair):
    return [-pair[1], pair[0]]


def main(n):
    text = generate(n, 2024)
    counts = {}
    total = 0
    for token in text.split():
        word = token.strip(".,").lower()
        counts[word] = counts.get(word, 0) + 1
        total += 1
    print("%d words, %d distinct" % (total, len(counts)))
    top = sorted(counts.items(), key=by_count)
    for pair in top[:10]:
        print("%-12s %d" % (pair[0], pair[1]))


main(int(sys.argv[1]) if len(sys.argv) > 1 else 400000)
