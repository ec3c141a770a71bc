//! What `listen` prints after its first line: the secret, a `send-test` line
//! that works as pasted, and the warnings its flags call for (an address other
//! machines reach, forwarding back to itself).

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use colored::Colorize;

use super::{FORWARD_SECRET_ENV, Origin};
use crate::cli::ListenArgs;
use crate::contract::profile::Profile;
use crate::http::server;
use crate::input::secret::{self, Source};
use crate::output;
use crate::platform::handshake::TokenKind;

/// Everything after the first line: the secret, how to send a test event, and
/// warnings about the flags.
pub(super) fn banner(
    args: &ListenArgs,
    profile: Profile,
    config: &server::Config,
    addr: SocketAddr,
    origin: &Origin,
    asked_connections: usize,
) {
    let to = format!("http://{}{}", reachable(addr), config.path);
    // Every flag the line needs to work as pasted: the profile when it is not
    // the default, the header when it is not the profile's.
    let mut send_test = String::from("wm-hooks send-test");
    if profile != Profile::default() {
        let _ = write!(send_test, " --profile {profile}");
    }
    if config.signature_header.as_str() != profile.signature_header().to_ascii_lowercase() {
        let _ = write!(
            send_test,
            " --signature-header {}",
            shell_word(&crate::http::title_case(&config.signature_header))
        );
    }
    if let (Source::File, Some(path)) = (&config.secret.source, &args.receiver.secret.secret_file) {
        let _ = write!(
            send_test,
            " --secret-file {}",
            shell_word(&path.display().to_string())
        );
    }
    let _ = write!(send_test, " --to {}", shell_word(&to));
    if let Origin::Generated(saved) = origin {
        // Printed in full once, like `stripe listen` does: a sender that is not
        // wm-hooks on this machine has no other way to get it, so -q keeps it.
        let secret = config.secret.to_text().unwrap_or_default();
        match saved {
            Some(path) => output::eprintln(format_args!(
                "{} generated and saved in {} (wm-hooks on this machine uses it); for other senders:",
                "Webhook secret".bold(),
                path.display()
            )),
            None => output::eprintln(format_args!(
                "{} generated for this session; in the sender's shell:",
                "Webhook secret".bold()
            )),
        }
        output::eprintln(format_args!("export {}={secret}", secret::ENV));
        output::note(format_args!("Send a signed test event: {send_test}"));
    } else if let Origin::Saved(path) = origin {
        output::note(format_args!(
            "{}: {} (the one saved in {}; --new-secret makes a fresh one)",
            "Webhook secret".bold(),
            config.secret.masked(),
            path.display()
        ));
        output::note(format_args!(
            "Send a signed test event (with the same secret): {send_test}"
        ));
    } else {
        output::note(format_args!(
            "{}: {} (from {})",
            "Webhook secret".bold(),
            config.secret.masked(),
            match config.secret.source {
                Source::Flag => "--secret",
                Source::File => "--secret-file",
                Source::Env => secret::ENV,
                Source::Prompt => "the prompt",
                Source::Generated => "generated",
                Source::Saved => "the saved secret",
            }
        ));
        output::note(format_args!(
            "Send a signed test event (with the same secret): {send_test}"
        ));
    }
    if args.new_secret && matches!(origin, Origin::Given) {
        // Only the variable can get here: clap refuses --new-secret with a flag.
        output::warn(format_args!(
            "--new-secret: {} is set and wins; nothing was generated",
            secret::ENV
        ));
    }
    crate::commands::warn_if_on_command_line(&config.secret);
    if config.verify_token.source == Source::Flag
        && args.receiver.verify_token.verify_token.is_some()
    {
        crate::commands::warn_visible(
            "--verify-token",
            &format!(
                "{} or --verify-token-file",
                crate::commands::VERIFY_TOKEN_ENV
            ),
        );
    }
    if let Some(warning) = exposure(addr.ip()) {
        output::warn(warning);
    }
    if let Some(forward) = &config.forward {
        if forward.secret.source == Source::Flag {
            crate::commands::warn_visible(
                "--forward-secret",
                &format!("{FORWARD_SECRET_ENV} or --forward-secret-file"),
            );
        }
        let signed = if forward.secret == config.secret {
            "the same secret"
        } else {
            "the forwarding secret"
        };
        output::note(format_args!(
            "Forwarding valid POSTs to {} (signed with {signed}); senders get its status",
            shown_url(&forward.url)
        ));
        if forward.url.port_or_known_default() == Some(addr.port())
            && forward_host_is_here(&forward.url, addr.ip())
        {
            output::warn("--forward-to points at this listener itself: every POST would loop");
        }
    }
    match (config.respond_status, config.respond_delay) {
        (None, None) => {}
        (status, delay) => output::note(format_args!(
            "Answering valid POSTs with {}{}",
            status.map_or("the usual status".to_string(), |s| s.as_u16().to_string()),
            delay.map_or(String::new(), |d| format!(
                " after {}",
                humantime::format_duration(d)
            )),
        )),
    }
    if config.max_connections < asked_connections {
        output::warn(format_args!(
            "serving at most {} connections at once: the open file limit allows no more",
            config.max_connections
        ));
    }
    let token = token_kind(config).shown();
    output::note(format_args!(
        "Handshake: GET {to}?hub.mode=subscribe&hub.challenge=…&hub.verify_token={token}"
    ));
    output::note("Press Ctrl-C to stop.");
}

/// What the handshake's token is, as the banner and the blocks name it: by
/// value, not by where it came from as in verify's reports, since the sender
/// needs what to send, and a verify token equal to the secret is the secret.
pub(super) fn token_kind(config: &server::Config) -> TokenKind {
    if config.verify_token == config.secret {
        TokenKind::Secret
    } else {
        TokenKind::VerifyToken
    }
}

/// The warning for an address other machines can reach.
pub(in crate::commands) fn exposure(ip: IpAddr) -> Option<String> {
    let whom = if ip.is_unspecified() {
        "every network interface"
    } else {
        "a network interface"
    };
    (!ip.is_loopback()).then(|| {
        format!("listening on {ip}, {whom}: other machines that can reach this one can send to it")
    })
}

/// Where a sender on this machine reaches the listener: an unspecified bind
/// address (0.0.0.0, ::) is reached through loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), addr.port())
        }
        _ => addr,
    }
}

fn forward_host_is_here(url: &reqwest::Url, ip: IpAddr) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.parse::<IpAddr>()
        .is_ok_and(|target| target == ip || target.is_loopback() || ip.is_unspecified())
}

/// A URL for display: a password in it is masked, the rest escaped.
pub(super) fn shown_url(url: &reqwest::Url) -> String {
    output::escape(&crate::contract::redact::url(url)).into_owned()
}

/// Quotes a word for a POSIX shell when it needs quoting.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn unspecified_addresses_are_reached_through_loopback() {
        let any = SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), 9);
        assert_eq!(reachable(any).to_string(), "127.0.0.1:9");
        let any6 = SocketAddr::new(Ipv6Addr::UNSPECIFIED.into(), 9);
        assert_eq!(reachable(any6).to_string(), "[::1]:9");
    }

    #[test]
    fn only_loopback_is_quiet() {
        assert_eq!(exposure(Ipv4Addr::LOCALHOST.into()), None);
        assert_eq!(exposure(Ipv6Addr::LOCALHOST.into()), None);
        assert_eq!(exposure("127.0.0.2".parse().unwrap()), None);
        let all = exposure(Ipv4Addr::UNSPECIFIED.into()).unwrap();
        assert!(all.contains("0.0.0.0, every network interface"), "{all}");
        assert!(exposure("192.168.1.5".parse().unwrap()).is_some());
        assert!(exposure(Ipv6Addr::UNSPECIFIED.into()).is_some());
    }

    #[test]
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(
            shell_word("http://127.0.0.1:8080/a"),
            "http://127.0.0.1:8080/a"
        );
        assert_eq!(shell_word("/tmp/my secret"), "'/tmp/my secret'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn urls_are_shown_without_passwords() {
        let url = reqwest::Url::parse("http://me:hunter2@127.0.0.1:3000/x").unwrap();
        assert_eq!(shown_url(&url), "http://me:****@127.0.0.1:3000/x");
        let here = IpAddr::V4(Ipv4Addr::LOCALHOST);
        assert!(forward_host_is_here(&url, here));
        let away = reqwest::Url::parse("http://10.1.2.3:3000/").unwrap();
        assert!(!forward_host_is_here(&away, here));
    }
}
