//! The receiver behind `wm-hooks listen` (and `ingest`): accepts HTTP/1.1
//! connections (hyper), answers the handshake, reads each POST's body within a
//! size limit and a deadline, verifies its signature, and hands every request
//! on as a [`Handoff`] through a channel. Never prints: the front-end
//! (`commands::listen`) shows, records or stores what arrives.
//!
//! Every request is handed on with an [`Ack`], and its answer waits for it
//! (`ack.rs`), so nothing answered 2xx is ever lost. This file binds the
//! socket and runs the accept loop; `connections.rs` keeps the connection
//! limit, `answer.rs` decides each request's answer, `handshake.rs` the
//! handshake GET's, `forward.rs` passes verified POSTs on to the app, and
//! `exchange.rs` holds what is handed on.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use crate::error::{Error, Result};
use crate::http::stop_requested;
use crate::input::secret::Secret;

mod ack;
mod answer;
mod connections;
mod exchange;
mod forward;
mod handshake;

pub use ack::{Ack, Handled, Handoff, UNAVAILABLE};
pub use exchange::{Exchange, Fault, Outcome, Refusal, Report};
pub use forward::{Forward, ForwardError, Forwarded};
pub use handshake::{Handshake, MAX_CHALLENGE, handshake};

use ack::handle;
pub(crate) use connections::{Admission, Connections, Slot, close_evicted};

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
    /// and still closing (for at most `connections::EVICTION_GRACE` with nothing in
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
    /// close (see `connections`).
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
        result = conn.as_mut() => Some(result),
        () = stop_requested(&mut stop, 1) => {
            conn.as_mut().graceful_shutdown();
            Some(conn.await)
        }
        () = slot.evicted() => close_evicted(conn.as_mut(), &slot).await,
    };
    if let Some(Err(error)) = result {
        if error.is_parse() || error.is_parse_too_large() {
            let at = SystemTime::now();
            let report = Report::Malformed { at, peer, error };
            let ack = Ack::unawaited();
            let _ = reports.send(Handoff { report, ack }).await;
        }
    }
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
