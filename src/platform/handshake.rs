//! The platform's webhook handshake, run against an endpoint: the GET it sends
//! when a webhook is saved (`hub.mode=subscribe`, a challenge, the secret or a
//! verify token of its own as `hub.verify_token`), which passes only on a 200
//! whose body is exactly the challenge; and two negative probes (a wrong
//! token, a wrong mode) that must not get the challenge back. Each [`Probe`]
//! becomes a [`Check`] saying what was sent, what was expected, what came
//! back, and a hint for the usual mistakes.
//!
//! Used by `verify`, `configure --verify-first` and `check`. Never prints; the
//! token never appears in a report, only what it is ([`TokenKind::shown`]).

use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::http::sender::{
    Answer, Client, Endpoint, Failure, FailureKind, Session, describe_exactly,
};
use crate::http::{status_text, stop_requested};
use crate::platform::report::{self, Check, Verdict};
use bytes::Bytes;
use hyper::header::{self, HeaderMap};
use hyper::{Method, StatusCode};
use tokio::sync::watch;

/// How the handshake is run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The challenge to send; a random one when `None`.
    pub challenge: Option<String>,
    /// Also send a wrong token and a wrong mode, which must be refused.
    pub negative: bool,
}

/// What `hub.verify_token` carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TokenKind {
    /// The webhook secret (the StartMessaging document's rule).
    #[default]
    Secret,
    /// A verify token of its own (`--verify-token`, as Meta keeps them apart).
    VerifyToken,
}

impl TokenKind {
    /// How a report shows the value sent, which it never prints.
    pub fn shown(self) -> &'static str {
        match self {
            TokenKind::Secret => "<the secret>",
            TokenKind::VerifyToken => "<the verify token>",
        }
    }

    /// Its name in a hint.
    pub fn name(self) -> &'static str {
        match self {
            TokenKind::Secret => "secret",
            TokenKind::VerifyToken => "verify token",
        }
    }
}

/// The handshake's token: its value, and what it is, for the report.
#[derive(Debug, Clone, Copy)]
pub struct Token<'a> {
    pub value: &'a str,
    pub kind: TokenKind,
}

/// The query parameters the handshake's GET carries, in this order; each is
/// sent in place of one of the same name in the endpoint's URL.
pub const PARAMETERS: [&str; 3] = ["hub.mode", "hub.challenge", "hub.verify_token"];

/// One GET of the handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// The platform's own: the right token, `hub.mode=subscribe`.
    Challenge,
    /// A wrong token, which must not get the challenge back.
    WrongToken,
    /// `hub.mode=unsubscribe` with the right token, which must not either.
    WrongMode,
}

impl Probe {
    /// The check's name, the same in `verify` and `check`.
    pub fn name(self) -> &'static str {
        match self {
            Probe::Challenge => "handshake.challenge",
            Probe::WrongToken => "handshake.wrong-token",
            Probe::WrongMode => "handshake.wrong-mode",
        }
    }

    pub const NEGATIVE: [Probe; 2] = [Probe::WrongToken, Probe::WrongMode];
}

/// A negative probe's check once the handshake's own result is known: a
/// refusal proves nothing when the right token was refused too.
pub fn against_control(mut check: Check, control: &Check) -> Check {
    // A negative probe fails on an answer only when it echoed the challenge.
    let echoed = check.result == Verdict::Fail && check.failure.is_none();
    let result = check.result.against_control(control.passed(), echoed);
    if result == Verdict::Inconclusive && check.result != result {
        check.got = format!(
            "{}; proves nothing: the right token was not answered with the challenge either ({})",
            check.got, control.name
        );
        check.hint = Some(format!(
            "fix {} first: a refusal of a wrong request shows something only when the right one passes",
            control.name
        ));
    }
    check.result = result;
    check
}

/// Every check run against one endpoint.
#[derive(Debug, Clone)]
pub struct Report {
    pub url: String,
    /// The handshake, then each negative probe (`skipped` when not sent).
    pub checks: Vec<Check>,
    /// A stop was asked for: the probes it kept from being sent are `skipped`.
    pub interrupted: bool,
}

impl Report {
    pub fn passed(&self) -> bool {
        !self.checks.iter().any(Check::fails_run)
    }
}

/// Runs the handshake (and the negative probes when asked) against `endpoint`
/// with `token` as the verify token. An endpoint that cannot be reached at all
/// is an error (exit 3); every other outcome is a report. Once `stop` is
/// asked for, no further probe is sent (each is `skipped`); a second ask
/// cuts the one in flight, which is `skipped` too.
pub async fn check(
    client: &Client,
    endpoint: &Endpoint,
    token: Token<'_>,
    options: &Options,
    mut stop: watch::Receiver<u32>,
) -> Result<Report> {
    let mut session = Session::new(client.clone(), Arc::new(endpoint.clone()));
    let challenge = options.challenge.as_deref();
    let first = probe_unless_stopped(&mut session, token, Probe::Challenge, challenge, &mut stop);
    let Some(first) = first.await? else {
        let probes = [Probe::Challenge].into_iter().chain(Probe::NEGATIVE);
        return Ok(Report {
            url: endpoint.shown(),
            checks: probes.map(|p| Check::interrupted(p.name(), true)).collect(),
            interrupted: true,
        });
    };
    if let Some(failure) = first.failure.as_ref().filter(|f| f.kind.is_unreachable()) {
        return Err(failure.to_error(endpoint));
    }
    let answered = first.failure.is_none();
    let unanswered = match &first.failure {
        Some(f) if f.kind == FailureKind::CutShort => {
            "not sent: the handshake's answer did not arrive whole"
        }
        _ => "not sent: the handshake got no answer",
    };
    let mut checks = Vec::new();
    let mut interrupted = false;
    for negative in Probe::NEGATIVE {
        let check = match (options.negative, answered) {
            (false, _) => Check::skipped(negative.name(), true, "not sent: --no-negative"),
            (true, false) => Check::skipped(negative.name(), true, unanswered),
            (true, true) => {
                interrupted |= *stop.borrow() > 0;
                let sent = match interrupted {
                    true => None,
                    false => {
                        probe_unless_stopped(&mut session, token, negative, None, &mut stop).await?
                    }
                };
                match sent {
                    Some(check) => against_control(check, &first),
                    None => {
                        interrupted = true;
                        Check::interrupted(negative.name(), true)
                    }
                }
            }
        };
        checks.push(check);
    }
    checks.insert(0, first);
    Ok(Report {
        url: endpoint.shown(),
        checks,
        interrupted,
    })
}

/// [`probe`], unless a stop now (the second ask) comes first: `None` then.
async fn probe_unless_stopped(
    session: &mut Session,
    token: Token<'_>,
    which: Probe,
    challenge: Option<&str>,
    stop: &mut watch::Receiver<u32>,
) -> Result<Option<Check>> {
    let headers = HeaderMap::new();
    tokio::select! {
        check = probe(session, token, which, challenge, &headers) => check.map(Some),
        () = stop_requested(stop, 2) => Ok(None),
    }
}

/// Sends one probe over `session` (with `challenge`, or a random one) and
/// judges the answer.
pub async fn probe(
    session: &mut Session,
    token: Token<'_>,
    which: Probe,
    challenge: Option<&str>,
    headers: &HeaderMap,
) -> Result<Check> {
    let challenge = challenge.map_or_else(random_text, str::to_string);
    let wrong_token = format!("wrong-{}", random_text());
    let (mode, value, shown_token) = match which {
        Probe::Challenge => ("subscribe", token.value, token.kind.shown()),
        Probe::WrongToken => ("subscribe", wrong_token.as_str(), "<a wrong token>"),
        Probe::WrongMode => ("unsubscribe", token.value, token.kind.shown()),
    };
    // Never the token itself in the error: only that the GET would be too long.
    let target = session
        .endpoint()
        .with_query(&[
            (PARAMETERS[0], mode),
            (PARAMETERS[1], &challenge),
            (PARAMETERS[2], value),
        ])
        .map_err(|_| {
            Error::input(format!(
                "the handshake's GET cannot be sent: the URL with hub.challenge and \
                 hub.verify_token (the {}) added is longer than a request can carry (65534 bytes)",
                token.kind.name()
            ))
            .with_hint(
                "a verify token or --challenge is a short line of text; is it the right one?",
            )
        })?;
    // The URL's own other parameters go first, as in the request.
    let own = session.endpoint().without_query(&PARAMETERS);
    let others = own
        .url()
        .query()
        .map(|q| format!("{q}&"))
        .unwrap_or_default();
    let sent = own.hide(&format!(
        "GET {}?{others}hub.mode={mode}&hub.challenge={challenge}&hub.verify_token={shown_token}",
        own.url().path()
    ));
    let result = session
        .send(target.request(Method::GET, headers.clone(), Bytes::new()))
        .await;
    let budget = session.client().options().budget;
    let (expected, verdict) = match which {
        Probe::Challenge => (
            format!("200 with the body exactly {challenge:?}"),
            judge_handshake(&result, &challenge, budget, token.kind),
        ),
        Probe::WrongToken => (
            REFUSAL.to_string(),
            judge_refusal(
                &result,
                &challenge,
                &format!(
                    "the endpoint echoes the challenge for any token, so anyone could register it as \
                     their webhook: compare hub.verify_token with your {} and answer 403 when they differ",
                    token.kind.name()
                ),
            ),
        ),
        Probe::WrongMode => (
            REFUSAL.to_string(),
            judge_refusal(
                &result,
                &challenge,
                "the endpoint echoes the challenge whatever hub.mode is: answer only hub.mode=subscribe",
            ),
        ),
    };
    Ok(Check {
        name: which.name().to_string(),
        sent,
        expected,
        ..verdict
    })
}

/// 24 random hex digits.
fn random_text() -> String {
    crate::input::secret::random_hex(12)
}

/// The check's verdict fields, before its name and request are filled in.
fn verdict(
    passed: bool,
    result: &std::result::Result<Answer, Failure>,
    hint: Option<String>,
) -> Check {
    Check {
        result: Verdict::from_passed(passed),
        got: describe_exactly(result),
        hint,
        latency_ms: result.as_ref().ok().map(|a| report::millis(a.latency)),
        failure: result.as_ref().err().cloned(),
        status: result.as_ref().ok().map(|a| a.status.as_u16()),
        body: result.as_ref().ok().map(Answer::preview),
        ..Check::new("", true)
    }
}

fn judge_handshake(
    result: &std::result::Result<Answer, Failure>,
    challenge: &str,
    budget: Duration,
    token: TokenKind,
) -> Check {
    let answer = match result {
        Ok(answer) => answer,
        Err(failure) => {
            let hint = match failure.kind {
                FailureKind::Timeout => format!(
                    "no answer within the budget ({}): answer the GET at once, before any other work",
                    humantime::format_duration(budget)
                ),
                kind => kind.hint().to_string(),
            };
            return verdict(false, result, Some(hint));
        }
    };
    let mut hint = diagnose(
        answer.status,
        &answer.headers,
        &answer.body,
        challenge,
        answer.shown_header(&header::LOCATION).as_deref(),
        token,
    );
    if hint.is_none() && answer.latency > budget {
        hint = Some(format!(
            "the answer took longer than the platform's {}: answer the GET at once",
            humantime::format_duration(budget)
        ));
    }
    verdict(hint.is_none(), result, hint)
}

/// Why a handshake answer is wrong, as a hint; `None` when it is right.
fn diagnose(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    challenge: &str,
    location: Option<&str>,
    token: TokenKind,
) -> Option<String> {
    let exact = body == challenge.as_bytes();
    if status == StatusCode::OK && exact {
        return None;
    }
    let hint = match status.as_u16() {
        300..=399 => match location {
            Some(to) => format!("the platform does not follow redirects: register the final URL ({to})"),
            None => "the platform does not follow redirects: register the final URL".into(),
        },
        404 => "nothing answers GET on this path: route GETs on the webhook URL to the handshake".into(),
        405 => "GET is not allowed on this path: the handshake is a GET to the same URL the events are POSTed to".into(),
        401 | 403 => format!(
            "the endpoint refused the right token: does it compare hub.verify_token with the same \
             {}, exactly (no trimming, no case change)?",
            token.name()
        ),
        400 => "the endpoint did not take the query: read hub.mode, hub.challenge and hub.verify_token \
                from the query string (PHP turns the dots into underscores: $_GET['hub_challenge'])"
            .into(),
        500..=599 => "the endpoint failed on the handshake: see its log".into(),
        200 => diagnose_body(headers, body, challenge),
        _ if exact => format!("answer with status 200, not {}", status_text(status)),
        _ => "answer 200 with the challenge as the whole body".into(),
    };
    Some(hint)
}

fn diagnose_body(headers: &HeaderMap, body: &[u8], challenge: &str) -> String {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let text = String::from_utf8_lossy(body);
    let json = serde_json::from_slice::<serde_json::Value>(body).ok();
    let looks_html = header(header::CONTENT_TYPE)
        .is_some_and(|t| t.to_ascii_lowercase().contains("html"))
        || text.trim_start().starts_with('<');
    if body.is_empty() {
        "the body is empty: send hub.challenge back as the body".into()
    } else if let Some(encoding) = compressed(header(header::CONTENT_ENCODING), body) {
        format!(
            "the body is {encoding}: the handshake asks for no encoding (no Accept-Encoding) \
             and the platform compares the bytes as sent; send the challenge uncompressed \
             (exempt this route from the compression middleware)"
        )
    } else if let Some(causes) = near_miss(&text, challenge) {
        format!(
            "the body is the challenge {causes}: send exactly the challenge, byte for byte, \
             as res.send(challenge) does (println and echo add a newline)"
        )
    } else if json.as_ref().and_then(|v| v.as_str()) == Some(challenge) {
        "the challenge is in quotes (sent as a JSON string): send it as plain text".into()
    } else if json.is_some() && text.contains(challenge) {
        "the challenge is wrapped in JSON: the body must be the challenge alone, as plain text"
            .into()
    } else if looks_html {
        "the endpoint answered with an HTML page: the GET reached a web page, not the webhook handler \
         (a default route, a login page, a 404 page served with 200?)"
            .into()
    } else if text.contains(challenge) {
        "the body has other text around the challenge: send the challenge alone".into()
    } else {
        "the body is not the challenge: echo hub.challenge exactly".into()
    }
}

/// How the body is compressed, when it is: a `Content-Encoding` other than
/// `identity`, or the magic bytes of gzip or zstd without one.
fn compressed(encoding: Option<&str>, body: &[u8]) -> Option<String> {
    match encoding.map(str::trim) {
        Some(name) if !name.is_empty() && !name.eq_ignore_ascii_case("identity") => {
            Some(format!("compressed (Content-Encoding: {name})"))
        }
        _ if body.starts_with(&[0x1f, 0x8b]) => {
            Some("gzip data (with no Content-Encoding saying so)".into())
        }
        _ if body.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) => {
            Some("zstd data (with no Content-Encoding saying so)".into())
        }
        _ => None,
    }
}

/// What keeps `text` from being exactly `challenge` when it is the challenge
/// but for a byte-order mark in front, whitespace around it, or the letter
/// case, each named (`after a UTF-8 byte-order mark, with a trailing "\n"`);
/// `None` when it is something else.
fn near_miss(text: &str, challenge: &str) -> Option<String> {
    let mut causes = Vec::new();
    let mut rest = text;
    if let Some(after) = rest.strip_prefix('\u{feff}') {
        causes.push(
            "after a UTF-8 byte-order mark (EF BB BF, from an encoder or a file that writes one)"
                .to_string(),
        );
        rest = after;
    }
    let trimmed = rest.trim();
    if trimmed.len() != rest.len() {
        let end = rest.len() - rest.trim_start().len();
        let (before, after) = (&rest[..end], &rest[end + trimmed.len()..]);
        causes.push(match (before.is_empty(), after.is_empty()) {
            (true, _) => format!("with a trailing {after:?}"),
            (_, true) => format!("with a leading {before:?}"),
            _ => format!("with {before:?} before and {after:?} after it"),
        });
    }
    if trimmed != challenge && trimmed.eq_ignore_ascii_case(challenge) {
        causes.push(if trimmed == challenge.to_ascii_uppercase() {
            "in upper case (it is case-sensitive)".to_string()
        } else {
            "in other letter case (it is case-sensitive)".to_string()
        });
    }
    let matches = trimmed.eq_ignore_ascii_case(challenge) && !causes.is_empty();
    matches.then(|| causes.join(", "))
}

/// What a negative probe expects. The platform verifies only a 200 whose body
/// is exactly the challenge, so a refusal may say what it likes: a 403 that
/// quotes the challenge (`Forbidden: <challenge>`) registers nothing. A 2xx
/// that carries it does fail, exact or not: the endpoint echoed the challenge
/// for a request it should refuse.
const REFUSAL: &str = "a refusal (403): no 2xx that carries the challenge";

/// A negative probe passes when an answer comes without the challenge in a
/// 2xx ([`REFUSAL`]); no answer at all proves nothing.
fn judge_refusal(
    result: &std::result::Result<Answer, Failure>,
    challenge: &str,
    hint: &str,
) -> Check {
    match result {
        Ok(answer) => {
            let leaked = answer.status.is_success()
                && String::from_utf8_lossy(&answer.body).contains(challenge);
            verdict(!leaked, result, leaked.then(|| hint.to_string()))
        }
        Err(failure) => verdict(false, result, Some(failure.kind.hint().to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(status: u16, body: &str) -> Option<String> {
        diagnose(
            StatusCode::from_u16(status).unwrap(),
            &HeaderMap::new(),
            body.as_bytes(),
            "c4a1",
            None,
            TokenKind::Secret,
        )
    }

    #[test]
    fn only_200_with_exactly_the_challenge_passes() {
        assert_eq!(hint(200, "c4a1"), None);
        assert!(hint(200, "c4a2").is_some());
        assert!(
            hint(201, "c4a1")
                .unwrap()
                .contains("status 200, not 201 Created")
        );
    }

    #[test]
    fn common_mistakes_are_named() {
        let cases = [
            (
                200,
                "c4a1\n",
                r#"the challenge with a trailing "\n": send exactly"#,
            ),
            (200, " c4a1", r#"the challenge with a leading " ""#),
            (200, "\tc4a1\r\n", r#"with "\t" before and "\r\n" after it"#),
            (
                200,
                "\u{feff}c4a1",
                "the challenge after a UTF-8 byte-order mark (EF BB BF",
            ),
            (
                200,
                "C4A1",
                "the challenge in upper case (it is case-sensitive)",
            ),
            (200, "c4A1", "the challenge in other letter case"),
            (
                200,
                "\u{feff}C4A1\n",
                r#"byte-order mark (EF BB BF, from an encoder or a file that writes one), with a trailing "\n", in upper case"#,
            ),
            (200, "C4A2", "not the challenge"),
            (200, "\"c4a1\"", "quotes"),
            (200, r#"{"challenge":"c4a1"}"#, "wrapped in JSON"),
            (200, "<!doctype html><p>Welcome</p>", "HTML page"),
            (200, "", "empty"),
            (200, "challenge=c4a1", "other text around"),
            (200, "OK", "not the challenge"),
            (404, "Not Found", "nothing answers GET"),
            (405, "", "GET is not allowed"),
            (403, "Forbidden", "refused the right token"),
            (400, "", "$_GET"),
            (500, "", "see its log"),
            (302, "", "redirects"),
            (204, "", "answer 200"),
        ];
        for (status, body, want) in cases {
            let got = hint(status, body).unwrap_or_default();
            assert!(got.contains(want), "{status} {body:?}: {got}");
        }
        let html_type = HeaderMap::from_iter([(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("text/html; charset=utf-8"),
        )]);
        let html = diagnose(
            StatusCode::OK,
            &html_type,
            b"hi",
            "c4a1",
            None,
            TokenKind::Secret,
        );
        assert!(html.unwrap().contains("HTML"));
        let moved = diagnose(
            StatusCode::MOVED_PERMANENTLY,
            &HeaderMap::new(),
            b"",
            "c",
            Some("https://x/y"),
            TokenKind::Secret,
        );
        assert!(moved.unwrap().contains("(https://x/y)"));
    }

    #[test]
    fn a_compressed_answer_is_named_by_its_encoding() {
        let with = |encoding: &'static str| {
            let headers = HeaderMap::from_iter([(
                header::CONTENT_ENCODING,
                header::HeaderValue::from_static(encoding),
            )]);
            diagnose(
                StatusCode::OK,
                &headers,
                b"\x1f\x8b",
                "c4a1",
                None,
                TokenKind::Secret,
            )
            .unwrap()
        };
        assert!(with("br").starts_with("the body is compressed (Content-Encoding: br)"));
        assert!(with("identity").starts_with("the body is gzip data (with no Content-Encoding"));
    }

    #[test]
    fn a_refused_token_is_named_for_what_it_is() {
        let refused = |token| {
            diagnose(
                StatusCode::FORBIDDEN,
                &HeaderMap::new(),
                b"",
                "c",
                None,
                token,
            )
        };
        let secret = refused(TokenKind::Secret).unwrap();
        assert!(secret.contains("with the same secret, exactly"), "{secret}");
        let own = refused(TokenKind::VerifyToken).unwrap();
        assert!(own.contains("with the same verify token, exactly"), "{own}");
    }

    #[test]
    fn refusals_fail_only_when_the_challenge_comes_back() {
        let answer = |status: u16, body: &'static str| {
            Ok(Answer {
                status: StatusCode::from_u16(status).unwrap(),
                headers: HeaderMap::new(),
                body: Bytes::from_static(body.as_bytes()),
                body_len: body.len() as u64,
                latency: Duration::from_millis(1),
                redactor: Default::default(),
                cut_short: None,
            })
        };
        assert!(judge_refusal(&answer(403, "Forbidden"), "c4a1", "h").passed());
        assert!(judge_refusal(&answer(200, "OK"), "c4a1", "h").passed());
        assert!(judge_refusal(&answer(400, "c4a1"), "c4a1", "h").passed());
        let leaked = judge_refusal(&answer(200, r#"{"c":"c4a1"}"#), "c4a1", "h");
        assert!(!leaked.passed());
        assert_eq!(leaked.hint.as_deref(), Some("h"));
        assert_eq!(leaked.got, r#"200 OK, body "{\"c\":\"c4a1\"}""#);
        let silent = Err(Failure {
            kind: FailureKind::Timeout,
            detail: "timed out after 10s".into(),
            latency: Duration::from_secs(10),
        });
        let unanswered = judge_refusal(&silent, "c4a1", "h");
        assert!(!unanswered.passed());
        assert_eq!(unanswered.got, "no answer: timed out after 10s");
    }
}
