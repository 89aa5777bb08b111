//! `skein run --watch`: a script edited while the run goes on is swapped in
//! at a tick boundary, and stderr says what was reloaded. When the edit
//! lands depends on the wall clock, so only what follows it is asserted.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use crate::harness::{temp_dir, write};

const GUARD: &str = "\
import sim
def greet(i):
    return 'v1 says ' + str(i)
def patrol():
    for i in range(1000):
        print(greet(i))
        sim.sleep(1)
patrol()
";

#[test]
fn an_edited_script_is_swapped_in_while_the_run_goes_on() {
    let dir = temp_dir("reload_watch");
    let file = write(&dir, "guard.sk", GUARD);
    let mut child = Command::new(env!("CARGO_BIN_EXE_skein"))
        .current_dir(&dir)
        .args(["run", "guard.sk", "--watch", "--tick-rate", "100"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("skein starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut seen = Vec::new();
    let mut edited = false;
    while let Some(Ok(line)) = lines.next() {
        if line == "v1 says 2" && !edited {
            std::fs::write(&file, GUARD.replace("'v1 says '", "'v2 says '")).expect("edited");
            edited = true;
        }
        let done = line.starts_with("v2 says ");
        seen.push(line);
        if done || seen.len() > 900 {
            break;
        }
    }
    // Ended by its id: the run would go on for 1000 ticks.
    let _ = child.kill();
    let _ = child.wait();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr read");
    let last = seen.last().cloned().unwrap_or_default();
    assert!(last.starts_with("v2 says "), "{seen:?}\n{stderr}");
    // The loop went on from where it was: the numbers run on unbroken.
    let n: usize = last["v2 says ".len()..].parse().expect("a number");
    assert_eq!(n + 1, seen.len(), "{seen:?}");
    assert!(
        stderr.starts_with(
            "reload: reloaded guard.sk (changed: greet); 0 frames still run old code\n"
        ),
        "{stderr}"
    );
}
