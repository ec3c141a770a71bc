//! `wm-hooks configure` on a terminal: the real binary in a pseudo-terminal,
//! asking for each missing value, hiding a typed key and secret, unchecking
//! events, declining, and Ctrl-C restoring the terminal; never the key or the
//! secret on the screen.

use std::time::Duration;

use rexpect::process::WaitStatus;
use rexpect::reader::Options;
use rexpect::session::{PtySession, spawn_with_options};

use crate::configure::{ALL_EVENTS, HOOK, KEY, SAVED, SECRET, assert_body};
use crate::util::server::{Reply, TestServer, scripted};
use crate::util::wm_hooks_std;

/// The real binary in a pseudo-terminal, so that stdin and stderr are a
/// terminal and dialoguer draws its prompts; escape codes are stripped and
/// everything shown is kept, to check what never appears.
struct Terminal {
    session: PtySession,
    seen: String,
}

impl Terminal {
    fn start(api_url: &str, args: &[&str], env: &[(&str, &str)]) -> Terminal {
        Terminal::spawn(api_url, args, env, true)
    }

    /// Like [`Terminal::start`], escape codes kept (to see the cursor's state).
    fn start_raw(api_url: &str, args: &[&str], env: &[(&str, &str)]) -> Terminal {
        Terminal::spawn(api_url, args, env, false)
    }

    fn spawn(api_url: &str, args: &[&str], env: &[(&str, &str)], strip: bool) -> Terminal {
        let mut cmd = wm_hooks_std();
        cmd.args(["--color", "never", "configure", "--api-url", api_url])
            .args(args)
            .env("TERM", "xterm")
            .env("WM_HOOKS_RETRY_BASE", "1ms");
        for (name, value) in env {
            cmd.env(name, value);
        }
        let options = Options::new()
            .timeout_ms(Some(60_000))
            .strip_ansi_escape_codes(strip);
        let session = spawn_with_options(cmd, options).expect("the binary starts in a pty");
        Terminal {
            session,
            seen: String::new(),
        }
    }

    /// Waits for `text`. The session reads bytes as Latin-1, so `text` is ASCII.
    fn expect(&mut self, text: &str) {
        match self.session.exp_string(text) {
            Ok(before) => self.seen += &(before + text),
            Err(err) => panic!("{err}; shown so far:\n{}", self.seen),
        }
    }

    /// Keys go out at once: the session's writer holds text until a newline.
    fn press(&mut self, keys: &str) {
        self.session.send(keys).unwrap();
        self.session.flush().unwrap();
    }

    /// Hidden input is read after the terminal is flushed (TCSAFLUSH), so a
    /// line typed before the prompt settles would be lost: give it a moment.
    fn type_hidden(&mut self, text: &str) {
        std::thread::sleep(Duration::from_millis(500));
        self.session.send_line(text).unwrap();
    }

    /// Reads to the end; the exit code and everything shown.
    fn finish(mut self) -> (i32, String) {
        self.seen += &self.session.exp_eof().expect("the binary ends");
        match self.session.process().wait() {
            Ok(WaitStatus::Exited(_, code)) => (code, self.seen),
            other => panic!("unexpected end: {other:?}\n{}", self.seen),
        }
    }

    /// Types `yes` and Enter at the confirmation (the whole word: only Enter
    /// answers); everything shown, after exit 0.
    fn confirm(mut self) -> String {
        self.expect("Register this webhook? [y/N]");
        self.press("yes\r");
        let (code, seen) = self.finish();
        assert_eq!(code, 0, "{seen}");
        seen
    }
}

#[test]
fn on_a_terminal_it_asks_for_each_missing_value_then_confirms() {
    let api = TestServer::start(scripted([Reply::json(200, SAVED)]));
    let mut t = Terminal::start(&api.url(""), &[], &[("WM_HOOKS_API_KEY", KEY)]);
    t.expect("Webhook URL");
    t.session
        .send_line("http://hooks.example.com/webhooks/whatsapp")
        .unwrap();
    t.expect("must start with https://");
    t.session.send_line(HOOK).unwrap();
    t.expect("Webhook secret");
    t.expect("generate a new one");
    t.press("\r");
    t.expect("Events (space toggles, enter accepts)");
    t.expect("template.status");
    t.press("\r");
    t.expect("About to register:");
    t.expect("a new one, shown in full once it is saved");
    let seen = t.confirm();

    let requests = api.requests();
    assert_eq!(requests.len(), 1);
    let sent: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(sent["url"], HOOK);
    assert_eq!(sent["events"].to_string(), ALL_EVENTS);
    let secret = sent["secret"].as_str().unwrap();
    assert!(seen.contains(&format!("secret: {secret}")), "{seen}");
    assert!(seen.contains("webhook registered"), "{seen}");
    assert!(!seen.contains(KEY));
}

#[test]
fn on_a_terminal_a_typed_secret_and_key_are_hidden_and_events_can_be_unchecked() {
    let api = TestServer::start(scripted([Reply::status(200)]));
    let mut t = Terminal::start(&api.url(""), &["--url", HOOK], &[]);
    t.expect("Webhook secret");
    t.expect("type one");
    t.press("\x1b[B"); // arrow down to "type one"
    t.press("\r");
    t.expect("Secret");
    t.type_hidden(SECRET);
    t.expect("Repeat the secret");
    t.type_hidden(SECRET);
    t.expect("Events");
    t.expect("template.status");
    t.press(" "); // uncheck the first, message.received
    t.press("\r");
    t.expect("StartMessaging API key");
    t.type_hidden(KEY);
    t.expect("About to register:");
    t.expect("1a5c (typed)");
    let seen = t.confirm();

    let requests = api.requests();
    assert_eq!(requests.len(), 1);
    assert_body(&requests[0], r#"["message.status","template.status"]"#);
    let bearer = format!("Bearer {KEY}");
    assert_eq!(requests[0].header("authorization"), Some(bearer.as_str()));
    assert!(!seen.contains(SECRET), "{seen}");
    assert!(!seen.contains(KEY), "{seen}");
    assert!(
        seen.contains("the typed secret is kept nowhere: give it to the next commands as WM_HOOKS_SECRET or --secret-file FILE"),
        "{seen}"
    );
}

#[test]
fn on_a_terminal_unchecking_every_event_asks_again() {
    let api = TestServer::start(scripted([Reply::status(200)]));
    let env = [("WM_HOOKS_API_KEY", KEY), ("WM_HOOKS_SECRET", SECRET)];
    let mut t = Terminal::start(&api.url(""), &["--url", HOOK], &env);
    t.expect("template.status");
    // Uncheck all three: space, down, space, down, space; then Enter.
    t.press(" \x1b[B \x1b[B \r");
    t.expect("no event selected: check at least one with the space bar");
    t.expect("template.status");
    t.press("\r"); // all three checked again by default
    let seen = t.confirm();
    assert!(seen.contains("webhook registered"), "{seen}");
    assert_body(&api.requests()[0], ALL_EVENTS);
}

#[test]
fn on_a_terminal_declining_sends_nothing_and_yes_skips_the_question() {
    let api = TestServer::start(scripted([Reply::status(200)]));
    let env = [("WM_HOOKS_API_KEY", KEY), ("WM_HOOKS_SECRET", SECRET)];
    let args = ["--url", HOOK, "--events", "message.status"];
    let mut t = Terminal::start(&api.url(""), &args, &env);
    t.expect("Register this webhook? [y/N]");
    t.press("\r"); // Enter alone takes the default: no
    let (code, seen) = t.finish();
    assert_eq!(code, 1, "{seen}");
    assert!(
        seen.contains("cancelled: nothing was sent (exit 1)"),
        "{seen}"
    );
    assert!(api.requests().is_empty());

    let mut t = Terminal::start(&api.url(""), &args, &env);
    t.expect("Register this webhook? [y/N]");
    t.press("no\r");
    let (code, seen) = t.finish();
    assert_eq!(code, 1, "{seen}");
    assert!(api.requests().is_empty());

    let (code, seen) =
        Terminal::start(&api.url(""), &[&args[..], &["--yes"]].concat(), &env).finish();
    assert_eq!(code, 0, "{seen}");
    assert!(!seen.contains("Register this webhook?"), "{seen}");
    assert_eq!(api.requests().len(), 1);
}

#[test]
fn on_a_terminal_ctrl_c_restores_the_terminal_exits_130_and_sends_nothing() {
    let api = TestServer::start(scripted([Reply::status(200)]));
    let env = [("WM_HOOKS_API_KEY", KEY)];
    // At a list (which hides the cursor) and at a hidden entry (echo off).
    for keys in [&[][..], &["\x1b[B", "\r"][..]] {
        let mut t = Terminal::start_raw(&api.url(""), &["--url", HOOK], &env);
        t.expect("generate a new one");
        for key in keys {
            t.press(key);
        }
        if !keys.is_empty() {
            t.expect("Secret");
        }
        t.press("\x03");
        let (code, seen) = t.finish();
        assert_eq!(code, 130, "{seen:?}");
        let hidden = seen.rfind("\x1b[?25l");
        let shown = seen.rfind("\x1b[?25h");
        assert!(shown > hidden, "the cursor is shown again: {seen:?}");
    }
    assert!(api.requests().is_empty());
}
