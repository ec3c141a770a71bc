//! A real `redis-server` for the tests: started on a free port of 127.0.0.1
//! with its own temporary directory (never the system's service), with the
//! append-only file synced at every write, a Unix socket in that directory
//! too, and stopped by its pid on drop.
//! Without `redis-server` on PATH a test skips with one line, unless
//! `WM_HOOKS_REQUIRE_REDIS=1` (as in CI) makes that a failure.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::listen::PATIENCE;

pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl RedisServer {
    /// A new server, or `None` (after one skip line naming `test`) when
    /// `redis-server` is not installed and not required.
    pub fn start(test: &str) -> Option<RedisServer> {
        let installed = Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !installed {
            if std::env::var_os("WM_HOOKS_REQUIRE_REDIS").is_some_and(|v| v == "1") {
                panic!("{test}: redis-server is not installed and WM_HOOKS_REQUIRE_REDIS=1");
            }
            eprintln!(
                "skipped {test}: redis-server is not installed (apt-get install redis-server)"
            );
            return None;
        }
        // A free port can be taken between finding it and binding it: try again.
        for _ in 0..5 {
            let port = super::server::free_port();
            let mut server = RedisServer {
                child: None,
                port,
                dir: tempfile::tempdir().expect("a temp dir"),
            };
            if server.spawn() {
                return Some(server);
            }
        }
        panic!("{test}: redis-server did not start on any of 5 free ports");
    }

    /// Starts the server process on `port` with `dir`; whether it answers.
    fn spawn(&mut self) -> bool {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .arg("--dir")
            .arg(self.dir.path())
            .arg("--unixsocket")
            .arg(self.socket())
            .args(["--unixsocketperm", "700"])
            .args([
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ])
            .args([
                "--daemonize",
                "no",
                "--protected-mode",
                "no",
                "--loglevel",
                "warning",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if self.answers() {
                return true;
            }
            if let Some(child) = &mut self.child {
                if child.try_wait().ok().flatten().is_some() {
                    self.child = None;
                    return false;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// The same server through its Unix socket.
    pub fn socket_url(&self) -> String {
        format!("redis+unix://{}?db=0", self.socket().display())
    }

    fn socket(&self) -> std::path::PathBuf {
        self.dir.path().join("redis.sock")
    }

    /// Whether a PING gets PONG.
    fn answers(&self) -> bool {
        self.command(&["PING"])
            .is_some_and(|r| r.starts_with("+PONG"))
    }

    /// One command in RESP; the raw reply (enough for tests to read a number).
    pub fn command(&self, words: &[&str]) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let mut request = format!("*{}\r\n", words.len());
        for word in words {
            request.push_str(&format!("${}\r\n{word}\r\n", word.len()));
        }
        stream.write_all(request.as_bytes()).ok()?;
        let mut reply = [0u8; 4096];
        let n = stream.read(&mut reply).ok()?;
        Some(String::from_utf8_lossy(&reply[..n]).into_owned())
    }

    /// Destroys `deliver`'s consumer group by hand, as someone might while
    /// it runs; there must have been one.
    pub fn destroy_group(&self) {
        let destroyed = self.command(&["XGROUP", "DESTROY", "wm-hooks:events", "wm-hooks"]);
        assert_eq!(destroyed.as_deref(), Some(":1\r\n"));
    }

    /// Stops the server (SIGTERM by pid; the append-only file is on disk).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + PATIENCE;
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port with the same directory.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn_again();
    }

    /// `kill -9`, then starts it again on the same port with the same
    /// directory: what it acknowledged is what its append-only file (synced
    /// at every write) gives back.
    pub fn crash(&mut self) {
        self.kill();
        self.spawn_again();
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port with a new, empty directory: a Redis
    /// without persistence, which comes back with none of its data.
    pub fn restart_empty(&mut self) {
        self.stop();
        self.dir = tempfile::tempdir().expect("a temp dir");
        self.spawn_again();
    }

    fn spawn_again(&mut self) {
        assert!(
            self.spawn(),
            "redis-server did not start again on {}",
            self.port
        );
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
