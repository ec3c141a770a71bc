//! `ingest --metrics ADDR`: the counts a production receiver is watched by, in
//! Prometheus's text format at `/metrics`, and `/healthz` (200 while the store
//! takes a write, 503 otherwise), on a small hyper listener of its own beside the
//! receiver: at most [`MAX_CONNECTIONS`] at once, kept as the receiver keeps its
//! own (at the limit the longest-idle one closes to admit a newcomer), with the
//! receiver's read timeout and head size limit. [`Metrics`] is shared by the
//! front-end (which counts) and this listener (which reads); it is atomics and
//! one small lock, never held across an await. Never prints.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt::Write as _;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode, header};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use super::server::{Admission, Connections, MAX_HEAD, close_evicted};
use crate::error::{Error, Result};

/// Connections the metrics listener serves at once: a scraper and a few
/// health checkers need no more, and idle or stalled clients beyond them
/// cannot use up the process's file descriptors.
pub const MAX_CONNECTIONS: usize = 16;

/// The store write latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];
/// Distinct event types counted by name; the rest are `other` (a sender picks the names).
const MAX_KINDS: usize = 16;
/// How long `/healthz` waits for the store.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a failed append keeps `/healthz` at 503, unless one succeeds
/// since: long enough for a checker polling every few seconds to see it,
/// short enough that an instance taken out of rotation is soon tried again
/// (its write probe alone can pass on a full disk: one changed page may fit
/// where an append's do not).
pub const FAILED_WRITE_HOLDS: Duration = Duration::from_secs(10);

#[derive(Default)]
pub struct Metrics {
    /// Answers by status code.
    statuses: Mutex<BTreeMap<u16, u64>>,
    kinds: Mutex<BTreeMap<String, u64>>,
    duplicates: AtomicU64,
    store_errors: AtomicU64,
    in_flight: AtomicI64,
    /// Cumulative counts per bucket, then the sum in microseconds and the count.
    latency: [AtomicU64; BUCKETS.len()],
    latency_sum_us: AtomicU64,
    latency_count: AtomicU64,
    /// When the last append failed, unless one succeeded since.
    failed_write: Mutex<Option<Instant>>,
}

impl Metrics {
    pub fn answered(&self, status: u16) {
        if let Ok(mut statuses) = self.statuses.lock() {
            *statuses.entry(status).or_insert(0) += 1;
        }
    }

    pub fn event(&self, kind: Option<&str>) {
        let Ok(mut kinds) = self.kinds.lock() else {
            return;
        };
        let kind = label(kind.unwrap_or("none"));
        let kind = kind.as_ref();
        if let Some(n) = kinds.get_mut(kind) {
            *n += 1;
        } else if kinds.len() < MAX_KINDS {
            kinds.insert(kind.to_string(), 1);
        } else {
            *kinds.entry("other".to_string()).or_insert(0) += 1;
        }
    }

    pub fn duplicate(&self) {
        self.duplicates.fetch_add(1, Ordering::Relaxed);
    }

    pub fn store_error(&self) {
        self.store_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// A store write began (`+1`) or ended (`-1`).
    pub fn in_flight(&self, by: i64) {
        self.in_flight.fetch_add(by, Ordering::Relaxed);
    }

    /// How the last append ended.
    pub fn write_ended(&self, ok: bool) {
        if let Ok(mut failed) = self.failed_write.lock() {
            *failed = (!ok).then(Instant::now);
        }
    }

    /// Whether the last append failed, within [`FAILED_WRITE_HOLDS`].
    pub fn writes_failing(&self) -> bool {
        self.failed_write
            .lock()
            .ok()
            .and_then(|failed| *failed)
            .is_some_and(|at| at.elapsed() < FAILED_WRITE_HOLDS)
    }

    pub fn store_write(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        for (bucket, le) in self.latency.iter().zip(BUCKETS) {
            if seconds <= le {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.latency_sum_us.fetch_add(micros, Ordering::Relaxed);
        self.latency_count.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP wm_hooks_requests_total Requests answered, by status.\n");
        out.push_str("# TYPE wm_hooks_requests_total counter\n");
        for (status, n) in self.statuses.lock().map(|s| s.clone()).unwrap_or_default() {
            let _ = writeln!(out, "wm_hooks_requests_total{{status=\"{status}\"}} {n}");
        }
        out.push_str("# HELP wm_hooks_events_total Verified events stored, by event type.\n");
        out.push_str("# TYPE wm_hooks_events_total counter\n");
        for (kind, n) in self.kinds.lock().map(|k| k.clone()).unwrap_or_default() {
            let kind = kind
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            let _ = writeln!(out, "wm_hooks_events_total{{event=\"{kind}\"}} {n}");
        }
        let simple = [
            (
                "duplicates_total",
                "counter",
                "Deliveries absorbed by dedupe.",
                self.duplicates.load(Ordering::Relaxed) as i64,
            ),
            (
                "store_errors_total",
                "counter",
                "Store writes that failed (answered 503).",
                self.store_errors.load(Ordering::Relaxed) as i64,
            ),
            (
                "in_flight",
                "gauge",
                "Store writes in flight.",
                self.in_flight.load(Ordering::Relaxed),
            ),
        ];
        for (name, kind, help, value) in simple {
            let _ = writeln!(
                out,
                "# HELP wm_hooks_{name} {help}\n# TYPE wm_hooks_{name} {kind}\nwm_hooks_{name} {value}"
            );
        }
        out.push_str("# HELP wm_hooks_store_write_seconds How long a store write took (one write stores a batch of events).\n");
        out.push_str("# TYPE wm_hooks_store_write_seconds histogram\n");
        let count = self.latency_count.load(Ordering::Relaxed);
        for (bucket, le) in self.latency.iter().zip(BUCKETS) {
            let _ = writeln!(
                out,
                "wm_hooks_store_write_seconds_bucket{{le=\"{le}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let sum = self.latency_sum_us.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(
            out,
            "wm_hooks_store_write_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(out, "wm_hooks_store_write_seconds_sum {sum}");
        let _ = writeln!(out, "wm_hooks_store_write_seconds_count {count}");
        out
    }
}

/// An event type (the sender's text) as a label value: a control character
/// or a line separator becomes U+FFFD. Prometheus's format escapes only
/// `\\`, `"` and a line feed, and parsers split lines on a raw carriage
/// return (or U+2028), so one such name broke the whole exposition. Made when
/// counting, so two names that read alike here share one series, never two.
fn label(text: &str) -> Cow<'_, str> {
    let odd = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
    if !text.contains(odd) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if odd(c) { '\u{FFFD}' } else { c })
            .collect(),
    )
}

/// Binds `addr` for `/metrics` and `/healthz`; `healthy` asks the store.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| Error::input(format!("cannot serve --metrics on {addr}: {e}")))
}

/// Serves until the task is dropped (aborted with the receiver, and its
/// connections with it). `read_timeout` bounds a request's head and an idle
/// keep-alive connection, as on the receiver.
pub async fn serve<H, F>(
    listener: TcpListener,
    metrics: Arc<Metrics>,
    healthy: H,
    read_timeout: Duration,
) where
    H: Fn() -> F + Clone + Send + Sync + 'static,
    F: Future<Output = bool> + Send,
{
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(read_timeout)
        .max_header_size(MAX_HEAD)
        .max_buf_size(MAX_HEAD);
    let mut connections = JoinSet::new();
    let mut slots = Connections::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        while connections.try_join_next().is_some() {}
        // Twice the limit open at all: the evicted ones still closing.
        let open = connections.len();
        if slots.make_room(open, MAX_CONNECTIONS, 2 * MAX_CONNECTIONS) == Admission::Refuse {
            continue;
        }
        let slot = slots.admit();
        let (serving, metrics, healthy) =
            (Arc::clone(&slot), Arc::clone(&metrics), healthy.clone());
        let service = service_fn(move |request: Request<hyper::body::Incoming>| {
            // In service until answered: never the one evicted.
            let in_service = serving.begin();
            let (metrics, healthy) = (Arc::clone(&metrics), healthy.clone());
            async move {
                let response = answer(&request, &metrics, healthy).await;
                drop(in_service);
                Ok::<_, Infallible>(response)
            }
        });
        let conn = http.serve_connection(TokioIo::new(stream), service);
        connections.spawn(async move {
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = slot.evicted() => {
                    close_evicted(conn.as_mut(), &slot).await;
                }
            }
        });
    }
}

/// The answer to one request: `/metrics`, `/healthz`, or 404.
async fn answer<H, F>(
    request: &Request<hyper::body::Incoming>,
    metrics: &Metrics,
    healthy: H,
) -> Response<Full<Bytes>>
where
    H: Fn() -> F,
    F: Future<Output = bool>,
{
    let (status, body) = match (request.method(), request.uri().path()) {
        (&Method::GET, "/metrics") => (StatusCode::OK, metrics.render()),
        (&Method::GET, "/healthz") => match tokio::time::timeout(HEALTH_TIMEOUT, healthy()).await {
            Ok(true) => (StatusCode::OK, "ok\n".to_string()),
            _ => (
                StatusCode::SERVICE_UNAVAILABLE,
                "the store does not answer\n".to_string(),
            ),
        },
        _ => (
            StatusCode::NOT_FOUND,
            "Not Found: /metrics or /healthz\n".to_string(),
        ),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_counts_what_happened() {
        let m = Metrics::default();
        m.answered(200);
        m.answered(200);
        m.answered(503);
        m.event(Some("message.status"));
        m.event(Some("a\"b"));
        m.duplicate();
        m.store_error();
        m.in_flight(1);
        m.store_write(Duration::from_millis(3));
        let text = m.render();
        for line in [
            "wm_hooks_requests_total{status=\"200\"} 2",
            "wm_hooks_requests_total{status=\"503\"} 1",
            "wm_hooks_events_total{event=\"message.status\"} 1",
            "wm_hooks_events_total{event=\"a\\\"b\"} 1",
            "wm_hooks_duplicates_total 1",
            "wm_hooks_store_errors_total 1",
            "wm_hooks_in_flight 1",
            "wm_hooks_store_write_seconds_bucket{le=\"0.0025\"} 0",
            "wm_hooks_store_write_seconds_bucket{le=\"0.005\"} 1",
            "wm_hooks_store_write_seconds_bucket{le=\"+Inf\"} 1",
            "wm_hooks_store_write_seconds_count 1",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
        for i in 0..40 {
            m.event(Some(&format!("k{i}")));
        }
    }

    #[test]
    fn an_event_type_with_control_characters_is_one_parseable_series() {
        let m = Metrics::default();
        for name in ["cr\rx", "cr\u{0}x", "cr\u{2028}x", "cr\nx"] {
            m.event(Some(name));
        }
        let text = m.render();
        assert!(
            text.lines()
                .any(|l| l == "wm_hooks_events_total{event=\"cr\u{FFFD}x\"} 4"),
            "{text}"
        );
        assert!(!text.contains(['\r', '\u{0}', '\u{2028}']), "{text:?}");
        assert!(m.kinds.lock().unwrap().len() <= MAX_KINDS + 1);
    }
}
