//! Running the binary: a fresh folder per test, and the three outputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What one run of `skein` did.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stderr without the closing line, whose timings change every run.
    pub fn report(&self) -> String {
        self.stderr
            .lines()
            .filter(|l| !l.starts_with("skein: "))
            .map(|l| format!("{l}\n"))
            .collect()
    }

    /// Asserts the exit code, showing stderr when it differs.
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(self.code, Some(code), "stderr:\n{}", self.stderr);
        self
    }
}

/// `skein ARGS…` with `dir` as the current folder and no stdin.
pub fn skein(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_skein"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("the skein binary starts");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `skein` to spawn in `dir` with its outputs piped and no stdin, the
/// logging and fault-injection variables of the test's own environment
/// left out (a test that wants a fault sets it on the command).
pub fn piped(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_skein"));
    c.current_dir(dir)
        .env_remove("RUST_LOG")
        .env_remove("SKEIN_FAULT")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// An empty folder of its own for the test `name`.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir
}

/// `dir/name` with `text` in it.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("a script written");
    path
}

/// The seed's pickling examples, kept in the repository beside skein-save's
/// own test of them, so the CLI and the library run the very same files.
pub fn seed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/skein-save/tests/seed")
}

/// Workers that sleep between steps, a conversation over a channel, a
/// random draw, and a receiver left blocked at the end (a deadlock line).
pub const TICKING: &str = r#"import stackless
import sim
import random

def worker(n):
    for i in range(5):
        print("worker", n, "step", i, "tick", sim.tick(), random.randint(1, 100))
        sim.sleep(n + 1)

def ping(ch, n):
    for i in range(n):
        ch.send(i)
        stackless.schedule()

def pong(ch, n):
    total = 0
    for i in range(n):
        total += ch.receive()
        print("pong got", total, "at tick", sim.tick())

for k in range(3):
    t = stackless.tasklet(worker)(k)
    t.name = "worker" + str(k)
ch = stackless.channel()
stackless.tasklet(ping)(ch, 6)
stackless.tasklet(pong)(ch, 6)
lost = stackless.channel()
def waiter():
    print("never", lost.receive())
w = stackless.tasklet(waiter)()
w.name = "waiter"
"#;

/// A main that keeps running itself, with a busy loop that the budget
/// preempts across ticks.
pub const BUSY: &str = r#"import stackless
import sim

def spin(n):
    x = 0
    for i in range(n):
        x += i * i
    print("spin", n, "done", x, "tick", sim.tick())

for n in (500, 3000, 9000):
    stackless.tasklet(spin)(n)
i = 0
while i < 4:
    print("main at tick", sim.tick())
    stackless.schedule()
    i += 1
"#;
