# Generates spec.tsv: value repr, format spec, CPython 3.11's format(value, spec).
vals = ['0', '1', '-1', '42', '-1234567', '9223372036854775807', 'True', 'False', 'None',
        '0.0', '-0.0', '1.5', '-2.5', '0.1', '3.14159', '1234.5678', '1e16', '1e-5', '123456789.0', '2.5e-07', 'inf', 'nan', '0.125', '0.5', '2.675',
        "''", "'a'", "'hello'", "'héllo'"]
specs = ['', '5', '<5', '>8', '^9', '*^9', '=8', '08', '+', '-', ' ', '+08', ',', '_', '010,', '.2f', '.0f', '#.0f', '10.3f', 'f', 'F', 'e', '.2e', 'E', 'g', '.3g', '#g', 'G', '.10g', '%', '.1%',
         'd', 'x', '#x', 'X', '#X', 'o', '#o', 'b', '#b', '_b', '#_x', '08b', 'c', 's', '.3', '10.3', '.0', '>10.2s', 'z.1f', '+.3e', ' .2f', '.15g', '.17g', '_.2f', ',.3f', '.20', '.2', 'n', '#', 'x<6', '0<6', '.']
out = []
def ev(s): return eval(s, {'inf': float('inf'), 'nan': float('nan')})
seen = set()
for v in vals:
    for s in specs:
        try:
            r = format(ev(v), s)
        except Exception as e:
            r = type(e).__name__ + ': ' + str(e)
            key = (type(ev(v)).__name__, r)
            if key in seen: continue
            seen.add(key)
        out.append(f'{v}\t{s}\t{r!r}')
open('spec.tsv', 'w').write('\n'.join(out) + '\n')
