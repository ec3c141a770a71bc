//! The one HTTP client setup every outgoing request uses: reqwest over rustls
//! with the ring provider (no system OpenSSL, no C build), certificate checks
//! on, redirects never followed (the platform does not follow them, and an
//! Authorization header must not travel to another host), and a user agent
//! naming this tool. Never prints.

use std::sync::Once;

/// `wm-hooks/VERSION`, sent as the User-Agent.
pub const USER_AGENT: &str = concat!("wm-hooks/", env!("CARGO_PKG_VERSION"));

/// A client builder with this tool's defaults; callers add timeouts and
/// `danger_accept_invalid_certs` where a flag asks for it.
pub fn builder() -> reqwest::ClientBuilder {
    static PROVIDER: Once = Once::new();
    PROVIDER.call_once(|| {
        // Fails only when another provider was installed first, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_client_builds_without_system_tls() {
        super::builder()
            .build()
            .expect("rustls with ring builds a client");
    }
}
