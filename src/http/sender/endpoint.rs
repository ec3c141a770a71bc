//! Where deliveries go: a receiver URL parsed and checked once, and the
//! requests made for it (origin-form target, `Host`, the URL's user and
//! password as `Authorization: Basic`).

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request};
use reqwest::Url;

use crate::contract::redact;
use crate::error::{Error, Result};
use crate::http::client::USER_AGENT;

/// Where deliveries go: an `http` or `https` URL, checked once.
#[derive(Debug, Clone)]
pub struct Endpoint {
    url: Url,
    pub(super) host: String,
    pub(super) port: u16,
    authority: HeaderValue,
    target: String,
    /// `Authorization: Basic …` from the URL's user and password, as curl sends it.
    basic: Option<HeaderValue>,
    /// Query parameters [`Endpoint::shown`] leaves out; requests carry them.
    unshown: &'static [&'static str],
    /// What [`Endpoint::shown`] hides wherever it stands in the URL: the
    /// secrets of the command (a `?key=SECRET` someone put in the URL).
    hidden: std::sync::Arc<redact::Redactor>,
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
            hidden: std::sync::Arc::default(),
        })
    }

    /// The URL, with its password if it has one: for sending, never for showing.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// What an answer must never show of the URL's credentials: its password
    /// as written and decoded, and the `Authorization: Basic` token made of
    /// them (a receiver may echo the request's headers).
    pub fn credentials(&self) -> Vec<Vec<u8>> {
        let mut hidden = Vec::new();
        if let Some(password) = self.url.password() {
            hidden.push(password.as_bytes().to_vec());
            hidden.push(percent_encoding::percent_decode_str(password).collect());
        }
        if let Some(token) = self
            .basic
            .as_ref()
            .and_then(|b| b.as_bytes().strip_prefix(b"Basic "))
        {
            hidden.push(token.to_vec());
        }
        hidden
    }

    /// The URL as shown to a person: a password in it is `****`, and the
    /// parameters given to [`Endpoint::shown_without`] are left out.
    pub fn shown(&self) -> String {
        let shown = redact::url(&self.without_query(self.unshown).url);
        self.hidden.text(&shown).into_owned()
    }

    /// The URL's path as shown to a person: its secrets hidden.
    pub fn shown_path(&self) -> String {
        self.hidden.text(self.url.path()).into_owned()
    }

    /// `text` about this endpoint (a request line that quotes its query) with
    /// what [`Endpoint::shown`] hides hidden.
    pub fn hide(&self, text: &str) -> String {
        self.hidden.text(text).into_owned()
    }

    /// The same endpoint, shown with `secrets`' runs hidden (as answers are).
    pub fn hiding(mut self, secrets: redact::Redactor) -> Endpoint {
        self.hidden = std::sync::Arc::new(secrets);
        self
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
        let mut endpoint = Endpoint::from_url(url)?;
        endpoint.hidden = self.hidden.clone();
        Ok(endpoint)
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
