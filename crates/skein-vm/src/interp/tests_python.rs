//! Scripts whose expected output is what `python3` (3.11) printed for the
//! same source, adjusted only where Skein means to differ (noted inline).

use super::tests::run;

const CALLS: &str = r#"def f(a, b):
    return a * 10 + b
def g(a, b=2, c=[1, 2]):
    return [a, b, c]
def h():
    return "h"
def k(a):
    return a
def m(a, b, c):
    pass
print(f(1, 2), f(b=3, a=4), f(5, b=6))
print(g(1), g(1, 3), g(1, c=5), g(a=7, b=8, c=9))
print(h(), k(a=1))
def check(n):
    try:
        if n == 0: f(1)
        if n == 1: f()
        if n == 2: f(1, 2, 3)
        if n == 3: g(1, 2, 3, 4)
        if n == 4: h(1)
        if n == 5: k(1, 2)
        if n == 6: f(1, z=3)
        if n == 7: f(1, a=2)
        if n == 8: m()
        if n == 9: m(1)
        if n == 10: g()
        if n == 11: f(b=1)
        if n == 12: g(1, 2, 3, b=4)
    except TypeError as e:
        print(n, e)
for i in range(13):
    check(i)
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
print(fib(20))
def rec(n):
    return rec(n + 1)
try:
    rec(0)
except RecursionError as e:
    print("rec", e)
try:
    n = 5
    n(1)
except TypeError as e:
    print(e)
x = 3
def setx():
    global x
    x = x + 1
setx()
print(x)
def loc():
    print(y)
    y = 2
try:
    loc()
except NameError as e:
    print(type(e) == UnboundLocalError, e)
try:
    print(undefined_name)
except NameError as e:
    print(e)
print(len([1, 2, 3]), max(3, 4), min([5, 2, 8]))
def neg(v):
    return -v
print(sorted([3, 1, 2], key=neg), sorted(["bb", "a", "ccc"], key=len, reverse=True))
print(min([3, 1, 2], key=neg), max(3, 1, 2, key=neg), max(["a", "bbb", "cc"], key=len))
xs = [5, 3, 9, 1]
xs.sort(key=neg)
print(xs)
d = {"a": [3, 1, 2]}
d["a"].sort(key=neg, reverse=True)
print(d)
ys = xs
ys.sort()
print(xs, ys)
print(xs.sort(key=neg))
"#;

const CALLS_OUT: &str = r#"12 43 56
[1, 2, [1, 2]] [1, 3, [1, 2]] [1, 2, 5] [7, 8, 9]
h 1
0 f() missing 1 required positional argument: 'b'
1 f() missing 2 required positional arguments: 'a' and 'b'
2 f() takes 2 positional arguments but 3 were given
3 g() takes from 1 to 3 positional arguments but 4 were given
4 h() takes 0 positional arguments but 1 was given
5 k() takes 1 positional argument but 2 were given
6 f() got an unexpected keyword argument 'z'
7 f() got multiple values for argument 'a'
8 m() missing 3 required positional arguments: 'a', 'b', and 'c'
9 m() missing 2 required positional arguments: 'b' and 'c'
10 g() missing 1 required positional argument: 'a'
11 f() missing 1 required positional argument: 'a'
12 g() got multiple values for argument 'b'
6765
rec maximum recursion depth exceeded
'int' object is not callable
4
True cannot access local variable 'y' where it is not associated with a value
name 'undefined_name' is not defined
3 4 2
[3, 2, 1] ['ccc', 'bb', 'a']
3 1 bbb
[9, 5, 3, 1]
{'a': [1, 2, 3]}
[9, 5, 3, 1] [1, 3, 5, 9]
None
"#;

/// Keyword arguments, defaults, every binding `TypeError`, recursion limit,
/// globals, unbound locals and the `key=` paths through the prelude.
/// Skein differs once: `ys = xs` copies, so sorting `ys` leaves `xs` alone.
#[test]
fn calls_print_what_python_prints() {
    assert_eq!(run(CALLS), CALLS_OUT);
}

const EXC: &str = r#"def f(n):
    try:
        if n == 1:
            raise ValueError("bad")
        if n == 2:
            return "early"
        print("body", n)
    except ValueError as e:
        print("caught", e)
        return "from except"
    else:
        print("else", n)
    finally:
        print("finally", n)
    return "end"
for i in range(3):
    print(f(i))
def loop():
    for i in range(5):
        try:
            if i == 1:
                continue
            if i == 3:
                break
            print("i", i)
        finally:
            print("fin", i)
    return i
print(loop())
def inner(x):
    return x[3]
def middle(x):
    try:
        return inner(x)
    except KeyError:
        print("not me")
def outer():
    try:
        middle([1, 2])
    except IndexError as e:
        print("outer caught", e)
outer()
try:
    try:
        raise KeyError("k")
    except (ValueError, KeyError) as e:
        print("tuple", repr(e), str(e))
        raise
except Exception as e:
    print("reraised", type(e) == KeyError)
try:
    raise ValueError
except ValueError as e:
    print("bare kind", repr(e), "[" + str(e) + "]")
try:
    raise 5
except TypeError as e:
    print(e)
try:
    try:
        1 / 0
    except 5:
        pass
except TypeError as e:
    print(e)
try:
    x = 9223372036854775807 + 1
except OverflowError as e:
    print("overflow")
def deep(n):
    if n == 0:
        raise RuntimeError("deep")
    try:
        deep(n - 1)
    finally:
        print("unwind", n)
try:
    deep(3)
except RuntimeError as e:
    print(e.args[0])
try:
    assert 1 == 2, "nope"
except AssertionError as e:
    print("assert", e)
def nested():
    try:
        try:
            raise ValueError("a")
        finally:
            print("inner finally")
    except ValueError as e:
        print("got", e)
    try:
        raise NameError("n")
    except UnboundLocalError:
        print("wrong")
    except NameError:
        print("name ok")
nested()
try:
    d = {}
    d["missing"]
except KeyError as e:
    print("key", e)
print("done")
"#;

const EXC_OUT: &str = r#"body 0
else 0
finally 0
end
caught bad
finally 1
from except
finally 2
early
i 0
fin 0
fin 1
i 2
fin 2
fin 3
3
outer caught list index out of range
tuple KeyError('k') 'k'
reraised True
bare kind ValueError() []
exceptions must derive from BaseException
catching classes that do not inherit from BaseException is not allowed
overflow
unwind 1
unwind 2
unwind 3
deep
assert nope
inner finally
got a
name ok
key 'missing'
done
"#;

/// try/except/else/finally with return, break and continue; handlers
/// across frames; bare raise; kinds as values. Skein differs once: its ints
/// are 64-bit, so `9223372036854775807 + 1` is an `OverflowError`.
#[test]
fn exc_print_what_python_prints() {
    assert_eq!(run(EXC), EXC_OUT);
}

const KEYS: &str = r#"def neg(v):
    return -v
print(sorted([3, 1, 2], key=None), sorted("bca", key=None, reverse=True))
xs = [2, 3, 1]
xs.sort(key=None)
print(xs)
xs.sort(key=neg, reverse=False)
print(xs)
print(sorted({"b": 1, "a": 2}, key=len), sorted(range(4), key=neg))
try:
    min([], key=neg)
except ValueError as e:
    print(e)
try:
    max([], key=neg)
except ValueError as e:
    print(e)
try:
    sorted([1, "a"], key=neg)
except TypeError as e:
    print(e)
try:
    sorted([1, 2], key=5)
except TypeError as e:
    print(e)
print(max([[1, 2], [0, 5]], key=neg if False else len))
def second(p):
    return p[1]
pairs = [["a", 2], ["b", 1], ["c", 2]]
print(sorted(pairs, key=second), sorted(pairs, key=second, reverse=True))
print(min(pairs, key=second), max(pairs, key=second))
grid = {"r": [[3, "x"], [1, "y"]]}
grid["r"].sort(key=second, reverse=True)
print(grid)
"#;

const KEYS_OUT: &str = r#"[1, 2, 3] ['c', 'b', 'a']
[1, 2, 3]
[3, 2, 1]
['b', 'a'] [3, 2, 1, 0]
min() arg is an empty sequence
max() arg is an empty sequence
bad operand type for unary -: 'str'
'int' object is not callable
[1, 2]
[['b', 1], ['a', 2], ['c', 2]] [['a', 2], ['c', 2], ['b', 1]]
['b', 1] ['a', 2]
{'r': [[1, 'y'], [3, 'x']]}
"#;

/// `key=` and `reverse=` on sorted, min, max and list.sort, with Python's
/// errors from inside the prelude.
#[test]
fn keys_print_what_python_prints() {
    assert_eq!(run(KEYS), KEYS_OUT);
}
