//! The StartMessaging API client: registers a webhook with `PUT {api}/v1/webhooks`
//! through the shared reqwest setup ([`client::builder`]: rustls, certificate
//! checks on, redirects not followed), retries what may pass on a second try
//! (429, 5xx, no answer at all) with exponential backoff, jitter and the server's
//! `Retry-After`, and turns every answer into a typed result. Never prints. The
//! API key and the webhook secret reach only the request itself: `Debug` masks
//! them and anything the API says back is redacted before it is returned.

use std::fmt;
use std::time::{Duration, SystemTime};

use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, LOCATION, RETRY_AFTER};
use serde_json::Value;

use crate::contract::events::EventKind;
use crate::contract::redact::Redactor;
use crate::error::Result;
use crate::http::client;
use crate::input::secret::{self, Secret};

pub const DEFAULT_BASE: &str = "https://api.startmessaging.com";
pub const KEY_ENV: &str = "WM_HOOKS_API_KEY";
pub const URL_ENV: &str = "WM_HOOKS_API_URL";
const WEBHOOKS_PATH: &str = "/v1/webhooks";
/// More of an answer than this is never needed to show its message.
const BODY_LIMIT: usize = 64 * 1024;

/// An API key: printable ASCII, so it fits a header. `Debug` masks it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Surrounding whitespace (a pasted newline) is dropped; `None` when nothing
    /// usable is left.
    pub fn new(text: &str) -> Option<ApiKey> {
        let key = text.trim();
        let printable = key.bytes().all(|b| b.is_ascii_graphic());
        (!key.is_empty() && printable).then(|| ApiKey(key.to_string()))
    }

    pub fn masked(&self) -> String {
        secret::mask(&self.0)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({})", self.masked())
    }
}

/// What to register: the webhook URL, its secret (as text) and the events.
#[derive(Debug, Clone)]
pub struct Registration {
    url: Url,
    secret: Secret,
    events: Vec<EventKind>,
}

impl Registration {
    /// Fails when the secret is not UTF-8: the API takes it as a JSON string.
    pub fn new(url: Url, secret: Secret, events: Vec<EventKind>) -> Result<Registration> {
        secret.to_text()?;
        Ok(Registration {
            url,
            secret,
            events,
        })
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    pub fn events(&self) -> &[EventKind] {
        &self.events
    }

    /// The request body, `{"url", "secret", "events"}` in that order.
    pub fn body(&self) -> Value {
        self.body_showing(
            self.url.as_str(),
            &String::from_utf8_lossy(self.secret.bytes()),
        )
    }

    /// The body with the secret and a password in the URL masked, for showing.
    pub fn masked_body(&self) -> Value {
        self.body_showing(
            &crate::contract::redact::url(&self.url),
            &self.secret.masked(),
        )
    }

    fn body_showing(&self, url: &str, secret: &str) -> Value {
        let events: Vec<&str> = self.events.iter().map(|e| e.name()).collect();
        serde_json::json!({ "url": url, "secret": secret, "events": events })
    }
}

/// How often and how long to wait before giving up on an API that does not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Retries after the first attempt.
    pub retries: u32,
    /// The first wait; each next one doubles, then jitter takes off up to half.
    pub base: Duration,
    /// The longest wait, for the backoff and for a `Retry-After`; a server that
    /// asks for longer is not retried.
    pub max_wait: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            retries: 3,
            base: Duration::from_secs(1),
            max_wait: Duration::from_secs(60),
        }
    }
}

impl Backoff {
    /// The wait before retry number `retry` (from 1): `base · 2^(retry-1)`,
    /// less up to half of it by `jitter` (in `[0, 1)`) so that many clients
    /// failing together do not come back together; never above `max_wait`.
    pub fn wait(&self, retry: u32, jitter: f64) -> Duration {
        let full = self
            .base
            .saturating_mul(1 << retry.saturating_sub(1).min(20))
            .min(self.max_wait);
        full.mul_f64(1.0 - jitter.clamp(0.0, 1.0) / 2.0)
    }
}

/// The API at a base URL, with a key.
#[derive(Debug, Clone)]
pub struct Api {
    endpoint: Url,
    key: ApiKey,
    pub timeout: Duration,
    pub backoff: Backoff,
}

impl Api {
    /// `base` is the API's root (`https://api.startmessaging.com`, or a stand-in);
    /// a path in it is kept, so `https://host/staging` works.
    pub fn new(base: &Url, key: ApiKey) -> Api {
        let mut endpoint = base.clone();
        let path = format!("{}{WEBHOOKS_PATH}", base.path().trim_end_matches('/'));
        endpoint.set_path(&path);
        Api {
            endpoint,
            key,
            timeout: Duration::from_secs(30),
            backoff: Backoff::default(),
        }
    }

    /// Where the registration is sent.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    pub fn key(&self) -> &ApiKey {
        &self.key
    }

    /// Why no answer came, from the innermost cause (`Connection refused (os
    /// error 111)`), which says more than reqwest's "error sending request".
    fn describe(&self, err: &reqwest::Error) -> String {
        if err.is_timeout() {
            format!(
                "timed out after {}",
                humantime::format_duration(self.timeout)
            )
        } else {
            innermost(err)
        }
    }

    /// Sends the registration, retrying as [`Backoff`] allows. `on_retry` hears
    /// about each retry before its wait, so the caller can tell the person.
    pub async fn put_webhook(
        &self,
        registration: &Registration,
        mut on_retry: impl FnMut(&Retry),
    ) -> Result<Saved, ApiError> {
        let client = client::builder()
            .timeout(self.timeout)
            .build()
            .map_err(|err| ApiError::Client(innermost(&err)))?;
        let body = registration.body().to_string();
        let redact = redactor(&self.key, &registration.secret);
        let mut attempt = 1;
        loop {
            let sent = client
                .put(self.endpoint.clone())
                .bearer_auth(&self.key.0)
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone())
                .send()
                .await;
            let (failure, retry_after) = match sent {
                Ok(response) => match judge(response, &redact, attempt, self.timeout).await {
                    Judged::Done(result) => return result,
                    Judged::Retry(failure, retry_after) => (failure, retry_after),
                },
                Err(err) => (
                    Failure::NoAnswer(redact.text(&self.describe(&err)).into_owned()),
                    None,
                ),
            };
            if attempt > self.backoff.retries {
                return Err(ApiError::GaveUp {
                    attempts: attempt,
                    last: failure,
                });
            }
            let wait = match retry_after {
                Some(asked) if asked > self.backoff.max_wait => {
                    return Err(ApiError::WaitTooLong { asked, failure });
                }
                Some(asked) => asked,
                None => self.backoff.wait(attempt, jitter()),
            };
            on_retry(&Retry {
                number: attempt,
                of: self.backoff.retries,
                failure,
                wait,
                asked: retry_after.is_some(),
            });
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }
}

/// An attempt that failed in a way worth retrying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// A 429 or 5xx answer, with the API's message when it gave one.
    Status(u16, Option<String>),
    /// No answer: refused, reset, timed out, the name did not resolve.
    NoAnswer(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Status(status, None) => write!(f, "the API answered {status}"),
            Failure::Status(status, Some(msg)) => write!(f, "the API answered {status}: {msg}"),
            Failure::NoAnswer(why) => write!(f, "no answer from the API: {why}"),
        }
    }
}

/// A retry about to happen, for the caller to report.
#[derive(Debug, Clone)]
pub struct Retry {
    /// Which retry this is, from 1.
    pub number: u32,
    /// How many retries there will be at most.
    pub of: u32,
    /// What went wrong with the attempt before it.
    pub failure: Failure,
    pub wait: Duration,
    /// The wait is the server's `Retry-After`.
    pub asked: bool,
}

/// A 2xx answer.
#[derive(Debug, Clone)]
pub struct Saved {
    pub status: u16,
    /// The answer's JSON, redacted; `None` when it had no JSON body.
    pub answer: Option<Value>,
    pub attempts: u32,
}

/// Why the registration did not happen. Every text in it is redacted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 401 or 403.
    #[error("the API key was rejected ({status}){}", suffix(message))]
    Rejected {
        status: u16,
        message: Option<String>,
    },
    /// Any other 4xx: the API read the request and said no.
    #[error("the API refused the registration ({status}){}", suffix(message))]
    Refused {
        status: u16,
        message: Option<String>,
    },
    /// 3xx: redirects are not followed, the key must not travel elsewhere.
    #[error("the API answered {status}, a redirect{}, which is not followed",
        location.as_deref().map(|l| format!(" to {l}")).unwrap_or_default())]
    Redirected {
        status: u16,
        location: Option<String>,
    },
    /// A 2xx whose body is not JSON (an HTML page, a body longer than the
    /// answer's limit): not an answer of the API, so nothing is confirmed.
    #[error("the API answered {status} with {shown}: the registration is not confirmed",
        shown = content_type.as_deref().map_or("a body that is not JSON".to_string(), |t| format!("{t} that is not JSON")))]
    NotJson {
        status: u16,
        content_type: Option<String>,
    },
    /// A 2xx whose body did not arrive whole: nothing is confirmed, though
    /// the API may have saved the registration.
    #[error(
        "the API answered {status}, but its answer did not arrive whole ({why}): the registration is not confirmed"
    )]
    CutShort { status: u16, why: String },
    /// Every attempt failed in a retryable way.
    #[error("gave up after {attempts} attempts: {last}")]
    GaveUp { attempts: u32, last: Failure },
    /// The server asked to wait for longer than [`Backoff::max_wait`].
    #[error("{failure}, and it asked to retry after {}", readable_wait(*asked))]
    WaitTooLong { asked: Duration, failure: Failure },
    /// The HTTP client could not be set up.
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
}

/// A wait rounded to the second (`1h`, `5m 30s`), and `1h or more` at the cap.
fn readable_wait(wait: Duration) -> String {
    let rounded = humantime::format_duration(Duration::from_secs(wait.as_secs())).to_string();
    if wait >= MAX_RETRY_AFTER {
        format!("{rounded} or more")
    } else {
        rounded
    }
}

fn suffix(message: &Option<String>) -> String {
    message
        .as_deref()
        .map(|m| format!(": {m}"))
        .unwrap_or_default()
}

/// What one answer means: the end (saved, or refused for good), or a retry.
enum Judged {
    Done(Result<Saved, ApiError>),
    Retry(Failure, Option<Duration>),
}

async fn judge(
    response: reqwest::Response,
    redact: &Redactor,
    attempt: u32,
    timeout: Duration,
) -> Judged {
    let status = response.status().as_u16();
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    // Read only where it means something: a server's "come back later".
    let retry_after = match status {
        429 | 503 => header(RETRY_AFTER).and_then(|v| retry_after(&v, SystemTime::now())),
        _ => None,
    };
    let location = header(LOCATION).map(|l| redact.text(&l).into_owned());
    let content_type = header(CONTENT_TYPE).map(|t| shorten(&redact.text(&t)));
    // A body cut short (the timeout struck mid-answer) still has the status.
    let (body, cut) = read_limited(response, timeout).await;
    // Redacted whole, then shortened: a cut first could split a secret so
    // that the redactor no longer sees it.
    let message = || api_message(&body).map(|m| shorten(&redact.text(&m)));
    match status {
        200..=299 => {
            if let Some(why) = cut {
                return Judged::Done(Err(ApiError::CutShort { status, why }));
            }
            let answer = serde_json::from_slice(&body)
                .ok()
                .map(|v| redact_json(redact, v));
            if answer.is_none() && !body.iter().all(u8::is_ascii_whitespace) {
                return Judged::Done(Err(ApiError::NotJson {
                    status,
                    content_type,
                }));
            }
            Judged::Done(Ok(Saved {
                status,
                answer,
                attempts: attempt,
            }))
        }
        401 | 403 => Judged::Done(Err(ApiError::Rejected {
            status,
            message: message(),
        })),
        429 | 500..=599 => Judged::Retry(Failure::Status(status, message()), retry_after),
        300..=399 => Judged::Done(Err(ApiError::Redirected { status, location })),
        _ => Judged::Done(Err(ApiError::Refused {
            status,
            message: message(),
        })),
    }
}

/// The body, at most [`BODY_LIMIT`] bytes of it, and why it stopped short
/// when the answer broke off (the timeout struck, the connection closed).
async fn read_limited(
    mut response: reqwest::Response,
    timeout: Duration,
) -> (Vec<u8>, Option<String>) {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = BODY_LIMIT - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if body.len() == BODY_LIMIT {
                    return (body, None);
                }
            }
            Ok(None) => return (body, None),
            Err(e) if e.is_timeout() => {
                let why = format!("timed out after {}", humantime::format_duration(timeout));
                return (body, Some(why));
            }
            Err(_) => return (body, Some("the connection broke off mid-answer".into())),
        }
    }
}

/// The API's own words from an error answer: the usual JSON fields (`message`,
/// `error`, `error.message`, `detail`, `errors[]`), else the text itself, whole
/// (redact it, then [`shorten`] it). `None` for an empty body.
pub fn api_message(body: &[u8]) -> Option<String> {
    if let Ok(json) = serde_json::from_slice::<Value>(body) {
        if let Some(found) = message_in(&json) {
            return Some(found);
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The first 300 characters of a message, and `…` when there were more.
pub fn shorten(text: &str) -> String {
    const SHOWN: usize = 300;
    match text.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

fn message_in(json: &Value) -> Option<String> {
    match json {
        Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_string()),
        Value::Array(items) => {
            let all: Vec<String> = items.iter().filter_map(message_in).collect();
            (!all.is_empty()).then(|| all.join("; "))
        }
        Value::Object(fields) => ["message", "error", "detail", "errors"]
            .iter()
            .find_map(|name| fields.get(*name).and_then(message_in)),
        _ => None,
    }
}

fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// The key and the secret hidden in text from the network, by the rule of
/// every received text ([`Redactor`]): an API that echoes the request must
/// not make us print them.
fn redactor(key: &ApiKey, secret: &Secret) -> Redactor {
    Redactor::new([key.0.as_bytes(), secret.bytes()])
}

/// A JSON answer with every string in it (keys too) redacted.
fn redact_json(redact: &Redactor, value: Value) -> Value {
    let text = |s: &str| redact.text(s).into_owned();
    match value {
        Value::String(s) => Value::String(text(&s)),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| redact_json(redact, v)).collect())
        }
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (text(&k), redact_json(redact, v)))
                .collect(),
        ),
        other => other,
    }
}

/// A fraction in `[0, 1)` from the operating system's random source.
fn jitter() -> f64 {
    let mut raw = [0u8; 4];
    getrandom::fill(&mut raw).expect("the operating system's random source works");
    f64::from(u32::from_le_bytes(raw)) / (f64::from(u32::MAX) + 1.0)
}

/// The longest wait a `Retry-After` can ask for; longer asks count as this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// A `Retry-After` value: delay-seconds, or an HTTP date (RFC 9110's
/// IMF-fixdate and the two obsolete forms, read by `httpdate`) turned into the
/// wait from `now`, at most [`MAX_RETRY_AFTER`]. A date in the past means no
/// wait; anything unreadable is `None`.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // All digits: only too many of them fails, and that is a long wait.
        Duration::from_secs(value.parse().unwrap_or(u64::MAX))
    } else {
        let at = httpdate::parse_http_date(value).ok()?;
        at.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::secret::Source;

    fn key() -> ApiKey {
        ApiKey::new("sk_live_1234567812345678").unwrap()
    }

    #[test]
    fn api_keys_are_trimmed_printable_and_masked() {
        assert_eq!(ApiKey::new("  sk_live_1234567812345678\n"), Some(key()));
        assert_eq!(ApiKey::new(""), None);
        assert_eq!(ApiKey::new(" \n"), None);
        assert_eq!(ApiKey::new("sk live"), None);
        assert_eq!(ApiKey::new("sk_\u{e9}"), None);
        assert_eq!(format!("{:?}", key()), "ApiKey(sk_live_…5678)");
    }

    #[test]
    fn the_endpoint_keeps_a_base_path() {
        let cases = [
            (
                "https://api.startmessaging.com",
                "https://api.startmessaging.com/v1/webhooks",
            ),
            (
                "https://api.startmessaging.com/",
                "https://api.startmessaging.com/v1/webhooks",
            ),
            (
                "http://127.0.0.1:9000/staging/",
                "http://127.0.0.1:9000/staging/v1/webhooks",
            ),
        ];
        for (base, want) in cases {
            let api = Api::new(&Url::parse(base).unwrap(), key());
            assert_eq!(api.endpoint().as_str(), want);
        }
    }

    #[test]
    fn the_body_has_the_documented_shape_and_the_debug_form_hides_values() {
        let secret = Secret::new("whsec_abcdefghijklmnop", Source::Flag).unwrap();
        let url = Url::parse("https://example.com/webhooks/whatsapp").unwrap();
        let reg = Registration::new(url, secret, EventKind::ALL.to_vec()).unwrap();
        assert_eq!(
            reg.body().to_string(),
            r#"{"url":"https://example.com/webhooks/whatsapp","secret":"whsec_abcdefghijklmnop","events":["message.received","message.status","template.status"]}"#
        );
        assert_eq!(reg.masked_body()["secret"], "whsec_…mnop");
        let api = Api::new(&Url::parse(DEFAULT_BASE).unwrap(), key());
        let debug = format!("{reg:?} {api:?}");
        assert!(!debug.contains("whsec_abcdefghijklmnop"));
        assert!(!debug.contains("sk_live_1234567812345678"));
    }

    #[test]
    fn a_secret_that_is_not_text_cannot_be_registered() {
        let secret = Secret::new(vec![0xff, 0xfe], Source::File).unwrap();
        let url = Url::parse("https://example.com/").unwrap();
        assert!(Registration::new(url, secret, vec![]).is_err());
    }

    #[test]
    fn backoff_doubles_with_jitter_and_stays_bounded() {
        let b = Backoff::default();
        assert_eq!(b.wait(1, 0.0), Duration::from_secs(1));
        assert_eq!(b.wait(2, 0.0), Duration::from_secs(2));
        assert_eq!(b.wait(3, 0.0), Duration::from_secs(4));
        assert_eq!(b.wait(3, 0.5), Duration::from_secs(3));
        assert!(b.wait(3, 0.999) > Duration::from_secs(2));
        assert_eq!(b.wait(40, 0.0), Duration::from_secs(60));
        assert_eq!(b.wait(u32::MAX, 0.0), Duration::from_secs(60));
        let j = jitter();
        assert!((0.0..1.0).contains(&j));
    }

    #[test]
    fn retry_after_takes_seconds_or_an_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        let secs = Duration::from_secs;
        assert_eq!(retry_after("120", now), Some(secs(120)));
        assert_eq!(retry_after(" 0 ", now), Some(secs(0)));
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(secs(0))
        );
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(secs(30))
        );
        assert_eq!(
            retry_after("Sat, 05 Nov 1994 08:49:37 GMT", now),
            Some(secs(0))
        );
        assert_eq!(
            retry_after("Thu, 01 Jan 1970 00:00:00 GMT", now),
            Some(secs(0))
        );
        assert_eq!(
            retry_after(
                "Tue, 29 Feb 2028 23:59:59 GMT",
                SystemTime::UNIX_EPOCH + secs(1_835_481_000)
            ),
            Some(secs(599))
        );
        // Every wait is capped, and nothing overflows.
        assert_eq!(
            retry_after("999999999999999999999999", now),
            Some(MAX_RETRY_AFTER)
        );
        assert_eq!(
            retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now),
            Some(MAX_RETRY_AFTER)
        );
        assert_eq!(readable_wait(MAX_RETRY_AFTER), "1h or more");
        assert_eq!(readable_wait(Duration::from_millis(90_500)), "1m 30s");
        for bad in [
            "",
            "-1",
            "1.5",
            "soon",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Mon, 01 Jan 380000000000 00:00:00 GMT",
        ] {
            assert_eq!(retry_after(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn api_messages_come_from_the_usual_fields() {
        let cases: [(&[u8], Option<&str>); 9] = [
            (
                br#"{"message":"url must be https"}"#,
                Some("url must be https"),
            ),
            (br#"{"error":"invalid_events"}"#, Some("invalid_events")),
            (
                br#"{"error":{"code":1,"message":"bad url"}}"#,
                Some("bad url"),
            ),
            (br#"{"detail":"nope"}"#, Some("nope")),
            (br#"{"errors":[{"message":"a"},"b"]}"#, Some("a; b")),
            (br#"{"code":422}"#, Some(r#"{"code":422}"#)),
            (b"Service Unavailable\n", Some("Service Unavailable")),
            (b"  ", None),
            (b"", None),
        ];
        for (body, want) in cases {
            assert_eq!(api_message(body).as_deref(), want, "{body:?}");
        }
        let long = shorten(&api_message("é".repeat(1000).as_bytes()).unwrap());
        assert_eq!(long.chars().count(), 301);
    }

    #[test]
    fn the_key_and_the_secret_are_redacted_even_escaped_or_cut() {
        let secret = Secret::new(r#"my"secret\with quotes"#, Source::Env).unwrap();
        let redact = redactor(&key(), &secret);
        assert_eq!(
            redact.text(r#"bad key sk_live_1234567812345678 for my"secret\with quotes"#),
            "bad key **** for ****"
        );
        assert_eq!(
            redact.text(r#"{"secret":"my\"secret\\with quotes"}"#),
            r#"{"secret":"****"}"#
        );
        let json = serde_json::json!({"secret": r#"my"secret\with quotes"#, "n": [1, "sk_live_1234567812345678"]});
        assert_eq!(
            redact_json(&redact, json).to_string(),
            r#"{"secret":"****","n":[1,"****"]}"#
        );
        // A text cut inside a value (by the API, or our body limit) hides
        // the 8 or more characters of it that are left.
        assert_eq!(redact.text("bad key sk_live_1"), "bad key ****");
        assert_eq!(redact.text("bad key sk_live"), "bad key sk_live");
        assert_eq!(redact.text("no secret here"), "no secret here");
    }

    proptest::proptest! {
        /// Whatever the status and the headers, judging an answer never panics,
        /// and a wait it asks for is never over the cap.
        #[test]
        fn judge_takes_any_header_values(
            status in 100u16..1000,
            values in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..48), 0..4),
            dates in proptest::collection::vec("[A-Za-z]{3}, [0-9]{1,14} [A-Za-z]{3} [0-9]{1,14} [0-9:]{1,10} GMT", 0..2),
        ) {
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let redact = redactor(&key(), &Secret::new("s3cret", Source::Env).unwrap());
            let mut builder = hyper::Response::builder().status(status);
            for value in values.iter().map(|v| v.as_slice()).chain(dates.iter().map(|d| d.as_bytes())) {
                if let Ok(value) = reqwest::header::HeaderValue::from_bytes(value) {
                    builder = builder
                        .header(RETRY_AFTER, value.clone())
                        .header(LOCATION, value.clone())
                        .header(CONTENT_TYPE, value);
                }
            }
            let Ok(response) = builder.body(b"{\"message\":\"m\"}".to_vec()) else {
                return Ok(());
            };
            let judged = runtime.block_on(judge(reqwest::Response::from(response), &redact, 1, Duration::from_secs(1)));
            if let Judged::Retry(_, Some(wait)) = judged {
                proptest::prop_assert!(wait <= MAX_RETRY_AFTER);
                proptest::prop_assert!(status == 429 || status == 503);
            }
        }

        /// Any text as a `Retry-After`: no panic, and the cap holds.
        #[test]
        fn retry_after_takes_any_text(value in "\\PC{0,40}", now in 0u64..=u64::from(u32::MAX) * 8) {
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(now);
            if let Some(wait) = retry_after(&value, now) {
                proptest::prop_assert!(wait <= MAX_RETRY_AFTER);
            }
        }
    }
}
