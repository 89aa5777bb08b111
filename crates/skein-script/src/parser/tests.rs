//! Parser tests.

use super::parse_module;

#[test]
fn smoke() {
    let src = "import a as b, c\nfrom m import (x, y as z,)\nX = -9223372036854775808\ndef f(a, b=2):\n    global X\n    for i, (j, k) in enumerate(a):\n        if i < 2: continue\n        elif not j: break\n        else:\n            pass\n    while a: a -= 1; b **= 2\n    try:\n        raise ValueError(\"m\")\n    except (ValueError, KeyError) as e:\n        return [x*2 for x in a if x if x for y in b], {k: v for k, v in d}\n    else:\n        del a[0], b.c\n    finally:\n        assert a, f'{a!r:>{w}} {{b}} {c:3d}' \"tail\"\n    return x if y else z\n";
    let m = parse_module(src, "t.sk");
    println!("{m:#?}");
    assert!(m.is_ok());
}
