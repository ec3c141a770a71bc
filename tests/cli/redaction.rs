//! What an endpoint echoes of the secret never reaches the output: a receiver
//! that quotes the request it got (`hub.verify_token` and all), whole, cut or
//! JSON-escaped, or names the secret it expected, is shown with `****` in its
//! place by `verify`, `check` (card, `--json`, `--junit`) and `send-test`,
//! and in the `-v` exchange dumps.

use crate::util::server::{Recorded, Reply, TestServer};
use crate::util::{Ended, wm_hooks};

const SECRET: &str = "whsec_QWERTYUIOPASDFGHJKLZXCVBNM9876";
/// A verify token with characters that JSON and query strings escape.
const TOKEN: &str = "vt_Zé/ünïcode+token 42";
const PATH: &str = "/webhooks/whatsapp";

/// Fails when any 8 consecutive characters of `secret` (all of it when
/// shorter) are in `shown`, plainly or percent-encoded; and unless `****` is.
pub fn assert_hidden(shown: &str, secret: &str) {
    let chars: Vec<char> = secret.chars().collect();
    for piece in chars.windows(8.min(chars.len())) {
        let piece: String = piece.iter().collect();
        let encoded =
            percent_encoding::utf8_percent_encode(&piece, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        for form in [piece, encoded] {
            assert!(!shown.contains(&form), "{form:?} is shown:\n{shown}");
        }
    }
    assert!(shown.contains("****"), "no mask in:\n{shown}");
}

/// Runs `cmd`, which must exit 1 (the endpoint answered wrongly), and gives
/// its stdout and stderr.
fn failing(cmd: &mut assert_cmd::Command) -> String {
    let out = Ended::run(cmd).exited(1);
    format!("{}{}", out.stdout, out.stderr)
}

/// The ways a receiver echoes what it got: the raw request target, the
/// decoded token JSON-escaped to ASCII (as Python's json.dumps and PHP's
/// json_encode write it), its start, and all of it but the last 3 characters.
fn echo(how: usize) -> impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static {
    move |req, _| {
        let token = req.query("hub.verify_token").unwrap_or_default();
        let chars: Vec<char> = token.chars().collect();
        let body = match how {
            0 => format!("you sent {}", req.target),
            1 => {
                let escaped: String = token
                    .chars()
                    .map(|c| match c {
                        '/' => "\\/".to_string(),
                        c if c.is_ascii() => c.to_string(),
                        c => format!("\\u{:04x}", c as u32),
                    })
                    .collect();
                format!("{{\"token\":\"{escaped}\"}}")
            }
            2 => format!(
                "token was {}",
                chars[..10.min(chars.len())].iter().collect::<String>()
            ),
            _ => format!(
                "got {}",
                chars[..chars.len().saturating_sub(3)]
                    .iter()
                    .collect::<String>()
            ),
        };
        Reply::new(403, body).header("x-echo", format!("you sent {}", req.target))
    }
}

#[test]
fn verify_never_shows_an_echoed_secret() {
    for how in 0..4 {
        let srv = TestServer::start(echo(how));
        for flags in [&[][..], &["--json"], &["-v"]] {
            let shown = failing(
                wm_hooks()
                    .args(["verify", "--url", &srv.url(PATH)])
                    .args(flags)
                    .env("WM_HOOKS_SECRET", SECRET),
            );
            assert_hidden(&shown, SECRET);
        }
    }
}

#[test]
fn a_verify_token_echoed_escaped_is_hidden_too() {
    for how in 0..4 {
        let srv = TestServer::start(echo(how));
        let shown = failing(
            wm_hooks()
                .args(["verify", "--url", &srv.url(PATH), "-v"])
                .env("WM_HOOKS_VERIFY_TOKEN", TOKEN),
        );
        assert_hidden(&shown, TOKEN);
        let sent = srv.requests()[0].query("hub.verify_token");
        assert_eq!(
            sent.as_deref(),
            Some(TOKEN),
            "the token itself is sent unchanged"
        );
    }
}

#[test]
fn check_never_shows_an_echoed_secret_in_any_format() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("report.xml");
    for how in [0, 2, 3] {
        let srv = TestServer::start(echo(how));
        for flags in [&["--json"][..], &["-v"], &[]] {
            let shown = failing(
                wm_hooks()
                    .args(["check", "--url", &srv.url(PATH), "--only", "handshake"])
                    .arg("--junit")
                    .arg(&junit)
                    .args(flags)
                    .env("WM_HOOKS_SECRET", SECRET)
                    .env("WM_HOOKS_VERIFY_TOKEN", TOKEN),
            );
            let xml = std::fs::read_to_string(&junit).unwrap();
            for secret in [SECRET, TOKEN] {
                assert!(!shown.contains(secret), "{shown}");
                assert!(!xml.contains(secret), "{xml}");
            }
            assert_hidden(&shown, TOKEN);
            assert_hidden(&xml, TOKEN);
        }
    }
}

#[test]
fn send_test_never_shows_the_secret_a_receiver_names() {
    let srv = TestServer::start(|_, _| {
        Reply::new(401, format!("signature mismatch; my secret is {SECRET}\n"))
            .header("x-expected", SECRET)
    });
    for flags in [&[][..], &["--json"], &["-v"]] {
        let shown = failing(
            wm_hooks()
                .args(["send-test", "--to", &srv.url(PATH)])
                .args(flags)
                .env("WM_HOOKS_SECRET", SECRET),
        );
        assert_hidden(&shown, SECRET);
    }
}
