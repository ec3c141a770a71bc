//! What a request to a receiver came to: an [`Answer`] (status, headers, the
//! first part of the body, the time it took), or a [`Failure`] sorted into a
//! [`FailureKind`] a person can act on, and the one line that describes either.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::{HeaderMap, HeaderName};

use super::Endpoint;
use super::opening::Opening;
use crate::contract::redact::Redactor;
use crate::error::{Error, Result};
use crate::http::status_text;

/// An HTTP answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The first [`super::BODY_KEEP`] bytes of the body.
    pub body: Bytes,
    /// The whole body's length.
    pub body_len: u64,
    /// From sending the request (connecting included, for a new connection) to
    /// the end of the body.
    pub latency: Duration,
    /// What must not be shown of it: the client's secrets (see [`Answer::preview`]).
    pub redactor: Arc<Redactor>,
    /// The connection ended after the status line came, before the rest of
    /// the answer (as when a receiver answers 413 or 404 without reading a
    /// large body, and its close resets the connection): the status is the
    /// receiver's answer, what followed it may be missing. Never a 2xx: a 2xx
    /// that did not come whole is a [`FailureKind::CutShort`] failure.
    pub cut_short: Option<CutShort>,
}

/// How an answer's connection ended before the whole answer came: what the
/// I/O showed, not a guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CutShort {
    /// Reset (ECONNRESET), not closed (FIN).
    pub reset: bool,
    /// How many bytes of the body its Content-Length announced did not come,
    /// when the head came and had one.
    pub missing: Option<u64>,
    /// A write of the request failed, so the answer came before the receiver
    /// had read the whole request.
    pub request_unsent: bool,
}

impl CutShort {
    /// What became of the connection, to follow the status:
    /// `then the connection closed 98 bytes short of the answer's Content-Length`.
    pub fn words(&self) -> String {
        let how = if self.reset { "was reset" } else { "closed" };
        let short = match self.missing {
            Some(1) => " 1 byte short of the answer's Content-Length".to_string(),
            Some(n) => format!(" {n} bytes short of the answer's Content-Length"),
            None => " before the rest of the answer".to_string(),
        };
        let why = if self.request_unsent {
            " (an answer given before the request's body was read)"
        } else {
            ""
        };
        format!("then the connection {how}{short}{why}")
    }

    /// The answer `status` this cut short: a non-2xx is judged by its status
    /// (what followed cannot change a refusal), but a 2xx that did not come
    /// whole is no acceptance: the platform's HTTP client, like most, takes a
    /// premature close for an error and delivers again.
    pub(super) fn judged(self, answer: Answer) -> Result<Answer, Failure> {
        if answer.status.is_success() {
            return Err(Failure::new(
                FailureKind::CutShort,
                format!("{}, {}", status_text(answer.status), self.words()),
            ));
        }
        Ok(Answer {
            cut_short: Some(self),
            ..answer
        })
    }
}

/// How much of a body a person is shown.
pub const PREVIEW: usize = 200;

impl Answer {
    /// The first `PREVIEW` bytes of the body, unescaped, as received: for
    /// judging it; [`Answer::shown_head`] is for showing it.
    pub fn head(&self) -> &[u8] {
        &self.body[..self.body.len().min(PREVIEW)]
    }

    /// [`Answer::head`] with the client's secrets redacted, unescaped.
    pub fn shown_head(&self) -> Cow<'_, [u8]> {
        self.redactor.bytes(self.head())
    }

    /// A header's value as text (invalid UTF-8 replaced), secrets redacted,
    /// unescaped.
    pub fn shown_header(&self, name: &HeaderName) -> Option<String> {
        let value = self.headers.get(name)?;
        Some(
            self.redactor
                .text(&String::from_utf8_lossy(value.as_bytes()))
                .into_owned(),
        )
    }

    /// Whether the body is longer than [`Answer::head`].
    pub fn is_cut(&self) -> bool {
        self.body_len > PREVIEW as u64
    }

    /// [`Answer::shown_head`] as text (invalid UTF-8 replaced), `…` when cut.
    /// Not escaped: printing it is the caller's concern.
    pub fn preview(&self) -> String {
        let head = self.shown_head();
        let text = String::from_utf8_lossy(&head);
        if self.is_cut() {
            format!("{text}…")
        } else {
            text.into_owned()
        }
    }
}

/// Why no answer came (or none the platform could count). Several kinds share
/// a [`FailureKind::name`]: the names are a contract, the kinds choose hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FailureKind {
    /// The host name did not resolve.
    Dns,
    /// Nothing listens on the port.
    Refused,
    /// TCP did not connect within the budget.
    ConnectTimeout,
    /// TCP connected, but the TLS handshake got no answer within the budget.
    TlsTimeout,
    /// Any other error while connecting (network unreachable, reset).
    Connect,
    /// The TLS handshake failed: a certificate not trusted, or not TLS at all.
    Tls,
    /// The TLS handshake failed with the certificate unchecked (`--insecure`),
    /// so trust was not the cause.
    TlsUnchecked,
    /// The TLS handshake's answer was plain HTTP: an http server behind an
    /// https:// URL.
    TlsPlainHttp,
    /// Connected, but no whole answer before giving up.
    Timeout,
    /// The connection closed or reset before a whole answer.
    Closed,
    /// The receiver reset the connection while the request was still being
    /// written, before any answer came: it stopped reading (an early answer
    /// lost to the reset, or a crash).
    ResetWhileSending,
    /// A 2xx status came, then the connection closed or reset before the
    /// rest of the answer: no acceptance the platform could count.
    CutShort,
    /// The answer was not HTTP/1 at all (its first bytes are no HTTP version),
    /// nor TLS.
    Protocol,
    /// The answer was a TLS record: an https server behind an http:// URL.
    TlsAnswer,
    /// An HTTP/1 answer with a malformed head: a header with a control
    /// character, a bad status code or Content-Length, a head too large.
    BadHead,
}

impl FailureKind {
    /// Never reached the receiver's HTTP server at all.
    pub fn is_unreachable(self) -> bool {
        matches!(
            self,
            FailureKind::Dns
                | FailureKind::Refused
                | FailureKind::ConnectTimeout
                | FailureKind::TlsTimeout
                | FailureKind::Connect
        )
    }

    /// The name in `--json` output.
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Dns => "dns",
            FailureKind::Refused => "refused",
            // Both are "no connection within the budget" to a script.
            FailureKind::ConnectTimeout | FailureKind::TlsTimeout => "connect-timeout",
            FailureKind::Connect => "connect",
            FailureKind::Tls | FailureKind::TlsUnchecked | FailureKind::TlsPlainHttp => "tls",
            FailureKind::Timeout => "timeout",
            FailureKind::Closed | FailureKind::ResetWhileSending | FailureKind::CutShort => {
                "closed"
            }
            FailureKind::Protocol | FailureKind::TlsAnswer | FailureKind::BadHead => "protocol",
        }
    }

    /// What to do about it.
    pub fn hint(self) -> &'static str {
        match self {
            FailureKind::Dns => "check the host name in the URL",
            FailureKind::Refused => {
                "nothing listens there: is the receiver running? (`wm-hooks listen` runs one on the default address)"
            }
            FailureKind::ConnectTimeout => {
                "nothing answered the connection: a firewall, or the wrong host or port?"
            }
            FailureKind::TlsTimeout => {
                "the port took the connection but never answered the TLS handshake: a receiver \
                 that is stuck, or a service on this port that is not HTTPS"
            }
            FailureKind::Connect => "the connection failed: check the host and port",
            FailureKind::Tls => {
                "the platform delivers only to a certificate it trusts; for a self-signed certificate \
                 on your own machine add --insecure. An http server behind an https:// URL fails this way too"
            }
            FailureKind::TlsUnchecked => {
                "--insecure skips the certificate check, so the handshake failed for another reason: \
                 an http server behind an https:// URL, or no TLS version in common (1.2 or 1.3)"
            }
            FailureKind::TlsPlainHttp => {
                "the server speaks plain HTTP, not TLS: for a plain-HTTP receiver use an http:// URL, \
                 or put TLS in front of it (the platform calls only https:// URLs)"
            }
            FailureKind::Timeout => "the platform waits only so long for an answer",
            FailureKind::Closed => {
                "the receiver closed the connection without a whole answer: see its log (did it crash?)"
            }
            FailureKind::ResetWhileSending => {
                "the receiver reset the connection while the request was still being sent: one \
                 that answers before reading the body (a body-size limit's 413) and then closes \
                 can lose its answer to the reset, or it crashed mid-request: see its log"
            }
            FailureKind::CutShort => {
                "the receiver's answer did not arrive whole, and an HTTP client (the platform's \
                 among them) takes that for a failure (a delivery it sends again, a handshake it \
                 does not pass): the receiver must send its whole answer (as long as its \
                 Content-Length says); see its log"
            }
            FailureKind::Protocol => {
                "the answer is neither HTTP nor TLS: another service on this port?"
            }
            FailureKind::TlsAnswer => {
                "the answer is TLS, not plain HTTP: an https server behind an http:// URL? Use https://"
            }
            FailureKind::BadHead => {
                "the answer is HTTP, but its head is malformed (see what was wrong above): \
                 the platform cannot read it either; fix how the receiver writes its status line and headers"
            }
        }
    }
}

/// As its [`FailureKind::name`], so that kinds added for their hints never
/// show new names.
impl serde::Serialize for FailureKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// No answer, and why.
#[derive(Debug, Clone)]
pub struct Failure {
    pub kind: FailureKind,
    /// What happened, in words, without the URL.
    pub detail: String,
    pub latency: Duration,
}

impl Failure {
    pub(super) fn new(kind: FailureKind, detail: impl Into<String>) -> Failure {
        Failure {
            kind,
            detail: detail.into(),
            latency: Duration::ZERO,
        }
    }

    /// The command's error (exit 3) for a failure that never reached the
    /// endpoint's HTTP server.
    pub fn to_error(&self, endpoint: &Endpoint) -> Error {
        Error::unreachable(format!(
            "cannot reach {}: {}",
            endpoint.shown(),
            self.detail
        ))
        .with_hint(self.kind.hint())
    }
}

/// The failure `err` is, on a connection whose first bytes are `opening`.
pub(super) fn classify(err: &hyper::Error, opening: &Opening) -> Failure {
    let parse = err.is_parse() || err.is_parse_status() || err.is_parse_too_large();
    // What did not parse is told by the bytes, not by hyper's wording: a
    // connection that never began with `HTTP/` got no HTTP at all (TLS,
    // another protocol); one that did has a malformed head.
    let kind = match (parse, opening.is_not_http()) {
        (true, true) if opening.is_tls() => FailureKind::TlsAnswer,
        (true, true) => FailureKind::Protocol,
        (true, false) => FailureKind::BadHead,
        // Nothing of an answer came, and our writing met the reset.
        (false, _)
            if opening.was_reset() && opening.request_unsent() && opening.bytes().is_none() =>
        {
            FailureKind::ResetWhileSending
        }
        (false, _) => FailureKind::Closed,
    };
    let mut detail = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        detail = format!("{detail}: {cause}");
        source = cause.source();
    }
    if let (FailureKind::Protocol | FailureKind::TlsAnswer, Some(first)) = (kind, opening.shown()) {
        detail = format!("{detail} (the answer began with {first})");
    }
    Failure::new(kind, detail)
}

/// The failure a TLS handshake's error is; `kind` when it is not plain HTTP
/// ([`FailureKind::Tls`], or [`FailureKind::TlsUnchecked`] under `--insecure`).
pub(super) fn tls_failure(err: &std::io::Error, kind: FailureKind) -> Failure {
    // rustls's own words for it ("received corrupt message of type
    // InvalidContentType") do not say that an http:// server answered.
    let plain = rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType);
    if err
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        == Some(&plain)
    {
        return Failure::new(
            FailureKind::TlsPlainHttp,
            "TLS handshake failed: the server answered in plain HTTP, not TLS (is the URL http://?)",
        );
    }
    match err.get_ref() {
        Some(inner) => Failure::new(kind, format!("TLS handshake failed: {inner}")),
        None => Failure::new(kind, format!("TLS handshake failed: {err}")),
    }
}

/// What came back, in a few words: the status and the start of the body, or
/// why nothing did. Text from the network, unescaped.
pub fn describe(result: &Result<Answer, Failure>) -> String {
    described(result, false)
}

/// [`describe`] with the body as it came, its final newline kept: for an
/// answer whose bytes are the verdict (the handshake's challenge), where
/// `"abc\n"` is not `"abc"`.
pub fn describe_exactly(result: &Result<Answer, Failure>) -> String {
    described(result, true)
}

fn described(result: &Result<Answer, Failure>, exact: bool) -> String {
    match result {
        Ok(Answer {
            status,
            cut_short: Some(cut),
            ..
        }) => format!("{}, {}", status_text(*status), cut.words()),
        Ok(answer) if answer.body_len == 0 => format!("{}, empty body", status_text(answer.status)),
        // The newline most bodies end with would show as a literal `\n`.
        Ok(answer) => {
            let preview = answer.preview();
            let shown = match exact {
                true => &preview,
                false => preview
                    .strip_suffix('\n')
                    .map(|p| p.strip_suffix('\r').unwrap_or(p))
                    .unwrap_or(&preview),
            };
            format!("{}, body {shown:?}", status_text(answer.status))
        }
        // Its detail begins with the status that came.
        Err(failure) if failure.kind == FailureKind::CutShort => failure.detail.clone(),
        Err(failure) => format!("no answer: {}", failure.detail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_described_body_drops_its_final_newline() {
        let answer = |body: &'static [u8]| {
            Ok(Answer {
                status: StatusCode::UNAUTHORIZED,
                headers: HeaderMap::new(),
                body: Bytes::from_static(body),
                body_len: body.len() as u64,
                latency: Duration::ZERO,
                redactor: Arc::default(),
                cut_short: None,
            })
        };
        assert_eq!(
            describe(&answer(b"no\r\n")),
            r#"401 Unauthorized, body "no""#
        );
        assert_eq!(
            describe(&answer(b"a\nb\n")),
            r#"401 Unauthorized, body "a\nb""#
        );
        assert_eq!(describe(&answer(b"")), "401 Unauthorized, empty body");
    }

    fn answer(status: u16) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: Bytes::from_static(b"ok"),
            body_len: 2,
            latency: Duration::ZERO,
            redactor: Arc::default(),
            cut_short: None,
        }
    }

    #[test]
    fn a_cut_short_answer_says_what_the_connection_showed() {
        let cut = |reset, missing, request_unsent| {
            CutShort {
                reset,
                missing,
                request_unsent,
            }
            .words()
        };
        assert_eq!(
            cut(false, Some(98), false),
            "then the connection closed 98 bytes short of the answer's Content-Length"
        );
        assert_eq!(
            cut(true, Some(1), false),
            "then the connection was reset 1 byte short of the answer's Content-Length"
        );
        assert_eq!(
            cut(false, None, false),
            "then the connection closed before the rest of the answer"
        );
        assert_eq!(
            cut(true, None, true),
            "then the connection was reset before the rest of the answer \
             (an answer given before the request's body was read)"
        );
    }

    #[test]
    fn a_cut_short_2xx_is_a_failure_and_a_cut_short_refusal_its_status() {
        let cut = CutShort {
            reset: false,
            missing: Some(98),
            request_unsent: false,
        };
        let failure = cut.judged(answer(200)).unwrap_err();
        assert_eq!(failure.kind, FailureKind::CutShort);
        assert_eq!(failure.kind.name(), "closed");
        let said =
            "200 OK, then the connection closed 98 bytes short of the answer's Content-Length";
        assert_eq!(failure.detail, said);
        assert_eq!(describe(&Err(failure)), said, "no \"no answer:\" before it");
        let refused = cut.judged(answer(413)).unwrap();
        assert_eq!(refused.cut_short, Some(cut));
        assert_eq!(
            describe(&Ok(refused)),
            "413 Payload Too Large, then the connection closed 98 bytes short of the answer's Content-Length"
        );
    }

    #[test]
    fn every_kind_keeps_its_json_name() {
        use FailureKind::*;
        for (kind, name) in [
            (Dns, "dns"),
            (Refused, "refused"),
            (ConnectTimeout, "connect-timeout"),
            (TlsTimeout, "connect-timeout"),
            (Connect, "connect"),
            (Tls, "tls"),
            (TlsUnchecked, "tls"),
            (TlsPlainHttp, "tls"),
            (Timeout, "timeout"),
            (Closed, "closed"),
            (ResetWhileSending, "closed"),
            (CutShort, "closed"),
            (Protocol, "protocol"),
            (TlsAnswer, "protocol"),
            (BadHead, "protocol"),
        ] {
            assert_eq!(kind.name(), name, "{kind:?}");
            assert_eq!(serde_json::to_value(kind).unwrap(), name, "{kind:?}");
        }
    }

    #[test]
    fn a_hint_names_only_the_protocol_the_bytes_show() {
        assert!(FailureKind::TlsAnswer.hint().contains("https://"));
        assert!(!FailureKind::Protocol.hint().contains("https"));
        let plain = FailureKind::TlsPlainHttp.hint();
        assert!(plain.contains("http:// URL") && !plain.contains("--insecure"));
    }

    #[test]
    fn unreachable_kinds() {
        assert!(FailureKind::Refused.is_unreachable());
        assert!(FailureKind::Dns.is_unreachable());
        assert!(!FailureKind::Timeout.is_unreachable());
        assert!(!FailureKind::Tls.is_unreachable());
    }
}
