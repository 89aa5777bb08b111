import math, operator
I64 = (-2**63, 2**63-1)
vals = ['0','1','-1','7','-7','3','2','4611686018427387904','-9223372036854775808','9223372036854775807',
        '0.0','-0.0','1.5','-2.5','inf','nan','1e308','0.1','True','False','None',"'ab'","''",'[1, 2]','[]','{1: 2}']
def ev(s):
    if s=='inf': return float('inf')
    if s=='nan': return float('nan')
    return eval(s)
ops = {'+':operator.add,'-':operator.sub,'*':operator.mul,'/':operator.truediv,'//':operator.floordiv,'%':operator.mod,'**':operator.pow,'&':operator.and_,'|':operator.or_,'^':operator.xor,'<<':operator.lshift,'>>':operator.rshift}
names = {'+':'Add','-':'Sub','*':'Mul','/':'Div','//':'FloorDiv','%':'Mod','**':'Pow','&':'BitAnd','|':'BitOr','^':'BitXor','<<':'Shl','>>':'Shr'}
def res(r):
    if isinstance(r, bool): return repr(r)
    if isinstance(r, int):
        if not (I64[0] <= r <= I64[1]): return 'OverflowError: integer overflow'
        return repr(r)
    if isinstance(r, complex): return 'ValueError: negative number cannot be raised to a fractional power'
    if isinstance(r, float): return repr(r)
    return repr(r)
out=[]
for a in vals:
    for b in vals:
        for op,f in ops.items():
            x, y = ev(a), ev(b)
            def isint(v): return isinstance(v,int)
            if op in ('<<','**','*') and isint(x) and isint(y) and not isinstance(y,bool) and abs(y) > 200 and abs(x) > 1: continue
            if op=='*' and (isinstance(x,(str,list)) or isinstance(y,(str,list))) and (isint(x) and abs(x)>100 or isint(y) and abs(y)>100): continue
            if op=='%' and isinstance(x,str): continue
            if op=='**' and isint(x) and isint(y) and y<0 and x!=0: continue  # platform pow vs libm
            try:
                r = res(f(x,y))
            except Exception as e:
                r = type(e).__name__ + ': ' + str(e)
            if r.startswith('OverflowError: (34'): pass
            out.append(f'    ("{a}", BinOp::{names[op]}, "{b}", {r!r}),')
print("\n".join(out))
