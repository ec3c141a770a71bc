//! A recording webhook receiver for the tests: hyper on 127.0.0.1:0 (plain or
//! TLS), on its own thread and runtime, that records every request (method,
//! target, headers, body, arrival time) and answers as its behaviour says:
//! correctly, or in one of the broken ways real receivers are broken.
//! Signatures are checked with hmac and sha2 directly, independent of the
//! crate under test.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{HeaderMap, Request, Response};
use hyper_util::rt::TokioIo;
use sha2::Sha256;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub at: Instant,
    /// The client's address: one per connection.
    pub peer: SocketAddr,
}

impl Recorded {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// A query parameter, percent-decoded.
    pub fn query(&self, name: &str) -> Option<String> {
        let url = reqwest::Url::parse(&format!("http://x{}", self.target)).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as text, invalid UTF-8 replaced.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }

    /// Whether `header` carries `sha256=<hex HMAC-SHA256(secret, body)>`.
    pub fn signed_with(&self, secret: &str, header: &str) -> bool {
        self.header(header) == Some(&hmac_header(secret, &self.body))
    }
}

/// `sha256=<lowercase hex HMAC-SHA256(secret, body)>`, computed here.
pub fn hmac_header(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// An answer: status, body, extra headers, and how long to wait before it.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
    pub delay: Duration,
}

impl Reply {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            body: body.into(),
            headers: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    /// This status with no body and no headers.
    pub fn status(status: u16) -> Reply {
        Reply::new(status, Vec::new())
    }

    /// A JSON answer, as an API sends it.
    pub fn json(status: u16, body: &str) -> Reply {
        Reply::new(status, body).header("content-type", "application/json")
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

/// Decides the answer to a request; the second argument counts requests from 0.
pub type Behavior = dyn Fn(&Recorded, usize) -> Reply + Send + Sync;

/// A receiver that does everything right: the handshake answers exactly the
/// challenge for the right token and mode (403 otherwise); a POST is 200 when
/// its X-Signature-256 is right and 401 when not.
pub fn correct(secret: &str) -> impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static {
    let secret = secret.to_string();
    move |req, _| {
        if req.method == "GET" {
            handshake(req, &secret, |c| Reply::new(200, c))
        } else if req.signed_with(&secret, "x-signature-256") {
            Reply::new(200, "ok")
        } else {
            Reply::new(401, "invalid signature")
        }
    }
}

/// The right handshake logic with a chosen way of answering the challenge.
pub fn handshake(req: &Recorded, secret: &str, answer: impl Fn(String) -> Reply) -> Reply {
    let challenge = req.query("hub.challenge").unwrap_or_default();
    if req.query("hub.mode").as_deref() == Some("subscribe")
        && req.query("hub.verify_token").as_deref() == Some(secret)
    {
        answer(challenge)
    } else {
        Reply::new(403, "Forbidden")
    }
}

/// Echoes the challenge for any token and mode, and takes any POST.
pub fn accepts_anything() -> impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static {
    |req, _| match req.query("hub.challenge") {
        Some(challenge) => Reply::new(200, challenge),
        None => Reply::new(200, "ok"),
    }
}

/// Always answers with this status.
pub fn status(code: u16) -> impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static {
    move |_, _| Reply::new(code, format!("status {code}"))
}

/// Answered once a script is used up, so a test counting requests sees the extra one.
pub const UNSCRIPTED: u16 = 599;

/// Gives these answers in order of arrival, then [`UNSCRIPTED`] to every
/// request after them: a stand-in API scripted by the test.
pub fn scripted(
    replies: impl IntoIterator<Item = Reply>,
) -> impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static {
    let replies: Vec<Reply> = replies.into_iter().collect();
    move |_, n| {
        replies
            .get(n)
            .cloned()
            .unwrap_or_else(|| Reply::status(UNSCRIPTED))
    }
}

/// Answers like `inner`, but only after `delay`.
pub fn slow(
    delay: Duration,
    inner: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
) -> impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static {
    move |req, n| inner(req, n).after(delay)
}

/// A running test server; stops when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    scheme: &'static str,
    requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    pub fn start(
        behavior: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        TestServer::spawn(Arc::new(behavior), None)
    }

    /// The same over TLS with the given certificate.
    pub fn start_tls(
        cert: &TestCert,
        behavior: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.leaf_der.clone().into()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(cert.key_der.clone().into()),
            )
            .expect("the test certificate is usable");
        TestServer::spawn(Arc::new(behavior), Some(Arc::new(config).into()))
    }

    fn spawn(behavior: Arc<Behavior>, tls: Option<tokio_rustls::TlsAcceptor>) -> TestServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let recorded = requests.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(serve(listener, behavior, tls, recorded, stopped));
        });
        TestServer {
            addr,
            scheme,
            requests,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{path}", self.scheme, self.addr)
    }

    /// Every request so far, in order of arrival.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// The POSTs so far.
    pub fn posts(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == "POST")
            .collect()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(
    listener: std::net::TcpListener,
    behavior: Arc<Behavior>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    requests: Arc<Mutex<Vec<Recorded>>>,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(_) => continue,
            },
        };
        let behavior = behavior.clone();
        let requests = requests.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let service =
                service_fn(move |req| answer(req, peer, behavior.clone(), requests.clone()));
            match tls {
                Some(acceptor) => {
                    // A client that refuses the certificate ends the handshake: nothing to serve.
                    if let Ok(stream) = acceptor.accept(stream).await {
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    }
                }
                None => {
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                }
            }
        });
    }
}

async fn answer(
    req: Request<Incoming>,
    peer: SocketAddr,
    behavior: Arc<Behavior>,
    requests: Arc<Mutex<Vec<Recorded>>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    let recorded = Recorded {
        method: parts.method.to_string(),
        target: parts
            .uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        headers: parts.headers,
        body,
        at: Instant::now(),
        peer,
    };
    let index = {
        let mut all = requests.lock().unwrap();
        all.push(recorded.clone());
        all.len() - 1
    };
    let reply = behavior(&recorded, index);
    tokio::time::sleep(reply.delay).await;
    let mut response = Response::builder().status(reply.status);
    for (name, value) in reply.headers {
        response = response.header(name, value);
    }
    Ok(response.body(Full::new(Bytes::from(reply.body))).unwrap())
}

/// A test CA and a leaf certificate for 127.0.0.1 and localhost it signed,
/// made with the openssl command (which CI installs).
pub struct TestCert {
    _dir: tempfile::TempDir,
    /// The CA in PEM, for SSL_CERT_FILE.
    pub ca_pem: PathBuf,
    pub leaf_der: Vec<u8>,
    pub key_der: Vec<u8>,
    /// The leaf certificate and its key as PEM files, for a server that reads them.
    pub leaf_pem: PathBuf,
    pub key_pem: PathBuf,
}

impl TestCert {
    pub fn new() -> TestCert {
        let dir = tempfile::tempdir().unwrap();
        let p = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
        std::fs::write(
            p("leaf.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        let openssl = |args: &[&str]| {
            let out = std::process::Command::new("openssl")
                .args(args)
                .output()
                .expect("the openssl command runs");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let (ca_key, ca_pem) = (p("ca.key"), p("ca.pem"));
        openssl(
            &[
                &[
                    "req", "-x509", "-days", "2", "-keyout", &ca_key, "-out", &ca_pem,
                ][..],
                &ec,
                &[
                    "-subj",
                    "/CN=wm-hooks test CA",
                    "-addext",
                    "basicConstraints=critical,CA:TRUE",
                    "-addext",
                    "keyUsage=critical,keyCertSign",
                ],
            ]
            .concat(),
        );
        let (leaf_key, csr) = (p("leaf.key"), p("leaf.csr"));
        openssl(
            &[
                &[
                    "req",
                    "-keyout",
                    &leaf_key,
                    "-out",
                    &csr,
                    "-subj",
                    "/CN=localhost",
                ][..],
                &ec,
            ]
            .concat(),
        );
        openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca_pem,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            &p("leaf.ext"),
            "-outform",
            "DER",
            "-out",
            &p("leaf.der"),
        ]);
        openssl(&[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            &leaf_key,
            "-outform",
            "DER",
            "-out",
            &p("key.der"),
        ]);
        let leaf_der = std::fs::read(p("leaf.der")).unwrap();
        openssl(&[
            "x509",
            "-inform",
            "DER",
            "-in",
            &p("leaf.der"),
            "-out",
            &p("leaf.pem"),
        ]);
        TestCert {
            ca_pem: dir.path().join("ca.pem"),
            leaf_pem: dir.path().join("leaf.pem"),
            key_pem: dir.path().join("leaf.key"),
            leaf_der,
            key_der: std::fs::read(p("key.der")).unwrap(),
            _dir: dir,
        }
    }
}

/// A port on 127.0.0.1 free a moment ago, for a server a test starts itself
/// (which retries when another process took it in between).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A port on 127.0.0.1 where nothing listens, for the rest of the test run: a
/// socket bound there and never listening (the kernel refuses connections to
/// it) holds the port, so no receiver a parallel test starts can take it. A
/// port bound and closed again could be handed out at once to the next `:0`.
pub fn closed_port() -> u16 {
    // SAFETY: plain socket calls on a socket this function owns; the sockaddr
    // structs are fully initialised and passed with their sizes.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
        let size = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        let bound = libc::bind(fd, (&raw const addr).cast(), size);
        assert_eq!(bound, 0, "bind: {}", std::io::Error::last_os_error());
        let mut len = size;
        let named = libc::getsockname(fd, (&raw mut addr).cast(), &mut len);
        assert_eq!(named, 0, "getsockname: {}", std::io::Error::last_os_error());
        // The descriptor stays open (a handful per run) so the port stays held.
        u16::from_be(addr.sin_port)
    }
}

/// A receiver that answers the first request on each connection (as its
/// behaviour says, without `Connection: close`), then reads the next request
/// on that connection and closes it without answering: how uvicorn drops a
/// kept-alive connection after a handler error. Plain blocking sockets, so
/// that nothing in hyper can soften the drop.
pub struct DroppingServer {
    pub addr: SocketAddr,
    answered: Arc<Mutex<Vec<Recorded>>>,
    dropped: Arc<std::sync::atomic::AtomicUsize>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DroppingServer {
    pub fn start(
        behavior: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> DroppingServer {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let answered = Arc::new(Mutex::new(Vec::new()));
        let dropped = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let behavior: Arc<Behavior> = Arc::new(behavior);
        let (recorded, drops, stopping) = (answered.clone(), dropped.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, peer)) => {
                        let (behavior, recorded, drops) =
                            (behavior.clone(), recorded.clone(), drops.clone());
                        std::thread::spawn(move || {
                            serve_once(stream, peer, &*behavior, &recorded, &drops)
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        DroppingServer {
            addr,
            answered,
            dropped,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The requests answered, in order.
    pub fn answered(&self) -> Vec<Recorded> {
        self.answered.lock().unwrap().clone()
    }

    /// How many requests were read and left unanswered when the connection was dropped.
    pub fn dropped(&self) -> usize {
        self.dropped.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Drop for DroppingServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One request read off a blocking socket: the method, target, headers and
/// a body of Content-Length bytes; `None` at the end of the stream.
fn read_request(stream: &mut std::net::TcpStream, peer: SocketAddr) -> Option<Recorded> {
    use std::io::Read;
    let mut data = Vec::new();
    let mut byte = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        if data.len() > 64 * 1024 {
            return None;
        }
        match stream.read(&mut byte) {
            Ok(0) | Err(_) => return None,
            Ok(n) => data.extend_from_slice(&byte[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_string(), first.next()?.to_string());
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        headers.append(
            hyper::header::HeaderName::from_bytes(name.trim().as_bytes()).ok()?,
            value.trim().parse().ok()?,
        );
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .unwrap_or(0);
    let mut body = data[head_end + 4..].to_vec();
    while body.len() < length {
        match stream.read(&mut byte) {
            Ok(0) | Err(_) => return None,
            Ok(n) => body.extend_from_slice(&byte[..n]),
        }
    }
    Some(Recorded {
        method,
        target,
        headers,
        body,
        at: Instant::now(),
        peer,
    })
}

fn serve_once(
    mut stream: std::net::TcpStream,
    peer: SocketAddr,
    behavior: &Behavior,
    answered: &Mutex<Vec<Recorded>>,
    dropped: &std::sync::atomic::AtomicUsize,
) {
    use std::io::Write;
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Some(request) = read_request(&mut stream, peer) else {
        return;
    };
    let index = {
        let mut all = answered.lock().unwrap();
        all.push(request.clone());
        all.len() - 1
    };
    let reply = behavior(&request, index);
    let reason = hyper::StatusCode::from_u16(reply.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Length: {}\r\n",
        reply.status,
        reply.body.len()
    );
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    if stream.write_all(head.as_bytes()).is_err() || stream.write_all(&reply.body).is_err() {
        return;
    }
    // The next request on this connection is read, then the connection closed.
    if read_request(&mut stream, peer).is_some() {
        dropped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}
