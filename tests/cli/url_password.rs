//! A password in a URL is always shown as `****`: in what `send-test`,
//! `verify`, `check`, `configure --dry-run` and `deliver` print of the URL
//! (every format), and in clap's refusal of a store URL or route that does
//! not parse. The user name and password of a receiver URL are sent as Basic
//! auth, as curl sends them, and the dry run's curl line says the same.

use crate::redaction::assert_hidden;
use crate::util::listen::Listener;
use crate::util::server::{self, TestServer, closed_port};
use crate::util::{stderr_of, stdout_of, wm_hooks};

const SECRET: &str = "whsec_QWERTYUIOPASDFGHJKLZXCVBNM9876";
const PASSWORD: &str = "pa55word-hunter2";
/// base64("user:pa55word-hunter2"), the Basic credentials.
const BASIC: &str = "dXNlcjpwYTU1d29yZC1odW50ZXIy";

/// `http://user:PASSWORD@127.0.0.1:PORT/webhooks/whatsapp` for a server URL.
fn with_password(url: &str) -> String {
    url.replacen("http://", &format!("http://user:{PASSWORD}@"), 1)
}

fn shown(cmd: &mut assert_cmd::Command, code: i32) -> String {
    let out = cmd.assert().code(code).get_output().clone();
    let shown = format!("{}{}", stdout_of(&out), stderr_of(&out));
    assert!(!shown.contains(BASIC), "{shown}");
    assert_hidden(&shown, PASSWORD);
    shown
}

#[test]
fn send_test_shows_the_url_masked_and_sends_its_credentials_as_basic_auth() {
    let srv = TestServer::start(server::correct(SECRET));
    let url = with_password(&srv.url("/webhooks/whatsapp"));
    for flags in [&[][..], &["--json"], &["-v"], &["--dry-run"]] {
        let shown = shown(
            wm_hooks()
                .args(["send-test", "--to", &url])
                .args(flags)
                .env("WM_HOOKS_SECRET", SECRET),
            0,
        );
        assert!(shown.contains("user:****@127.0.0.1"), "{shown}");
        if flags == ["--dry-run"] {
            assert!(shown.contains("Authorization: Basic ****"), "{shown}");
            assert!(
                shown.contains("curl -sS -X POST 'http://user:****@"),
                "{shown}"
            );
            assert!(
                shown.contains("put them back in the curl command"),
                "{shown}"
            );
        }
    }
    let posts = srv.posts();
    assert_eq!(posts.len(), 3, "the dry run sent nothing");
    for post in posts {
        assert_eq!(
            post.header("authorization"),
            Some(&*format!("Basic {BASIC}"))
        );
    }

    // A -H Authorization wins over the URL's, as in curl.
    wm_hooks()
        .args([
            "send-test",
            "--to",
            &url,
            "-H",
            "Authorization: Bearer t0ken",
        ])
        .env("WM_HOOKS_SECRET", SECRET)
        .assert()
        .success();
    let last = srv.posts().pop().unwrap();
    assert_eq!(last.header("authorization"), Some("Bearer t0ken"));
}

/// A receiver that quotes the request's `Authorization` header back (a
/// debug page, a proxy's error): the Basic token is the password in base64,
/// so it is hidden in what the answer shows, as the password itself is.
#[test]
fn an_answer_that_echoes_the_basic_token_shows_it_hidden() {
    let srv = TestServer::start(|request: &server::Recorded, _| {
        let sent = request.header("authorization").unwrap_or_default();
        server::Reply::new(401, format!("denied: Authorization: {sent}"))
    });
    let url = with_password(&srv.url("/webhooks/whatsapp"));
    for flags in [&[][..], &["--json"], &["-v"]] {
        let shown = shown(
            wm_hooks()
                .args(["send-test", "--to", &url])
                .args(flags)
                .env("WM_HOOKS_SECRET", SECRET),
            1,
        );
        assert!(
            shown.contains("denied: Authorization: Basic ****"),
            "{shown}"
        );
    }
}

#[test]
fn an_unreachable_url_is_named_without_its_password() {
    let url = with_password(&format!("http://127.0.0.1:{}/w", closed_port()));
    for command in ["send-test", "verify"] {
        let flag = if command == "verify" { "--url" } else { "--to" };
        let shown = shown(
            wm_hooks()
                .args([command, flag, &url])
                .env("WM_HOOKS_SECRET", SECRET),
            3,
        );
        assert!(
            shown.contains("error: cannot reach http://user:****@"),
            "{shown}"
        );
    }
    let shown = shown(
        wm_hooks().args(["verify", "--url", &format!("ftp://u:{PASSWORD}@h/")]),
        2,
    );
    assert!(shown.contains("ftp://u:****@h/"), "{shown}");
}

#[test]
fn verify_and_check_show_the_url_masked_in_every_format() {
    let srv = TestServer::start(server::correct(SECRET));
    let url = with_password(&srv.url("/webhooks/whatsapp"));
    for flags in [&[][..], &["--json"], &["-v"]] {
        let shown = shown(
            wm_hooks()
                .args(["verify", "--url", &url])
                .args(flags)
                .env("WM_HOOKS_SECRET", SECRET),
            0,
        );
        assert!(shown.contains("user:****@127.0.0.1"), "{shown}");
    }
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("report.xml");
    for flags in [&[][..], &["--json"], &["-v"]] {
        let shown = shown(
            wm_hooks()
                .args(["check", "--url", &url, "--only", "handshake"])
                .arg("--junit")
                .arg(&junit)
                .args(flags)
                .env("WM_HOOKS_SECRET", SECRET),
            0,
        );
        assert!(shown.contains("user:****@127.0.0.1"), "{shown}");
        let xml = std::fs::read_to_string(&junit).unwrap();
        assert_hidden(&xml, PASSWORD);
    }
    let gets = srv.requests();
    assert!(
        gets.iter()
            .all(|r| r.header("authorization") == Some(&*format!("Basic {BASIC}")))
    );
}

#[test]
fn configure_dry_run_masks_both_urls() {
    let api = format!("http://127.0.0.1:{}", closed_port());
    let hook = format!("https://u:{PASSWORD}@example.com/webhooks/whatsapp");
    let configure = |api: &str| {
        let mut cmd = wm_hooks();
        cmd.args(["configure", "--api-url", api, "--url", &hook, "--dry-run"])
            .args(["--events", "message.status"])
            .env("WM_HOOKS_API_KEY", "sk_live_1234567812345678")
            .env("WM_HOOKS_SECRET", SECRET);
        cmd
    };
    let dry_run = shown(&mut configure(&api), 0);
    assert!(
        dry_run.contains(r#""url":"https://u:****@example.com/webhooks/whatsapp""#),
        "{dry_run}"
    );
    // An API URL carries no credentials of its own (the key is the one),
    // and saying so does not show the password either.
    let with_password = api.replace("http://", &format!("http://u:{PASSWORD}@"));
    let refused = shown(&mut configure(&with_password), 2);
    assert!(
        refused.contains("must not carry a user or password"),
        "{refused}"
    );
    assert!(refused.contains("http://****@127.0.0.1:"), "{refused}");
}

#[test]
fn deliver_names_its_routes_without_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    // deliver reads only a store that exists (an empty file is an empty SQLite database).
    std::fs::File::create(&path).unwrap();
    let store = format!("sqlite:{}", path.display());
    let to = format!("message.status=http://user:{PASSWORD}@127.0.0.1:1/x");
    let running = Listener::run(
        &["deliver", "--from", &store, "--to", &to],
        &[("WM_HOOKS_SECRET", SECRET)],
    );
    crate::util::listen::wait_for(
        || running.stderr(),
        |e| e.contains("Press Ctrl-C"),
        "stderr",
    );
    let stopped = running.stop();
    assert_hidden(&stopped.stderr, PASSWORD);
    assert!(
        stopped
            .stderr
            .contains("message.status → http://user:****@127.0.0.1:1/x"),
        "{}",
        stopped.stderr
    );
}

#[test]
fn clap_never_echoes_a_store_url_or_route_with_its_password() {
    let bad = [
        "redis://:pa55word-hunter2@127.0.0.1:abc/0",
        "redis://:pa55word-hunter2@127.0.0.1:1/0?stream=",
        "redis://:pa55word-hunter2@127.0.0.1:1/0?zz=1",
    ];
    for store in bad {
        let shown = shown(wm_hooks().args(["store", "stats", "--store", store]), 2);
        assert!(
            shown.contains("error: invalid value 'redis://****@127.0.0.1:"),
            "{shown}"
        );
        assert!(shown.contains("for '--store <URL>'"), "{shown}");
        // Ends as clap's own value errors do.
        assert!(
            shown
                .trim_end()
                .ends_with("For more information, try '--help'."),
            "{shown}"
        );
        shown_and_masked(wm_hooks().args([
            "deliver",
            "--to",
            "http://127.0.0.1:1/",
            "--from",
            store,
        ]));
        shown_and_masked(wm_hooks().args(["ingest", "--store", store]));
    }
    shown_and_masked(wm_hooks().args(["deliver", "--to", &format!("x y=http://u:{PASSWORD}@h/")]));
    shown_and_masked(wm_hooks().args(["deliver", "--to", &format!("e=ftp://u:{PASSWORD}@h/")]));
}

fn shown_and_masked(cmd: &mut assert_cmd::Command) {
    let shown = shown(cmd, 2);
    assert!(shown.contains("error: invalid value '"), "{shown}");
}

/// A store URL with a password, given by flag, is seen in the process list:
/// warned of as `--secret` is; the same URL from WM_HOOKS_STORE is not.
#[test]
fn a_password_in_a_store_flag_is_warned_of_and_the_environment_is_not() {
    let url = format!("redis://:{PASSWORD}@127.0.0.1:{}/0", closed_port());
    let warning = "warning: a password in --store is visible to other users in the process list; \
                   prefer WM_HOOKS_STORE";
    let flagged = crate::util::Ended::run(wm_hooks().args(["store", "stats", "--store", &url]))
        .exited(3)
        .stderr_has(warning);
    assert_hidden(&flagged.stderr, PASSWORD);
    let from_env = crate::util::Ended::run(
        wm_hooks()
            .args(["store", "stats"])
            .env("WM_HOOKS_STORE", &url),
    )
    .exited(3);
    assert!(!from_env.stderr.contains("warning:"), "{}", from_env.stderr);
    let unsecret = format!("redis://127.0.0.1:{}/0", closed_port());
    let plain = crate::util::Ended::run(wm_hooks().args(["store", "stats", "--store", &unsecret]));
    assert!(!plain.stderr.contains("warning:"), "{}", plain.stderr);
}

/// The secret put in the receiver URL itself (`?key=SECRET`, a path part)
/// is hidden wherever the URL is shown: every format of send-test, check and
/// verify, the dry run's curl line, the JUnit file; and in the request line
/// listen prints for what arrived.
#[test]
fn a_secret_in_the_url_is_hidden_wherever_the_url_is_shown() {
    let srv = TestServer::start(server::correct(SECRET));
    let url = format!("{}?key={SECRET}", srv.url("/webhooks/whatsapp"));
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("report.xml");
    let runs: [(&[&str], i32); 6] = [
        (&["send-test", "--to", &url], 0),
        (&["send-test", "--json", "--to", &url], 0),
        (&["send-test", "--dry-run", "--to", &url], 0),
        (
            &["check", "--junit", junit.to_str().unwrap(), "--url", &url],
            0,
        ),
        (&["check", "--json", "--url", &url], 0),
        (&["verify", "--url", &url], 0),
    ];
    for (args, code) in runs {
        let out = crate::util::Ended::run(wm_hooks().args(args).env("WM_HOOKS_SECRET", SECRET))
            .exited(code);
        let shown = format!("{}{}", out.stdout, out.stderr);
        assert_hidden(&shown, SECRET);
        assert!(shown.contains("?key=****"), "{args:?}: {shown}");
    }
    assert_hidden(&std::fs::read_to_string(&junit).unwrap(), SECRET);

    let listener = Listener::start(&[]);
    let theirs = crate::util::listen::SECRET;
    let elsewhere = listener
        .url
        .replace("/webhooks/whatsapp", &format!("/hooks/{theirs}"));
    crate::util::listen::post_signed(&elsewhere, "{}");
    let out = listener.wait_stdout(|out| out.contains("nothing here"));
    assert_hidden(&out, theirs);
    assert!(out.contains("POST /hooks/****"), "{out}");
}
