//! Deliveries as the platform makes them: a body signed over its exact bytes
//! (or deliberately mis-signed, or unsigned), POSTed with `Content-Type:
//! application/json`, judged against the platform's contract (2xx within the
//! budget, or a 4xx for a forgery), retried on the platform's schedule, and
//! sent in bulk over keep-alive connections with latency statistics.
//!
//! Results go to a caller's callback as [`Report`]s and come back as [`Stats`];
//! nothing here prints, so `send-test` and `check` share one sender.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, StatusCode};

use crate::contract::sample::{self, Sample};
use crate::contract::signature;
use crate::error::{Error, Result};
use crate::http::sender::{Answer, Client, Endpoint, Failure, FailureKind, Session};
use crate::http::{status_text, title_case};
use crate::platform::root_cause::Tally;

pub const DEFAULT_SIGNATURE_HEADER: &str = "X-Signature-256";

/// The platform's retry delays after a failed delivery; then the webhook is
/// marked failing.
pub const RETRY_SCHEDULE: [Duration; 5] = [
    Duration::from_secs(30),
    Duration::from_secs(2 * 60),
    Duration::from_secs(15 * 60),
    Duration::from_secs(60 * 60),
    Duration::from_secs(6 * 60 * 60),
];

/// The wait before retry number `retry` (0 is the first retry), with the
/// schedule multiplied by `scale`; `None` once the schedule is spent.
pub fn retry_delay(retry: usize, scale: f64) -> Option<Duration> {
    RETRY_SCHEDULE.get(retry).map(|delay| delay.mul_f64(scale))
}

/// What signature a delivery carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureMode {
    Valid,
    Invalid,
    Missing,
}

impl SignatureMode {
    pub const ALL: [SignatureMode; 3] = [
        SignatureMode::Valid,
        SignatureMode::Invalid,
        SignatureMode::Missing,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SignatureMode::Valid => "valid",
            SignatureMode::Invalid => "invalid",
            SignatureMode::Missing => "missing",
        }
    }

    pub fn summary(self) -> &'static str {
        match self {
            SignatureMode::Valid => {
                "`sha256=` HMAC of the body with the secret, as the platform sends"
            }
            SignatureMode::Invalid => {
                "Well-formed but made with another key: a forgery to be refused"
            }
            SignatureMode::Missing => "No signature header at all",
        }
    }
}

/// Signs bodies and adds the delivery headers.
#[derive(Debug, Clone)]
pub struct Signer {
    mode: SignatureMode,
    header: HeaderName,
    key: Vec<u8>,
    headers: HeaderMap,
}

impl Signer {
    /// `secret` is needed for [`SignatureMode::Valid`] only; an invalid
    /// signature uses a fresh random key, so it cannot match by chance.
    /// `extra` headers replace the defaults of the same name.
    pub fn new(
        mode: SignatureMode,
        header: HeaderName,
        secret: Option<&[u8]>,
        extra: &[(HeaderName, HeaderValue)],
    ) -> Result<Signer> {
        let key = match (mode, secret) {
            (SignatureMode::Valid, Some(secret)) => secret.to_vec(),
            (SignatureMode::Valid, None) => {
                return Err(Error::input("a valid signature needs the webhook secret"));
            }
            (SignatureMode::Invalid, _) => {
                crate::input::secret::Secret::generate().bytes().to_vec()
            }
            (SignatureMode::Missing, _) => Vec::new(),
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        for name in extra.iter().map(|(name, _)| name) {
            headers.remove(name);
        }
        for (name, value) in extra {
            headers.append(name.clone(), value.clone());
        }
        Ok(Signer {
            mode,
            header,
            key,
            headers,
        })
    }

    /// The body with its headers. A signature header given with `--header`
    /// wins over the computed one.
    pub fn sign(&self, body: Bytes) -> Delivery {
        let mut headers = self.headers.clone();
        if self.mode != SignatureMode::Missing && !headers.contains_key(&self.header) {
            let value = signature::sign(&self.key, &body).to_string();
            headers.insert(
                self.header.clone(),
                HeaderValue::from_str(&value).expect("sha256=<hex> is a valid header value"),
            );
        }
        Delivery { body, headers }
    }
}

/// A body and the headers it is sent with.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub body: Bytes,
    pub headers: HeaderMap,
}

impl Delivery {
    pub fn request(&self, endpoint: &Endpoint) -> Request<Full<Bytes>> {
        endpoint.request(Method::POST, self.headers.clone(), self.body.clone())
    }

    /// The same headers, signature included, over a body with one byte
    /// changed after signing, as a man in the middle would send it: the last
    /// ASCII digit moves by one (never to a `0`, so a JSON body stays valid
    /// JSON). `None` when the body has no digit.
    pub fn tampered(&self) -> Option<Delivery> {
        let at = self.body.iter().rposition(u8::is_ascii_digit)?;
        let mut body = self.body.to_vec();
        body[at] = if body[at] == b'9' { b'8' } else { body[at] + 1 };
        Some(Delivery {
            body: body.into(),
            headers: self.headers.clone(),
        })
    }
}

/// Parses a `--header 'Name: value'`.
pub fn parse_header(text: &str) -> std::result::Result<(HeaderName, HeaderValue), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("`{text}` is not `Name: value`"))?;
    let name = HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| format!("`{}` is not a valid header name", name.trim()))?;
    if name == header::CONTENT_LENGTH || name == header::TRANSFER_ENCODING {
        return Err(format!("{name} is set from the body and cannot be given"));
    }
    let value = HeaderValue::from_str(value.trim())
        .map_err(|_| format!("the value of {name} has characters a header cannot carry"))?;
    Ok((name, value))
}

/// What a delivery's answer should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// 2xx within the budget: a correctly signed delivery.
    Accepted,
    /// 4xx within the budget: a forged or unsigned one.
    Refused,
}

impl From<SignatureMode> for Expect {
    fn from(mode: SignatureMode) -> Expect {
        match mode {
            SignatureMode::Valid => Expect::Accepted,
            SignatureMode::Invalid | SignatureMode::Missing => Expect::Refused,
        }
    }
}

/// Why a delivery did not go as the platform needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A correctly signed delivery got a non-2xx answer.
    NotAccepted(StatusCode),
    /// A 3xx: the platform does not follow redirects.
    Redirect {
        status: StatusCode,
        location: Option<String>,
    },
    /// Answered after the budget (whatever the status).
    TooSlow {
        status: StatusCode,
        budget: Duration,
    },
    /// A forged or unsigned delivery got a 2xx.
    AcceptedForgery(StatusCode),
    /// A forged or unsigned delivery got neither 2xx nor 4xx.
    WrongRefusal(StatusCode),
    /// No answer.
    NoAnswer(FailureKind),
}

impl Problem {
    /// A stable name for `--json` and for counting alike problems.
    pub fn name(&self) -> &'static str {
        match self {
            Problem::NotAccepted(_) => "not-accepted",
            Problem::Redirect { .. } => "redirect",
            Problem::TooSlow { .. } => "too-slow",
            Problem::AcceptedForgery(_) => "accepted-forgery",
            Problem::WrongRefusal(_) => "wrong-refusal",
            Problem::NoAnswer(kind) => kind.name(),
        }
    }

    /// A few words for a summary line.
    pub fn label(&self) -> String {
        match self {
            Problem::NotAccepted(status) | Problem::WrongRefusal(status) => status_text(*status),
            Problem::Redirect { status, .. } => format!("{} (redirect)", status_text(*status)),
            Problem::TooSlow { .. } => "too slow".into(),
            Problem::AcceptedForgery(status) => {
                format!("{} to a bad signature", status_text(*status))
            }
            Problem::NoAnswer(kind) => format!("no answer ({})", kind.name()),
        }
    }

    /// What to do about it.
    pub fn hint(&self, signature_header: &HeaderName) -> String {
        let signature_header = title_case(signature_header);
        match self {
            Problem::NotAccepted(status) => match status.as_u16() {
                401 | 403 => format!(
                    "the receiver refused a correctly signed delivery: does it use the same secret, \
                     read the {signature_header} header, and compute the HMAC over the raw body bytes \
                     (not re-serialised JSON)?"
                ),
                404 => "nothing handles POST on this path: check the URL's path".into(),
                405 => "the receiver does not take POST on this path: deliveries are POSTs to the same URL as the handshake".into(),
                400 | 415 | 422 => "the receiver refused the body: parse it tolerantly (unknown fields and events may appear)".into(),
                413 => "the receiver refused the body as too large: raise its body-size limit".into(),
                500..=599 => "the receiver failed while handling the event: see its log. The platform retries \
                              non-2xx answers after 30 s, 2 min, 15 min, 1 h and 6 h".into(),
                _ => "the platform treats any non-2xx answer as a failed delivery and retries it".into(),
            },
            Problem::Redirect { location, .. } => match location {
                Some(to) => format!("the platform does not follow redirects: register the final URL ({to})"),
                None => "the platform does not follow redirects: register the final URL".into(),
            },
            Problem::TooSlow { budget, .. } => format!(
                "the platform gives up after {}: answer 2xx first and process the event later (queue it)",
                humantime::format_duration(*budget)
            ),
            Problem::AcceptedForgery(_) => format!(
                "the receiver accepted a delivery without a valid signature, so anyone can forge events: \
                 check {signature_header} against the HMAC of the raw body and answer 401 when it does not match"
            ),
            Problem::WrongRefusal(status) => format!(
                "refuse a bad signature with 401 or 403, not {}: the platform retries 5xx answers",
                status_text(*status)
            ),
            Problem::NoAnswer(FailureKind::Timeout) => {
                "no answer within the budget (the platform's is 5 s): answer 2xx first and process the \
                 event later; the platform counts a slow answer as a failure"
                    .into()
            }
            Problem::NoAnswer(kind) => kind.hint().into(),
        }
    }
}

/// Judges one answer: `None` when it is what the platform needs.
pub fn judge(
    result: &std::result::Result<Answer, Failure>,
    expect: Expect,
    budget: Duration,
) -> Option<Problem> {
    let answer = match result {
        Ok(answer) => answer,
        Err(failure) => return Some(Problem::NoAnswer(failure.kind)),
    };
    let status = answer.status;
    if status.is_redirection() {
        let location = answer
            .headers
            .get(header::LOCATION)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        return Some(Problem::Redirect { status, location });
    }
    if answer.latency > budget {
        return Some(Problem::TooSlow { status, budget });
    }
    match (expect, status.is_success(), status.is_client_error()) {
        (Expect::Accepted, true, _) | (Expect::Refused, _, true) => None,
        (Expect::Accepted, false, _) => Some(Problem::NotAccepted(status)),
        (Expect::Refused, true, _) => Some(Problem::AcceptedForgery(status)),
        (Expect::Refused, false, false) => Some(Problem::WrongRefusal(status)),
    }
}

/// A random prefix for one run's message ids (8 hex digits), so that they
/// do not clash with an earlier run's.
pub fn run_prefix() -> String {
    crate::input::secret::random_hex(4)
}

/// One body to deliver, with what it is about.
#[derive(Debug, Clone)]
pub struct Item {
    pub body: Bytes,
    /// The (first) update's event type.
    pub event: Option<String>,
    pub message_id: Option<String>,
    /// How many updates the body holds (several in a Meta batch).
    pub updates: usize,
}

impl Item {
    /// A body given as bytes; its event and id are read from it when it is an event.
    pub fn from_body(body: Vec<u8>) -> Item {
        // A batch is named by its first update.
        let updates =
            crate::contract::events::identify(&body).map_or_else(|_| Vec::new(), |ids| ids.updates);
        let count = updates.len();
        let first = updates.into_iter().next();
        Item {
            event: first.as_ref().map(|e| e.event.clone()),
            message_id: first.and_then(|e| e.message_id),
            body: body.into(),
            updates: count,
        }
    }
}

/// Where bodies come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// Samples with fresh timestamps and ids; `run` prefixes the ids.
    Samples { samples: Vec<Sample>, run: String },
    /// Bodies sent byte for byte (a payload file, a replayed record).
    Fixed(Vec<Item>),
}

impl Source {
    /// Samples, with a random prefix for this run's message ids.
    pub fn samples(samples: Vec<Sample>) -> Source {
        Source::Samples {
            samples,
            run: run_prefix(),
        }
    }

    /// How many distinct items one pass yields.
    pub fn len(&self) -> u64 {
        match self {
            Source::Samples { samples, .. } => samples.len() as u64,
            Source::Fixed(items) => items.len() as u64,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `index`th item, cycling through the source; samples are made fresh.
    pub fn item(&self, index: u64, now: SystemTime) -> Item {
        let at = (index % self.len().max(1)) as usize;
        match self {
            Source::Samples { samples, run } => {
                let sample = &samples[at];
                let (body, message_id) = sample.body(&sample::message_id(run, index + 1), now);
                Item {
                    body: body.into(),
                    event: Some(sample.kind.name().to_string()),
                    message_id,
                    updates: sample.updates,
                }
            }
            Source::Fixed(items) => items[at].clone(),
        }
    }
}

/// How many deliveries, how, and how to judge them.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Items to take from the source.
    pub count: u64,
    /// Each item is delivered this many times, byte for byte (same id).
    pub duplicate: u32,
    /// Connections (and deliveries in flight).
    pub concurrency: usize,
    /// Retry failed deliveries on the platform's schedule times this factor.
    pub retry_scale: Option<f64>,
    pub expect: Expect,
}

/// One request and its result, as it happens.
pub struct Report<'a> {
    /// Which item (0-based) and which of its duplicates.
    pub index: u64,
    pub copy: u32,
    /// 1 for the first attempt, 2 for the first retry.
    pub attempt: u32,
    pub item: &'a Item,
    pub delivery: &'a Delivery,
    pub result: &'a std::result::Result<Answer, Failure>,
    pub problem: Option<&'a Problem>,
    /// The wait before the next attempt, when one follows.
    pub retry_in: Option<Duration>,
    /// The last retry failed too: the platform would now mark the webhook failing.
    pub retries_spent: bool,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Requests sent (retries included).
    pub requests: u64,
    pub passed: u64,
    /// Answers by class.
    pub success: u64,
    pub non_success: u64,
    pub too_slow: u64,
    /// Requests with no answer; `unreachable` of them never connected.
    pub errors: u64,
    pub unreachable: u64,
    /// Deliveries whose last attempt failed, and of those, how many spent every retry.
    pub failed_deliveries: u64,
    pub retries_spent: u64,
    pub elapsed: Duration,
    /// Senders run at once, each over its own keep-alive connection.
    pub senders: usize,
    /// Each kind of problem seen: the first example and how often.
    pub problems: Vec<(Problem, u64)>,
    /// The first request that got no answer, to name in an "unreachable" error.
    pub first_failure: Option<Failure>,
    /// Every answer by status, for the root cause.
    pub answers: Tally,
    latencies_us: Vec<u32>,
}

impl Stats {
    fn record(&mut self, result: &std::result::Result<Answer, Failure>, problem: Option<&Problem>) {
        self.requests += 1;
        self.answers.record(result);
        match result {
            Ok(answer) => {
                let micros = answer.latency.as_micros().min(u32::MAX as u128) as u32;
                self.latencies_us.push(micros);
                if answer.status.is_success() {
                    self.success += 1;
                } else {
                    self.non_success += 1;
                }
            }
            Err(failure) => {
                self.errors += 1;
                if failure.kind.is_unreachable() {
                    self.unreachable += 1;
                }
                if self.first_failure.is_none() {
                    self.first_failure = Some(failure.clone());
                }
            }
        }
        match problem {
            None => self.passed += 1,
            Some(problem) => {
                if matches!(problem, Problem::TooSlow { .. }) {
                    self.too_slow += 1;
                }
                self.count_problem(problem.clone(), 1);
            }
        }
    }

    fn count_problem(&mut self, problem: Problem, n: u64) {
        let alike = |(seen, _): &&mut (Problem, u64)| {
            seen.name() == problem.name() && seen.label() == problem.label()
        };
        match self.problems.iter_mut().find(alike) {
            Some((_, count)) => *count += n,
            None => self.problems.push((problem, n)),
        }
    }

    fn merge(&mut self, other: Stats) {
        self.requests += other.requests;
        self.passed += other.passed;
        self.success += other.success;
        self.non_success += other.non_success;
        self.too_slow += other.too_slow;
        self.errors += other.errors;
        self.unreachable += other.unreachable;
        self.failed_deliveries += other.failed_deliveries;
        self.retries_spent += other.retries_spent;
        self.first_failure = self.first_failure.take().or(other.first_failure);
        self.answers.merge(other.answers);
        self.latencies_us.extend(other.latencies_us);
        for (problem, n) in other.problems {
            self.count_problem(problem, n);
        }
    }

    /// No request ever reached an HTTP server: the endpoint is unreachable.
    pub fn never_reached(&self) -> bool {
        self.requests > 0 && self.unreachable == self.requests
    }

    /// Requests per second over the whole run.
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The latency below which a fraction `p` (0 to 1) of the answers came.
    pub fn percentile(&self, p: f64) -> Option<Duration> {
        let n = self.latencies_us.len();
        if n == 0 {
            return None;
        }
        let rank = ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
        Some(Duration::from_micros(u64::from(self.latencies_us[rank])))
    }

    pub fn max_latency(&self) -> Option<Duration> {
        self.latencies_us
            .last()
            .map(|&us| Duration::from_micros(u64::from(us)))
    }
}

/// Receives each [`Report`]; an error stops the run (stdout closed, say).
pub type OnReport = dyn Fn(&Report) -> Result<()> + Send + Sync;

struct Shared {
    client: Client,
    endpoint: Arc<Endpoint>,
    signer: Signer,
    source: Source,
    plan: Plan,
    on_report: Box<OnReport>,
    next: AtomicU64,
    stop: AtomicBool,
    error: std::sync::Mutex<Option<Error>>,
}

/// Delivers `plan.count` items from `source` over `plan.concurrency`
/// keep-alive connections. Must run inside a tokio runtime.
pub async fn run(
    client: Client,
    endpoint: Arc<Endpoint>,
    signer: Signer,
    source: Source,
    plan: Plan,
    on_report: Box<OnReport>,
) -> Result<Stats> {
    let workers = plan.concurrency.clamp(1, plan.count.max(1) as usize);
    let shared = Arc::new(Shared {
        client,
        endpoint,
        signer,
        source,
        plan,
        on_report,
        next: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        error: std::sync::Mutex::new(None),
    });
    let start = Instant::now();
    let handles: Vec<_> = (0..workers)
        .map(|_| tokio::spawn(worker(shared.clone())))
        .collect();
    let mut stats = Stats::default();
    for handle in handles {
        stats.merge(handle.await.expect("a delivery worker does not panic"));
    }
    stats.elapsed = start.elapsed();
    stats.senders = workers;
    stats.latencies_us.sort_unstable();
    if let Some(err) = shared.error.lock().expect("not poisoned").take() {
        return Err(err);
    }
    Ok(stats)
}

async fn worker(shared: Arc<Shared>) -> Stats {
    let plan = shared.plan;
    let budget = shared.client.options().budget;
    let mut session = Session::new(shared.client.clone(), shared.endpoint.clone());
    let mut stats = Stats::default();
    loop {
        let index = shared.next.fetch_add(1, Ordering::Relaxed);
        if index >= plan.count || shared.stop.load(Ordering::Relaxed) {
            return stats;
        }
        let item = shared.source.item(index, SystemTime::now());
        let delivery = shared.signer.sign(item.body.clone());
        for copy in 0..plan.duplicate {
            for attempt in 1.. {
                let result = session.send(delivery.request(&shared.endpoint)).await;
                let problem = judge(&result, plan.expect, budget);
                let retry_in = match (&problem, plan.retry_scale) {
                    (Some(_), Some(scale)) => retry_delay(attempt as usize - 1, scale),
                    _ => None,
                };
                let retries_spent =
                    problem.is_some() && plan.retry_scale.is_some() && retry_in.is_none();
                stats.record(&result, problem.as_ref());
                let report = Report {
                    index,
                    copy,
                    attempt,
                    item: &item,
                    delivery: &delivery,
                    result: &result,
                    problem: problem.as_ref(),
                    retry_in,
                    retries_spent,
                };
                if let Err(err) = (shared.on_report)(&report) {
                    shared.stop.store(true, Ordering::Relaxed);
                    shared
                        .error
                        .lock()
                        .expect("not poisoned")
                        .get_or_insert(err);
                    return stats;
                }
                match retry_in {
                    Some(wait) => tokio::time::sleep(wait).await,
                    None => {
                        if problem.is_some() {
                            stats.failed_deliveries += 1;
                            stats.retries_spent += u64::from(retries_spent);
                        }
                        break;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, latency_ms: u64) -> std::result::Result<Answer, Failure> {
        Ok(Answer {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            body_len: 0,
            latency: Duration::from_millis(latency_ms),
        })
    }

    #[test]
    fn the_retry_schedule_scales() {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        let real: Vec<_> = (0..6).map(|i| retry_delay(i, 1.0)).collect();
        assert_eq!(
            real,
            [
                Some(Duration::from_secs(30)),
                Some(minutes(2)),
                Some(minutes(15)),
                Some(minutes(60)),
                Some(minutes(360)),
                None
            ]
        );
        assert_eq!(retry_delay(0, 0.001), Some(Duration::from_millis(30)));
        assert_eq!(retry_delay(4, 0.001), Some(Duration::from_millis(21_600)));
        assert_eq!(retry_delay(1, 0.0001), Some(Duration::from_millis(12)));
    }

    #[test]
    fn judging_follows_the_contract() {
        let budget = Duration::from_secs(5);
        let accepted = |r| judge(&r, Expect::Accepted, budget);
        let refused = |r| judge(&r, Expect::Refused, budget);
        let status = |n| StatusCode::from_u16(n).unwrap();
        assert_eq!(accepted(answer(200, 10)), None);
        assert_eq!(accepted(answer(204, 10)), None);
        assert_eq!(
            accepted(answer(500, 10)),
            Some(Problem::NotAccepted(status(500)))
        );
        assert_eq!(
            accepted(answer(200, 6000)),
            Some(Problem::TooSlow {
                status: status(200),
                budget
            })
        );
        assert!(matches!(
            accepted(answer(301, 1)),
            Some(Problem::Redirect { .. })
        ));
        assert_eq!(refused(answer(401, 1)), None);
        assert_eq!(refused(answer(403, 1)), None);
        assert_eq!(
            refused(answer(200, 1)),
            Some(Problem::AcceptedForgery(status(200)))
        );
        assert_eq!(
            refused(answer(500, 1)),
            Some(Problem::WrongRefusal(status(500)))
        );
        let refused_conn = Err(Failure {
            kind: FailureKind::Refused,
            detail: "connection refused".into(),
            latency: Duration::ZERO,
        });
        assert_eq!(
            accepted(refused_conn),
            Some(Problem::NoAnswer(FailureKind::Refused))
        );
    }

    #[test]
    fn signing_modes() {
        let name = HeaderName::from_static("x-signature-256");
        let body = Bytes::from_static(b"Hello, World!");
        let valid = Signer::new(
            SignatureMode::Valid,
            name.clone(),
            Some(b"It's a Secret to Everybody"),
            &[],
        )
        .unwrap()
        .sign(body.clone());
        assert_eq!(
            valid.headers[&name],
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        );
        assert_eq!(valid.headers[header::CONTENT_TYPE], "application/json");
        let invalid = Signer::new(SignatureMode::Invalid, name.clone(), None, &[])
            .unwrap()
            .sign(body.clone());
        let sig = signature::parse(invalid.headers[&name].to_str().unwrap()).unwrap();
        assert!(!signature::verify(
            b"It's a Secret to Everybody",
            &body,
            &sig
        ));
        let missing = Signer::new(SignatureMode::Missing, name.clone(), None, &[])
            .unwrap()
            .sign(body);
        assert!(!missing.headers.contains_key(&name));
        assert!(Signer::new(SignatureMode::Valid, name, None, &[]).is_err());
    }

    #[test]
    fn tampering_changes_one_digit_and_keeps_the_signature() {
        let name = HeaderName::from_static("x-signature-256");
        let signer = Signer::new(SignatureMode::Valid, name.clone(), Some(b"k"), &[]).unwrap();
        for (body, want) in [
            (
                &br#"{"n":10,"id":"a9b"}"#[..],
                &br#"{"n":10,"id":"a8b"}"#[..],
            ),
            (br#"{"n":10}"#, br#"{"n":11}"#),
            (br#"{"n":3.5e2}"#, br#"{"n":3.5e3}"#),
        ] {
            let signed = signer.sign(Bytes::from_static(body));
            let tampered = signed.tampered().unwrap();
            assert_eq!(&tampered.body[..], want);
            assert_eq!(tampered.headers, signed.headers);
        }
        assert!(signer.sign(Bytes::from_static(b"{}")).tampered().is_none());
    }

    #[test]
    fn extra_headers_replace_defaults() {
        let name = HeaderName::from_static("x-hub-signature-256");
        let extra = [
            parse_header("Content-Type: text/plain").unwrap(),
            parse_header("X-Env: test").unwrap(),
        ];
        let d = Signer::new(SignatureMode::Valid, name.clone(), Some(b"k"), &extra)
            .unwrap()
            .sign(Bytes::from_static(b"{}"));
        assert_eq!(d.headers.get_all(header::CONTENT_TYPE).iter().count(), 1);
        assert_eq!(d.headers[header::CONTENT_TYPE], "text/plain");
        assert_eq!(d.headers["x-env"], "test");
        assert!(d.headers.contains_key(&name));
    }

    #[test]
    fn header_flags_parse() {
        let (name, value) = parse_header("X-Trace:  abc ").unwrap();
        assert_eq!((name.as_str(), value.to_str().unwrap()), ("x-trace", "abc"));
        for bad in [
            "no colon",
            "bad name: x",
            ": x",
            "Content-Length: 3",
            "X: a\u{7}b",
        ] {
            assert!(parse_header(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut stats = Stats {
            latencies_us: (1..=100).collect(),
            ..Stats::default()
        };
        stats.latencies_us.sort_unstable();
        assert_eq!(stats.percentile(0.5), Some(Duration::from_micros(50)));
        assert_eq!(stats.percentile(0.99), Some(Duration::from_micros(99)));
        assert_eq!(stats.max_latency(), Some(Duration::from_micros(100)));
        assert_eq!(Stats::default().percentile(0.5), None);
    }

    #[test]
    fn fixed_items_know_their_event() {
        let item =
            Item::from_body(br#"{"event":"message.status","data":{"message_id":"m1"}}"#.to_vec());
        assert_eq!(item.event.as_deref(), Some("message.status"));
        assert_eq!(item.message_id.as_deref(), Some("m1"));
        let item = Item::from_body(b"not json".to_vec());
        assert_eq!((item.event, item.message_id), (None, None));
    }
}
