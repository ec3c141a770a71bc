//! Deliveries as the platform makes them: a body signed over its exact bytes
//! (or deliberately mis-signed, or unsigned), POSTed with `Content-Type:
//! application/json`, judged against the platform's contract (2xx within the
//! budget, or a 4xx for a forgery), retried on the platform's schedule, and
//! sent in bulk over keep-alive connections with latency statistics.
//!
//! Results go to a caller's callback as [`Report`]s and come back as [`Stats`];
//! nothing here prints, so `send-test` and `check` share one sender.
//!
//! This file signs and judges one delivery; `bulk.rs` sends many of them.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, StatusCode};

use crate::contract::signature;
use crate::error::{Error, Result};
use crate::http::sender::{Answer, Endpoint, Failure, FailureKind};
use crate::http::{status_text, title_case};

mod bulk;

pub use bulk::{Item, OnReport, Plan, Report, Source, Stats, run};

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
    RETRY_SCHEDULE.get(retry).map(|delay| scaled(*delay, scale))
}

/// A retry wait multiplied by `--retry-scale`: never below a millisecond,
/// so that a tiny factor (1e-300) still leaves every wait more than zero.
pub fn scaled(wait: Duration, scale: f64) -> Duration {
    wait.mul_f64(scale).max(Duration::from_millis(1))
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

    /// The body with its headers and the signature its mode calls for (the
    /// commands refuse a `-H` of the signature header's name, so the one
    /// computed here is the one sent).
    pub fn sign(&self, body: Bytes) -> Delivery {
        let mut headers = self.headers.clone();
        if self.mode != SignatureMode::Missing {
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
    /// A forged or unsigned delivery got 404, 405 or 410: nothing takes
    /// POSTs there, so the refusal says nothing about the signature.
    NotHandled(StatusCode),
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
            Problem::NotHandled(_) => "not-handled",
            Problem::NoAnswer(kind) => kind.name(),
        }
    }

    /// A few words for a summary line.
    pub fn label(&self) -> String {
        match self {
            Problem::NotAccepted(status)
            | Problem::WrongRefusal(status)
            | Problem::NotHandled(status) => status_text(*status),
            Problem::Redirect { status, .. } => format!("{} (redirect)", status_text(*status)),
            Problem::TooSlow { .. } => "too slow".into(),
            Problem::AcceptedForgery(status) => {
                format!("{} to a bad signature", status_text(*status))
            }
            Problem::NoAnswer(FailureKind::CutShort) => "a 2xx cut short (closed)".into(),
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
                404 | 405 | 410 => unhandled(*status).into(),
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
            Problem::NotHandled(status) => format!(
                "a refusal from a path that takes no POST proves nothing about signatures; {}",
                unhandled(*status)
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

/// Why a 404, 405 or 410 came: nothing takes POSTs where they were sent.
fn unhandled(status: StatusCode) -> &'static str {
    match status.as_u16() {
        405 => {
            "the receiver does not take POST on this path: deliveries are POSTs to the same URL as \
             the handshake"
        }
        _ => "nothing handles POST on this path: check the URL's path",
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
        let location = answer.shown_header(&header::LOCATION);
        return Some(Problem::Redirect { status, location });
    }
    if answer.latency > budget {
        return Some(Problem::TooSlow { status, budget });
    }
    match (expect, status.is_success(), status.is_client_error()) {
        (Expect::Refused, _, true) if matches!(status.as_u16(), 404 | 405 | 410) => {
            Some(Problem::NotHandled(status))
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scaled_wait_is_never_zero() {
        assert_eq!(retry_delay(0, 1e-300), Some(Duration::from_millis(1)));
        assert_eq!(retry_delay(0, 0.001), Some(Duration::from_millis(30)));
        assert_eq!(retry_delay(5, 1.0), None);
    }

    proptest::proptest! {
        /// `-H NAME: VALUE` takes any text without panicking; what it accepts
        /// is a valid header.
        #[test]
        fn header_values_take_any_text(name in "\\PC{0,12}", value in "\\PC{0,24}", raw in "\\PC{0,32}") {
            for text in [format!("{name}: {value}"), raw] {
                if let Ok((name, value)) = parse_header(&text) {
                    proptest::prop_assert!(!name.as_str().is_empty());
                    proptest::prop_assert!(HeaderValue::from_bytes(value.as_bytes()).is_ok());
                }
            }
        }
    }

    fn answer(status: u16, latency_ms: u64) -> std::result::Result<Answer, Failure> {
        Ok(Answer {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            body_len: 0,
            latency: Duration::from_millis(latency_ms),
            redactor: Default::default(),
            cut_short: None,
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
        for unhandled in [404, 405, 410] {
            assert_eq!(
                refused(answer(unhandled, 1)),
                Some(Problem::NotHandled(status(unhandled)))
            );
        }
        assert_eq!(refused(answer(400, 1)), None);
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
}
