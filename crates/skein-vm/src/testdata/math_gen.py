# Generates exp.tsv, math.tsv and trig.tsv: random arguments and CPython 3.11's
# math results (on glibc), for the double-double refinements of mathmod/.
# Run from this folder: python3 math_gen.py
import math, random

random.seed(7)
xs = [random.uniform(-700, 709) for _ in range(300)] + [random.uniform(-2, 2) for _ in range(300)] \
    + [random.uniform(-1e-3, 1e-3) for _ in range(100)]
open('exp.tsv', 'w').write(''.join(f'{x!r}\t{math.exp(x)!r}\n' for x in xs))

random.seed(3)
rows = []
for fn in ['log', 'pow', 'hypot']:
    for _ in range(300):
        if fn == 'log': a = (random.uniform(0.001, 1000), 0.0)
        elif fn == 'pow': a = (random.uniform(0.1, 10), random.uniform(-5, 5))
        else: a = (random.uniform(-10, 10), random.uniform(-10, 10))
        r = math.log(a[0]) if fn == 'log' else getattr(math, fn)(*a)
        rows.append(fn + '\t' + '\t'.join(repr(x) for x in a) + '\t' + repr(r))
for a, b in [(2.0, 10.0), (10.0, -2.0), (-2.0, 3.0), (-2.0, 2.0), (2.5, 1.7), (9.0, 0.5), (1e10, 0.1), (0.5, -1000.0), (0.5, 1074.0)]:
    rows.append('pow\t%r\t%r\t%r' % (a, b, math.pow(a, b)))
for a, b in [(3.0, 4.0), (3.1, 4.2), (1e300, 1e300), (5e-324, 5e-324), (0.0, -2.0)]:
    rows.append('hypot\t%r\t%r\t%r' % (a, b, math.hypot(a, b)))
open('math.tsv', 'w').write('\n'.join(rows) + '\n')

random.seed(5)
rows = []
for fn in ['sin', 'cos', 'atan2']:
    for _ in range(400):
        if fn in ('sin', 'cos'): a = (random.choice([random.uniform(-10, 10), random.uniform(-1000, 1000), random.uniform(-1e-3, 1e-3)]), 0.0)
        else: a = (random.uniform(-10, 10), random.uniform(-10, 10))
        r = getattr(math, fn)(*a) if fn == 'atan2' else getattr(math, fn)(a[0])
        rows.append(fn + '\t' + '\t'.join(repr(x) for x in a) + '\t' + repr(r))
for x in [math.pi, math.pi / 2, math.pi / 6, 1.0, 0.5, 100.0, 1e-8, 3.0, 710.0, 355.0]:
    for fn in ['sin', 'cos']:
        rows.append('%s\t%r\t0.0\t%r' % (fn, x, getattr(math, fn)(x)))
for y, x in [(1.0, 1.0), (1.0, -1.0), (-1.0, -1.0), (0.5, 2.0), (3.0, 4.0), (1e-300, 1.0)]:
    rows.append('atan2\t%r\t%r\t%r' % (y, x, math.atan2(y, x)))
open('trig.tsv', 'w').write('\n'.join(rows) + '\n')
