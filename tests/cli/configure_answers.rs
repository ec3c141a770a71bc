//! `wm-hooks configure` against a stand-in API that answers each way an API
//! can: refusals with their messages, redirects, server errors and timeouts
//! retried (and `Retry-After` honoured, bounded), a 2xx that confirms nothing
//! or stalls; each with its exit code, and never the key or the secret shown,
//! whole or in part.

use std::time::Duration;

use predicates::prelude::*;

use crate::configure::{
    ALL_EVENTS, HOOK, KEY, SAVED, SECRET, assert_body, assert_no_leak, configure,
    configure_without_url,
};
use crate::util::server::{Recorded, Reply, TestServer, closed_port, scripted};
use crate::util::{Ended, stderr_of, wm_hooks};

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
fn a_persistent_server_error_is_exit_3_after_3_retries() {
    // CLI.md: an API 5xx after retries is exit 3, as no answer is; a 429
    // to every attempt is the API refusing, for now: exit 1.
    let script = [500, 502, 500, 504, 200].map(Reply::status);
    let says = "error: gave up after 4 attempts: the API answered 504";
    let (err, requests) = answered(script, &[], 3, says);
    assert!(err.contains("hint: the API is failing or busy"), "{err}");
    assert!(!err.contains("check the network"), "{err}");
    assert_eq!(requests.len(), 4);
    let script = [429, 429, 429, 429].map(Reply::status);
    let says = "error: gave up after 4 attempts: the API answered 429";
    let (err, _) = answered(script, &[], 1, says);
    assert!(err.contains("hint: the API is failing or busy"), "{err}");
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
        // A 5xx: the API could not be got through to (exit 3).
        let (_, requests) = answered(script, &[], 3, says);
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
