//! HTTP on both sides of a webhook: [`server`], the receiver behind `listen`;
//! [`sender`], HTTP/1.1 to a receiver the way the platform calls one; and
//! [`client`], the reqwest setup for the StartMessaging API and for apps;
//! [`tls`], the receiver's own HTTPS for `ingest`; [`metrics`], its Prometheus
//! counts and health check. Also
//! the two ways every side shows a header name and a status to a person, and
//! the stop counter every long-running side watches.

use hyper::StatusCode;
use hyper::header::HeaderName;

pub mod client;
pub mod metrics;
pub mod sender;
pub mod server;
pub mod tls;

/// Resolves once a stop was asked for `times` times (or can no longer be
/// asked). The commands count each Ctrl-C or SIGTERM into one
/// `watch::Sender<u32>`: the first asks for a graceful stop (nothing new is
/// started, what is in flight finishes), the second for a stop now.
pub async fn stop_requested(stop: &mut tokio::sync::watch::Receiver<u32>, times: u32) {
    let _ = stop.wait_for(|asked| *asked >= times).await;
}

/// `x-signature-256` → `X-Signature-256`: a header's name as it goes on the
/// wire (the connections write title case), for showing it to a person.
pub fn title_case(name: &HeaderName) -> String {
    name.as_str()
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// A short reason phrase for a status, such as `404 Not Found`.
pub fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header;

    #[test]
    fn header_names_are_title_cased() {
        assert_eq!(
            title_case(&HeaderName::from_static("x-signature-256")),
            "X-Signature-256"
        );
        assert_eq!(title_case(&header::CONTENT_TYPE), "Content-Type");
    }
}
