//! The frames a shard run by `skein cluster` writes on stdout (`#FRAME TICK
//! OUT ERR` and the bytes). A frame with output goes out at once, behind
//! those before it; empty ones, most of a running cluster's, are gathered
//! and sent together at least every [`FLUSH_EVERY`] by a thread of their
//! own: a tick that prints nothing then costs the shard a copy into a
//! buffer rather than a write, and `skein cluster` no wake-up. A frame of
//! a later tick tells `skein cluster` that the ticks before it are done,
//! so it never waits longer than that for an empty one.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long an empty frame may wait in the buffer.
const FLUSH_EVERY: Duration = Duration::from_millis(10);

#[derive(Default)]
struct Pending {
    buf: Vec<u8>,
    /// The writer is finishing: the thread sends what is left and ends.
    done: bool,
    /// The first failed write, for the tick loop to report.
    failed: Option<std::io::ErrorKind>,
}

type Shared = Arc<(Mutex<Pending>, Condvar)>;

/// Writes a shard's frames to stdout.
pub struct FrameWriter {
    shared: Shared,
    flusher: Option<JoinHandle<()>>,
}

impl FrameWriter {
    pub fn new() -> FrameWriter {
        let shared: Shared = Arc::default();
        let theirs = shared.clone();
        let flusher = std::thread::Builder::new()
            .name("frames".into())
            .spawn(move || flush_loop(&theirs))
            .ok();
        FrameWriter { shared, flusher }
    }

    /// Writes tick `tick`'s frame: at once if it has output (or no thread
    /// could be started to send it later), else into the buffer.
    pub fn frame(&mut self, tick: u64, out: &str, err: &str) -> std::io::Result<()> {
        let mut p = lock(&self.shared);
        if let Some(kind) = p.failed {
            return Err(kind.into());
        }
        write!(
            p.buf,
            "#FRAME {tick} {} {}\n{out}{err}",
            out.len(),
            err.len()
        )?;
        if !out.is_empty() || !err.is_empty() || self.flusher.is_none() {
            // Under the lock, so that the thread cannot send older frames
            // after these.
            send(&mut p)?;
        }
        Ok(())
    }

    /// Sends what is buffered and stops the thread.
    pub fn finish(&mut self) -> std::io::Result<()> {
        lock(&self.shared).done = true;
        self.shared.1.notify_one();
        if let Some(t) = self.flusher.take() {
            let _ = t.join();
        }
        let mut p = lock(&self.shared);
        send(&mut p)?;
        match p.failed {
            Some(kind) => Err(kind.into()),
            None => Ok(()),
        }
    }
}

impl Drop for FrameWriter {
    fn drop(&mut self) {
        // A shard stopping on an error still sends the frames it ran.
        let _ = self.finish();
    }
}

fn lock(shared: &Shared) -> MutexGuard<'_, Pending> {
    shared.0.lock().unwrap_or_else(|e| e.into_inner())
}

/// Writes out the buffer.
fn send(p: &mut Pending) -> std::io::Result<()> {
    if p.buf.is_empty() {
        return Ok(());
    }
    let mut stdout = std::io::stdout().lock();
    let sent = stdout.write_all(&p.buf).and_then(|()| stdout.flush());
    p.buf.clear();
    if let Err(e) = &sent {
        p.failed.get_or_insert(e.kind());
    }
    sent
}

fn flush_loop(shared: &Shared) {
    let mut p = lock(shared);
    while !p.done {
        p = match shared.1.wait_timeout(p, FLUSH_EVERY) {
            Ok((p, _)) => p,
            Err(e) => e.into_inner().0,
        };
        let _ = send(&mut p);
    }
}
