//! The receiver behind `wm-hooks listen` (and `ingest`): accepts HTTP/1.1
//! connections (hyper), answers the handshake, reads each POST's body within a
//! size limit and a deadline, verifies its signature, and hands every request
//! on as a [`Handoff`] through a channel. Never prints: the front-end
//! (`commands::listen`) shows, records or stores what arrives.
//!
//! **Acknowledged answers.** Each handed-on request carries an [`Ack`], and the
//! server writes no answer until the front-end has used it: [`Ack::done`] once
//! the request is durably handled (`listen`: its record line is written whole;
//! `ingest`: the store committed), [`Ack::failed`] when it could not be. The
//! answer planned (200, 401, ...) goes out only after `done`; after `failed`,
//! or an `Ack` dropped unused, or a front-end gone, the answer is
//! [`UNAVAILABLE`] (503) with `Retry-After`, so the platform sends the request
//! again and nothing answered 2xx is ever lost. A front-end without anything
//! to keep calls `done` at once. Front-ends should batch: take every handoff
//! waiting in the channel, make them durable in one write (or one
//! transaction), then acknowledge them all.
//!
//! The channel is bounded, and HTTP/1.1 serves one request per connection at a
//! time, so at most one handoff per open connection waits in it: a front-end
//! that falls behind slows answers down instead of losing them or growing
//! memory without end.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body as _, Incoming};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinSet;

use crate::contract::events::{self, Identified};
use crate::contract::record::{Borrowed, Verdict};
use crate::contract::signature::{self, ParseError, Signature};
use crate::error::{Error, Result};
use crate::http::title_case;
use crate::input::secret::Secret;

mod connections;
use connections::{Admission, Connections, EVICTION_GRACE, Slot};

/// The longest `hub.challenge` echoed back; a longer one gets 400.
pub const MAX_CHALLENGE: usize = 256;
/// The largest request head (request line and headers); a larger one gets 431.
pub const MAX_HEAD: usize = 64 * 1024;
/// File descriptors kept back from connections: the listener, stdio, the record
/// file, the runtime's own.
const RESERVED_FDS: u64 = 64;

/// Everything the receiver needs to decide an answer.
pub struct Config {
    pub addr: SocketAddr,
    /// The one path that takes webhooks.
    pub path: String,
    pub secret: Secret,
    /// What the handshake's `hub.verify_token` must be (the secret unless
    /// told otherwise).
    pub verify_token: Secret,
    /// Also accepted during a rotation (`ingest --previous-secret`).
    pub previous_secret: Option<Secret>,
    pub signature_header: HeaderName,
    pub max_body: u64,
    /// Deadline for a request's head (and for an idle keep-alive connection),
    /// then again for its body.
    pub read_timeout: Duration,
    /// Connections served at once; at the limit the longest-idle one is
    /// closed to admit a new one, which is refused only when every
    /// connection has a request in service.
    pub max_connections: usize,
    /// Answer POSTs with a valid signature with this status instead of 200.
    pub respond_status: Option<StatusCode>,
    /// Wait this long before answering POSTs with a valid signature.
    pub respond_delay: Option<Duration>,
    pub forward: Option<Forward>,
    /// Serve HTTPS with this (`ingest --tls-cert`); plain HTTP without it.
    pub tls: Option<tokio_rustls::TlsAcceptor>,
    /// How long a stop waits for requests in flight.
    pub grace: Duration,
}

/// Where and how verified POSTs are forwarded.
pub struct Forward {
    pub url: reqwest::Url,
    /// Signs the forwarded body (the listener's own secret unless told otherwise).
    pub secret: Secret,
    /// Built by the caller from `client::builder()`, with its timeout.
    pub client: reqwest::Client,
}

/// The status of a request the front-end failed to handle.
pub const UNAVAILABLE: StatusCode = StatusCode::SERVICE_UNAVAILABLE;
/// The `Retry-After` (seconds) sent with [`UNAVAILABLE`].
pub const RETRY_AFTER_SECONDS: u32 = 30;

/// What goes through the channel: a report, and how to acknowledge it.
pub struct Handoff {
    pub report: Report,
    pub ack: Ack,
}

/// The front-end's answer to "is this request durably handled?". Exactly one of
/// [`Ack::done`] and [`Ack::failed`] is called; dropping it counts as failed.
/// A [`Report::Malformed`] comes with an `Ack` nobody waits for.
#[derive(Debug)]
pub struct Ack(Option<oneshot::Sender<Handled>>);

/// What became of a handed-on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// Durably handled: the planned answer goes out.
    Done,
    /// Not handled: the answer is [`UNAVAILABLE`].
    Failed,
}

impl Ack {
    fn new() -> (Ack, oneshot::Receiver<Handled>) {
        let (send, receive) = oneshot::channel();
        (Ack(Some(send)), receive)
    }

    /// An acknowledgement nobody waits for.
    pub fn unawaited() -> Ack {
        Ack(None)
    }

    pub fn done(self) {
        self.send(Handled::Done);
    }

    pub fn failed(self) {
        self.send(Handled::Failed);
    }

    pub fn send(mut self, handled: Handled) {
        if let Some(sender) = self.0.take() {
            // The connection may be gone already; its sender will retry.
            let _ = sender.send(handled);
        }
    }
}

/// What the receiver hands on: a request it is about to answer, or a
/// connection that did not speak HTTP/1.1 (hyper answered it, or closed it,
/// on its own).
pub enum Report {
    Request(Box<Exchange>),
    Malformed {
        at: SystemTime,
        peer: SocketAddr,
        error: hyper::Error,
    },
}

/// One request and the answer planned for it (sent once acknowledged).
pub struct Exchange {
    pub received_at: SystemTime,
    pub peer: SocketAddr,
    pub method: Method,
    /// The path alone: the handshake's query carries the secret.
    pub path: String,
    pub headers: HeaderMap,
    /// The body as received; `None` when it was not read.
    pub body: Option<Bytes>,
    pub status: StatusCode,
    pub outcome: Outcome,
}

/// What the receiver concluded.
pub enum Outcome {
    Handshake(Handshake),
    /// A POST whose signature is missing or wrong (401).
    Rejected(Fault),
    /// A POST with a valid signature: which updates it holds, in either
    /// envelope (or why the body is not an event, which is still answered
    /// 2xx: it is correctly signed), what the app said when forwarding, and
    /// whether the previous secret (during a rotation) signed it. The whole
    /// event is not built here: only the pretty output needs it, off the
    /// answering thread.
    Verified {
        event: std::result::Result<Identified, String>,
        forward: Option<Forwarded>,
        previous_secret: bool,
    },
    /// A POST whose body was not read to the end.
    Unread(Refusal),
    WrongPath,
    WrongMethod,
}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    Missing,
    /// The header came this many times: which one counts is ambiguous.
    Repeated(usize),
    Malformed(ParseError),
    /// Well formed, but not the HMAC of this body with this secret.
    Mismatch(Signature),
}

impl Fault {
    /// One phrase saying what was wrong, naming the header as the person spelled it.
    /// What is wrong, naming the header as it goes on the wire (`X-Signature-256`).
    pub fn describe(&self, header: &HeaderName) -> String {
        let header = title_case(header);
        match self {
            Fault::Missing => format!("no {header} header"),
            Fault::Repeated(n) => format!("{n} {header} headers; send exactly one"),
            Fault::Malformed(error) => error.to_string(),
            Fault::Mismatch(_) => "the signature does not match the body".to_string(),
        }
    }
}

/// Why a body was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Larger than `--max-body`: declared so by Content-Length, or grown so while chunked.
    TooLarge { declared: Option<u64> },
    /// Not all there within the read timeout.
    Timeout,
    /// The client broke off (or sent broken chunked framing).
    Broken(String),
}

impl Refusal {
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::Timeout => StatusCode::REQUEST_TIMEOUT,
            Refusal::Broken(_) => StatusCode::BAD_REQUEST,
        }
    }
}

/// The answer to the platform's verification GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handshake {
    /// 200 with exactly this body.
    Accepted { challenge: String },
    /// `hub.mode` was not `subscribe` (or absent): 403.
    WrongMode(Option<String>),
    /// `hub.verify_token` was not the secret (or absent): 403.
    WrongToken { given: bool },
    /// Mode and token right, but no `hub.challenge` to echo: 400.
    NoChallenge,
    /// A challenge of this many bytes, over [`MAX_CHALLENGE`]: 400.
    ChallengeTooLong(usize),
    /// A challenge whose decoded bytes are not UTF-8 (`%FF`): 400, since
    /// echoing it as text would change it.
    ChallengeNotText,
}

impl Handshake {
    pub fn status(&self) -> StatusCode {
        match self {
            Handshake::Accepted { .. } => StatusCode::OK,
            Handshake::WrongMode(_) | Handshake::WrongToken { .. } => StatusCode::FORBIDDEN,
            Handshake::NoChallenge
            | Handshake::ChallengeTooLong(_)
            | Handshake::ChallengeNotText => StatusCode::BAD_REQUEST,
        }
    }

    fn response(&self) -> Response<Full<Bytes>> {
        match self {
            Handshake::Accepted { challenge } => plain(StatusCode::OK, challenge.clone()),
            // What the API document's own handler answers.
            Handshake::WrongMode(_) | Handshake::WrongToken { .. } => {
                plain(StatusCode::FORBIDDEN, "Forbidden")
            }
            Handshake::NoChallenge => plain(
                StatusCode::BAD_REQUEST,
                "Bad Request: hub.challenge is missing\n",
            ),
            Handshake::ChallengeTooLong(n) => plain(
                StatusCode::BAD_REQUEST,
                format!("Bad Request: hub.challenge has {n} bytes, more than {MAX_CHALLENGE}\n"),
            ),
            Handshake::ChallengeNotText => plain(
                StatusCode::BAD_REQUEST,
                "Bad Request: hub.challenge does not decode to UTF-8 text\n",
            ),
        }
    }
}

/// What came of forwarding a verified POST to the app.
pub struct Forwarded {
    pub latency: Duration,
    pub answer: std::result::Result<StatusCode, ForwardError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardError {
    /// No answer within the forward timeout: 504 to the sender.
    Timeout,
    /// Could not connect, or the connection failed: 502 to the sender.
    Failed(String),
    /// The app answered a status that cannot be passed on (a 1xx, such as
    /// `101 Switching Protocols`, or one outside 100–599): 502 to the sender.
    BadStatus(u16),
}

impl Forwarded {
    /// What the sender is answered.
    pub fn status(&self) -> StatusCode {
        match &self.answer {
            Ok(status) => *status,
            Err(ForwardError::Timeout) => StatusCode::GATEWAY_TIMEOUT,
            Err(ForwardError::Failed(_) | ForwardError::BadStatus(_)) => StatusCode::BAD_GATEWAY,
        }
    }
}

impl Exchange {
    /// The record's verdict on the signature.
    pub fn verdict(&self) -> Verdict {
        match &self.outcome {
            Outcome::Verified { .. } => Verdict::Valid,
            Outcome::Rejected(Fault::Missing) => Verdict::Missing,
            Outcome::Rejected(_) => Verdict::Invalid,
            _ => Verdict::Unchecked,
        }
    }

    /// Which updates the body held, when it was a verified event.
    pub fn event(&self) -> Option<&Identified> {
        match &self.outcome {
            Outcome::Verified {
                event: Ok(event), ..
            } => Some(event),
            _ => None,
        }
    }

    /// The request as a record (CLI.md's record format), borrowed.
    pub fn record(&self) -> Borrowed<'_> {
        Borrowed {
            received_at: self.received_at,
            method: self.method.as_str(),
            path: &self.path,
            headers: &self.headers,
            body: self.body.as_deref(),
            signature: self.verdict(),
            event: self
                .event()
                .and_then(Identified::first)
                .map(|e| e.event.as_str()),
            status: self.status.as_u16(),
        }
    }
}

/// Counts kept by the accept loop.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServerStats {
    /// Connections closed on arrival because `max_connections` were open,
    /// each with a request in service.
    pub refused: u64,
    /// Idle connections closed to admit a new one at `max_connections`.
    pub evicted: u64,
    /// Connections still busy when the grace period ran out.
    pub abandoned: u64,
}

/// A bound listening socket, not yet serving.
pub struct Server {
    listener: TcpListener,
    config: Config,
    /// The most connections open at all: those served, and those evicted
    /// and still closing (for at most [`EVICTION_GRACE`] with nothing in
    /// service), whose descriptors are not free yet.
    most_open: usize,
}

/// Binds the address. Binding first lets the caller learn the port (`--port 0`)
/// before it prints anything.
pub async fn bind(mut config: Config) -> Result<Server> {
    let listener = TcpListener::bind(config.addr).await.map_err(|e| {
        let error = Error::input(format!("cannot listen on {}: {e}", config.addr));
        match e.kind() {
            std::io::ErrorKind::AddrInUse => {
                error.with_hint("another program uses this port; pick another with --port, or --port 0 for any free one")
            }
            std::io::ErrorKind::PermissionDenied => {
                error.with_hint("ports below 1024 need privileges; use a higher --port")
            }
            std::io::ErrorKind::AddrNotAvailable => {
                error.with_hint("--host must be an address of this machine, such as 127.0.0.1")
            }
            _ => error,
        }
    })?;
    let fds = raise_open_file_limit().saturating_sub(RESERVED_FDS);
    // A forwarded request holds a second descriptor: the connection to the app.
    let fds = if config.forward.is_some() {
        fds / 2
    } else {
        fds
    };
    let fit = usize::try_from(fds).unwrap_or(usize::MAX).max(1);
    // An eighth of them is kept for connections evicted and still closing.
    config.max_connections = config.max_connections.min((fit - fit / 8).max(1));
    let most_open = fit.min(config.max_connections.saturating_mul(2));
    Ok(Server {
        listener,
        config,
        most_open,
    })
}

/// Raises this process's soft limit on open files to its hard limit, as Go's
/// runtime does, so a thousand idle connections do not exhaust a default
/// 1024, and returns the limit now in force.
pub fn raise_open_file_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct they are given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return u64::MAX;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
    }
    limit.rlim_cur
}

impl Server {
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.config.addr)
    }

    /// The configuration in force: `max_connections` may be lower than asked
    /// for, when the open file limit cannot hold that many.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Serves until `stop` counts one request to stop: then stops accepting,
    /// lets the requests in flight finish (idle connections close at once), and
    /// returns after they did, after `grace`, or at a second request to stop.
    /// At `max_connections`, each new connection makes the longest-idle one
    /// close (see [`connections`]).
    pub async fn run(
        self,
        reports: mpsc::Sender<Handoff>,
        mut stop: watch::Receiver<u32>,
    ) -> ServerStats {
        let Server {
            listener,
            config,
            most_open,
        } = self;
        let shared = Arc::new(Shared { config, reports });
        let mut http = http1::Builder::new();
        // hyper's header timeout needs a timer; it also closes idle keep-alive
        // connections, since it runs whenever a connection waits for a request.
        http.timer(TokioTimer::new())
            .header_read_timeout(shared.config.read_timeout)
            .max_header_size(MAX_HEAD)
            .max_buf_size(MAX_HEAD);
        let mut connections = JoinSet::new();
        let mut slots = Connections::new();
        let mut stats = ServerStats::default();
        loop {
            let accepted = tokio::select! {
                biased;
                () = stop_requested(&mut stop, 1) => break,
                accepted = listener.accept() => accepted,
            };
            while connections.try_join_next().is_some() {}
            let (stream, peer) = match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of descriptors or memory: wait for a connection to close
                    // rather than spin on a failing accept.
                    if out_of_resources(&e) {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    continue;
                }
            };
            let limit = shared.config.max_connections;
            match slots.make_room(connections.len(), limit, most_open) {
                Admission::Admit => {}
                Admission::Evicted => stats.evicted += 1,
                Admission::Refuse => {
                    stats.refused += 1;
                    continue;
                }
            }
            let _ = stream.set_nodelay(true);
            let stop = stop.clone();
            let http = http.clone();
            let service = Arc::clone(&shared);
            let slot = slots.admit();
            match shared.config.tls.clone() {
                None => connections.spawn(serve(http, stream, service, stop, peer, slot)),
                Some(acceptor) => {
                    let deadline = shared.config.read_timeout;
                    connections.spawn(async move {
                        // The handshake gets the same deadline as a request's head.
                        let accepted = tokio::time::timeout(deadline, acceptor.accept(stream));
                        let stream = tokio::select! {
                            accepted = accepted => match accepted {
                                Ok(Ok(stream)) => stream,
                                _ => return,
                            },
                            () = slot.evicted() => return,
                        };
                        serve(http, stream, service, stop, peer, slot).await;
                    })
                }
            };
        }
        drop(listener);
        tokio::select! {
            () = async { while connections.join_next().await.is_some() {} } => {}
            () = tokio::time::sleep(shared.config.grace) => {}
            () = stop_requested(&mut stop, 2) => {}
        }
        connections.abort_all();
        while let Some(joined) = connections.join_next().await {
            if joined.is_err_and(|e| e.is_cancelled()) {
                stats.abandoned += 1;
            }
        }
        stats
    }
}

/// Serves one connection (plain or TLS) until it closes, or gracefully once a
/// stop is asked for or the accept loop evicts it; a connection that did not
/// speak HTTP/1.1 is reported.
async fn serve<S>(
    http: http1::Builder,
    stream: S,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<u32>,
    peer: SocketAddr,
    slot: Arc<Slot>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let reports = shared.reports.clone();
    let serving = Arc::clone(&slot);
    let service = service_fn(move |request| {
        // Counted from when hyper hands the request over until its answer is
        // decided (or the connection is dropped), so it is never evicted.
        let in_service = serving.begin();
        let shared = Arc::clone(&shared);
        async move {
            let answer = handle(shared, peer, request).await;
            drop(in_service);
            answer
        }
    });
    let conn = http.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let result = tokio::select! {
        result = conn.as_mut() => result,
        () = stop_requested(&mut stop, 1) => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
        () = slot.evicted() => {
            // hyper closes a keep-alive-idle connection at once (flushing its
            // last answer); one that has not finished a request head it would
            // keep until --read-timeout, so that one is dropped. A request that
            // came in meanwhile is answered, then the connection closes.
            conn.as_mut().graceful_shutdown();
            match tokio::time::timeout(EVICTION_GRACE, conn.as_mut()).await {
                Ok(result) => result,
                Err(_) if slot.idle() => return,
                Err(_) => conn.await,
            }
        }
    };
    if let Err(error) = result {
        if error.is_parse() || error.is_parse_too_large() {
            let at = SystemTime::now();
            let report = Report::Malformed { at, peer, error };
            let ack = Ack::unawaited();
            let _ = reports.send(Handoff { report, ack }).await;
        }
    }
}

/// Resolves once stop was asked for `times` times (or can no longer be asked).
async fn stop_requested(stop: &mut watch::Receiver<u32>, times: u32) {
    let _ = stop.wait_for(|asked| *asked >= times).await;
}

fn out_of_resources(error: &std::io::Error) -> bool {
    matches!(
        error.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

struct Shared {
    config: Config,
    reports: mpsc::Sender<Handoff>,
}

type Answer = Response<Full<Bytes>>;

async fn handle(
    shared: Arc<Shared>,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> std::result::Result<Answer, Infallible> {
    let received_at = SystemTime::now();
    let (parts, body) = request.into_parts();
    let (outcome, body, response) = answer(&shared.config, &parts, body).await;
    let exchange = Exchange {
        received_at,
        peer,
        path: parts.uri.path().to_owned(),
        method: parts.method,
        headers: parts.headers,
        body,
        status: response.status(),
        outcome,
    };
    // Handed on before the answer, which waits for the front-end to say the
    // request is durably handled.
    let (ack, acked) = Ack::new();
    let report = Report::Request(Box::new(exchange));
    let handled = match shared.reports.send(Handoff { report, ack }).await {
        Ok(()) => acked.await.unwrap_or(Handled::Failed),
        Err(_) => Handled::Failed,
    };
    Ok(match handled {
        Handled::Done => response,
        Handled::Failed => unavailable(),
    })
}

/// The answer to a request the front-end could not handle: the platform
/// retries it.
fn unavailable() -> Answer {
    let mut response = plain(
        UNAVAILABLE,
        "Service Unavailable: the receiver could not keep this request; send it again later\n",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    response
}

async fn answer(
    config: &Config,
    parts: &hyper::http::request::Parts,
    body: Incoming,
) -> (Outcome, Option<Bytes>, Answer) {
    if parts.uri.path() != config.path {
        let text = format!("Not Found: webhooks go to {}\n", config.path);
        return (Outcome::WrongPath, None, plain(StatusCode::NOT_FOUND, text));
    }
    match parts.method {
        Method::GET => {
            let handshake = handshake(parts.uri.query(), config.verify_token.bytes());
            let response = handshake.response();
            (Outcome::Handshake(handshake), None, response)
        }
        Method::POST => post(config, &parts.headers, body).await,
        _ => {
            let mut response = plain(
                StatusCode::METHOD_NOT_ALLOWED,
                "Method Not Allowed: GET for the handshake, POST for events\n",
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
            (Outcome::WrongMethod, None, response)
        }
    }
}

async fn post(
    config: &Config,
    headers: &HeaderMap,
    body: Incoming,
) -> (Outcome, Option<Bytes>, Answer) {
    let body = match read_body(body, config.max_body, config.read_timeout).await {
        Ok(body) => body,
        Err(refusal) => {
            let text = match &refusal {
                Refusal::TooLarge { .. } => format!(
                    "Payload Too Large: the limit is {} bytes\n",
                    config.max_body
                ),
                Refusal::Timeout => "Request Timeout: the body did not arrive in time\n".into(),
                Refusal::Broken(_) => "Bad Request: the body broke off\n".into(),
            };
            let mut response = plain(refusal.status(), text);
            // The rest of the body is not read, so the connection cannot be reused.
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return (Outcome::Unread(refusal), None, response);
        }
    };
    let mut previous_secret = false;
    let checked = check_signature(
        headers,
        &config.signature_header,
        config.secret.bytes(),
        &body,
    );
    let checked = match (checked, &config.previous_secret) {
        (Err(Fault::Mismatch(signature)), Some(previous)) => {
            previous_secret = signature::verify(previous.bytes(), &body, &signature);
            if previous_secret {
                Ok(())
            } else {
                Err(Fault::Mismatch(signature))
            }
        }
        (checked, _) => checked,
    };
    if let Err(fault) = checked {
        let text = format!(
            "Unauthorized: {}\n",
            fault.describe(&config.signature_header)
        );
        return (
            Outcome::Rejected(fault),
            Some(body),
            plain(StatusCode::UNAUTHORIZED, text),
        );
    }
    let event = events::identify(&body).map_err(|e| e.to_string());
    if let Some(delay) = config.respond_delay {
        tokio::time::sleep(delay).await;
    }
    let (forward, response) = match &config.forward {
        Some(forward) => {
            let forwarded = forward
                .send(&config.signature_header, headers, body.clone())
                .await;
            let response = empty(forwarded.status());
            (Some(forwarded), response)
        }
        // Whatever the body: it is correctly signed, so the platform sent it,
        // and a refusal would only make it retry the same bytes.
        None => (None, empty(config.respond_status.unwrap_or(StatusCode::OK))),
    };
    let outcome = Outcome::Verified {
        event,
        forward,
        previous_secret,
    };
    (outcome, Some(body), response)
}

/// Reads a whole body, refusing it as soon as it is known to be too large:
/// from Content-Length before reading anything, or while a chunked body grows.
async fn read_body(
    body: Incoming,
    max: u64,
    deadline: Duration,
) -> std::result::Result<Bytes, Refusal> {
    let declared = body.size_hint().exact();
    if declared.is_some_and(|n| n > max) {
        return Err(Refusal::TooLarge { declared });
    }
    let limit = usize::try_from(max).unwrap_or(usize::MAX);
    match tokio::time::timeout(deadline, Limited::new(body, limit).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(Refusal::TooLarge { declared: None }),
        Ok(Err(e)) => Err(Refusal::Broken(e.to_string())),
        Err(_) => Err(Refusal::Timeout),
    }
}

/// Checks the one signature header against the body.
pub fn check_signature(
    headers: &HeaderMap,
    name: &HeaderName,
    secret: &[u8],
    body: &[u8],
) -> std::result::Result<(), Fault> {
    let mut values = headers.get_all(name).iter();
    let value = match (values.next(), values.next()) {
        (None, _) => return Err(Fault::Missing),
        (Some(_), Some(_)) => return Err(Fault::Repeated(headers.get_all(name).iter().count())),
        (Some(value), None) => value,
    };
    let signature =
        signature::parse(&String::from_utf8_lossy(value.as_bytes())).map_err(Fault::Malformed)?;
    if signature::verify(secret, body, &signature) {
        Ok(())
    } else {
        Err(Fault::Mismatch(signature))
    }
}

/// Decides the handshake from the request's query string.
pub fn handshake(query: Option<&str>, secret: &[u8]) -> Handshake {
    let (mut mode, mut challenge, mut token) = (None::<Vec<u8>>, None, None::<Vec<u8>>);
    for (key, value) in query_pairs(query.unwrap_or("")) {
        let slot = match key.as_str() {
            "hub.mode" => &mut mode,
            "hub.challenge" => &mut challenge,
            "hub.verify_token" => &mut token,
            _ => continue,
        };
        slot.get_or_insert(value);
    }
    if mode.as_deref() != Some(b"subscribe".as_slice()) {
        let mode = mode.map(|m| String::from_utf8_lossy(&m).into_owned());
        return Handshake::WrongMode(mode);
    }
    match token {
        Some(token) if constant_time_eq(&token, secret) => {}
        token => {
            return Handshake::WrongToken {
                given: token.is_some(),
            };
        }
    }
    match challenge {
        None => Handshake::NoChallenge,
        Some(challenge) if challenge.len() > MAX_CHALLENGE => {
            Handshake::ChallengeTooLong(challenge.len())
        }
        Some(challenge) => match String::from_utf8(challenge) {
            Ok(challenge) => Handshake::Accepted { challenge },
            Err(_) => Handshake::ChallengeNotText,
        },
    }
}

/// Decodes `application/x-www-form-urlencoded` pairs (`+` is a space, `%XX` a
/// byte): names as text (bad UTF-8 replaced, so they never match), values as
/// the exact bytes, so a challenge is echoed exactly or refused.
fn query_pairs(query: &str) -> Vec<(String, Vec<u8>)> {
    let decode = |part: &str| -> Vec<u8> {
        let spaced = part.replace('+', " ");
        percent_encoding::percent_decode_str(&spaced).collect()
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (
                String::from_utf8_lossy(&decode(key)).into_owned(),
                decode(value),
            )
        })
        .collect()
}

/// Compares without stopping at the first difference, so the time taken does
/// not say how much of a guessed token was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

impl Forward {
    async fn send(
        &self,
        signature_header: &HeaderName,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Forwarded {
        let signature = signature::sign(self.secret.bytes(), &body).to_string();
        let mut request = self
            .client
            .post(self.url.clone())
            .header(signature_header, signature)
            .body(body);
        if let Some(content_type) = headers.get(header::CONTENT_TYPE) {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let started = Instant::now();
        let answer = match request.send().await {
            // Only a final status the sender can take: a 1xx is an interim
            // answer (a 101 would switch the sender's connection to nothing).
            Ok(response) if (200..=599).contains(&response.status().as_u16()) => {
                Ok(response.status())
            }
            Ok(response) => Err(ForwardError::BadStatus(response.status().as_u16())),
            Err(e) if e.is_timeout() => Err(ForwardError::Timeout),
            Err(e) if e.is_connect() => Err(ForwardError::Failed(format!(
                "cannot connect: {}",
                root_cause(&e)
            ))),
            Err(e) => Err(ForwardError::Failed(root_cause(&e))),
        };
        Forwarded {
            latency: started.elapsed(),
            answer,
        }
    }
}

/// The innermost cause of an error: reqwest's own message repeats the URL and
/// wraps the one part that says what happened ("Connection refused").
pub(crate) fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

fn plain(status: StatusCode, body: impl Into<Bytes>) -> Answer {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    // The handshake echoes text a client chose; a browser must not read it as HTML.
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn empty(status: StatusCode) -> Answer {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

#[cfg(test)]
impl Exchange {
    /// A POST to the default path at 2026-01-15T10:30:00.123Z, answered 200,
    /// with a JSON content type: for the tests of what is made of exchanges.
    pub(crate) fn example(body: &[u8], outcome: Outcome) -> Exchange {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        Exchange {
            received_at: SystemTime::UNIX_EPOCH + Duration::from_millis(1_768_473_000_123),
            peer: SocketAddr::from(([127, 0, 0, 1], 5000)),
            method: Method::POST,
            path: "/webhooks/whatsapp".into(),
            headers,
            body: Some(Bytes::copy_from_slice(body)),
            status: StatusCode::OK,
            outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"s3cret";

    #[test]
    fn handshake_table() {
        use Handshake::*;
        let long = "c".repeat(MAX_CHALLENGE + 1);
        let long = format!("hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge={long}");
        let cases: Vec<(Option<&str>, Handshake)> = vec![
            (
                Some("hub.mode=subscribe&hub.challenge=abc&hub.verify_token=s3cret"),
                Accepted {
                    challenge: "abc".into(),
                },
            ),
            (
                Some("hub.verify_token=s3cret&hub.challenge=a+b%2Fc%26&hub.mode=subscribe"),
                Accepted {
                    challenge: "a b/c&".into(),
                },
            ),
            (
                Some("hub.mode=subscribe&hub.challenge=&hub.verify_token=s3cret"),
                Accepted {
                    challenge: "".into(),
                },
            ),
            (
                Some("hub.mode=unsubscribe&hub.challenge=abc&hub.verify_token=s3cret"),
                WrongMode(Some("unsubscribe".into())),
            ),
            (None, WrongMode(None)),
            (
                Some("hub.mode=subscribe&hub.challenge=abc&hub.verify_token=s3cre"),
                WrongToken { given: true },
            ),
            (
                Some("hub.mode=subscribe&hub.challenge=abc"),
                WrongToken { given: false },
            ),
            (
                Some("hub.mode=subscribe&hub.verify_token=s3cret"),
                NoChallenge,
            ),
            (Some(&long), ChallengeTooLong(MAX_CHALLENGE + 1)),
            (
                // Echoed as text, %FF would come back as U+FFFD.
                Some("hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=a%FFb"),
                ChallengeNotText,
            ),
            (
                Some("hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=%E2%9C%94+ok"),
                Accepted {
                    challenge: "✔ ok".into(),
                },
            ),
            (
                // The first of a repeated parameter counts.
                Some(
                    "hub.mode=subscribe&hub.verify_token=nope&hub.verify_token=s3cret&hub.challenge=x",
                ),
                WrongToken { given: true },
            ),
        ];
        for (query, want) in cases {
            assert_eq!(handshake(query, SECRET), want, "{query:?}");
        }
        assert_eq!(WrongToken { given: true }.status(), StatusCode::FORBIDDEN);
        assert_eq!(NoChallenge.status(), StatusCode::BAD_REQUEST);
    }

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append("x-signature-256", HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn signature_checks() {
        let name = HeaderName::from_static("x-signature-256");
        let body = b"{\"event\":\"x\"}";
        let good = signature::sign(SECRET, body).to_string();
        let check = |values: &[&str]| check_signature(&headers(values), &name, SECRET, body);
        assert_eq!(check(&[&good]), Ok(()));
        assert_eq!(check(&[]), Err(Fault::Missing));
        assert_eq!(check(&[&good, &good]), Err(Fault::Repeated(2)));
        assert_eq!(
            check(&["sha256=zz"]),
            Err(Fault::Malformed(ParseError::NotHex))
        );
        let other = signature::sign(b"other", body);
        assert_eq!(check(&[&other.to_string()]), Err(Fault::Mismatch(other)));
        let mut obs_text = HeaderMap::new();
        obs_text.insert(&name, HeaderValue::from_bytes(b"sha256=\xff").unwrap());
        assert!(matches!(
            check_signature(&obs_text, &name, SECRET, body),
            Err(Fault::Malformed(_))
        ));
    }

    #[test]
    fn records_join_repeated_headers_and_keep_the_body_exact() {
        let body = "{\"t\":\"Jo\\u00e3o 👋\"}\n";
        let mut exchange = Exchange::example(body.as_bytes(), Outcome::Rejected(Fault::Missing));
        exchange.status = StatusCode::UNAUTHORIZED;
        exchange
            .headers
            .append("x-a", HeaderValue::from_static("1"));
        exchange
            .headers
            .append("x-a", HeaderValue::from_static("2"));
        let mut line = Vec::new();
        exchange.record().write_line(&mut line);
        let record =
            crate::contract::record::parse_line(std::str::from_utf8(&line).unwrap()).unwrap();
        assert_eq!(record.received_at, "2026-01-15T10:30:00.123Z");
        assert_eq!(record.headers["x-a"], "1, 2");
        assert_eq!(record.signature, Verdict::Missing);
        assert_eq!(record.body_bytes().unwrap(), body.as_bytes());
        assert_eq!((record.event, record.status), (None, 401));
    }

    /// Serves on 127.0.0.1:0 with a front-end that answers each handoff with
    /// `front`, sends one signed POST over raw TCP, and returns the answer's head.
    fn answered_after(front: fn(Ack)) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let config = Config {
                addr: SocketAddr::from(([127, 0, 0, 1], 0)),
                path: "/hook".into(),
                secret: Secret::new(SECRET, crate::input::secret::Source::Flag).unwrap(),
                verify_token: Secret::new(SECRET, crate::input::secret::Source::Flag).unwrap(),
                previous_secret: None,
                signature_header: HeaderName::from_static("x-signature-256"),
                max_body: 1024,
                read_timeout: Duration::from_secs(10),
                max_connections: 4,
                respond_status: None,
                respond_delay: None,
                forward: None,
                tls: None,
                grace: Duration::from_secs(1),
            };
            let server = bind(config).await.unwrap();
            let addr = server.local_addr();
            let (reports, mut queue) = mpsc::channel(4);
            let (stop, stopped) = watch::channel(0);
            let serving = tokio::spawn(server.run(reports, stopped));
            tokio::spawn(async move {
                while let Some(handoff) = queue.recv().await {
                    front(handoff.ack);
                }
            });
            let body = br#"{"event":"message.received","data":{"message_id":"m1"}}"#;
            let signature = signature::sign(SECRET, body);
            let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            let head = format!(
                "POST /hook HTTP/1.1\r\nhost: x\r\nconnection: close\r\nx-signature-256: {signature}\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).await.unwrap();
            stream.write_all(body).await.unwrap();
            let mut answer = String::new();
            let read = stream.read_to_string(&mut answer);
            tokio::time::timeout(Duration::from_secs(10), read)
                .await
                .unwrap()
                .unwrap();
            stop.send_modify(|asked| *asked += 1);
            serving.await.unwrap();
            answer
        })
    }

    #[test]
    fn the_answer_waits_for_the_acknowledgement() {
        let done = answered_after(Ack::done);
        assert!(done.starts_with("HTTP/1.1 200 "), "{done}");
        for front in [Ack::failed as fn(Ack), drop] {
            let failed = answered_after(front);
            assert!(failed.starts_with("HTTP/1.1 503 "), "{failed}");
            assert!(failed.contains("retry-after: 30\r\n"), "{failed}");
        }
    }

    #[test]
    fn the_root_cause_is_what_is_shown() {
        #[derive(Debug)]
        struct Wrapper(std::io::Error);
        impl std::fmt::Display for Wrapper {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("error sending request for url (http://127.0.0.1:1/)")
            }
        }
        impl std::error::Error for Wrapper {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert_eq!(root_cause(&Wrapper(refused)), "refused");
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd") && !constant_time_eq(b"abc", b"ab"));
    }
}
