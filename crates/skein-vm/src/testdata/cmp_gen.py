import operator
vals = ['0','1','9007199254740993','9007199254740992.0','1.0','1.5','-0.0','nan','True','None',"'ab'","'b'","'a'",
        '[1, 2]','[1, 2, 0]','[1, 3]','[[1], 2]',"[1, 'a']","[1, 2.5]",'[nan]','[]','{1: 2}','{True: 2}','{1: 3}',"{'a': [1]}"]
def ev(s): return eval(s, {'nan': float('nan'), 'inf': float('inf')})
ops = {'==':operator.eq,'!=':operator.ne,'<':operator.lt,'<=':operator.le,'>':operator.gt,'>=':operator.ge,'in':lambda a,b: a in b,'not in':lambda a,b: a not in b}
out=[]; seen=set()
for a in vals:
    for b in vals:
        for op,f in ops.items():
            x,y=ev(a),ev(b)
            try: r=repr(f(x,y))
            except Exception as e: r=type(e).__name__+': '+str(e)
            if 'Error' in r:
                key=(type(x).__name__,type(y).__name__,op, r[:40])
                if key in seen: continue
                seen.add(key)
            out.append(f'{a}\t{op}\t{b}\t{r}')
open('compare.tsv','w').write('\n'.join(out)+'\n')
