//! The two URLs `configure` takes, checked before anything is asked or
//! sent: the webhook's (https, a host, a path, as the platform calls it) and
//! the API's base (https unless on this machine).

use std::net::IpAddr;

use reqwest::Url;

use crate::contract::redact;
use crate::error::{Error, Result};
use crate::output;
use crate::platform::api;

use super::HTTPS_HINT;

/// The webhook URL: absolute, `https://`, with a host. The platform calls
/// nothing else, so anything else would only fail later at "Save & Verify".
pub fn webhook_url(text: &str) -> Result<Url> {
    parse_webhook_url(text).map_err(|problem| {
        let shown = redact::raw_url(&output::escape(text.trim()));
        let hint = match problem {
            UrlProblem::NoScheme => format!("write it in full, e.g. https://{shown}"),
            UrlProblem::Invalid(_) => {
                "write it in full, e.g. https://example.com/webhooks/whatsapp".to_string()
            }
            UrlProblem::NotHttps => HTTPS_HINT.to_string(),
        };
        Error::input(format!("the webhook URL {shown} {problem}")).with_hint(hint)
    })
}

/// A webhook URL without a path is often a tunnel's address alone, whose
/// deliveries `wm-hooks listen` (and most receivers) would answer 404: say
/// so, naming the URL with the path `listen` takes.
pub(super) fn warn_if_no_path(url: &Url) {
    if url.path() != "/" || url.query().is_some() {
        return;
    }
    let listen_path = Url::parse(crate::cli::DEFAULT_ENDPOINT)
        .map(|default| default.path().to_string())
        .unwrap_or_default();
    let mut with_path = url.clone();
    with_path.set_path(&listen_path);
    output::warn(format_args!(
        "the webhook URL {} has no path, so the platform will POST to its root; for a tunnel \
         to `wm-hooks listen`, register {}",
        redact::raw_url(&output::escape(url.as_str())),
        redact::raw_url(&output::escape(with_path.as_str()))
    ));
}

/// Why a webhook URL is refused, short enough for a prompt to show as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum UrlProblem {
    NoScheme,
    Invalid(String),
    NotHttps,
}

impl std::fmt::Display for UrlProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UrlProblem::NoScheme => f.write_str("has no scheme"),
            UrlProblem::Invalid(why) => write!(f, "is not a valid URL ({why})"),
            UrlProblem::NotHttps => f.write_str("must start with https://"),
        }
    }
}

pub(super) fn parse_webhook_url(text: &str) -> Result<Url, UrlProblem> {
    let text = text.trim();
    // `localhost:8080/hook` parses with `localhost` as its scheme: say what is meant.
    if !text.contains("://") {
        return Err(UrlProblem::NoScheme);
    }
    let url = Url::parse(text).map_err(|err| UrlProblem::Invalid(err.to_string()))?;
    if url.scheme() != "https" {
        return Err(UrlProblem::NotHttps);
    }
    Ok(url)
}

/// The API's base URL: `https://`, or plain `http://` for a stand-in on this
/// machine only, so that the key never crosses a network in the clear.
pub fn api_base(text: &str) -> Result<Url> {
    let text = text.trim();
    let shown = redact::raw_url(&output::escape(text));
    let url = Url::parse(text).map_err(|err| {
        Error::input(format!("the API URL {shown} is not a valid URL ({err})")).with_hint(format!(
            "use the API's base URL, e.g. {}",
            api::DEFAULT_BASE
        ))
    })?;
    let allowed = match url.scheme() {
        "https" => true,
        "http" => is_loopback(&url),
        _ => false,
    };
    if !allowed {
        return Err(Error::input(format!("the API URL {shown} must use https://"))
            .with_hint("plain http:// is allowed only for a stand-in on this machine (localhost, 127.0.0.1, [::1]): the API key must not cross a network in the clear"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // The HTTP client would send it as a second Authorization header,
        // beside the API key's.
        return Err(Error::input(format!(
            "the API URL {shown} must not carry a user or password"
        ))
        .with_hint(format!(
            "the API key ({}) is the credential: give only the base, e.g. {}",
            api::KEY_ENV,
            api::DEFAULT_BASE
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::input(format!(
            "the API URL {shown} must not have a query or a fragment"
        ))
        .with_hint(format!("give only the base, e.g. {}", api::DEFAULT_BASE)));
    }
    // The endpoint pasted from the API document would be registered at
    // `/v1/webhooks/v1/webhooks`: name the base it should have been.
    let path = url.path().trim_end_matches('/');
    if let Some(base) = ["/v1/webhooks", "/v1"]
        .iter()
        .find_map(|suffix| path.strip_suffix(suffix))
    {
        let mut fixed = url.clone();
        fixed.set_path(base);
        return Err(Error::input(format!(
            "the API URL {shown} already ends in {}",
            &path[base.len()..]
        ))
        .with_hint(format!(
            "give the API's base, {}: configure adds /v1/webhooks itself",
            redact::raw_url(fixed.as_str().trim_end_matches('/'))
        )));
    }
    Ok(url)
}

pub(super) fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}
