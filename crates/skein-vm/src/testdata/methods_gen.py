# Generates methods.tsv: receiver, method, positional args (a list literal), CPython
# 3.11's result repr (or "Kind: message") and the receiver afterwards.
# Run from this folder: python3 methods_gen.py
cases = [
    ("[1, 2]", "append", "[3]"), ("[]", "append", "[]"), ("[1, 2, 3]", "pop", "[]"), ("[1, 2, 3]", "pop", "[0]"), ("[1, 2, 3]", "pop", "[-1]"),
    ("[]", "pop", "[]"), ("[1]", "pop", "[5]"), ("[1]", "pop", "['x']"), ("[1]", "pop", "[1, 2]"), ("[1, 2]", "insert", "[0, 'a']"), ("[1, 2]", "insert", "[-1, 'a']"),
    ("[1, 2]", "insert", "[100, 'a']"), ("[1, 2]", "insert", "[-100, 'a']"), ("[1, 2]", "insert", "[1]"), ("[1, 2, 1]", "remove", "[1]"), ("[1, 2]", "remove", "[3]"),
    ("[1, 2, 1]", "index", "[1]"), ("[1, 2, 1]", "index", "[1, 1]"), ("[1, 2]", "index", "[5]"), ("['a']", "index", "['b']"), ("[1, 2]", "index", "[]"),
    ("[1, 2]", "extend", "[[3, 4]]"), ("[1]", "extend", "['ab']"), ("[1]", "extend", "[range(0, 2)]"), ("[1]", "extend", "[5]"), ("[1, 2, 3]", "reverse", "[]"),
    ("[3, 1, 2]", "sort", "[]"), ("[1, 'a']", "sort", "[]"), ("[1, 2]", "sort", "[1]"), ("[1, 1.0, True]", "count", "[1]"), ("[1]", "count", "[]"), ("[1, 2]", "clear", "[]"),
    ("[1, 2]", "clear", "[1]"), ("[1, [2]]", "copy", "[]"), ("[1]", "push", "[2]"),
    ("{'a': 1, 2: 'b'}", "keys", "[]"), ("{'a': 1, 2: 'b'}", "values", "[]"), ("{'a': 1, 2: 'b'}", "items", "[]"), ("{'a': 1}", "get", "['a']"), ("{'a': 1}", "get", "['b']"),
    ("{'a': 1}", "get", "['b', 0]"), ("{1: 'x'}", "get", "[True]"), ("{'a': 1}", "get", "[[1]]"), ("{'a': 1}", "get", "[]"), ("{'a': 1, 'b': 2}", "pop", "['a']"),
    ("{'a': 1}", "pop", "['z']"), ("{'a': 1}", "pop", "['z', None]"), ("{'a': 1}", "setdefault", "['a', 5]"), ("{'a': 1}", "setdefault", "['b', 5]"), ("{'a': 1}", "setdefault", "['c']"),
    ("{'a': 1}", "update", "[{'b': 2, 'a': 0}]"), ("{'a': 1}", "update", "[[['c', 3]]]"), ("{'a': 1}", "update", "[5]"), ("{'a': 1}", "update", "[[[1, 2, 3]]]"),
    ("{'a': 1}", "clear", "[]"), ("{'a': [1]}", "copy", "[]"), ("{}", "append", "[1]"), ("{True: 'a'}", "update", "[{1: 'b'}]"),
    ("' a b  c '", "split", "[]"), ("'a,b,,c'", "split", "[',']"), ("'a,b,c'", "split", "[',', 1]"), ("'  a b  c '", "split", "[None, 1]"), ("'abc'", "split", "['']"),
    ("''", "split", "[]"), ("''", "split", "[',']"), ("'a'", "split", "[1]"), ("'a b c'", "split", "[' ', -1]"), ("'a\\tb\\nc'", "split", "[]"),
    ("'-'", "join", "[['a', 'b']]"), ("''", "join", "['abc']"), ("', '", "join", "[[]]"), ("'-'", "join", "[[1]]"), ("'-'", "join", "[['a', 2]]"), ("'-'", "join", "[5]"),
    ("'  hi \\n'", "strip", "[]"), ("'xxhixx'", "strip", "['x']"), ("'  hi  '", "lstrip", "[]"), ("'  hi  '", "rstrip", "[]"), ("'abcba'", "rstrip", "['ab']"), ("'a'", "strip", "[1]"),
    ("'Héllo ß'", "upper", "[]"), ("'HÉLLO'", "lower", "[]"), ("'a'", "upper", "[1]"), ("'hello'", "startswith", "['he']"), ("'hello'", "endswith", "['lo']"),
    ("'hello'", "startswith", "[['x', 'h']]"), ("'hello'", "startswith", "[1]"), ("'aaa'", "replace", "['a', 'b']"), ("'aaa'", "replace", "['a', 'b', 2]"),
    ("'abc'", "replace", "['', '-']"), ("'abc'", "replace", "['a']"), ("'héllo'", "find", "['l']"), ("'hello'", "find", "['z']"), ("'hello'", "find", "['']"),
    ("'hello'", "find", "[]"), ("'aaaa'", "count", "['aa']"), ("'abc'", "count", "['']"), ("'abc'", "count", "[]"), ("'123'", "isdigit", "[]"), ("'12a'", "isdigit", "[]"),
    ("''", "isdigit", "[]"), ("'²'", "isdigit", "[]"), ("'abcé'", "isalpha", "[]"), ("'ab1'", "isalpha", "[]"), ("''", "isalpha", "[]"),
    ("'{} and {}'", "format", "[1, 'a']"), ("'{1}{0}{1}'", "format", "['a', 'b']"), ("'{0!r:>6}|{0!s}'", "format", "['x']"), ("'{:08.3f}'", "format", "[3.14159]"),
    ("'{{}} {}'", "format", "[5]"), ("'{} {}'", "format", "[1]"), ("'{0} {}'", "format", "[1, 2]"), ("'{'", "format", "[]"), ("'}'", "format", "[]"),
    ("'{0!x}'", "format", "[1]"), ("'{:d}'", "format", "['a']"), ("'{0[1]}'", "format", "[[5, 6]]"), ("'{:^7}|'", "format", "['ab']"), ("'{:,}'", "format", "[1234567]"),
    ("'{0.x}'", "format", "[1]"), ("'{:{}}|'", "format", "[1, 4]"), ("'a'", "push", "[]"), ("'x'", "format", "[1, 2]"),
]
kwcases = [
    ("[3, 1, 2]", "sort", "[]", "{'reverse': True}"), ("[[1, 'b'], [0, 'a'], [1, 'a']]", "sort", "[]", "{'reverse': True}"), ("[2, 1]", "sort", "[]", "{'key': None}"),
    ("'a b c'", "split", "[]", "{'maxsplit': 1}"), ("'a,b'", "split", "[]", "{'sep': ','}"), ("'{x}-{y}'", "format", "[]", "{'x': 1, 'y': [2]}"),
    ("'{x}'", "format", "[]", "{}"), ("'{a[k]}'", "format", "[]", "{'a': {'k': 3}}"), ("'{:{w}}|'", "format", "[1]", "{'w': 4}"), ("{'a': 1}", "update", "[]", "{'b': 2}"),
    ("[1]", "append", "[2]", "{'x': 1}"),
]
env = {}
out = []
for recv, name, args, *kw in [(r, n, a) for r, n, a in cases] + kwcases:
    kw = kw[0] if kw else "{}"
    obj = eval(recv, env)
    a = eval(args, env)
    if name in ('startswith', 'endswith') and isinstance(a[0], list):
        a[0] = tuple(a[0])  # Skein's tuple of prefixes is a list
    try:
        r = getattr(obj, name)(*a, **eval(kw, env))
        if type(r).__name__ in ('dict_keys', 'dict_values', 'dict_items'):
            r = [list(x) if isinstance(x, tuple) else x for x in r]  # Skein returns lists
        r = repr(r)
    except Exception as e:
        r = type(e).__name__ + ': ' + str(e)
    # Keyword arguments language.md does not list are a TypeError in Skein.
    if kw != "{}" and name in ('split', 'update', 'append'):
        r, obj = f"TypeError: {type(obj).__name__}.{name}() takes no keyword arguments", eval(recv, env)
    out.append(f'{recv}\t{name}\t{args}\t{kw}\t{r!r}\t{repr(obj)!r}')
open('methods.tsv', 'w').write('\n'.join(out) + '\n')
