//! Each request's answer: the path and method, then a POST's body read within
//! `--max-body` and the read timeout, its signature checked (also against the
//! previous secret during a rotation), and the status it is answered with, or
//! the app's when forwarding.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::{Body as _, Incoming};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, StatusCode};

use super::handshake;
use super::{Answer, Config, Fault, Outcome, Refusal, empty, plain};
use crate::contract::events;
use crate::contract::signature;

pub(super) async fn answer(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::signature::ParseError;

    const SECRET: &[u8] = b"s3cret";
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
}
