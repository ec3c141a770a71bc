//! `listen --forward-to`: each verified POST passed on to the app, re-signed,
//! and what came of it (the app's status, or why there was none).

use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::{self, HeaderMap, HeaderName};

use crate::contract::signature;
use crate::input::secret::Secret;

/// Where and how verified POSTs are forwarded.
pub struct Forward {
    pub url: reqwest::Url,
    /// Signs the forwarded body (the listener's own secret unless told otherwise).
    pub secret: Secret,
    /// Built by the caller from `client::builder()`, with its timeout.
    pub client: reqwest::Client,
}

/// What came of forwarding a verified POST to the app.
pub struct Forwarded {
    pub latency: Duration,
    pub answer: std::result::Result<StatusCode, ForwardError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardError {
    /// No answer within the forward timeout: 504 to the sender.
    Timeout,
    /// Could not connect, or the connection failed: 502 to the sender.
    Failed(String),
    /// The app answered a status that cannot be passed on (a 1xx, such as
    /// `101 Switching Protocols`, or one outside 100–599): 502 to the sender.
    BadStatus(u16),
}

impl Forwarded {
    /// What the sender is answered.
    pub fn status(&self) -> StatusCode {
        match &self.answer {
            Ok(status) => *status,
            Err(ForwardError::Timeout) => StatusCode::GATEWAY_TIMEOUT,
            Err(ForwardError::Failed(_) | ForwardError::BadStatus(_)) => StatusCode::BAD_GATEWAY,
        }
    }
}

impl Forward {
    pub(super) async fn send(
        &self,
        signature_header: &HeaderName,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Forwarded {
        let signature = signature::sign(self.secret.bytes(), &body).to_string();
        let mut request = self
            .client
            .post(self.url.clone())
            .header(signature_header, signature)
            .body(body);
        if let Some(content_type) = headers.get(header::CONTENT_TYPE) {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let started = Instant::now();
        let answer = match request.send().await {
            // Only a final status the sender can take: a 1xx is an interim
            // answer (a 101 would switch the sender's connection to nothing).
            Ok(response) if (200..=599).contains(&response.status().as_u16()) => {
                Ok(response.status())
            }
            Ok(response) => Err(ForwardError::BadStatus(response.status().as_u16())),
            Err(e) if e.is_timeout() => Err(ForwardError::Timeout),
            Err(e) if e.is_connect() => Err(ForwardError::Failed(format!(
                "cannot connect: {}",
                root_cause(&e)
            ))),
            Err(e) => Err(ForwardError::Failed(root_cause(&e))),
        };
        Forwarded {
            latency: started.elapsed(),
            answer,
        }
    }
}

/// The innermost cause of an error: reqwest's own message repeats the URL and
/// wraps the one part that says what happened ("Connection refused").
pub(crate) fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_cause_is_what_is_shown() {
        #[derive(Debug)]
        struct Wrapper(std::io::Error);
        impl std::fmt::Display for Wrapper {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("error sending request for url (http://127.0.0.1:1/)")
            }
        }
        impl std::error::Error for Wrapper {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert_eq!(root_cause(&Wrapper(refused)), "refused");
    }
}
