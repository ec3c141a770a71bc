//! `deliver`'s live status line (delivered and its rate, the store's pending,
//! retrying and dead counts), through a real pseudo-terminal: it appears with
//! the counts the store holds on a terminal, and is never drawn with `--json`
//! or when stderr, where it would go, is not a terminal.

use std::time::Duration;

use rexpect::process::WaitStatus;
use rexpect::reader::Options;
use rexpect::session::{PtySession, spawn_with_options};

use crate::util::listen::{Listener, SECRET};
use crate::util::server::{Recorded, Reply, TestServer};
use crate::util::store::{TestStore, status_body};
use crate::util::wm_hooks_std;

/// What the line shows once everything below is settled (the separators
/// are `·`, which the session reads as two Latin-1 characters).
const SETTLED: &str = r"delivered 3 \(\d+/s\) \S+ pending 1 \S+ retrying 1 \S+ dead 1";

/// A store of five entries and an app for them: three delivered, one answered
/// 500 (then retrying, in an hour), one that no route takes (dead).
fn store_and_app() -> (TestStore, TestServer) {
    let store = TestStore::sqlite();
    let mut bodies: Vec<Vec<u8>> = (0..4).map(status_body).collect();
    bodies.push(br#"{"event":"template.status","data":{"template_name":"t"}}"#.to_vec());
    store.append(&bodies);
    let failing = status_body(3);
    let app = TestServer::start(move |req: &Recorded, _| {
        Reply::status(if req.body == failing { 500 } else { 200 })
    });
    (store, app)
}

fn args(store: &TestStore, app: &TestServer) -> Vec<String> {
    [
        "deliver",
        "--from",
        &store.url,
        "--to",
        &format!("message.status={}", app.url("/")),
        "--retry-schedule",
        "1h",
    ]
    .map(String::from)
    .to_vec()
}

/// `deliver` with stdin, stdout and stderr on one pseudo-terminal.
fn on_a_terminal(args: &[String]) -> PtySession {
    let mut cmd = wm_hooks_std();
    cmd.args(["--color", "never"])
        .args(args)
        .env("WM_HOOKS_SECRET", SECRET)
        .env("TERM", "xterm");
    let options = Options::new()
        .timeout_ms(Some(60_000))
        .strip_ansi_escape_codes(true);
    spawn_with_options(cmd, options).expect("the binary starts in a pty")
}

/// Ctrl-C, as a person stops it; everything shown until it exits 0.
fn interrupt(mut session: PtySession) -> String {
    session.send_control('c').unwrap();
    let rest = session.exp_eof().expect("deliver ends");
    match session.process().wait() {
        Ok(WaitStatus::Exited(_, 0)) => rest,
        other => panic!("unexpected end: {other:?}\n{rest}"),
    }
}

#[test]
fn on_a_terminal_the_status_line_shows_the_counts() {
    let (store, app) = store_and_app();
    let mut session = on_a_terminal(&args(&store, &app));
    session.exp_string("Delivering from").unwrap();
    // Redrawn every half second: it shows the settled counts once the store has them.
    session
        .exp_regex(SETTLED)
        .unwrap_or_else(|e| panic!("{e}; the store: {}", store.stats()));
    let rest = interrupt(session);
    assert!(
        rest.contains(
            "Stopped after 4 attempts: 3 delivered, 1 retry scheduled, 0 dead; \
             1 event no route takes, dead-lettered"
        ),
        "{rest}"
    );
}

#[test]
fn with_json_on_a_terminal_no_status_line_is_drawn() {
    let (store, app) = store_and_app();
    let mut args = args(&store, &app);
    args.push("--json".into());
    let mut session = on_a_terminal(&args);
    let mut shown = String::new();
    for _ in 0..5 {
        let (before, line) = session.exp_regex(r#"\{"type":"attempt"[^\n]*\n"#).unwrap();
        shown += &(before + &line);
    }
    store.wait_stats(|s| s["dead"] == 1 && s["retrying"] == 1);
    // Long enough for a few redraws, were there a line to draw.
    std::thread::sleep(Duration::from_millis(1200));
    shown += &interrupt(session);
    assert!(shown.contains("Stopped after 4 attempts"), "{shown}");
    assert!(!shows_a_status_line(&shown), "{shown}");
}

#[test]
fn when_stderr_is_not_a_terminal_no_status_line_is_drawn() {
    let (store, app) = store_and_app();
    let args = args(&store, &app);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let running = Listener::run(&args, &[("WM_HOOKS_SECRET", SECRET)]);
    store.wait_stats(|s| s["delivered"] == 3 && s["dead"] == 1 && s["retrying"] == 1);
    std::thread::sleep(Duration::from_millis(1200));
    let stopped = running.stop();
    assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
    assert!(
        stopped
            .stderr
            .contains("3 delivered, 1 retry scheduled, 0 dead; 1 event no route takes"),
        "{}",
        stopped.stderr
    );
    assert!(!shows_a_status_line(&stopped.stderr), "{}", stopped.stderr);
}

/// Whether any part of the status line (`pending N`) is in `text`.
fn shows_a_status_line(text: &str) -> bool {
    text.contains("pending ") || text.contains("/s)")
}
