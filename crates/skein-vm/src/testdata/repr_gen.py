# Generates repr.tsv: a value (as a Python literal) and CPython 3.11's repr and str of it.
vals = ["'a'", '"it\'s"', "'say \"hi\"'", "'both \\' and \"'", "'tab\\there\\n'", "'\\x00\\x7f\\x80\\xa0\\xad'", "'é ü 中文 😀'", "'\\u200b\\u2028\\ufeff'",
        "'back\\\\slash'", "''", '[1, \'a\', None, True, 2.5]', "{'k': None, 1: [2, {'x': 'y'}]}", '{}', '[]', '[[], [[]]]', "{True: 1, 'a': 'b'}",
        '0.1', '1.0', '-0.0', '1e16', '1e-05', '123456789012345678.0', '5e-324', '0.30000000000000004', '1.7976931348623157e+308', 'inf', 'nan',
        '[inf, -inf, nan]', '9223372036854775807', '-9223372036854775808', 'False']
out = []
for v in vals:
    x = eval(v, {'inf': float('inf'), 'nan': float('nan')})
    out.append(f'{v}\t{repr(x)!r}\t{str(x)!r}')
open('repr.tsv', 'w').write('\n'.join(out) + '\n')
