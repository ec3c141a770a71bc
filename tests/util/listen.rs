//! Fixtures for `wm-hooks listen`: the real binary as a [`Listener`] process
//! (started with `--port 0`, handed over once its whole banner is out, its
//! address read from its first stderr line, its output gathered on threads,
//! killed on drop), a small HTTP client (reqwest on
//! a current-thread runtime), and raw TCP for deliberately broken HTTP. The
//! user's app behind `--forward-to` is [`super::server::TestServer`].

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use hyper::header::{HeaderMap, HeaderName, HeaderValue};

use super::Ended;

/// The secret every listener in these tests gets, unless a test says otherwise.
pub const SECRET: &str = "listen-test-secret";
/// How long anything may take to happen before a test gives up: generous, for
/// a loaded two-core machine.
pub const PATIENCE: Duration = Duration::from_secs(15);
/// How the banners of `listen`, `ingest` and `deliver` end. They are several
/// writes, which the gathering thread may see apart: a test that reads the
/// banner as soon as the first line is there can read half of it.
const BANNER_END: &str = "Press Ctrl-C to stop.\n";

/// A running `wm-hooks listen`.
pub struct Listener {
    child: Child,
    /// `http://127.0.0.1:PORT/webhooks/whatsapp`, from the first stderr line.
    pub url: String,
    pub addr: SocketAddr,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<JoinHandle<()>>,
    /// The arguments it was started with.
    args: String,
}

/// What becomes of a listener's stdout.
enum Stdout {
    /// Gathered on a thread.
    Read,
    /// A pipe nobody reads.
    Paused,
    /// A pipe whose reader has gone (`| true`).
    Closed,
    File(std::fs::File),
}

impl Listener {
    /// `wm-hooks listen --port 0 ARGS` with `WM_HOOKS_SECRET` set to [`SECRET`].
    pub fn start(args: &[&str]) -> Listener {
        Listener::start_with(args, &[("WM_HOOKS_SECRET", SECRET)])
    }

    /// `wm-hooks listen --port 0 ARGS` in a cleaned environment plus `env`.
    pub fn start_with(args: &[&str], env: &[(&str, &str)]) -> Listener {
        Listener::spawn(args, env, Stdout::Read)
    }

    /// Like [`Listener::start`], but nothing reads its stdout: a terminal
    /// that is paused (its pipe fills up and writes block).
    pub fn start_with_paused_stdout(args: &[&str]) -> Listener {
        Listener::spawn(args, &[("WM_HOOKS_SECRET", SECRET)], Stdout::Paused)
    }

    /// Like [`Listener::start`], but stdout's reader has exited: every write
    /// to it fails (EPIPE).
    pub fn start_with_closed_stdout(args: &[&str]) -> Listener {
        Listener::spawn(args, &[("WM_HOOKS_SECRET", SECRET)], Stdout::Closed)
    }

    /// Like [`Listener::start`], with stdout redirected to `file` (`> file`).
    pub fn start_with_stdout_file(args: &[&str], file: std::fs::File) -> Listener {
        Listener::spawn(args, &[("WM_HOOKS_SECRET", SECRET)], Stdout::File(file))
    }

    fn spawn(args: &[&str], env: &[(&str, &str)], out: Stdout) -> Listener {
        let mut full = vec!["listen", "--port", "0"];
        full.extend_from_slice(args);
        Listener::command(&full, env, out)
    }

    /// Any long-running `wm-hooks ARGS` (`ingest`, `deliver`) in a cleaned
    /// environment plus `env`, once its banner is out. A first line
    /// `Listening on URL` sets [`Listener::url`] and [`Listener::addr`].
    pub fn run(args: &[&str], env: &[(&str, &str)]) -> Listener {
        Listener::command(args, env, Stdout::Read)
    }

    /// A one-shot `wm-hooks ARGS` (`send-test`, `check`) in a cleaned
    /// environment plus `env`, running, its output gathered: for a test that
    /// signals it mid-run. No banner is awaited, and [`Listener::url`] is empty.
    pub fn sender(args: &[&str], env: &[(&str, &str)]) -> Listener {
        Listener::process(args, env, Stdout::Read)
    }

    fn command(args: &[&str], env: &[(&str, &str)], out: Stdout) -> Listener {
        let mut listener = Listener::process(args, env, out);
        // Under --quiet the banner is the first line alone.
        let quiet = args.iter().any(|a| matches!(*a, "-q" | "--quiet"));
        let first = listener.banner(quiet);
        if args.first() == Some(&"deliver") {
            assert!(
                first.starts_with("Delivering from "),
                "the first stderr line is {first:?}"
            );
            return listener;
        }
        listener.url = first
            .strip_prefix("Listening on ")
            .unwrap_or_else(|| panic!("the first stderr line is {first:?}"))
            .to_string();
        let authority = listener
            .url
            .split("://")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap();
        listener.addr = authority.parse().expect("host:port in the first line");
        listener
    }

    fn process(args: &[&str], env: &[(&str, &str)], out: Stdout) -> Listener {
        let read_stdout = matches!(out, Stdout::Read);
        let close_stdout = matches!(out, Stdout::Closed);
        let stdout = match out {
            Stdout::File(file) => Stdio::from(file),
            Stdout::Read | Stdout::Paused | Stdout::Closed => Stdio::piped(),
        };
        let mut child = super::wm_hooks_std()
            .envs(env.iter().copied())
            .args(args)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(Stdio::piped())
            .spawn()
            .expect("wm-hooks starts");
        if close_stdout {
            drop(child.stdout.take());
        }
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut readers = vec![gather(
            child.stderr.take().expect("piped"),
            Arc::clone(&stderr),
        )];
        if read_stdout {
            readers.push(gather(
                child.stdout.take().expect("piped"),
                Arc::clone(&stdout),
            ));
        }
        Listener {
            child,
            url: String::new(),
            addr: "0.0.0.0:0".parse().unwrap(),
            stdout,
            stderr,
            readers,
            args: args.join(" "),
        }
    }

    /// Waits for the whole banner (to its [`BANNER_END`] line, or only the
    /// first line when `quiet`), so that [`Listener::stderr`] holds all of it;
    /// returns the first line.
    fn banner(&mut self, quiet: bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let err = self.stderr();
            if let Some((line, _)) = err.split_once('\n') {
                if quiet || err.contains(BANNER_END) {
                    return line.to_string();
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "listen exited ({status}) before its banner was out: {}",
                    self.stderr()
                );
            }
            assert!(
                Instant::now() < deadline,
                "no whole banner within {PATIENCE:?}: {err}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The URL of another path on the same listener.
    pub fn at(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Waits until stdout satisfies `done` (the printing happens after the answer).
    pub fn wait_stdout(&self, done: impl Fn(&str) -> bool) -> String {
        wait_for(|| self.stdout(), done, "stdout")
    }

    /// Sends a signal by name (`TERM`, `INT`) with kill(1).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name} failed");
    }

    /// `kill -9`: no chance to finish anything.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits (bounded) for the exit and the last output.
    pub fn stop(self) -> Ended {
        self.stop_with("TERM")
    }

    pub fn stop_with(mut self, name: &str) -> Ended {
        self.signal(name);
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait works") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "the process did not stop: {}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        Ended {
            args: std::mem::take(&mut self.args),
            code: status.code(),
            stdout: self.stdout(),
            stderr: self.stderr(),
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn gather(mut from: impl Read + Send + 'static, into: Arc<Mutex<Vec<u8>>>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        while let Ok(n) = from.read(&mut chunk) {
            if n == 0 {
                break;
            }
            into.lock().unwrap().extend_from_slice(&chunk[..n]);
        }
    })
}

/// Polls `read` until `done` holds, for at most [`PATIENCE`].
pub fn wait_for(read: impl Fn() -> String, done: impl Fn(&str) -> bool, what: &str) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let text = read();
        if done(&text) {
            return text;
        }
        assert!(Instant::now() < deadline, "{what} never got there:\n{text}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

/// One request with reqwest; header names may repeat.
pub fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<Vec<u8>>,
) -> Reply {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let body = body.into();
    let url = url.to_string();
    runtime().block_on(async move {
        let client = wm_hooks::http::client::builder()
            .timeout(PATIENCE)
            .build()
            .unwrap();
        let response = client
            .request(method, url)
            .headers(map)
            .body(body)
            .send()
            .await
            .expect("the listener answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap_or_default();
        Reply {
            status,
            headers,
            body,
        }
    })
}

/// `count` signed POSTs of `body`, one after another on one client; their statuses.
pub fn post_signed_many(url: &str, body: &str, count: usize) -> Vec<u16> {
    let signature =
        wm_hooks::contract::signature::sign(SECRET.as_bytes(), body.as_bytes()).to_string();
    let (url, body) = (url.to_string(), body.to_string());
    runtime().block_on(async move {
        let client = wm_hooks::http::client::builder()
            .timeout(PATIENCE)
            .build()
            .unwrap();
        let mut statuses = Vec::with_capacity(count);
        for _ in 0..count {
            let response = client
                .post(&url)
                .header("x-signature-256", &signature)
                .body(body.clone())
                .send()
                .await
                .expect("the listener answers");
            statuses.push(response.status().as_u16());
        }
        statuses
    })
}

/// Signed POSTs of `bodies` over `connections` concurrent clients: each body's
/// status, or `None` when the connection failed (a listener that stopped).
pub fn post_signed_concurrently(
    url: &str,
    bodies: Vec<String>,
    connections: usize,
) -> Vec<(String, Option<u16>)> {
    let url = url.to_string();
    runtime().block_on(async move {
        let client = wm_hooks::http::client::builder()
            .timeout(PATIENCE)
            .pool_max_idle_per_host(connections)
            .build()
            .unwrap();
        let bodies = Arc::new(Mutex::new(bodies));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..connections {
            let (client, url, bodies) = (client.clone(), url.clone(), Arc::clone(&bodies));
            tasks.spawn(async move {
                let mut answers = Vec::new();
                loop {
                    let Some(body) = bodies.lock().unwrap().pop() else {
                        return answers;
                    };
                    let signature =
                        wm_hooks::contract::signature::sign(SECRET.as_bytes(), body.as_bytes());
                    let sent = client
                        .post(&url)
                        .header("x-signature-256", signature.to_string())
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await;
                    answers.push((body, sent.ok().map(|r| r.status().as_u16())));
                }
            });
        }
        let mut answers = Vec::new();
        while let Some(done) = tasks.join_next().await {
            answers.extend(done.expect("a sender task"));
        }
        answers
    })
}

/// A POST of `body` signed with `secret` in X-Signature-256.
pub fn post_signed_with(url: &str, secret: &str, body: impl AsRef<[u8]>) -> Reply {
    let body = body.as_ref();
    let signature = wm_hooks::contract::signature::sign(secret.as_bytes(), body).to_string();
    request(
        "POST",
        url,
        &[
            ("content-type", "application/json"),
            ("x-signature-256", &signature),
        ],
        body,
    )
}

/// A POST of `body` signed with [`SECRET`].
pub fn post_signed(url: &str, body: impl AsRef<[u8]>) -> Reply {
    post_signed_with(url, SECRET, body)
}

pub fn get(url: &str) -> Reply {
    request("GET", url, &[], Vec::new())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Writes raw bytes and reads until the server closes or [`PATIENCE`] passes:
/// for HTTP that no client library would send.
pub fn raw(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    // The server may answer and close before everything is written.
    let _ = stream.write_all(bytes);
    read_to_close(&mut stream)
}

/// Reads what the server sends until it closes the connection (or an error, or
/// [`PATIENCE`]).
pub fn read_to_close(stream: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(n) = stream.read(&mut chunk) {
        if n == 0 {
            break;
        }
        got.extend_from_slice(&chunk[..n]);
    }
    String::from_utf8_lossy(&got).into_owned()
}
