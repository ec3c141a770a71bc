//! The channel from the receiver to its front-end, and the answer that waits
//! on it.
//!
//! **Acknowledged answers.** Each handed-on request carries an [`Ack`], and the
//! server writes no answer until the front-end has used it: [`Ack::done`] once
//! the request is durably handled (`listen`: its record line is written whole;
//! `ingest`: the store committed), [`Ack::failed`] when it could not be. The
//! answer planned (200, 401, ...) goes out only after `done`; after `failed`,
//! or an `Ack` dropped unused, or a front-end gone, the answer is
//! [`UNAVAILABLE`] (503) with `Retry-After`, so the platform sends the request
//! again and nothing answered 2xx is ever lost. A front-end without anything
//! to keep calls `done` at once. Front-ends should batch: take every handoff
//! waiting in the channel, make them durable in one write (or one
//! transaction), then acknowledge them all.
//!
//! The channel is bounded, and HTTP/1.1 serves one request per connection at a
//! time, so at most one handoff per open connection waits in it: a front-end
//! that falls behind slows answers down instead of losing them or growing
//! memory without end.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, StatusCode};
use tokio::sync::oneshot;

use super::answer::answer;
use super::{Answer, Exchange, Report, Shared, plain};

/// The status of a request the front-end failed to handle.
pub const UNAVAILABLE: StatusCode = StatusCode::SERVICE_UNAVAILABLE;
/// The `Retry-After` (seconds) sent with [`UNAVAILABLE`].
pub const RETRY_AFTER_SECONDS: u32 = 30;

/// What goes through the channel: a report, and how to acknowledge it.
pub struct Handoff {
    pub report: Report,
    pub ack: Ack,
}

/// The front-end's answer to "is this request durably handled?". Exactly one of
/// [`Ack::done`] and [`Ack::failed`] is called; dropping it counts as failed.
/// A [`Report::Malformed`] comes with an `Ack` nobody waits for.
#[derive(Debug)]
pub struct Ack(Option<oneshot::Sender<Handled>>);

/// What became of a handed-on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// Durably handled: the planned answer goes out.
    Done,
    /// Not handled: the answer is [`UNAVAILABLE`].
    Failed,
}

impl Ack {
    fn new() -> (Ack, oneshot::Receiver<Handled>) {
        let (send, receive) = oneshot::channel();
        (Ack(Some(send)), receive)
    }

    /// An acknowledgement nobody waits for.
    pub fn unawaited() -> Ack {
        Ack(None)
    }

    pub fn done(self) {
        self.send(Handled::Done);
    }

    pub fn failed(self) {
        self.send(Handled::Failed);
    }

    pub fn send(mut self, handled: Handled) {
        if let Some(sender) = self.0.take() {
            // The connection may be gone already; its sender will retry.
            let _ = sender.send(handled);
        }
    }
}

pub(super) async fn handle(
    shared: Arc<Shared>,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> std::result::Result<Answer, Infallible> {
    let received_at = SystemTime::now();
    let (parts, body) = request.into_parts();
    let (outcome, body, response) = answer(&shared.config, &parts, body).await;
    let exchange = Exchange {
        received_at,
        peer,
        path: parts.uri.path().to_owned(),
        method: parts.method,
        headers: parts.headers,
        body,
        status: response.status(),
        outcome,
    };
    // Handed on before the answer, which waits for the front-end to say the
    // request is durably handled.
    let (ack, acked) = Ack::new();
    let report = Report::Request(Box::new(exchange));
    let handled = match shared.reports.send(Handoff { report, ack }).await {
        Ok(()) => acked.await.unwrap_or(Handled::Failed),
        Err(_) => Handled::Failed,
    };
    Ok(match handled {
        Handled::Done => response,
        Handled::Failed => unavailable(),
    })
}

/// The answer to a request the front-end could not handle: the platform
/// retries it.
fn unavailable() -> Answer {
    let mut response = plain(
        UNAVAILABLE,
        "Service Unavailable: the receiver could not keep this request; send it again later\n",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    response
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use hyper::header::HeaderName;
    use tokio::sync::{mpsc, watch};

    use super::*;
    use crate::contract::signature;
    use crate::http::server::{Config, bind};
    use crate::input::secret::Secret;

    const SECRET: &[u8] = b"s3cret";
    /// Serves on 127.0.0.1:0 with a front-end that answers each handoff with
    /// `front`, sends one signed POST over raw TCP, and returns the answer's head.
    fn answered_after(front: fn(Ack)) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let config = Config {
                addr: SocketAddr::from(([127, 0, 0, 1], 0)),
                path: "/hook".into(),
                secret: Secret::new(SECRET, crate::input::secret::Source::Flag).unwrap(),
                verify_token: Secret::new(SECRET, crate::input::secret::Source::Flag).unwrap(),
                previous_secret: None,
                signature_header: HeaderName::from_static("x-signature-256"),
                max_body: 1024,
                read_timeout: Duration::from_secs(10),
                max_connections: 4,
                respond_status: None,
                respond_delay: None,
                forward: None,
                tls: None,
                grace: Duration::from_secs(1),
            };
            let server = bind(config).await.unwrap();
            let addr = server.local_addr();
            let (reports, mut queue) = mpsc::channel(4);
            let (stop, stopped) = watch::channel(0);
            let serving = tokio::spawn(server.run(reports, stopped));
            tokio::spawn(async move {
                while let Some(handoff) = queue.recv().await {
                    front(handoff.ack);
                }
            });
            let body = br#"{"event":"message.received","data":{"message_id":"m1"}}"#;
            let signature = signature::sign(SECRET, body);
            let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            let head = format!(
                "POST /hook HTTP/1.1\r\nhost: x\r\nconnection: close\r\nx-signature-256: {signature}\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).await.unwrap();
            stream.write_all(body).await.unwrap();
            let mut answer = String::new();
            let read = stream.read_to_string(&mut answer);
            tokio::time::timeout(Duration::from_secs(10), read)
                .await
                .unwrap()
                .unwrap();
            stop.send_modify(|asked| *asked += 1);
            serving.await.unwrap();
            answer
        })
    }

    #[test]
    fn the_answer_waits_for_the_acknowledgement() {
        let done = answered_after(Ack::done);
        assert!(done.starts_with("HTTP/1.1 200 "), "{done}");
        for front in [Ack::failed as fn(Ack), drop] {
            let failed = answered_after(front);
            assert!(failed.starts_with("HTTP/1.1 503 "), "{failed}");
            assert!(failed.contains("retry-after: 30\r\n"), "{failed}");
        }
    }
}
