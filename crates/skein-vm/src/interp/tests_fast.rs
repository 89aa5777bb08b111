//! The inner loop of `fast`: loop bodies it takes whole (list items read
//! by a local or a computed key, stored by a computed key), bodies it
//! leaves part-way (an overflow, a str item, a list stored into a local, a
//! float beside an int) and loops it is never entered for give Python's results
//! under every fuel size, so a fiber stopped inside it resumes exactly.

use super::tests_regs::run_src_by;
use crate::value::Value;

const LOOPS: &str = r#"
def ints(n):
    total = 0
    for i in range(n):
        total = (total + i * 3) % 1000003
        if i % 7 == 3:
            total -= i // 2
    return total
def mixed(n):
    xs = [0] * 8
    grid = [[1, 2], [3, 4]]
    s = 0.5
    big = 4611686018427387904
    k = 0
    while k < n:
        xs[k % 8] = xs[k % 8] + k
        s = s * 1.5 - k
        row = grid[k % 2]
        name = "ab"[k % 2]
        if k == 5:
            big = big - 1 + big
        k += 1
    return [xs, s, row, name, big, k > 3, k <= 2.5]
def downs():
    out = []
    for i in range(10, 0, -3):
        j = i
        while j > 0:
            j = j - 4
        out.append(j)
    return out
def overflow():
    x = 1
    try:
        for i in range(100):
            x = x * 3
    except OverflowError:
        return i
def rows(n):
    prev = [0] * (n + 1)
    flags = [False] * n
    s = 0
    for i in range(n):
        cur = [0] * (n + 1)
        for j in range(n):
            cur[j + 1] = prev[j] + i
            if prev[j + 1] >= cur[j]:
                s = s + prev[j + 1]
            flags[j] = True
            x = None
        prev = cur
    return [s, prev, flags, x]
r = repr([ints(2000), mixed(40), downs(), overflow(), rows(6)])
"#;

#[test]
fn loops_the_inner_loop_runs_match_python_under_every_fuel_size() {
    // python3 on the same source (`overflow()` aside: Python's ints do not
    // overflow, Skein's raise past 2**63 - 1, at 3**40).
    let want = "[853985, [[80, 85, 90, 95, 100, 105, 110, 115], -38700579.12329005, \
                [3, 4], 'b', 9223372036854775807, True, False], [-2, -1, 0, -3], 39, \
                [34, [0, 5, 9, 12, 14, 15, 15], [True, True, True, True, True, True], None]]";
    for fuel in [1, 2, 3, 4, 5, 7, 64, 1_000_000] {
        let (_, globals) = run_src_by(LOOPS, fuel);
        assert_eq!(globals.last(), Some(&Value::str(want)), "fuel {fuel}");
    }
}
