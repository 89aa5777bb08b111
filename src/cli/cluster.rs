//! `skein cluster`: N `skein shard` processes on this machine (and a private
//! nats-server unless `--nats` names one), whose output is forwarded tick
//! by tick in shard order, each line prefixed `[K] `. The shards write each
//! tick's output as a frame (`#FRAME TICK OUT ERR` and the bytes), so where a
//! tick ends is never guessed from the text; their own diagnostics on stderr
//! are forwarded as they come.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
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
    let Some(file) = &args.file else {
        return Err(Failure::bad_input(
            "the village over shards is not built yet: give `skein cluster` a SCRIPT \
             (for example assets/cluster/relay.sk)",
        ));
    };
    // Held to the end: dropping it stops the private server.
    let mut private = None;
    let url = match &args.nats {
        Some(url) => url.clone(),
        None => {
            if find_nats_server().is_none() {
                return Err(Failure::cannot_write(format!(
                    "skein cluster needs nats-server: {INSTALL_HINT}"
                )));
            }
            let store = args.dir.join(format!("nats-{}", std::process::id()));
            match NatsServer::start(&store, true) {
                Ok(s) => {
                    let url = s.url();
                    private = Some(s);
                    url
                }
                Err(e) => return Err(Failure::cannot_write(e)),
            }
        }
    };
    let status = run_shards(file, &url, &args.run);
    drop(private);
    status
}

/// The `skein shard` arguments every shard shares.
fn shard_args(run: &ShardRunArgs) -> Vec<String> {
    let mut v = vec![
        "--shards".to_string(),
        run.shards.to_string(),
        "--cluster".into(),
        run.cluster.clone(),
        "--seed".into(),
        run.seed.to_string(),
        "--nats-timeout".into(),
        run.nats_timeout.to_string(),
    ];
    let mut opt = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            v.push(name.to_string());
            v.push(value);
        }
    };
    opt("--ticks", run.ticks.map(|t| t.to_string()));
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

fn run_shards(file: &Path, url: &str, run: &ShardRunArgs) -> Outcome {
    let exe = std::env::current_exe().map_err(|e| {
        Failure::cannot_write(format!("cannot find the skein binary to start shards: {e}"))
    })?;
    let n = run.shards as usize;
    let common = shard_args(run);
    let (tx, rx) = mpsc::channel();
    let mut children: Vec<Child> = Vec::with_capacity(n);
    // Joined before returning, so no diagnostic is lost when we exit.
    let mut diagnostics = Vec::with_capacity(n);
    for k in 0..n {
        let spawned = Command::new(&exe)
            .arg("shard")
            .arg(file)
            .args(["--nats", url, "--shard", &k.to_string(), "--framed"])
            // It does not restart a shard yet, so its shards keep no
            // autosaves (which a later run in the same folder would take
            // up).
            .args(["--autosave-every", "0"])
            .args(&common)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => {
                for c in &mut children {
                    let _ = c.kill();
                }
                return Err(Failure::cannot_write(format!(
                    "cannot start shard {k}: {e}"
                )));
            }
        };
        if let Some(out) = child.stdout.take() {
            let tx = tx.clone();
            std::thread::spawn(move || read_frames(k, out, &tx));
        }
        if let Some(err) = child.stderr.take() {
            diagnostics.push(std::thread::spawn(move || {
                for line in BufReader::new(err).lines().map_while(Result::ok) {
                    report(&format!("[{k}] {line}"));
                }
            }));
        }
        children.push(child);
    }
    drop(tx);
    let mut codes: Vec<Option<i32>> = vec![None; n];
    let mut stopping = false;
    forward(n, &rx, &mut |k| {
        let code = exit_code(k, &mut children[k], stopping);
        codes[k] = Some(code);
        if code != 0 && !std::mem::replace(&mut stopping, true) {
            // Until shards can resume from autosaves, the others would wait
            // for this one at the barrier for ever.
            report(&format!(
                "[{k}] shard {k} exited with status {code}; stopping the other shards"
            ));
            for c in &mut children {
                let _ = c.kill();
            }
        }
    });
    let mut worst = 0;
    for (k, c) in children.iter_mut().enumerate() {
        let code = match codes[k] {
            Some(code) => code,
            None => exit_code(k, c, stopping),
        };
        worst = worst.max(code);
    }
    for d in diagnostics {
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

/// Waits for shard `k` and says its exit status: 3 for a signal, unless
/// the signal was ours (`stopping`), which does not count.
fn exit_code(k: usize, child: &mut Child, stopping: bool) -> i32 {
    match child.wait() {
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
/// later one). `closed(k)` is told when shard k's output ends.
fn forward(n: usize, rx: &mpsc::Receiver<Event>, closed: &mut dyn FnMut(usize)) {
    let mut queues: Vec<VecDeque<(u64, String, String)>> = vec![VecDeque::new(); n];
    let mut open = vec![true; n];
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
                }) => queues[shard].push_back((tick, out, err)),
                Ok(Event::Closed(shard)) => {
                    open[shard] = false;
                    closed(shard);
                }
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
