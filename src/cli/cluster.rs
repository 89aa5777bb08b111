//! `skein cluster`: N `skein shard` processes on this machine (and a private
//! nats-server unless `--nats` names one), whose output is forwarded tick
//! by tick in shard order, each line prefixed `[K] `. The shards write each
//! tick's output as a frame (`#FRAME TICK OUT ERR` and the bytes), so where a
//! tick ends is never guessed from the text; their own diagnostics on stderr
//! are forwarded as they come.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus as ExitStatus_, Stdio};
use std::sync::mpsc;

use skein_cluster::server::{INSTALL_HINT, NatsServer, find_nats_server};

use super::ExitStatus;
use super::args::{ClusterArgs, ShardRunArgs};
use super::failure::{Failure, Outcome};
use super::output::report;

/// One tick's output of one shard, or the end of its frames.
enum Event {
    Frame {
        shard: usize,
        tick: u64,
        out: String,
        err: String,
    },
    Closed(usize),
}

/// Runs the cluster and exits with the highest exit status of its shards.
pub fn cluster(args: &ClusterArgs) -> Outcome {
    // Held to the end: dropping it stops the private server.
    let mut private = None;
    // With a private server the run cannot outlive this process, so its
    // shards' autosaves (kept to restart a shard that dies) go with the
    // server's store into a folder of this run, removed at the end; with
    // `--nats` the run lives on in that server, and the autosaves in DIR
    // let a `skein cluster` started again with the same command resume it.
    let run_dir = args
        .dir
        .join(format!("{}-{}", args.run.cluster, std::process::id()));
    let (url, dir) = match &args.nats {
        Some(url) => (url.clone(), args.dir.clone()),
        None => {
            if find_nats_server().is_none() {
                return Err(Failure::cannot_write(format!(
                    "skein cluster needs nats-server: {INSTALL_HINT}"
                )));
            }
            match NatsServer::start(&run_dir.join("nats"), true) {
                Ok(s) => {
                    let url = s.url();
                    private = Some(s);
                    (url, run_dir.clone())
                }
                Err(e) => return Err(Failure::cannot_write(e)),
            }
        }
    };
    let status = run_shards(args.file.as_deref(), &url, &dir, args);
    if private.take().is_some() {
        let _ = std::fs::remove_dir_all(&run_dir);
    }
    status
}

/// The `skein shard` arguments every shard shares.
fn shard_args(run: &ShardRunArgs, village: bool) -> Vec<String> {
    let mut v = vec![
        "--shards".to_string(),
        run.shards.to_string(),
        "--cluster".into(),
        run.cluster.clone(),
        "--seed".into(),
        run.seed.to_string(),
        "--nats-timeout".into(),
        run.nats_timeout.to_string(),
        "--keep".into(),
        run.keep.to_string(),
        "--autosave-failures".into(),
        run.autosave_failures.to_string(),
    ];
    let mut opt = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            v.push(name.to_string());
            v.push(value);
        }
    };
    // The village never goes idle: it runs as long as `skein village` does.
    let ticks = run
        .ticks
        .or(village.then_some(skein_village::DEFAULT_TICKS));
    opt("--ticks", ticks.map(|t| t.to_string()));
    opt("--budget", run.limits.budget.map(|t| t.to_string()));
    opt(
        "--tick-budget",
        run.limits.tick_budget.map(|t| t.to_string()),
    );
    opt(
        "--frame-limit",
        run.limits.frame_limit.map(|t| t.to_string()),
    );
    opt("--size-limit", run.limits.size_limit.map(|t| t.to_string()));
    opt("--tick-rate", run.tick_rate.map(|t| t.to_string()));
    for (k, val) in &run.params {
        v.push("--param".into());
        v.push(format!("{k}={val}"));
    }
    for p in &run.paths {
        v.push("--path".into());
        v.push(p.display().to_string());
    }
    if run.quiet {
        v.push("--quiet".into());
    }
    v
}

/// How many times a shard that dies by a signal is started again.
const RESTARTS: u32 = 3;

/// Starts shard `k` with its readers: its frames go to `tx`, its stderr is
/// forwarded line by line (the thread joined in `diagnostics`).
struct Launcher<'a> {
    exe: PathBuf,
    /// `None`: the built-in village.
    file: Option<&'a Path>,
    url: &'a str,
    dir: &'a Path,
    autosave_every: u64,
    common: Vec<String>,
    tx: mpsc::Sender<Event>,
    diagnostics: Vec<std::thread::JoinHandle<()>>,
}

impl Launcher<'_> {
    fn start(&mut self, k: usize) -> Result<Child, Failure> {
        let mut child = Command::new(&self.exe)
            .arg("shard")
            .args(self.file)
            .args(["--nats", self.url, "--shard", &k.to_string(), "--framed"])
            .arg("--dir")
            .arg(self.dir)
            .args(["--autosave-every", &self.autosave_every.to_string()])
            .args(&self.common)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Failure::cannot_write(format!("cannot start shard {k}: {e}")))?;
        if let Some(out) = child.stdout.take() {
            let tx = self.tx.clone();
            std::thread::spawn(move || read_frames(k, out, &tx));
        }
        if let Some(err) = child.stderr.take() {
            self.diagnostics.push(std::thread::spawn(move || {
                for line in BufReader::new(err).lines().map_while(Result::ok) {
                    report(&format!("[{k}] {line}"));
                }
            }));
        }
        Ok(child)
    }
}

fn run_shards(file: Option<&Path>, url: &str, dir: &Path, args: &ClusterArgs) -> Outcome {
    let run = &args.run;
    let exe = std::env::current_exe().map_err(|e| {
        Failure::cannot_write(format!("cannot find the skein binary to start shards: {e}"))
    })?;
    let n = run.shards as usize;
    let (tx, rx) = mpsc::channel();
    let mut launcher = Launcher {
        exe,
        file,
        url,
        dir,
        autosave_every: args.autosave_every,
        common: shard_args(run, file.is_none()),
        tx,
        diagnostics: Vec::with_capacity(n),
    };
    let mut children: Vec<Child> = Vec::with_capacity(n);
    for k in 0..n {
        match launcher.start(k) {
            Ok(c) => children.push(c),
            Err(e) => {
                for c in &mut children {
                    let _ = c.kill();
                }
                return Err(e);
            }
        }
    }
    let mut codes: Vec<Option<i32>> = vec![None; n];
    let mut restarts = vec![0u32; n];
    let mut stopping = false;
    let restartable = args.autosave_every > 0;
    forward(n, &rx, &mut |k| {
        let status = children[k].wait();
        if let Ok(s) = &status
            && s.code().is_none()
            && !stopping
            && restartable
            && restarts[k] < RESTARTS
        {
            // Started again with the same command, it resumes from its
            // newest autosave and replays; the others wait at the barrier.
            restarts[k] += 1;
            report(&format!(
                "[{k}] shard {k} was killed by a signal ({s}); restarting it from its autosave ({} of {RESTARTS})",
                restarts[k]
            ));
            match launcher.start(k) {
                Ok(c) => {
                    children[k] = c;
                    return true;
                }
                Err(e) => report(&format!("[{k}] {}", e.message)),
            }
        }
        let code = exit_code(k, status, stopping);
        codes[k] = Some(code);
        if code != 0 && !std::mem::replace(&mut stopping, true) {
            // The others would wait for this one at the barrier for ever.
            report(&format!(
                "[{k}] shard {k} exited with status {code}; stopping the other shards"
            ));
            for c in &mut children {
                let _ = c.kill();
            }
        }
        false
    });
    let mut worst = 0;
    for (k, c) in children.iter_mut().enumerate() {
        let code = match codes[k] {
            Some(code) => code,
            None => exit_code(k, c.wait(), stopping),
        };
        worst = worst.max(code);
    }
    for d in launcher.diagnostics.drain(..) {
        let _ = d.join();
    }
    // Whatever failed, its shard has said so on the stderr we forwarded.
    match worst {
        0 => Ok(ExitStatus::Success),
        1 => Ok(ExitStatus::ScriptFailed),
        2 => Err(Failure::reported(ExitStatus::BadInput)),
        _ => Err(Failure::reported(ExitStatus::CannotWrite)),
    }
}

/// Says shard `k`'s exit status: 3 for a signal, unless the signal was
/// ours (`stopping`), which does not count.
fn exit_code(k: usize, status: std::io::Result<ExitStatus_>, stopping: bool) -> i32 {
    match status {
        Ok(s) => s.code().unwrap_or_else(|| {
            if stopping {
                return 0;
            }
            report(&format!("[{k}] shard {k} was killed by a signal ({s})"));
            3
        }),
        Err(e) => {
            report(&format!("[{k}] cannot wait for shard {k}: {e}"));
            3
        }
    }
}

/// Reads one shard's frames until its stdout closes.
fn read_frames(shard: usize, out: impl Read, tx: &mpsc::Sender<Event>) {
    let mut r = BufReader::new(out);
    let mut header = String::new();
    loop {
        header.clear();
        match r.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let parts: Vec<&str> = header.split_whitespace().collect();
        let parsed = match parts[..] {
            ["#FRAME", t, o, e] => t
                .parse::<u64>()
                .ok()
                .zip(o.parse::<usize>().ok())
                .zip(e.parse::<usize>().ok()),
            _ => None,
        };
        let Some(((tick, olen), elen)) = parsed else {
            report(&format!("[{shard}] unframed output: {}", header.trim_end()));
            continue;
        };
        let mut out = vec![0; olen];
        let mut err = vec![0; elen];
        if r.read_exact(&mut out).is_err() || r.read_exact(&mut err).is_err() {
            break;
        }
        let frame = Event::Frame {
            shard,
            tick,
            out: String::from_utf8_lossy(&out).into_owned(),
            err: String::from_utf8_lossy(&err).into_owned(),
        };
        if tx.send(frame).is_err() {
            return;
        }
    }
    let _ = tx.send(Event::Closed(shard));
}

/// Writes the shards' frames tick by tick, shard by shard: a tick is
/// written once every shard still running has sent its frame for it (or a
/// later one). `closed(k)` is told when shard k's output ends, and says
/// whether it was started again: a restarted shard replays ticks from its
/// autosave, whose frames were forwarded already and are passed over, so
/// each tick's output is forwarded once.
fn forward(n: usize, rx: &mpsc::Receiver<Event>, closed: &mut dyn FnMut(usize) -> bool) {
    let mut queues: Vec<VecDeque<(u64, String, String)>> = vec![VecDeque::new(); n];
    let mut open = vec![true; n];
    // The last tick taken from each shard, queued or written.
    let mut taken: Vec<Option<u64>> = vec![None; n];
    let mut line_start_out = vec![true; n];
    let mut line_start_err = vec![true; n];
    let mut stdout = std::io::stdout().lock();
    loop {
        while (0..n).any(|k| open[k] && queues[k].is_empty()) {
            match rx.recv() {
                Ok(Event::Frame {
                    shard,
                    tick,
                    out,
                    err,
                }) => {
                    if taken[shard].is_none_or(|t| tick > t) {
                        taken[shard] = Some(tick);
                        queues[shard].push_back((tick, out, err));
                    }
                }
                Ok(Event::Closed(shard)) => open[shard] = closed(shard),
                Err(_) => open.iter_mut().for_each(|o| *o = false),
            }
        }
        let Some(tick) = queues.iter().filter_map(|q| q.front().map(|f| f.0)).min() else {
            break;
        };
        for k in 0..n {
            if queues[k].front().is_some_and(|f| f.0 == tick)
                && let Some((_, out, err)) = queues[k].pop_front()
            {
                let _ = stdout.write_all(prefix(k, &out, &mut line_start_out[k]).as_bytes());
                if !err.is_empty() {
                    let _ = stdout.flush();
                    report_raw(&prefix(k, &err, &mut line_start_err[k]));
                }
            }
        }
        let _ = stdout.flush();
    }
}

/// `[K] ` before every line that starts in `text`.
fn prefix(k: usize, text: &str, at_start: &mut bool) -> String {
    let mut s = String::with_capacity(text.len() + 8);
    for piece in text.split_inclusive('\n') {
        if *at_start {
            s.push_str(&format!("[{k}] "));
        }
        s.push_str(piece);
        *at_start = piece.ends_with('\n');
    }
    s
}

fn report_raw(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}
