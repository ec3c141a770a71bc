//! HTTP/1.1 to a webhook receiver, the way the platform calls one: over TCP or
//! TLS (certificates checked against the system's roots unless `--insecure`),
//! redirects never followed, every answer timed, and every way of not getting
//! an answer sorted into a [`FailureKind`] a person can act on. A [`Session`]
//! is one keep-alive connection that reconnects when the receiver closes it.
//!
//! This is hyper's own `client::conn::http1`, not a pooled client: the bulk
//! sender runs one session per connection, which measured about twice the
//! events per CPU second of reqwest on this project's two-core benchmark box.
//! Never prints.
//!
//! This file holds the client and the session; `endpoint.rs` where they send,
//! `answer.rs` what came back (an answer, or the failure that took its place),
//! `opening.rs` the first bytes each connection received, `tls.rs` the
//! client's TLS configuration.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{self, HeaderMap};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;

use crate::contract::redact::Redactor;
use crate::error::Result;

mod answer;
mod endpoint;
mod opening;
mod tls;

pub use answer::{Answer, CutShort, Failure, FailureKind, describe, describe_exactly};
pub use endpoint::Endpoint;

use answer::{classify, tls_failure};
use opening::{Opening, Recording};
use tls::tls_config;

/// How much of a response body is kept; the rest is read and counted.
pub const BODY_KEEP: usize = 64 * 1024;

/// How much of a response body is read at most: a receiver's answer is a few
/// bytes, and one that streams without end (or a gigabyte) is judged by what
/// came first, on a connection then closed, instead of being read until the
/// give-up time and reported as no answer.
pub const BODY_READ_LIMIT: u64 = 1024 * 1024;

/// How the client connects and how long it waits.
#[derive(Debug, Clone, Copy)]
pub struct ClientOptions {
    /// Accept any certificate (a self-signed local one); the platform never does.
    pub insecure: bool,
    /// The answer budget: longer is "too slow". Connecting (TCP and TLS) must
    /// also finish within it, or the endpoint counts as unreachable.
    pub budget: Duration,
    /// How long to wait for a late answer before giving up, so that a slow
    /// receiver is reported with its status rather than as silent.
    pub give_up_after: Duration,
}

impl ClientOptions {
    /// The budget, and twice it before giving up on an answer.
    pub fn with_budget(budget: Duration, insecure: bool) -> ClientOptions {
        ClientOptions {
            insecure,
            budget,
            give_up_after: budget.saturating_mul(2),
        }
    }
}

/// What a [`Tap`] sees of each exchange.
pub enum Exchange<'a> {
    /// A request about to be sent (headers as given; hyper adds the framing)
    /// and its body.
    Request(&'a Request<Full<Bytes>>, &'a Bytes),
    /// A request failed on a kept-alive connection before any answer, and
    /// goes again on a new one.
    Resent(&'a Failure),
    /// The answer, or why none came.
    Answer(&'a Result<Answer, Failure>),
}

/// Watches every exchange: `-v` shows them. Must not block.
pub type Tap = Arc<dyn Fn(Exchange<'_>) + Send + Sync>;

/// Connection settings shared by every session; cheap to clone.
#[derive(Clone)]
pub struct Client {
    options: ClientOptions,
    tap: Option<Tap>,
    /// Given to every answer, which shows itself through it.
    redactor: Arc<Redactor>,
    /// Built on the first https connection: loading the system's roots costs
    /// milliseconds that plain-http runs need not pay.
    tls: Arc<OnceLock<std::result::Result<tokio_rustls::TlsConnector, String>>>,
}

impl Client {
    pub fn new(options: ClientOptions) -> Client {
        Client {
            options,
            tap: None,
            redactor: Arc::default(),
            tls: Arc::default(),
        }
    }

    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// The same client, showing every exchange to `tap`.
    pub fn with_tap(mut self, tap: Option<Tap>) -> Client {
        self.tap = tap;
        self
    }

    /// The same client, its answers hiding `redactor`'s secrets wherever
    /// they are shown (an endpoint may echo the request it got).
    pub fn with_redactor(mut self, redactor: Redactor) -> Client {
        self.redactor = Arc::new(redactor);
        self
    }

    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The same client, waiting at least `wait` for a late answer before
    /// giving up: for reports that must tell a late answer from none at all,
    /// even under a budget of milliseconds.
    pub fn waiting_at_least(mut self, wait: Duration) -> Client {
        self.options.give_up_after = self.options.give_up_after.max(wait);
        self
    }

    fn tls_connector(&self) -> std::result::Result<tokio_rustls::TlsConnector, String> {
        self.tls
            .get_or_init(|| tls_config(self.options.insecure).map(|c| Arc::new(c).into()))
            .clone()
    }
}

/// One keep-alive connection to an endpoint, opened on first use and again
/// whenever the receiver has closed it.
pub struct Session {
    client: Client,
    endpoint: Arc<Endpoint>,
    connection: Option<SendRequest<Full<Bytes>>>,
    /// The first bytes the current connection received.
    opening: Opening,
    /// Why the last request was sent a second time, on a new connection.
    resent: Option<Failure>,
}

impl Session {
    pub fn new(client: Client, endpoint: Arc<Endpoint>) -> Session {
        Session {
            client,
            endpoint,
            connection: None,
            opening: Opening::default(),
            resent: None,
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// When the last request failed on a kept-alive connection before any
    /// byte of its answer came, and was sent again on a new one: how the
    /// first try failed. The receiver closed the connection after its
    /// previous answer without saying `Connection: close`.
    pub fn resent(&self) -> Option<&Failure> {
        self.resent.as_ref()
    }

    /// Sends one request and reads the whole answer, within the client's
    /// give-up time. A request that fails on a kept-alive connection before
    /// any byte of its answer arrived (the receiver had closed it) is sent
    /// once more on a new one.
    pub async fn send(&mut self, request: Request<Full<Bytes>>) -> Result<Answer, Failure> {
        self.resent = None;
        if let Some(tap) = &self.client.tap {
            // A Full body is one frame, ready at once.
            let body = match request.body().clone().collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(never) => match never {},
            };
            tap(Exchange::Request(&request, &body));
        }
        let start = Instant::now();
        let give_up = self.client.options.give_up_after;
        let result = match tokio::time::timeout(give_up, self.exchange(request)).await {
            Ok(result) => result,
            Err(_) => Err(Failure::new(
                FailureKind::Timeout,
                format!("timed out after {}", humantime::format_duration(give_up)),
            )),
        };
        let latency = start.elapsed();
        if result.is_err() {
            self.connection = None;
        }
        let result = match result {
            Ok(answer) => Ok(Answer {
                latency,
                redactor: self.client.redactor.clone(),
                ..answer
            }),
            Err(failure) => Err(Failure { latency, ..failure }),
        };
        if let Some(tap) = &self.client.tap {
            if let Some(first) = &self.resent {
                tap(Exchange::Resent(first));
            }
            tap(Exchange::Answer(&result));
        }
        result
    }

    async fn exchange(&mut self, request: Request<Full<Bytes>>) -> Result<Answer, Failure> {
        let mut request = request;
        // At most two rounds: a kept-alive connection, then one new connection.
        let mut reused = true;
        loop {
            let sender = match &mut self.connection {
                Some(sender) if !sender.is_closed() => sender,
                _ => {
                    reused = false;
                    let (sender, opening) = self.connect().await?;
                    self.opening = opening;
                    self.connection.insert(sender)
                }
            };
            if sender.ready().await.is_err() {
                self.connection = None;
                if reused {
                    continue;
                }
                return self.answered_before(Failure::new(
                    FailureKind::Closed,
                    "the connection closed before the request was sent",
                ));
            }
            // Kept for a second try: on a reused connection the receiver may
            // have closed it just after its last answer.
            let copy = reused.then(|| copy_of(&request));
            let response = match sender.try_send_request(request).await {
                Ok(response) => response,
                Err(mut err) => {
                    self.connection = None;
                    let failure = classify(err.error(), &self.opening);
                    match (err.take_message(), copy) {
                        // Never sent: safe to send again, once, on a new connection.
                        (Some(unsent), _) if reused => {
                            request = unsent;
                            reused = false;
                            continue;
                        }
                        // Sent, but the connection failed before the answer's
                        // head: the receiver dropped a connection it had kept
                        // alive. Sent again, once, and said so.
                        (_, Some(copy)) if failure.kind == FailureKind::Closed => {
                            self.resent = Some(failure);
                            request = copy;
                            reused = false;
                            continue;
                        }
                        // A new connection's first bytes are this request's answer.
                        _ if !reused => return self.answered_before(failure),
                        _ => return Err(failure),
                    }
                }
            };
            let keep_alive = !response
                .headers()
                .get(header::CONNECTION)
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
            let (parts, body) = response.into_parts();
            let read = read_body(body, &self.opening).await;
            let answer = Answer {
                status: parts.status,
                headers: parts.headers,
                body: read.kept,
                body_len: read.len,
                latency: Duration::ZERO,
                redactor: Arc::default(),
                cut_short: None,
            };
            return match read.failure {
                None => {
                    if !keep_alive || !read.whole {
                        self.connection = None;
                    }
                    Ok(answer)
                }
                // The status came: it is the answer, whatever became of the
                // rest, unless it is a 2xx (see CutShort::judged).
                Some(failure) if failure.kind == FailureKind::Closed => {
                    self.connection = None;
                    let missing = content_length(&answer.headers)
                        .map(|announced| announced.saturating_sub(answer.body_len));
                    self.cut_short(missing).judged(answer)
                }
                Some(failure) => Err(failure),
            };
        }
    }

    /// How the current connection ended before a whole answer, as its I/O
    /// showed it.
    fn cut_short(&self, missing: Option<u64>) -> CutShort {
        CutShort {
            reset: self.opening.was_reset(),
            missing,
            request_unsent: self.opening.request_unsent(),
        }
    }

    /// A new connection that closed (or was reset) before hyper had an
    /// answer: when its first bytes are a final status line, the receiver
    /// answered (a 413 or 404 given before it read the body, whose close then
    /// reset the connection), and that status is the answer, not a crash. An
    /// interim status (`100 Continue`) and then the end is no answer at all.
    fn answered_before(&self, failure: Failure) -> Result<Answer, Failure> {
        let (FailureKind::Closed, Some(status)) = (failure.kind, self.opening.status()) else {
            return Err(failure);
        };
        let cut = self.cut_short(None);
        if status.is_informational() {
            let how = if cut.reset { "was reset" } else { "closed" };
            return Err(Failure::new(
                FailureKind::Closed,
                format!(
                    "{}, then the connection {how} before a final answer",
                    crate::http::status_text(status)
                ),
            ));
        }
        cut.judged(Answer {
            status,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            body_len: 0,
            latency: Duration::ZERO,
            redactor: Arc::default(),
            cut_short: None,
        })
    }

    /// A new connection, and where its first bytes will be kept.
    async fn connect(&self) -> Result<(SendRequest<Full<Bytes>>, Opening), Failure> {
        let budget = self.client.options.budget;
        // One budget for TCP and TLS together, but each named when it runs out:
        // a port that takes the connection and then says nothing to a TLS
        // ClientHello is not "nothing answered the connection".
        let deadline = tokio::time::Instant::now() + budget;
        let shown = humantime::format_duration(budget);
        let tcp = tokio::time::timeout_at(deadline, connect_tcp(&self.endpoint))
            .await
            .unwrap_or_else(|_| {
                Err(Failure::new(
                    FailureKind::ConnectTimeout,
                    format!("could not connect within {shown}"),
                ))
            })?;
        if !self.endpoint.is_https() {
            return handshake(tcp).await;
        }
        let connector = self
            .client
            .tls_connector()
            .map_err(|e| Failure::new(FailureKind::Tls, e))?;
        let name = ServerName::try_from(self.endpoint.host.clone())
            .map_err(|e| Failure::new(FailureKind::Tls, e.to_string()))?;
        let kind = if self.client.options.insecure {
            FailureKind::TlsUnchecked
        } else {
            FailureKind::Tls
        };
        let tls = tokio::time::timeout_at(deadline, connector.connect(name, tcp))
            .await
            .map_err(|_| {
                Failure::new(
                    FailureKind::TlsTimeout,
                    format!("connected, but the TLS handshake got no answer within {shown}"),
                )
            })?
            .map_err(|e| tls_failure(&e, kind))?;
        handshake(tls).await
    }
}

/// The same request again: its parts and body are cheap to clone.
fn copy_of(request: &Request<Full<Bytes>>) -> Request<Full<Bytes>> {
    let mut copy = Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    copy
}

async fn connect_tcp(endpoint: &Endpoint) -> Result<TcpStream, Failure> {
    let addresses: Vec<SocketAddr> =
        tokio::net::lookup_host((endpoint.host.as_str(), endpoint.port))
            .await
            .map_err(|e| {
                Failure::new(
                    FailureKind::Dns,
                    format!("cannot resolve {}: {e}", endpoint.host),
                )
            })?
            .collect();
    let mut last = Failure::new(
        FailureKind::Dns,
        format!("{} has no address", endpoint.host),
    );
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => {
                // Small requests must not wait for Nagle's algorithm.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                last = Failure::new(FailureKind::Refused, "connection refused");
            }
            Err(e) => last = Failure::new(FailureKind::Connect, e.to_string()),
        }
    }
    Err(last)
}

async fn handshake<T>(io: T) -> Result<(SendRequest<Full<Bytes>>, Opening), Failure>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let (io, opening) = Recording::new(io);
    let (sender, connection) = http1::Builder::new()
        .title_case_headers(true)
        .handshake(TokioIo::new(io))
        .await
        .map_err(|e| classify(&e, &opening))?;
    // Ends when the connection closes or the sender is dropped.
    tokio::spawn(connection);
    Ok((sender, opening))
}

/// The Content-Length a head announced, when it has one that parses.
fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// What [`read_body`] read of a body.
struct Read {
    /// The first [`BODY_KEEP`] bytes.
    kept: Bytes,
    /// How many bytes came.
    len: u64,
    /// Whether that was the whole body (when not, the connection cannot be
    /// used again).
    whole: bool,
    /// Why the rest did not come, when the connection failed first.
    failure: Option<Failure>,
}

/// Reads a body to its end, to [`BODY_READ_LIMIT`] or to the connection's
/// failure, keeping the first [`BODY_KEEP`] bytes.
async fn read_body(mut body: hyper::body::Incoming, opening: &Opening) -> Read {
    let mut kept = BytesMut::new();
    let mut len = 0u64;
    let mut failure = None;
    while let Some(frame) = body.frame().await {
        let frame = match frame {
            Ok(frame) => frame,
            Err(e) => {
                failure = Some(classify(&e, opening));
                break;
            }
        };
        if let Ok(data) = frame.into_data() {
            len += data.len() as u64;
            let room = BODY_KEEP.saturating_sub(kept.len());
            kept.extend_from_slice(&data[..data.len().min(room)]);
            if len >= BODY_READ_LIMIT {
                break;
            }
        }
    }
    let whole = failure.is_none() && len < BODY_READ_LIMIT;
    Read {
        kept: kept.freeze(),
        len,
        whole,
        failure,
    }
}
