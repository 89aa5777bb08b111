# Generates binary.tsv: a, op, b and CPython 3.11's result repr or "Kind: message",
# mapped to Skein where the languages differ (64-bit ints, no complex, no dict |).
# Run from this folder: python3 ops_gen.py
import operator
I64 = (-2**63, 2**63 - 1)
vals = ['0', '1', '-7', '3', '4611686018427387904', '-9223372036854775808', '-0.0', '1.5', '-2.5',
        'inf', 'nan', '1e308', 'True', 'None', "'ab'", '[1, 2]', '{1: 2}']
ops = {'+': operator.add, '-': operator.sub, '*': operator.mul, '/': operator.truediv,
       '//': operator.floordiv, '%': operator.mod, '**': operator.pow, '&': operator.and_,
       '|': operator.or_, '^': operator.xor, '<<': operator.lshift, '>>': operator.rshift}

def ev(s):
    return eval(s, {'inf': float('inf'), 'nan': float('nan')})

def res(r):
    if isinstance(r, int) and not isinstance(r, bool) and not (I64[0] <= r <= I64[1]):
        return 'OverflowError: integer overflow'
    if isinstance(r, complex):
        return 'ValueError: negative number cannot be raised to a fractional power'
    return repr(r)

out, seen = [], set()
for a in vals:
    for b in vals:
        for op, f in ops.items():
            x, y = ev(a), ev(b)
            isint = lambda v: isinstance(v, int)
            # Skip what would take Python forever or is platform pow (not libm) dependent.
            if op in ('<<', '**', '*') and isint(x) and isint(y) and not isinstance(y, bool) and abs(y) > 200 and abs(x) > 1:
                continue
            if op == '*' and (isinstance(x, (str, list)) or isinstance(y, (str, list))) and (isint(x) and abs(x) > 100 or isint(y) and abs(y) > 100):
                continue
            if op == '%' and isinstance(x, str):
                continue
            if op == '**' and isint(x) and isint(y) and y < 0 and x != 0:
                continue
            try:
                r = res(f(x, y))
            except Exception as e:
                r = type(e).__name__ + ': ' + str(e)
            if 'TypeError' in r:
                key = (type(x).__name__, type(y).__name__, r.split(':')[1][:12])
                if key in seen:
                    continue
                seen.add(key)
            if isinstance(x, dict) and isinstance(y, dict) and op == '|':
                r = "TypeError: unsupported operand type(s) for |: 'dict' and 'dict'"
            if r.startswith('MemoryError'):
                r = 'OverflowError: integer overflow'
            out.append(f'{a}\t{op}\t{b}\t{r}')
open('binary.tsv', 'w').write('\n'.join(out) + '\n')
