//! HTTP/1.1 to a webhook receiver, the way the platform calls one: over TCP or
//! TLS (certificates checked against the system's roots unless `--insecure`),
//! redirects never followed, every answer timed, and every way of not getting
//! an answer sorted into a [`FailureKind`] a person can act on. A [`Session`]
//! is one keep-alive connection that reconnects when the receiver closes it.
//!
//! This is hyper's own `client::conn::http1`, not a pooled client: the bulk
//! sender runs one session per connection, which measured about twice the
//! events per CPU second of reqwest on this project's two-core benchmark box.
//! Never prints.
//!
//! This file holds the endpoint, the client and the session; `answer.rs` what
//! came back (an answer, or the failure that took its place), `opening.rs` the
//! first bytes each connection received, `tls.rs` the client's TLS configuration.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use reqwest::Url;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;

use crate::contract::redact::{self, Redactor};
use crate::error::{Error, Result};
use crate::http::client::USER_AGENT;

mod answer;
mod opening;
mod tls;

pub use answer::{Answer, Failure, FailureKind, describe};

use answer::{classify, tls_detail};
use opening::{Opening, Recording};
use tls::tls_config;

/// How much of a response body is kept; the rest is read and counted.
pub const BODY_KEEP: usize = 64 * 1024;

/// How much of a response body is read at most: a receiver's answer is a few
/// bytes, and one that streams without end (or a gigabyte) is judged by what
/// came first, on a connection then closed, instead of being read until the
/// give-up time and reported as no answer.
pub const BODY_READ_LIMIT: u64 = 1024 * 1024;

/// Where deliveries go: an `http` or `https` URL, checked once.
#[derive(Debug, Clone)]
pub struct Endpoint {
    url: Url,
    host: String,
    port: u16,
    authority: HeaderValue,
    target: String,
    /// `Authorization: Basic …` from the URL's user and password, as curl sends it.
    basic: Option<HeaderValue>,
    /// Query parameters [`Endpoint::shown`] leaves out; requests carry them.
    unshown: &'static [&'static str],
}

impl Endpoint {
    /// Parses a receiver URL; anything but an absolute http(s) URL with a host
    /// is an input error.
    pub fn parse(text: &str) -> Result<Endpoint> {
        let url = Url::parse(text.trim()).map_err(|e| {
            Error::input(format!("`{}` is not a URL: {e}", redact::raw_url(text)))
                .with_hint("give the whole URL, such as http://127.0.0.1:8080/webhooks/whatsapp")
        })?;
        Endpoint::from_url(url)
    }

    fn from_url(mut url: Url) -> Result<Endpoint> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::input(format!(
                "`{}` is not an http or https URL",
                redact::url(&url)
            ))
            .with_hint("webhook endpoints are https:// (or http:// on your own machine)"));
        }
        url.set_fragment(None);
        let Some(host) = url.host_str().filter(|h| !h.is_empty()) else {
            return Err(Error::input(format!("`{}` has no host", redact::url(&url))));
        };
        // IPv6 literals come bracketed, as in the URL; sockets and TLS want them bare.
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = url.port_or_known_default().unwrap_or(80);
        let authority = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_string(),
        };
        let authority = HeaderValue::from_str(&authority).map_err(|_| {
            Error::input(format!(
                "`{}` has a host that cannot be sent",
                redact::url(&url)
            ))
        })?;
        let target = target_of(&url);
        // A request target HTTP cannot carry (over 64 KiB) is refused here, so
        // that building a request never fails.
        if target.parse::<hyper::Uri>().is_err() {
            return Err(Error::input(format!(
                "the path and query of `{}…` are {} bytes, more than a request can carry (65534)",
                redact::url(&url).chars().take(60).collect::<String>(),
                target.len()
            ))
            .with_hint("is the URL (or the value added to its query) the one meant?"));
        }
        Ok(Endpoint {
            basic: basic_auth(&url),
            url,
            host,
            port,
            authority,
            target,
            unshown: &[],
        })
    }

    /// The URL, with its password if it has one: for sending, never for showing.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The URL as shown to a person: a password in it is `****`, and the
    /// parameters given to [`Endpoint::shown_without`] are left out.
    pub fn shown(&self) -> String {
        redact::url(&self.without_query(self.unshown).url)
    }

    /// The same endpoint, shown without the query parameters `names` (whose
    /// values may be secrets); its requests still carry them.
    pub fn shown_without(mut self, names: &'static [&'static str]) -> Endpoint {
        self.unshown = names;
        self
    }

    pub fn is_https(&self) -> bool {
        self.url.scheme() == "https"
    }

    /// The same endpoint with query parameters added (percent-encoded), in
    /// place of any the URL has of the same names (so a name is never sent
    /// twice). An input error when the target grows past what a request can carry.
    pub fn with_query(&self, pairs: &[(&str, &str)]) -> Result<Endpoint> {
        let names: Vec<&str> = pairs.iter().map(|(name, _)| *name).collect();
        let mut url = self.without_query(&names).url;
        url.query_pairs_mut().extend_pairs(pairs);
        Endpoint::from_url(url)
    }

    /// The same endpoint without the query parameters named `names`; the
    /// others stay as they were written.
    pub fn without_query(&self, names: &[&str]) -> Endpoint {
        let mut endpoint = self.clone();
        let Some(query) = self.url.query() else {
            return endpoint;
        };
        let kept: Vec<&str> = query
            .split('&')
            .filter(|part| !names.contains(&query_name(part).as_str()))
            .collect();
        if kept.len() == query.split('&').count() {
            return endpoint;
        }
        let kept = kept.join("&");
        endpoint
            .url
            .set_query(Some(kept.as_str()).filter(|q| !q.is_empty()));
        // Shorter than the target checked when it was parsed.
        endpoint.target = target_of(&endpoint.url);
        endpoint
    }

    /// Which of `names` the URL's own query has, each once, in the order of `names`.
    pub fn query_has<'a>(&self, names: &[&'a str]) -> Vec<&'a str> {
        let query = self.url.query().unwrap_or_default();
        names
            .iter()
            .copied()
            .filter(|name| query.split('&').any(|part| query_name(part) == *name))
            .collect()
    }

    /// A request for this endpoint: origin-form target, `Host` and `User-Agent`
    /// unless `headers` already has them.
    pub fn request(
        &self,
        method: Method,
        mut headers: HeaderMap,
        body: Bytes,
    ) -> Request<Full<Bytes>> {
        headers
            .entry(header::HOST)
            .or_insert_with(|| self.authority.clone());
        headers
            .entry(header::USER_AGENT)
            .or_insert(HeaderValue::from_static(USER_AGENT));
        // A `-H Authorization` given wins over the URL's, as in curl.
        if let Some(basic) = &self.basic {
            headers
                .entry(header::AUTHORIZATION)
                .or_insert_with(|| basic.clone());
        }
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = method;
        *request.uri_mut() = self
            .target
            .parse()
            .expect("a parsed URL's path and query form a valid request target");
        *request.headers_mut() = headers;
        request
    }
}

/// The request target (origin form) of `url`: its path and query.
fn target_of(url: &Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_string(),
    }
}

/// The name of one `name=value` part of a query, decoded as a form decodes
/// it (`+` a space, `%XX` a byte).
fn query_name(part: &str) -> String {
    let name = part.split('=').next().unwrap_or_default().replace('+', " ");
    percent_encoding::percent_decode_str(&name)
        .decode_utf8_lossy()
        .into_owned()
}

/// `Basic base64(user:password)` for a URL with a user name or a password
/// (percent-decoded, as curl and reqwest read them), marked sensitive.
fn basic_auth(url: &Url) -> Option<HeaderValue> {
    use base64::Engine as _;
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    let decode = |part: &str| percent_encoding::percent_decode_str(part).collect::<Vec<u8>>();
    let mut pair = decode(url.username());
    pair.push(b':');
    pair.extend(decode(url.password().unwrap_or_default()));
    let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
    let mut value =
        HeaderValue::from_str(&format!("Basic {encoded}")).expect("base64 is a valid header value");
    value.set_sensitive(true);
    Some(value)
}

/// How the client connects and how long it waits.
#[derive(Debug, Clone, Copy)]
pub struct ClientOptions {
    /// Accept any certificate (a self-signed local one); the platform never does.
    pub insecure: bool,
    /// The answer budget: longer is "too slow". Connecting (TCP and TLS) must
    /// also finish within it, or the endpoint counts as unreachable.
    pub budget: Duration,
    /// How long to wait for a late answer before giving up, so that a slow
    /// receiver is reported with its status rather than as silent.
    pub give_up_after: Duration,
}

impl ClientOptions {
    /// The budget, and twice it before giving up on an answer.
    pub fn with_budget(budget: Duration, insecure: bool) -> ClientOptions {
        ClientOptions {
            insecure,
            budget,
            give_up_after: budget.saturating_mul(2),
        }
    }
}

/// What a [`Tap`] sees of each exchange.
pub enum Exchange<'a> {
    /// A request about to be sent (headers as given; hyper adds the framing)
    /// and its body.
    Request(&'a Request<Full<Bytes>>, &'a Bytes),
    /// A request failed on a kept-alive connection before any answer, and
    /// goes again on a new one.
    Resent(&'a Failure),
    /// The answer, or why none came.
    Answer(&'a Result<Answer, Failure>),
}

/// Watches every exchange: `-v` shows them. Must not block.
pub type Tap = Arc<dyn Fn(Exchange<'_>) + Send + Sync>;

/// Connection settings shared by every session; cheap to clone.
#[derive(Clone)]
pub struct Client {
    options: ClientOptions,
    tap: Option<Tap>,
    /// Given to every answer, which shows itself through it.
    redactor: Arc<Redactor>,
    /// Built on the first https connection: loading the system's roots costs
    /// milliseconds that plain-http runs need not pay.
    tls: Arc<OnceLock<std::result::Result<tokio_rustls::TlsConnector, String>>>,
}

impl Client {
    pub fn new(options: ClientOptions) -> Client {
        Client {
            options,
            tap: None,
            redactor: Arc::default(),
            tls: Arc::default(),
        }
    }

    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// The same client, showing every exchange to `tap`.
    pub fn with_tap(mut self, tap: Option<Tap>) -> Client {
        self.tap = tap;
        self
    }

    /// The same client, its answers hiding `redactor`'s secrets wherever
    /// they are shown (an endpoint may echo the request it got).
    pub fn with_redactor(mut self, redactor: Redactor) -> Client {
        self.redactor = Arc::new(redactor);
        self
    }

    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The same client, waiting at least `wait` for a late answer before
    /// giving up: for reports that must tell a late answer from none at all,
    /// even under a budget of milliseconds.
    pub fn waiting_at_least(mut self, wait: Duration) -> Client {
        self.options.give_up_after = self.options.give_up_after.max(wait);
        self
    }

    fn tls_connector(&self) -> std::result::Result<tokio_rustls::TlsConnector, String> {
        self.tls
            .get_or_init(|| tls_config(self.options.insecure).map(|c| Arc::new(c).into()))
            .clone()
    }
}

/// One keep-alive connection to an endpoint, opened on first use and again
/// whenever the receiver has closed it.
pub struct Session {
    client: Client,
    endpoint: Arc<Endpoint>,
    connection: Option<SendRequest<Full<Bytes>>>,
    /// The first bytes the current connection received.
    opening: Opening,
    /// Why the last request was sent a second time, on a new connection.
    resent: Option<Failure>,
}

impl Session {
    pub fn new(client: Client, endpoint: Arc<Endpoint>) -> Session {
        Session {
            client,
            endpoint,
            connection: None,
            opening: Opening::default(),
            resent: None,
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// When the last request failed on a kept-alive connection before any
    /// byte of its answer came, and was sent again on a new one: how the
    /// first try failed. The receiver closed the connection after its
    /// previous answer without saying `Connection: close`.
    pub fn resent(&self) -> Option<&Failure> {
        self.resent.as_ref()
    }

    /// Sends one request and reads the whole answer, within the client's
    /// give-up time. A request that fails on a kept-alive connection before
    /// any byte of its answer arrived (the receiver had closed it) is sent
    /// once more on a new one.
    pub async fn send(&mut self, request: Request<Full<Bytes>>) -> Result<Answer, Failure> {
        self.resent = None;
        if let Some(tap) = &self.client.tap {
            // A Full body is one frame, ready at once.
            let body = match request.body().clone().collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(never) => match never {},
            };
            tap(Exchange::Request(&request, &body));
        }
        let start = Instant::now();
        let give_up = self.client.options.give_up_after;
        let result = match tokio::time::timeout(give_up, self.exchange(request)).await {
            Ok(result) => result,
            Err(_) => Err(Failure::new(
                FailureKind::Timeout,
                format!("timed out after {}", humantime::format_duration(give_up)),
            )),
        };
        let latency = start.elapsed();
        if result.is_err() {
            self.connection = None;
        }
        let result = match result {
            Ok(answer) => Ok(Answer {
                latency,
                redactor: self.client.redactor.clone(),
                ..answer
            }),
            Err(failure) => Err(Failure { latency, ..failure }),
        };
        if let Some(tap) = &self.client.tap {
            if let Some(first) = &self.resent {
                tap(Exchange::Resent(first));
            }
            tap(Exchange::Answer(&result));
        }
        result
    }

    async fn exchange(&mut self, request: Request<Full<Bytes>>) -> Result<Answer, Failure> {
        let mut request = request;
        // At most two rounds: a kept-alive connection, then one new connection.
        let mut reused = true;
        loop {
            let sender = match &mut self.connection {
                Some(sender) if !sender.is_closed() => sender,
                _ => {
                    reused = false;
                    let (sender, opening) = self.connect().await?;
                    self.opening = opening;
                    self.connection.insert(sender)
                }
            };
            if sender.ready().await.is_err() {
                self.connection = None;
                if reused {
                    continue;
                }
                return self.answered_before(Failure::new(
                    FailureKind::Closed,
                    "the connection closed before the request was sent",
                ));
            }
            // Kept for a second try: on a reused connection the receiver may
            // have closed it just after its last answer.
            let copy = reused.then(|| copy_of(&request));
            let response = match sender.try_send_request(request).await {
                Ok(response) => response,
                Err(mut err) => {
                    self.connection = None;
                    let failure = classify(err.error(), &self.opening);
                    match (err.take_message(), copy) {
                        // Never sent: safe to send again, once, on a new connection.
                        (Some(unsent), _) if reused => {
                            request = unsent;
                            reused = false;
                            continue;
                        }
                        // Sent, but the connection failed before the answer's
                        // head: the receiver dropped a connection it had kept
                        // alive. Sent again, once, and said so.
                        (_, Some(copy)) if failure.kind == FailureKind::Closed => {
                            self.resent = Some(failure);
                            request = copy;
                            reused = false;
                            continue;
                        }
                        // A new connection's first bytes are this request's answer.
                        _ if !reused => return self.answered_before(failure),
                        _ => return Err(failure),
                    }
                }
            };
            let keep_alive = !response
                .headers()
                .get(header::CONNECTION)
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
            let (parts, body) = response.into_parts();
            let (body, body_len, cut_short) = match read_body(body, &self.opening).await {
                Ok((body, body_len, whole)) => {
                    if !keep_alive || !whole {
                        self.connection = None;
                    }
                    (body, body_len, false)
                }
                // The status came: it is the answer, whatever became of the rest.
                Err(failure) if failure.kind == FailureKind::Closed => {
                    self.connection = None;
                    (Bytes::new(), 0, true)
                }
                Err(failure) => return Err(failure),
            };
            return Ok(Answer {
                status: parts.status,
                headers: parts.headers,
                body,
                body_len,
                latency: Duration::ZERO,
                redactor: Arc::default(),
                cut_short,
            });
        }
    }

    /// A new connection that closed (or was reset) before hyper had an
    /// answer: when its first bytes are a status line, the receiver answered
    /// (a 413 or 404 given before it read the body, whose close then reset
    /// the connection), and that status is the answer, not a crash.
    fn answered_before(&self, failure: Failure) -> Result<Answer, Failure> {
        match (failure.kind, self.opening.status()) {
            (FailureKind::Closed, Some(status)) => Ok(Answer {
                status,
                headers: HeaderMap::new(),
                body: Bytes::new(),
                body_len: 0,
                latency: Duration::ZERO,
                redactor: Arc::default(),
                cut_short: true,
            }),
            _ => Err(failure),
        }
    }

    /// A new connection, and where its first bytes will be kept.
    async fn connect(&self) -> Result<(SendRequest<Full<Bytes>>, Opening), Failure> {
        let budget = self.client.options.budget;
        // One budget for TCP and TLS together, but each named when it runs out:
        // a port that takes the connection and then says nothing to a TLS
        // ClientHello is not "nothing answered the connection".
        let deadline = tokio::time::Instant::now() + budget;
        let shown = humantime::format_duration(budget);
        let tcp = tokio::time::timeout_at(deadline, connect_tcp(&self.endpoint))
            .await
            .unwrap_or_else(|_| {
                Err(Failure::new(
                    FailureKind::ConnectTimeout,
                    format!("could not connect within {shown}"),
                ))
            })?;
        if !self.endpoint.is_https() {
            return handshake(tcp).await;
        }
        let connector = self
            .client
            .tls_connector()
            .map_err(|e| Failure::new(FailureKind::Tls, e))?;
        let name = ServerName::try_from(self.endpoint.host.clone())
            .map_err(|e| Failure::new(FailureKind::Tls, e.to_string()))?;
        let kind = if self.client.options.insecure {
            FailureKind::TlsUnchecked
        } else {
            FailureKind::Tls
        };
        let tls = tokio::time::timeout_at(deadline, connector.connect(name, tcp))
            .await
            .map_err(|_| {
                Failure::new(
                    FailureKind::TlsTimeout,
                    format!("connected, but the TLS handshake got no answer within {shown}"),
                )
            })?
            .map_err(|e| Failure::new(kind, tls_detail(&e)))?;
        handshake(tls).await
    }
}

/// The same request again: its parts and body are cheap to clone.
fn copy_of(request: &Request<Full<Bytes>>) -> Request<Full<Bytes>> {
    let mut copy = Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    copy
}

async fn connect_tcp(endpoint: &Endpoint) -> Result<TcpStream, Failure> {
    let addresses: Vec<SocketAddr> =
        tokio::net::lookup_host((endpoint.host.as_str(), endpoint.port))
            .await
            .map_err(|e| {
                Failure::new(
                    FailureKind::Dns,
                    format!("cannot resolve {}: {e}", endpoint.host),
                )
            })?
            .collect();
    let mut last = Failure::new(
        FailureKind::Dns,
        format!("{} has no address", endpoint.host),
    );
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => {
                // Small requests must not wait for Nagle's algorithm.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                last = Failure::new(FailureKind::Refused, "connection refused");
            }
            Err(e) => last = Failure::new(FailureKind::Connect, e.to_string()),
        }
    }
    Err(last)
}

async fn handshake<T>(io: T) -> Result<(SendRequest<Full<Bytes>>, Opening), Failure>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let (io, opening) = Recording::new(io);
    let (sender, connection) = http1::Builder::new()
        .title_case_headers(true)
        .handshake(TokioIo::new(io))
        .await
        .map_err(|e| classify(&e, &opening))?;
    // Ends when the connection closes or the sender is dropped.
    tokio::spawn(connection);
    Ok((sender, opening))
}

/// Reads a body to its end or to [`BODY_READ_LIMIT`], keeping the first
/// [`BODY_KEEP`] bytes: the kept bytes, how many were read, and whether that
/// was the whole body (when not, the connection cannot be used again).
async fn read_body(
    mut body: hyper::body::Incoming,
    opening: &Opening,
) -> Result<(Bytes, u64, bool), Failure> {
    let mut kept = BytesMut::new();
    let mut len = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| classify(&e, opening))?;
        if let Ok(data) = frame.into_data() {
            len += data.len() as u64;
            let room = BODY_KEEP.saturating_sub(kept.len());
            kept.extend_from_slice(&data[..data.len().min(room)]);
            if len >= BODY_READ_LIMIT {
                return Ok((kept.freeze(), len, false));
            }
        }
    }
    Ok((kept.freeze(), len, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn any_text_parses_as_an_endpoint_or_fails_cleanly(text in "\\PC{0,60}") {
            if let Ok(endpoint) = Endpoint::parse(&text) {
                let _ = endpoint.with_query(&[("hub.mode", "subscribe")]).unwrap();
                proptest::prop_assert!(endpoint.target.starts_with('/'));
            }
        }

        #[test]
        fn endpoints_keep_their_parts(
            https in proptest::prelude::any::<bool>(),
            host in "[a-z][a-z0-9-]{0,20}(\\.[a-z]{2,6})?|127\\.0\\.0\\.1|\\[::1\\]",
            port in proptest::option::of(1u16..),
            // Dot segments aside: a URL drops or folds them (`/a/../b` is `/b`).
            path in "(/([a-zA-Z0-9_~-][a-zA-Z0-9._~-]{0,7})?){0,3}",
            query in proptest::option::of("[a-z0-9=&]{0,12}"),
            pairs in proptest::collection::vec(("\\PC{0,6}", "\\PC{0,6}"), 0..3),
        ) {
            let scheme = if https { "https" } else { "http" };
            let port_text = port.map(|p| format!(":{p}")).unwrap_or_default();
            let query_text = query.as_ref().map(|q| format!("?{q}")).unwrap_or_default();
            let text = format!("{scheme}://{host}{port_text}{path}{query_text}");
            let endpoint = Endpoint::parse(&text).unwrap();
            let default = if https { 443 } else { 80 };
            let port = match port {
                Some(p) if p != default => Some(p),
                _ => None,
            };
            proptest::prop_assert_eq!(endpoint.port, port.unwrap_or(default));
            proptest::prop_assert_eq!(endpoint.host.as_str(), host.trim_matches(['[', ']']));
            let authority = match port {
                Some(p) => format!("{host}:{p}"),
                None => host.clone(),
            };
            proptest::prop_assert_eq!(endpoint.authority.to_str().unwrap(), authority.as_str());
            let path = if path.is_empty() { "/" } else { path.as_str() };
            proptest::prop_assert_eq!(&endpoint.target, &format!("{path}{query_text}"));
            let pairs: Vec<(&str, &str)> =
                pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let queried = endpoint.with_query(&pairs).unwrap();
            proptest::prop_assert!(queried.target.starts_with(path));
            proptest::prop_assert_eq!(queried.authority, endpoint.authority);
        }
    }

    #[test]
    fn endpoints_parse_and_keep_their_query() {
        let e = Endpoint::parse("https://example.com/hook?x=1#frag").unwrap();
        assert_eq!(
            (e.host.as_str(), e.port, e.is_https()),
            ("example.com", 443, true)
        );
        assert_eq!(e.target, "/hook?x=1");
        assert_eq!(e.authority, "example.com");
        let e = Endpoint::parse("http://[::1]:9000").unwrap();
        assert_eq!((e.host.as_str(), e.port), ("::1", 9000));
        assert_eq!(e.target, "/");
        assert_eq!(e.authority, "[::1]:9000");
    }

    #[test]
    fn bad_endpoints_are_input_errors() {
        for text in [
            "",
            "example.com/hook",
            "ftp://example.com/",
            "http://",
            "mailto:a@b",
        ] {
            let err = Endpoint::parse(text).unwrap_err();
            assert_eq!(err.kind, crate::error::Kind::Input, "{text}");
        }
    }

    #[test]
    fn query_pairs_are_added_and_encoded() {
        let e = Endpoint::parse("http://h/p?a=1").unwrap();
        let e = e.with_query(&[("hub.verify_token", "a b&c=d")]).unwrap();
        assert_eq!(e.target, "/p?a=1&hub.verify_token=a+b%26c%3Dd");
    }

    #[test]
    fn query_pairs_replace_those_of_the_same_name_and_keep_the_rest_as_written() {
        let e = Endpoint::parse("http://h/p?hub.mode=x&a=1%2b2&hub%2Emode=y&b&hub.mode").unwrap();
        assert_eq!(e.query_has(&["hub.challenge", "hub.mode"]), ["hub.mode"]);
        let e = e.with_query(&[("hub.mode", "subscribe")]).unwrap();
        assert_eq!(e.target, "/p?a=1%2b2&b&hub.mode=subscribe");
        let e = Endpoint::parse("http://h/p?hub.mode=x").unwrap();
        let e = e.with_query(&[("hub.mode", "subscribe")]).unwrap();
        assert_eq!(e.target, "/p?hub.mode=subscribe");
        assert!(e.query_has(&["a"]).is_empty());
        let e = e.without_query(&["hub.mode"]);
        assert_eq!((e.target.as_str(), e.url.as_str()), ("/p", "http://h/p"));
    }

    #[test]
    fn parameters_left_unshown_are_still_sent() {
        let e = Endpoint::parse("http://u:pw@h/p?hub.mode=x&a=1").unwrap();
        assert_eq!(e.shown(), "http://u:****@h/p?hub.mode=x&a=1");
        let e = e.shown_without(&["hub.mode"]);
        assert_eq!(e.shown(), "http://u:****@h/p?a=1");
        assert_eq!(e.target, "/p?hub.mode=x&a=1");
    }

    #[test]
    fn a_url_user_and_password_are_sent_as_basic_auth() {
        let e = Endpoint::parse("http://us%40er:pa55:word@127.0.0.1:9/w").unwrap();
        let r = e.request(Method::POST, HeaderMap::new(), Bytes::new());
        // base64("us@er:pa55:word")
        assert_eq!(
            r.headers()[header::AUTHORIZATION],
            "Basic dXNAZXI6cGE1NTp3b3Jk"
        );
        assert_eq!(r.headers()[header::HOST], "127.0.0.1:9");
        assert_eq!(e.shown(), "http://us%40er:****@127.0.0.1:9/w");
        let mut given = HeaderMap::new();
        given.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer t"));
        let r = e.request(Method::POST, given, Bytes::new());
        assert_eq!(r.headers()[header::AUTHORIZATION], "Bearer t");
        let plain = Endpoint::parse("http://127.0.0.1:9/w").unwrap();
        let r = plain.request(Method::POST, HeaderMap::new(), Bytes::new());
        assert!(!r.headers().contains_key(header::AUTHORIZATION));
        let err = Endpoint::parse("ftp://u:hunter2pass@h/").unwrap_err();
        assert!(!err.message.contains("hunter2"), "{}", err.message);
        let err = Endpoint::parse("http://u:hunter2pass@").unwrap_err();
        assert!(!err.message.contains("hunter2"), "{}", err.message);
    }

    #[test]
    fn requests_are_origin_form_with_host() {
        let e = Endpoint::parse("http://127.0.0.1:8080/webhooks/whatsapp").unwrap();
        let r = e.request(Method::POST, HeaderMap::new(), Bytes::from_static(b"{}"));
        assert_eq!(r.uri(), "/webhooks/whatsapp");
        assert_eq!(r.headers()[header::HOST], "127.0.0.1:8080");
        assert_eq!(r.headers()[header::USER_AGENT], USER_AGENT);
    }
}
