//! `wm-hooks configure` against a scripted stand-in API on 127.0.0.1: the exact
//! request, no request for bad input or `--dry-run`, no prompt without a
//! terminal (the prompts themselves, in a pseudo-terminal, are in
//! `configure_terminal.rs`; every kind of answer, its exit code and retries in
//! `configure_answers.rs`), and never the key or the secret in the output.

use std::process::Output;

use predicates::prelude::*;

use crate::util::server::{Recorded, Reply, TestCert, TestServer, scripted};
use crate::util::{Ended, file_with, stderr_of, stdout_of, wm_hooks};

pub(crate) const KEY: &str = "sk_live_4f8a2c9e1b7d3f6a5678";
pub(crate) const SECRET: &str = "whsec_9c1e4b7a2d8f3e6b1a5c";
pub(crate) const HOOK: &str = "https://hooks.example.com/webhooks/whatsapp";
pub(crate) const ALL_EVENTS: &str = r#"["message.received","message.status","template.status"]"#;
pub(crate) const SAVED: &str = r#"{"url":"https://hooks.example.com/webhooks/whatsapp","events":["message.received","message.status","template.status"],"status":"active"}"#;

/// `configure` with everything given (key and secret through the environment)
/// and retries that wait milliseconds, not seconds.
pub(crate) fn configure(api_url: &str) -> assert_cmd::Command {
    let mut cmd = configure_without_url(api_url);
    cmd.args(["--url", HOOK]);
    cmd
}

pub(crate) fn configure_without_url(api_url: &str) -> assert_cmd::Command {
    let mut cmd = wm_hooks();
    cmd.args(["configure", "--api-url", api_url])
        .env("WM_HOOKS_API_KEY", KEY)
        .env("WM_HOOKS_SECRET", SECRET)
        .env("WM_HOOKS_RETRY_BASE", "1ms");
    cmd
}

/// Neither the key nor the secret may show up anywhere, masked forms aside.
pub(crate) fn assert_no_leak(output: &Output) {
    for text in [stdout_of(output), stderr_of(output)] {
        for value in [KEY, SECRET] {
            assert!(!text.contains(value), "{value:?} leaked in:\n{text}");
        }
    }
}

/// The body must be exactly the documented JSON, field order included.
pub(crate) fn assert_body(request: &Recorded, events: &str) {
    assert_eq!(
        request.body_text(),
        format!(r#"{{"url":"{HOOK}","secret":"{SECRET}","events":{events}}}"#)
    );
}

#[test]
fn sends_the_documented_request_and_reports_what_was_saved() {
    let api = TestServer::start(scripted([Reply::json(200, SAVED)]));
    let out = configure(&api.url(""))
        .assert()
        .success()
        .stdout("")
        .get_output()
        .clone();
    let requests = api.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "PUT");
    assert_eq!(request.target, "/v1/webhooks");
    let bearer = format!("Bearer {KEY}");
    assert_eq!(request.header("authorization"), Some(bearer.as_str()));
    assert_eq!(request.header("content-type"), Some("application/json"));
    let agent = concat!("wm-hooks/", env!("CARGO_PKG_VERSION"));
    assert_eq!(request.header("user-agent"), Some(agent));
    assert_body(request, ALL_EVENTS);

    let err = stderr_of(&out);
    assert!(
        err.contains(&format!("✔ webhook registered: {HOOK}")),
        "{err}"
    );
    assert!(err.contains("events: message.received, message.status, template.status"));
    assert!(err.contains("wm-hooks verify --url"), "{err}");
    assert!(!err.contains("warning"), "{err}");
    assert_no_leak(&out);
}

#[test]
fn events_are_comma_separated_or_repeated_and_kept_in_order() {
    let api = TestServer::start(scripted([Reply::status(204), Reply::status(204)]));
    configure(&api.url(""))
        .args(["--events", "template.status,message.status"])
        .assert()
        .success();
    configure(&api.url(""))
        .args(["--events", "template.status", "--events", "message.status"])
        .args(["--events", "template.status"])
        .assert()
        .success();
    for request in api.requests() {
        assert_body(&request, r#"["template.status","message.status"]"#);
    }
}

#[test]
fn an_unknown_event_is_exit_2_listing_the_valid_ones() {
    let api = TestServer::start(scripted([]));
    configure(&api.url(""))
        .args(["--events", "message.received,message.sent"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'message.sent'"))
        .stderr(predicate::str::contains(
            "[possible values: message.received, message.status, template.status]",
        ));
    assert!(api.requests().is_empty());
}

#[test]
fn json_prints_the_answer_masked_or_else_what_was_saved() {
    let echoed = format!(r#"{{"id":"wh_1","url":"{HOOK}","secret":"{SECRET}","key":"{KEY}"}}"#);
    let cases = [
        (
            Reply::json(200, &echoed),
            serde_json::json!({"id": "wh_1", "url": HOOK, "secret": "****", "key": "****"}),
        ),
        (
            Reply::status(204),
            serde_json::json!({"url": HOOK, "events": ["message.status"]}),
        ),
    ];
    for (reply, want) in cases {
        let api = TestServer::start(scripted([reply]));
        let out = configure(&api.url(""))
            .args(["--json", "--events", "message.status"])
            .assert()
            .success()
            .get_output()
            .clone();
        let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(answer, want);
        // One line, as every --json output is.
        assert_eq!(out.stdout.iter().filter(|&&b| b == b'\n').count(), 1);
        assert_no_leak(&out);
    }
}

#[test]
fn a_generated_secret_is_sent_and_shown_once_even_when_quiet() {
    let api = TestServer::start(scripted([Reply::json(200, SAVED)]));
    let err = Ended::run(
        wm_hooks()
            .args(["-q", "configure", "--generate-secret", "--url", HOOK])
            .args(["--api-url", &api.url("")])
            .env("WM_HOOKS_API_KEY", KEY),
    )
    .exited(0)
    .stderr;
    let requests = api.requests();
    let sent: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    let secret = sent["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 64);
    assert!(secret.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(err.matches(secret).count(), 1, "{err}");
    assert!(err.contains("WM_HOOKS_SECRET"), "{err}");
    assert!(!err.contains("✔"), "-q hides the rest: {err}");
}

#[test]
fn key_and_secret_flags_work_but_warn() {
    let api = TestServer::start(scripted([Reply::status(200)]));
    let out = wm_hooks()
        .args(["configure", "--url", HOOK, "--api-url", &api.url("")])
        .args(["--api-key", KEY, "--secret", SECRET])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: --api-key is visible to other users in the process list",
        ))
        .stderr(predicate::str::contains(
            "warning: --secret is visible to other users in the process list",
        ))
        .get_output()
        .clone();
    assert_no_leak(&out);
    assert_body(&api.requests()[0], ALL_EVENTS);
}

#[test]
fn a_secret_file_works() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, file) = file_with(format!("{SECRET}\n"));
    let chmod = |mode| std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode));
    chmod(0o600).unwrap();
    let api = TestServer::start(scripted([Reply::status(200), Reply::status(200)]));
    let run = || {
        let mut cmd = wm_hooks();
        cmd.args(["configure", "--url", HOOK, "--api-url", &api.url("")])
            .arg("--secret-file")
            .arg(&file)
            .env("WM_HOOKS_API_KEY", KEY);
        cmd
    };
    run()
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
    assert_body(&api.requests()[0], ALL_EVENTS);
    // Readable by other users: used, and said.
    chmod(0o644).unwrap();
    run()
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "warning: {} can be read by other users (mode 0644): `chmod 600 {}`",
            file.display(),
            file.display()
        )));
}

#[test]
fn invalid_input_is_exit_2_and_sends_nothing() {
    let api = TestServer::start(scripted([]));
    let url = api.url("");
    let endpoint = api.url("/v1/webhooks");
    let cases: [(&[&str], &str); 8] = [
        (
            &["--url", "http://hooks.example.com/w", "--api-url", &url],
            "must start with https://",
        ),
        (
            &["--url", "hooks.example.com/w", "--api-url", &url],
            "has no scheme",
        ),
        (
            &["--url", "https://exa mple.com/", "--api-url", &url],
            "is not a valid URL",
        ),
        (
            &["--url", HOOK, "--api-url", "http://api.startmessaging.com"],
            "must use https://",
        ),
        (
            &["--url", HOOK, "--api-url", "ftp://127.0.0.1"],
            "must use https://",
        ),
        (
            &["--url", HOOK, "--api-url", &endpoint],
            "already ends in /v1/webhooks",
        ),
        (
            &["--url", HOOK, "--api-url", &url, "--api-key", "sk live"],
            "has spaces or control",
        ),
        (
            &["--url", HOOK, "--api-url", &url, "--timeout", "0s"],
            "must be longer than zero",
        ),
    ];
    for (args, why) in cases {
        let out = wm_hooks()
            .arg("configure")
            .args(args)
            .env("WM_HOOKS_API_KEY", KEY)
            .env("WM_HOOKS_SECRET", SECRET)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(why))
            .get_output()
            .clone();
        assert_no_leak(&out);
    }
    configure(&url)
        .env("WM_HOOKS_API_KEY", "")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "WM_HOOKS_API_KEY is set but empty",
        ));
    configure(&url)
        .args(["--generate-secret", "--secret", "x"])
        .assert()
        .code(2);
    let (_dir, file) = file_with([0xff, 0xfe, 0x00]);
    configure(&url)
        .arg("--secret-file")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not valid UTF-8"));
    assert!(api.requests().is_empty());
}

#[test]
fn the_http_hint_suggests_a_tunnel() {
    configure_without_url("http://127.0.0.1:1")
        .args(["--url", "http://localhost:8080/webhooks/whatsapp"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("hint: ").and(predicate::str::contains("tunnel")));
}

#[test]
fn dry_run_prints_a_masked_curl_and_sends_nothing() {
    let api = TestServer::start(scripted([]));
    let out = configure(&api.url(""))
        .args(["--dry-run", "--events", "message.status"])
        .assert()
        .success()
        .stderr("dry run: nothing was sent\n")
        .get_output()
        .clone();
    assert_eq!(
        stdout_of(&out),
        format!(
            "curl -X PUT '{}/v1/webhooks' \\\n  -H 'Authorization: Bearer sk_live_…5678' \\\n  \
             -H 'Content-Type: application/json' \\\n  -H 'User-Agent: wm-hooks/{}' \\\n  \
             --data '{{\"url\":\"{HOOK}\",\"secret\":\"whsec_…1a5c\",\"events\":[\"message.status\"]}}'\n",
            api.url(""),
            env!("CARGO_PKG_VERSION"),
        )
    );
    assert!(api.requests().is_empty());
    assert_no_leak(&out);
}

#[test]
fn the_api_url_comes_from_the_environment_too() {
    let api = TestServer::start(scripted([Reply::status(200)]));
    wm_hooks()
        .args(["configure", "--url", HOOK])
        .env("WM_HOOKS_API_URL", format!("{}/", api.url("")))
        .env("WM_HOOKS_API_KEY", KEY)
        .env("WM_HOOKS_SECRET", SECRET)
        .assert()
        .success();
    assert_eq!(api.requests()[0].target, "/v1/webhooks");
}

#[test]
fn without_a_terminal_nothing_is_asked_and_missing_values_are_named() {
    let api = TestServer::start(scripted([]));
    let out = wm_hooks()
        .args(["configure", "--api-url", &api.url("")])
        .write_stdin("")
        .assert()
        .code(2)
        .stdout("")
        .get_output()
        .clone();
    assert_eq!(
        stderr_of(&out),
        "error: missing the webhook URL (--url URL), the webhook secret (WM_HOOKS_SECRET, \
         --secret-file PATH, --generate-secret or --secret), the API key (WM_HOOKS_API_KEY or \
         --api-key)\nhint: configure asks for missing values only when stdin and stderr are a \
         terminal; in CI give them as flags or environment variables\n"
    );
    wm_hooks()
        .args(["configure", "--url", HOOK, "--api-url", &api.url("")])
        .env("WM_HOOKS_SECRET", SECRET)
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: missing the API key (WM_HOOKS_API_KEY or --api-key)\n",
        ));
    assert!(api.requests().is_empty());
}

#[test]
fn verbose_shows_the_request_masked() {
    let api = TestServer::start(scripted([Reply::status(200)]));
    let out = configure(&api.url(""))
        .arg("-v")
        .assert()
        .success()
        .stderr(predicate::str::contains("sending:\ncurl -X PUT"))
        .stderr(predicate::str::contains(
            "Authorization: Bearer sk_live_…5678",
        ))
        .stderr(predicate::str::contains(r#""secret":"whsec_…1a5c""#))
        .stderr(predicate::str::contains("answer: 200"))
        .get_output()
        .clone();
    assert_no_leak(&out);
}

#[test]
fn save_secret_writes_the_generated_secret_0600_and_json_names_the_file() {
    use std::os::unix::fs::PermissionsExt;
    let api = TestServer::start(scripted([Reply::json(200, SAVED), Reply::json(200, SAVED)]));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("webhook-secret");
    let run = |extra: &[&str]| {
        Ended::run(
            wm_hooks()
                .args(["configure", "--generate-secret", "--json", "--url", HOOK])
                .args(["--api-url", &api.url("")])
                .arg("--save-secret")
                .arg(&file)
                .args(extra)
                .env("WM_HOOKS_API_KEY", KEY),
        )
    };
    let out = run(&[]).exited(0);
    let sent: serde_json::Value = serde_json::from_slice(&api.requests()[0].body).unwrap();
    let secret = sent["secret"].as_str().unwrap().to_string();
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!("{secret}\n")
    );
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let answer: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(answer["secret_file"], file.display().to_string());
    for text in [&out.stdout, &out.stderr] {
        assert!(!text.contains(&secret), "never printed: {text}");
    }
    assert!(out.stderr.contains("--secret-file"), "{}", out.stderr);

    // An existing file is refused before anything is sent, unless --force.
    let err = run(&[]).exited(2).stderr;
    assert!(err.contains("exists: --save-secret does not replace a file"));
    assert_eq!(api.requests().len(), 1);
    run(&["--force"]).exited(0);
    let sent: serde_json::Value = serde_json::from_slice(&api.requests()[1].body).unwrap();
    let replaced = std::fs::read_to_string(&file).unwrap();
    assert_eq!(replaced.trim_end(), sent["secret"].as_str().unwrap());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // A folder or a device is refused before anything is sent, --force or
    // not: the secret is moved into place only once the API has saved it.
    let folder = dir.path().join("secrets");
    std::fs::create_dir(&folder).unwrap();
    for (target, says) in [
        (
            folder.as_path(),
            "--save-secret takes a file to write, and ",
        ),
        (
            std::path::Path::new("/dev/null"),
            "--save-secret takes a regular file",
        ),
    ] {
        let out = Ended::run(
            wm_hooks()
                .args(["configure", "--generate-secret", "--url", HOOK, "--force"])
                .args(["--api-url", &api.url("")])
                .arg("--save-secret")
                .arg(target)
                .env("WM_HOOKS_API_KEY", KEY),
        )
        .exited(2)
        .stderr_has(says);
        assert!(!out.stderr.contains("secret: "), "{}", out.stderr);
    }
    assert_eq!(api.requests().len(), 2, "nothing more was sent");
}

#[test]
fn save_secret_keeps_nothing_when_the_api_refuses() {
    let api = TestServer::start(scripted([Reply::json(401, r#"{"error":"bad key"}"#)]));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("webhook-secret");
    configure(&api.url(""))
        .arg("--save-secret")
        .arg(&file)
        .assert()
        .code(1);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

mod verify_first {
    //! `--verify-first` runs verify's handshake against the webhook URL (over
    //! TLS with a test CA, since the URL must be https) before the PUT.

    use super::*;
    use crate::util::server;

    fn configure_hook(api_url: &str, hook: &str) -> assert_cmd::Command {
        let mut cmd = configure_without_url(api_url);
        cmd.args(["--url", hook, "--verify-first"]);
        cmd
    }

    #[test]
    fn a_passing_handshake_goes_on_to_register() {
        let cert = TestCert::new();
        let hook = TestServer::start_tls(&cert, server::correct(SECRET));
        let api = TestServer::start(scripted([Reply::json(200, SAVED)]));
        let out = configure_hook(&api.url(""), &hook.url("/webhooks/whatsapp"))
            .env("SSL_CERT_FILE", &cert.ca_pem)
            .assert()
            .success()
            .stderr(predicate::str::contains("✔ handshake"))
            .stderr(predicate::str::contains("✔ webhook registered"))
            .get_output()
            .clone();
        assert_no_leak(&out);
        let gets = hook.requests();
        assert_eq!(gets.len(), 1, "only the handshake, no negative probes");
        assert_eq!(gets[0].query("hub.verify_token").as_deref(), Some(SECRET));
        assert_eq!(api.requests().len(), 1);
    }

    #[test]
    fn a_failing_handshake_registers_nothing() {
        let cert = TestCert::new();
        let hook = TestServer::start_tls(&cert, server::status(404));
        let api = TestServer::start(scripted([Reply::json(200, SAVED)]));
        configure_hook(&api.url(""), &hook.url("/webhooks/whatsapp"))
            .env("SSL_CERT_FILE", &cert.ca_pem)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("✘ handshake"))
            .stderr(predicate::str::contains("nothing was registered"));
        assert_eq!(hook.requests().len(), 1);
        assert!(api.requests().is_empty());
    }

    #[test]
    fn an_untrusted_certificate_fails_like_the_platform_would() {
        let cert = TestCert::new();
        let hook = TestServer::start_tls(&cert, server::correct(SECRET));
        let api = TestServer::start(scripted([Reply::json(200, SAVED)]));
        configure_hook(&api.url(""), &hook.url("/webhooks/whatsapp"))
            .assert()
            .code(1)
            .stderr(predicate::str::contains("nothing was registered"));
        assert!(api.requests().is_empty());
    }

    #[test]
    fn dry_run_sends_neither_the_handshake_nor_the_put() {
        let cert = TestCert::new();
        let hook = TestServer::start_tls(&cert, server::correct(SECRET));
        let api = TestServer::start(scripted([Reply::json(200, SAVED)]));
        configure_hook(&api.url(""), &hook.url("/webhooks/whatsapp"))
            .arg("--dry-run")
            .assert()
            .success()
            .stderr(predicate::str::contains("--verify-first skipped"));
        assert!(hook.requests().is_empty());
        assert!(api.requests().is_empty());
    }

    #[test]
    fn a_generated_secret_cannot_be_verified_first() {
        let api = TestServer::start(scripted([]));
        wm_hooks()
            .args(["configure", "--api-url", &api.url(""), "--url", HOOK])
            .args(["--generate-secret", "--verify-first"])
            .env("WM_HOOKS_API_KEY", KEY)
            .assert()
            .code(2);
        assert!(api.requests().is_empty());
    }
}

#[test]
fn a_webhook_url_without_a_path_is_registered_with_a_warning() {
    // A tunnel's bare address: `wm-hooks listen` behind it would answer 404.
    let api = TestServer::start(scripted([Reply::json(200, r#"{"status":"active"}"#)]));
    let err =
        Ended::run(configure_without_url(&api.url("")).args(["--url", "https://abc.example.com"]))
            .exited(0)
            .stderr;
    assert!(err.contains("webhook registered"), "{err}");
    assert!(
        err.contains(
            "warning: the webhook URL https://abc.example.com/ has no path, so the platform will \
             POST to its root; for a tunnel to `wm-hooks listen`, register \
             https://abc.example.com/webhooks/whatsapp"
        ),
        "{err}"
    );
    assert_eq!(
        api.requests().len(),
        1,
        "still registered: a root URL can be right"
    );
    // A URL with a path gets no such warning.
    let out = configure(&api.url("")).assert().get_output().clone();
    assert!(!stderr_of(&out).contains("has no path"));
}
