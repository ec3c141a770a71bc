//! What the receiver hands on: each request with the answer planned for it
//! (the handshake's, a signature refused, a body verified, forwarded or not
//! read), or a connection that did not speak HTTP/1.1; and a request as a
//! record line.

use std::net::SocketAddr;
use std::time::SystemTime;

use bytes::Bytes;
use hyper::header::{HeaderMap, HeaderName};
use hyper::{Method, StatusCode};

use super::{Forwarded, Handshake};
use crate::contract::events::Identified;
use crate::contract::record::{Borrowed, Verdict};
use crate::contract::signature::{ParseError, Signature};
use crate::http::title_case;

// For `Exchange::example`, which the tests of other modules use too.
#[cfg(test)]
use {
    hyper::header::{self, HeaderValue},
    std::time::Duration,
};

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
}
