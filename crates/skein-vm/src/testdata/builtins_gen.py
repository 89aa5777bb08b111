# Generates builtins.tsv: builtin name, positional args (a list literal), keyword args
# (a dict literal) and CPython 3.11's result repr or "Kind: message". Python's tuples
# and iterators become lists, as Skein's builtins return lists.
# Run from this folder: python3 builtins_gen.py
cases = [
    ('len', "['héllo']"), ('len', "[[1, 2]]"), ('len', "[{1: 2}]"), ('len', "[5]"), ('len', "[]"), ('len', "[range(0, 10, 3)]"),
    ('repr', "['a']"), ('abs', "[-5]"), ('abs', "[-2.5]"), ('abs', "[True]"), ('abs', "['x']"),
    ('round', "[2.5]"), ('round', "[3.5]"), ('round', "[-2.5]"), ('round', "[2.675, 2]"), ('round', "[1234.5, -2]"), ('round', "[1250, -2]"), ('round', "[1350, -2]"),
    ('round', "[0.5]"), ('round', "[1.5]"), ('round', "[7]"), ('round', "[7, 2]"), ('round', "[-1234, -1]"), ('round', "[2.5, None]"), ('round', "[inf]"), ('round', "[nan]"),
    ('round', "[1e300, -299]"), ('round', "[5e299, -300]"), ('round', "[0.0001234, 5]"), ('round', "['x']"), ('round', "[1.25, 1]"), ('round', "[1.35, 1]"),
    ('min', "[[3, 1, 2]]"), ('min', "[3, 1, 2]"), ('max', "['b', 'abc']"), ('max', "[[]]"), ('min', "[[]]"), ('min', "[]"), ('max', "[[1, 'a']]"), ('min', "[[1, 'a']]"),
    ('max', "[[1, 1.0, True]]"), ('min', "[[1.0, 1, True]]"), ('max', "[[[1, 2], [1, 3], [0, 9]]]"), ('min', "['hello']"), ('min', "[5]"),
    ('sum', "[[1, 2, 3]]"), ('sum', "[[1, 2.5]]"), ('sum', "[[[1], [2]], []]"), ('sum', "[['a', 'b'], '']"), ('sum', "[[], 10]"), ('sum', "[[True, True]]"), ('sum', "[[1, 'a']]"),
    ('any', "[[0, '', None]]"), ('any', "[[0, 'x']]"), ('all', "[[]]"), ('all', "[[1, 0]]"), ('any', "['']"), ('all', "[5]"),
    ('sorted', "[[3, 1, 2]]"), ('sorted', "['cba']"), ('sorted', "[[[2, 'b'], [1, 'z'], [2, 'a']]]"), ('sorted', "[[1, 'a']]"), ('sorted', "[[3, 1.5, True, 0]]"),
    ('sorted', "[{'b': 1, 'a': 2}]"), ('sorted', "[[nan, 1, 0]]"),
    ('reversed', "[[1, 2, 3]]"), ('reversed', "['abc']"), ('reversed', "[range(0, 4)]"), ('reversed', "[5]"),
    ('enumerate', "[['a', 'b']]"), ('enumerate', "['xy', 5]"), ('zip', "[[1, 2, 3], 'ab']"), ('zip', "[]"), ('zip', "[[1], [2], [3]]"), ('zip', "[1, [2]]"),
    ('chr', "[65]"), ('chr', "[128512]"), ('chr', "[-1]"), ('chr', "[1114112]"), ('chr', "['a']"), ('ord', "['a']"), ('ord', "['😀']"), ('ord', "['ab']"), ('ord', "[5]"), ('ord', "['']"),
    ('int', "[]"), ('int', "['42']"), ('int', "[' -42 ']"), ('int', "['1_000']"), ('int', "['1__0']"), ('int', "['_1']"), ('int', "['x']"), ('int', "['3.5']"), ('int', "[3.9]"), ('int', "[-3.9]"),
    ('int', "['ff', 16]"), ('int', "['0xff', 16]"), ('int', "['0xff', 0]"), ('int', "['0b101', 0]"), ('int', "['010', 0]"), ('int', "['0', 0]"), ('int', "['z', 36]"), ('int', "['1', 1]"),
    ('int', "[5, 10]"), ('int', "[True]"), ('int', "[None]"), ('int', "[inf]"), ('int', "[nan]"), ('int', "['+7']"), ('int', "['0x_f', 16]"), ('int', "['']"),
    ('float', "[]"), ('float', "['1.5']"), ('float', "[' -2e3 ']"), ('float', "['inf']"), ('float', "['-Infinity']"), ('float', "['nan']"), ('float', "['1_0.5']"), ('float', "['x']"),
    ('float', "['.5']"), ('float', "['5.']"), ('float', "[7]"), ('float', "[True]"), ('float', "[[1]]"), ('float', "['1e500']"), ('float', "['--1']"), ('float', "['0.1']"),
    ('str', "[]"), ('str', "[1.5]"), ('str', "[[1, 'a']]"), ('str', "[None]"), ('bool', "[]"), ('bool', "[[]]"), ('bool', "['x']"), ('bool', "[0.0]"),
    ('list', "[]"), ('list', "['ab']"), ('list', "[range(0, 3)]"), ('list', "[{1: 2, 'a': 3}]"), ('list', "[5]"),
    ('dict', "[]"), ('dict', "[[[1, 2], ['a', 'b']]]"), ('dict', "[{1: 2}]"), ('dict', "[[[1, 2, 3]]]"), ('dict', "[[5]]"), ('dict', "[[['ab']]]"),
    ('range', "[3]"), ('range', "[1, 10, 2]"), ('range', "[1, 10, 0]"), ('range', "[]"), ('range', "[1, 2, 3, 4]"), ('range', "[1.5]"), ('range', "[5, 1, -1]"),
    ('type', "[1]"), ('type', "[True]"), ('type', "['a']"), ('type', "[None]"), ('type', "[[1]]"), ('type', "[{}]"), ('type', "[range(0, 1)]"), ('type', "[1.0]"),
    ('isinstance', "[True, int]"), ('isinstance', "[1, bool]"), ('isinstance', "[1, [str, int]]"), ('isinstance', "['a', [int, float]]"), ('isinstance', "[1, 5]"),
    ('isinstance', "[ValueError('x'), Exception]"), ('isinstance', "[KeyError('x'), ValueError]"), ('isinstance', "[int, type]"), ('isinstance', "[None, type(None)]"),
    ('ValueError', "['msg']"), ('KeyError', "['k']"), ('RuntimeError', "['a', 1]"), ('TaskletExit', "[]"),
]
kwcases = [
    ('print', "[1, 2.0, 'a', [1, 'a'], {'k': None}, True]", "{}"), ('print', "['a', 'b']", "{'sep': '-', 'end': '!'}"), ('print', "[]", "{}"),
    ('print', "['a']", "{'sep': None, 'end': None}"), ('print', "['a']", "{'sep': 5}"), ('print', "['a']", "{'flush': True}"),
    ('sorted', "[[3, 1, 2]]", "{'reverse': True}"), ('sorted', "[[[1, 'a'], [0, 'b'], [1, 'c']]]", "{'reverse': True}"), ('sorted', "[[2, 1]]", "{'key': None}"),
    ('min', "[[2, 1]]", "{'key': None}"), ('min', "[[]]", "{'default': 0}"), ('enumerate', "[['a', 'b']]", "{'start': 1}"), ('sum', "[[1, 2]]", "{'start': 10}"),
    ('int', "['ff']", "{'base': 16}"), ('dict', "[]", "{'a': 1, 'b': [2]}"), ('dict', "[[[1, 2]]]", "{'x': 3}"), ('round', "[2.675]", "{'ndigits': 2}"), ('len', "['a']", "{'x': 1}"),
]
import io, contextlib
env = {'nan': float('nan'), 'inf': float('inf')}
out = []
def norm(r):
    if hasattr(r, '__next__'):
        r = [list(t) if isinstance(t, tuple) else t for t in r]
    return r
for name, args, *kw in [(n, a) for n, a in cases] + kwcases:
    kw = kw[0] if kw else "{}"
    a, k = eval(args, env), eval(kw, env)
    if name == 'isinstance' and isinstance(a[1], list):
        a[1] = tuple(a[1])  # Skein's tuple of types is a list
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            r = repr(norm(eval(name, env)(*a, **k)))
    except Exception as e:
        r = type(e).__name__ + ': ' + str(e)
    printed = buf.getvalue()
    # Where Skein differs from Python on purpose (language.md):
    if name == 'TaskletExit':
        r = 'TaskletExit()'
    # Keyword arguments language.md does not list are a TypeError in Skein.
    # (`sum(start=)` and `min(default=)` came in the second round.)
    if (name, kw) in (('int', "{'base': 16}"), ('round', "{'ndigits': 2}")):
        r = f"TypeError: {name}() takes no keyword arguments"
    if kw == "{'flush': True}":
        r, printed = "TypeError: 'flush' is an invalid keyword argument for print()", ''
    out.append(f'{name}\t{args}\t{kw}\t{printed!r}\t{r!r}')
open('builtins.tsv', 'w').write('\n'.join(out) + '\n')
