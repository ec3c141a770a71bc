//! `wm-hooks configure` against a scripted stand-in API on 127.0.0.1: the exact
//! request, every kind of answer and its exit code, retries, no request for bad
//! input or `--dry-run`, no prompt without a terminal (the prompts themselves,
//! in a pseudo-terminal, are in `configure_terminal.rs`), and never the key or
//! the secret in the output.

use std::process::Output;
use std::time::Duration;

use predicates::prelude::*;

use crate::util::server::{Recorded, Reply, TestCert, TestServer, closed_port, scripted};
use crate::util::{Ended, file_with, stderr_of, stdout_of, wm_hooks};

pub(crate) const KEY: &str = "sk_live_4f8a2c9e1b7d3f6a5678";
pub(crate) const SECRET: &str = "whsec_9c1e4b7a2d8f3e6b1a5c";
pub(crate) const HOOK: &str = "https://hooks.example.com/webhooks/whatsapp";
pub(crate) const ALL_EVENTS: &str = r#"["message.received","message.status","template.status"]"#;
pub(crate) const SAVED: &str = r#"{"url":"https://hooks.example.com/webhooks/whatsapp","events":["message.received","message.status","template.status"],"status":"active"}"#;

/// `configure` with everything given (key and secret through the environment)
/// and retries that wait milliseconds, not seconds.
fn configure(api_url: &str) -> assert_cmd::Command {
    let mut cmd = configure_without_url(api_url);
    cmd.args(["--url", HOOK]);
    cmd
}

fn configure_without_url(api_url: &str) -> assert_cmd::Command {
    let mut cmd = wm_hooks();
    cmd.args(["configure", "--api-url", api_url])
        .env("WM_HOOKS_API_KEY", KEY)
        .env("WM_HOOKS_SECRET", SECRET)
        .env("WM_HOOKS_RETRY_BASE", "1ms");
    cmd
}

/// Neither the key nor the secret may show up anywhere, masked forms aside.
fn assert_no_leak(output: &Output) {
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

/// Runs `configure` (plus `args`) against an API that answers from `script`;
/// checks the exit code, that stderr says `says` and that nothing leaked.
/// Returns stderr and what the API received.
fn answered(
    script: impl IntoIterator<Item = Reply>,
    args: &[&str],
    code: i32,
    says: &str,
) -> (String, Vec<Recorded>) {
    let api = TestServer::start(scripted(script));
    let out = configure(&api.url(""))
        .args(args)
        .assert()
        .code(code)
        .stdout("")
        .stderr(predicate::str::contains(says))
        .get_output()
        .clone();
    assert_no_leak(&out);
    (stderr_of(&out), api.requests())
}

#[test]
fn a_rejected_key_is_exit_1() {
    for status in [401, 403] {
        let answer = Reply::json(status, r#"{"error":"invalid api key"}"#);
        let says = format!(
            "error: the API key was rejected ({status}): invalid api key\nhint: check WM_HOOKS_API_KEY"
        );
        let (_, requests) = answered([answer], &[], 1, &says);
        assert_eq!(requests.len(), 1, "{status} is not retried");
    }
}

#[test]
fn an_invalid_registration_is_exit_1_with_the_apis_message() {
    let cases = [
        (
            422,
            r#"{"error":{"code":"invalid_url","message":"url did not answer the verification request"}}"#,
            "url did not answer the verification request",
        ),
        (
            400,
            r#"{"message":"events must not be empty"}"#,
            "events must not be empty",
        ),
        (
            422,
            "plain text: try again \u{1b}[31mlater",
            "plain text: try again \\u{1b}[31mlater",
        ),
    ];
    for (status, answer, shown) in cases {
        let says = format!("error: the API refused the registration ({status}): {shown}");
        let (_, requests) = answered([Reply::json(status, answer)], &[], 1, &says);
        assert_eq!(requests.len(), 1);
    }
}

#[test]
fn an_api_message_that_echoes_the_secret_is_masked() {
    let answer = format!(r#"{{"message":"secret {SECRET} is too guessable"}}"#);
    answered(
        [Reply::json(422, &answer)],
        &[],
        1,
        "secret **** is too guessable",
    );
}

#[test]
fn a_wrong_path_hints_at_the_api_url() {
    let api = TestServer::start(scripted([Reply::status(404)]));
    configure_without_url(&api.url("/nope"))
        .args(["--url", HOOK])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("refused the registration (404)"))
        .stderr(predicate::str::contains("is --api-url the API's base URL?"));
    assert_eq!(api.requests()[0].target, "/nope/v1/webhooks");
}

#[test]
fn a_redirect_is_not_followed() {
    let redirect = Reply::status(307).header("location", "https://elsewhere.example/v1/webhooks");
    let says = "error: the API answered 307, a redirect to https://elsewhere.example/v1/webhooks, which is not followed";
    let (_, requests) = answered([redirect, Reply::status(200)], &[], 1, says);
    assert_eq!(requests.len(), 1);
}

#[test]
fn server_errors_are_retried_until_one_succeeds() {
    let script = [
        Reply::json(500, r#"{"error":"database unavailable"}"#),
        Reply::status(503),
        Reply::json(200, SAVED),
    ];
    let says = "warning: the API answered 500: database unavailable; retry 1 of 3 in";
    let (err, requests) = answered(script, &[], 0, says);
    assert!(
        err.contains("warning: the API answered 503; retry 2 of 3 in"),
        "{err}"
    );
    assert!(
        err.contains("webhook registered (after 3 attempts)"),
        "{err}"
    );
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_body(request, ALL_EVENTS);
    }
}

#[test]
fn a_persistent_server_error_is_exit_1_after_3_retries() {
    // The API was reached: it kept failing.
    let script = [500, 502, 500, 504, 200].map(Reply::status);
    let says = "error: gave up after 4 attempts: the API answered 504";
    let (err, requests) = answered(script, &[], 1, says);
    assert!(err.contains("hint: the API is failing or busy"), "{err}");
    assert!(!err.contains("check the network"), "{err}");
    assert_eq!(requests.len(), 4);
}

#[test]
fn a_2xx_that_is_not_json_confirms_nothing() {
    for (reply, shown) in [
        (
            Reply::new(200, "<html><body>Welcome</body></html>")
                .header("content-type", "text/html"),
            "the API answered 200 with text/html that is not JSON",
        ),
        (
            Reply::json(200, &format!("[{}", "1,".repeat(40_000))),
            "the API answered 200 with application/json that is not JSON",
        ),
    ] {
        let says = format!("error: {shown}: the registration is not confirmed");
        let (err, requests) = answered([reply], &[], 1, &says);
        assert!(err.contains("is --api-url the API's base URL"), "{err}");
        assert!(!err.contains("webhook registered"), "{err}");
        assert_eq!(requests.len(), 1);
    }
}

#[test]
fn a_closed_port_is_exit_3_after_3_retries() {
    let out = configure(&format!("http://127.0.0.1:{}", closed_port()))
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "error: gave up after 4 attempts: no answer from the API:",
        ))
        .get_output()
        .clone();
    assert_eq!(stderr_of(&out).matches("warning: no answer").count(), 3);
}

#[test]
fn a_timeout_is_retried_then_exit_3() {
    let slow = Reply::status(200).after(Duration::from_secs(30));
    let says = "error: gave up after 4 attempts: no answer from the API: timed out after 300ms";
    let (_, requests) = answered(vec![slow; 4], &["--timeout", "300ms"], 3, says);
    assert_eq!(requests.len(), 4);
}

#[test]
fn retry_after_is_honoured_and_bounded() {
    let script = [
        Reply::status(429).header("retry-after", "1"),
        Reply::status(200),
    ];
    let says =
        "warning: the API answered 429; retry 1 of 3 in 1.0s, as the API asked (Retry-After)";
    let (_, requests) = answered(script, &[], 0, says);
    assert_eq!(requests.len(), 2);

    let script = [
        Reply::json(429, r#"{"message":"slow down"}"#).header("retry-after", "3600"),
        Reply::status(200),
    ];
    let says = "error: the API answered 429: slow down, and it asked to retry after 1h";
    let (_, requests) = answered(script, &[], 1, says);
    assert_eq!(requests.len(), 1);
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

/// No run of `length` characters of `value` after its public prefix appears in `text`.
fn assert_no_part(text: &str, value: &str, prefix: &str, length: usize) {
    let private = &value[prefix.len()..];
    for start in 0..=private.len() - length {
        let part = &private[start..start + length];
        assert!(
            !text.contains(part),
            "{part:?} of {value:?} shown in:\n{text}"
        );
    }
}

#[test]
fn a_key_or_secret_across_the_message_cut_is_still_masked() {
    // The API's text is cut at 300 characters for showing; a value that
    // straddles the cut used to escape the redactor, less its last character.
    for (value, prefix, status) in [(KEY, "sk_live_", 400), (SECRET, "whsec_", 422)] {
        // The cut falls at every character of the value, and just either side.
        for pad in 300 - value.len() - 1..=301 {
            let text = format!("{}{value} and the rest", "E".repeat(pad));
            let answer = Reply::new(status, text).header("content-type", "text/plain");
            let api = TestServer::start(scripted([answer]));
            let out = configure(&api.url(""))
                .args(["-y", "-v"])
                .assert()
                .code(1)
                .get_output()
                .clone();
            assert_no_leak(&out);
            let err = stderr_of(&out);
            assert_no_part(&err, value, prefix, 5);
        }
    }
}

#[test]
fn a_far_future_retry_after_on_a_200_is_ignored() {
    // Used to panic after the API had stored the generated secret.
    let saved =
        Reply::json(200, SAVED).header("retry-after", "Mon, 01 Jan 380000000000 00:00:00 GMT");
    let api = TestServer::start(scripted([saved]));
    let err = Ended::run(
        wm_hooks()
            .args(["configure", "--generate-secret", "--url", HOOK])
            .args(["--api-url", &api.url("")])
            .env("WM_HOOKS_API_KEY", KEY),
    )
    .exited(0)
    .stderr;
    assert!(
        err.contains("webhook registered") && err.contains("  secret: "),
        "{err}"
    );
}

#[test]
fn an_absurd_retry_after_is_capped_and_shown_readably() {
    for asked in [
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "99999999999999999999999999",
    ] {
        let script = [
            Reply::status(503).header("retry-after", asked),
            Reply::status(200),
        ];
        let says = "error: the API answered 503, and it asked to retry after 1h or more";
        let (_, requests) = answered(script, &[], 1, says);
        assert_eq!(requests.len(), 1);
    }
}

#[test]
fn a_2xx_whose_answer_stalls_mid_body_is_named_as_cut_short() {
    // It was "the API answered 200 with application/json that is not JSON",
    // with a hint that --api-url is a web page: the answer had only not
    // arrived before --timeout.
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut request = [0u8; 4096];
        let _ = conn.read(&mut request);
        let _ = conn.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"status\"",
        );
        std::thread::sleep(Duration::from_secs(5));
    });
    let out = configure(&format!("http://127.0.0.1:{port}"))
        .args(["--timeout", "500ms"])
        .timeout(Duration::from_secs(4))
        .assert()
        .code(1)
        .get_output()
        .clone();
    let err = stderr_of(&out);
    assert!(
        err.contains("error: the API answered 200, but its answer did not arrive whole (timed out after 500ms)"),
        "{err}"
    );
    assert!(
        err.contains("hint: the API may have saved it all the same"),
        "{err}"
    );
    assert!(!err.contains("not JSON"), "{err}");
    assert_no_leak(&out);
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
