//! `wm-hooks send-test` against receivers started here on 127.0.0.1:0: what
//! arrives (bodies, signatures checked with an independent HMAC, ids fresh or
//! repeated), how failures are judged, retries and their spacing, bulk sends,
//! dry runs, and the exit codes (`send_test_wire.rs` holds TLS and answers
//! broken on the wire).

use std::time::{Duration, SystemTime};

use predicates::prelude::*;
use serde_json::Value;

use crate::util::server::{self, Reply, TestServer, closed_port, hmac_header};
use crate::util::{Ended, file_with, wm_hooks};

pub(crate) const SECRET: &str = "whsec_test_0123456789abcdef";
pub(crate) const PATH: &str = "/webhooks/whatsapp";

pub(crate) fn send_test(to: &str) -> assert_cmd::Command {
    let mut cmd = wm_hooks();
    cmd.args(["send-test", "--to", to])
        .env("WM_HOOKS_SECRET", SECRET);
    cmd
}

/// Whether each of `posts` is signed with SECRET in the default header.
pub(crate) fn all_signed(posts: &[server::Recorded]) -> bool {
    posts
        .iter()
        .all(|p| p.signed_with(SECRET, "x-signature-256"))
}

fn ids(posts: &[server::Recorded]) -> Vec<String> {
    posts
        .iter()
        .map(|p| p.json()["data"]["message_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn sends_a_signed_sample_with_a_fresh_id_and_timestamp() {
    let srv = TestServer::start(server::correct(SECRET));
    let url = srv.url(PATH);
    let stdout = Ended::run(&mut send_test(&url)).exited(0).stdout;
    assert!(
        stdout.contains(&format!("✔ POST {url}  200 OK")),
        "{stdout}"
    );
    assert!(stdout.contains("message.received  msg_test_"), "{stdout}");
    assert!(stdout.contains("  body: ok"), "{stdout}");

    let posts = srv.posts();
    assert_eq!(posts.len(), 1);
    let post = &posts[0];
    assert_eq!(post.path(), PATH);
    assert_eq!(post.header("content-type"), Some("application/json"));
    assert!(post.header("user-agent").unwrap().starts_with("wm-hooks/"));
    assert!(post.signed_with(SECRET, "x-signature-256"));
    let event = post.json();
    assert_eq!(event["event"], "message.received");
    assert_eq!(event["data"]["contact"]["name"], "João Silva");
    let id = event["data"]["message_id"].as_str().unwrap();
    assert!(
        id.starts_with("msg_test_") && id != "msg_incoming_123",
        "{id}"
    );
    let stamp = humantime::parse_rfc3339(event["timestamp"].as_str().unwrap()).unwrap();
    let age = SystemTime::now().duration_since(stamp).unwrap_or_default();
    assert!(
        age < Duration::from_secs(600),
        "fresh timestamp, {age:?} old"
    );
    assert_eq!(event["data"]["timestamp"], event["timestamp"]);
}

#[test]
fn all_sends_one_of_each_in_order_and_ids_differ_between_runs() {
    let srv = TestServer::start(server::correct(SECRET));
    send_test(&srv.url(PATH)).arg("all").assert().success();
    send_test(&srv.url(PATH))
        .arg("message.status")
        .assert()
        .success();
    let posts = srv.posts();
    let events: Vec<Value> = posts.iter().map(|p| p.json()["event"].clone()).collect();
    assert_eq!(
        events,
        [
            "message.received",
            "message.status",
            "template.status",
            "message.status"
        ]
    );
    assert!(all_signed(&posts));
    let first = posts[1].json()["data"]["message_id"].clone();
    let second = posts[3].json()["data"]["message_id"].clone();
    assert_ne!(first, second);
}

#[test]
fn set_and_shorthands_edit_the_sample_before_signing() {
    let srv = TestServer::start(server::correct(SECRET));
    send_test(&srv.url(PATH))
        .args(["message.status", "message.received", "--status", "read"])
        .args([
            "--set",
            "data.recipient=15550001111",
            "--text",
            "hello there",
        ])
        .args([
            "--set-new",
            "data.extra.flag=true",
            "--set",
            "data.contact.name=\"Ana\"",
        ])
        .assert()
        .success();
    let posts = srv.posts();
    let status = posts[0].json();
    assert_eq!(status["data"]["status"], "read");
    assert_eq!(status["data"]["recipient"], 15550001111u64);
    assert_eq!(status["data"]["extra"]["flag"], true);
    let received = posts[1].json();
    assert_eq!(received["data"]["text"]["body"], "hello there");
    assert_eq!(received["data"]["contact"]["name"], "Ana");
    assert!(received["data"].get("status").is_none());
    assert!(all_signed(&posts));
}

#[test]
fn an_unknown_path_is_an_input_error_that_lists_the_fields() {
    let srv = TestServer::start(server::correct(SECRET));
    send_test(&srv.url(PATH))
        .args(["message.status", "--set", "data.stauts=read"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: `data.stauts` is not a field of the message.status sample",
        ))
        .stderr(predicate::str::contains(
            "data.message_id, data.status, data.recipient",
        ))
        .stderr(predicate::str::contains("hint: --set-new"));
    send_test(&srv.url(PATH))
        .args(["template.status", "--status", "read"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("add message.status to the events"));
    assert!(srv.requests().is_empty());
}

#[test]
fn a_payload_file_or_stdin_is_sent_byte_for_byte() {
    let srv = TestServer::start(server::correct(SECRET));
    let body = "{\n  \"event\": \"message.status\",\n  \"data\": {\"message_id\": \"m-1\"}\n}\n";
    let (_dir, file) = file_with(body);
    send_test(&srv.url(PATH))
        .arg("--payload-file")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("message.status  m-1"));
    send_test(&srv.url(PATH))
        .args(["--payload-file", "-"])
        .write_stdin("not json at all \u{1}")
        .assert()
        .success();
    let posts = srv.posts();
    assert_eq!(posts[0].body, body.as_bytes());
    assert_eq!(posts[1].body, "not json at all \u{1}".as_bytes());
    assert!(all_signed(&posts));
}

#[test]
fn replay_sends_the_recorded_posts_in_order_signed_anew() {
    let srv = TestServer::start(server::correct(SECRET));
    let first = r#"{"event":"message.received","data":{"message_id":"wamid.1"}}"#;
    let lines = [
        serde_json::json!({"received_at": "2026-01-15T10:30:00.123Z", "method": "GET",
            "path": PATH, "headers": {}, "signature": "unchecked", "event": null, "status": 200}),
        serde_json::json!({"received_at": "2026-01-15T10:30:01.123Z", "method": "POST",
            "path": PATH, "headers": {"x-signature-256": "sha256=00"}, "body": first,
            "signature": "invalid", "event": "message.received", "status": 401}),
        serde_json::json!({"received_at": "2026-01-15T10:30:02.123Z", "method": "POST",
            "path": PATH, "headers": {}, "body_base64": "AP/+ew==",
            "signature": "missing", "event": null, "status": 401}),
    ];
    let text = lines
        .iter()
        .map(|l| l.to_string() + "\n\n")
        .collect::<String>();
    let (_dir, record) = file_with(text);
    send_test(&srv.url(PATH))
        .arg("--replay")
        .arg(&record)
        .assert()
        .success()
        .stdout(predicate::str::contains("all 2 deliveries passed"));
    let posts = srv.posts();
    assert_eq!(srv.requests().len(), 2, "the GET is not replayed");
    assert_eq!(posts[0].body, first.as_bytes());
    assert_eq!(posts[1].body, [0x00, 0xff, 0xfe, b'{']);
    assert!(all_signed(&posts));
}

#[test]
fn a_bad_record_file_is_an_input_error() {
    let (_dir, record) = file_with("{\"method\":\"POST\"}\n");
    send_test("http://127.0.0.1:9/")
        .arg("--replay")
        .arg(&record)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 1 is not a record"))
        // A payload given to --replay by mistake: name the flag that sends it.
        .stderr(predicate::str::contains(format!(
            "to send a body as it is, use --payload-file {}",
            record.display()
        )));
    let (_dir, empty) = file_with("\n");
    send_test("http://127.0.0.1:9/")
        .arg("--replay")
        .arg(&empty)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no POST requests to replay"));
    // Which of two bodies was received cannot be told: refused, not guessed.
    let both = serde_json::json!({"received_at": "2026-01-15T10:30:01.123Z", "method": "POST",
        "path": PATH, "headers": {}, "body": "{}", "body_base64": "AP/+ew==",
        "signature": "valid", "event": null, "status": 200});
    let (_dir, both) = file_with(format!("{both}\n"));
    send_test("http://127.0.0.1:9/")
        .arg("--replay")
        .arg(&both)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "line 1 has both body and body_base64, and a record has one or the other",
        ));
}

#[test]
fn payloads_and_record_files_are_read_within_a_limit() {
    let srv = TestServer::start(server::correct(SECRET));
    Ended::run(
        send_test(&srv.url(PATH))
            .args(["--payload-file", "/dev/zero"])
            .timeout(crate::util::listen::PATIENCE),
    )
    .exited(2)
    .stderr_has(
        "error: the payload file /dev/zero is larger than 16 MiB, the most a payload may be",
    );
    send_test(&srv.url(PATH))
        .args(["--replay", "/dev/zero"])
        .timeout(crate::util::listen::PATIENCE)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: /dev/zero line 1 is longer than 64 MiB, the most a record line may be",
        ));
    // A whole record, then a giant line (a sparse file: no disk is used).
    let record = serde_json::json!({"received_at": "2026-01-15T10:30:01.123Z",
        "method": "POST", "path": PATH, "headers": {}, "body": "{}",
        "signature": "valid", "event": null, "status": 200});
    let (_dir, giant) = file_with(record.to_string() + "\n");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&giant)
        .unwrap()
        .set_len(65 << 20)
        .unwrap();
    send_test(&srv.url(PATH))
        .arg("--replay")
        .arg(&giant)
        .timeout(crate::util::listen::PATIENCE)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 2 is longer than 64 MiB"));
    assert!(srv.requests().is_empty(), "nothing is sent");
}

#[test]
fn forgeries_must_be_refused() {
    let strict = TestServer::start(server::correct(SECRET));
    for mode in ["invalid", "missing"] {
        send_test(&strict.url(PATH))
            .args(["--signature", mode])
            .assert()
            .success()
            .stdout(
                predicate::str::contains("✔ POST")
                    .and(predicate::str::contains("401 Unauthorized")),
            )
            .stdout(predicate::str::contains("(refused, as it should be)"))
            // A refusal alone cannot tell a signature check from a receiver
            // that refuses everything.
            .stderr(predicate::str::contains(
                "a receiver that refuses everything passes too: `wm-hooks check` sends both",
            ));
    }
    let posts = strict.posts();
    let forged = posts[0].header("x-signature-256").unwrap();
    assert!(
        forged.starts_with("sha256=") && forged.len() == 71,
        "{forged}"
    );
    assert!(!posts[0].signed_with(SECRET, "x-signature-256"));
    assert_eq!(posts[1].header("x-signature-256"), None);

    let lax = TestServer::start(server::accepts_anything());
    wm_hooks()
        .args([
            "send-test",
            "--signature",
            "missing",
            "--to",
            &lax.url(PATH),
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("✘ POST"))
        .stderr(predicate::str::contains("anyone can forge events"));
}

/// A 404, 405 or 410 refuses a forgery only because nothing takes POSTs
/// there: no proof of a signature check, so no pass.
#[test]
fn a_forgery_refused_by_a_path_that_takes_no_post_is_not_a_pass() {
    for status in [404, 405, 410] {
        let srv = TestServer::start(server::status(status));
        let ended =
            Ended::run(send_test(&srv.url(PATH)).args(["--json", "--signature", "invalid"]))
                .exited(1)
                .stderr_has(
                    "a refusal from a path that takes no POST proves nothing about signatures",
                );
        let line: serde_json::Value =
            serde_json::from_str(ended.stdout.lines().next().unwrap()).unwrap();
        assert_eq!(line["result"], "fail", "{line}");
        assert_eq!(line["problem"], "not-handled", "{line}");
    }
}

#[test]
fn the_signature_header_and_extra_headers_are_configurable() {
    let srv = TestServer::start(server::status(204));
    send_test(&srv.url(PATH))
        .args(["--signature-header", "X-Hub-Signature-256"])
        .args([
            "-H",
            "X-Env: staging",
            "--header",
            "Content-Type: application/json; charset=utf-8",
        ])
        .assert()
        .success();
    let post = &srv.posts()[0];
    assert!(post.signed_with(SECRET, "x-hub-signature-256"));
    assert_eq!(post.header("x-signature-256"), None);
    assert_eq!(post.header("x-env"), Some("staging"));
    assert_eq!(post.headers.get_all("content-type").iter().count(), 1);
    assert_eq!(
        post.header("content-type"),
        Some("application/json; charset=utf-8")
    );
}

#[test]
fn duplicates_repeat_the_same_bytes_and_id() {
    let srv = TestServer::start(server::correct(SECRET));
    send_test(&srv.url(PATH))
        .args(["message.status", "message.received", "--duplicate", "3"])
        .assert()
        .success()
        .stdout(predicate::str::contains("(copy 3 of 3)"));
    let posts = srv.posts();
    assert_eq!(posts.len(), 6);
    assert!(posts[..3].iter().all(|p| p.body == posts[0].body));
    assert!(posts[3..].iter().all(|p| p.body == posts[3].body));
    let ids = ids(&posts);
    assert_ne!(ids[0], ids[3]);
}

#[test]
fn a_5xx_fails_with_a_hint_and_the_body_escaped() {
    let srv = TestServer::start(|_: &server::Recorded, _| Reply::new(500, "boom \u{1b}[31m"));
    send_test(&srv.url(PATH))
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("✘ POST")
                .and(predicate::str::contains("500 Internal Server Error")),
        )
        .stdout(predicate::str::contains("body: boom \\u{1b}[31m"))
        .stderr(predicate::str::contains(
            "hint: the receiver failed while handling the event",
        ))
        .stderr(predicate::str::contains(
            "retries non-2xx answers after 30 s",
        ));
}

#[test]
fn a_receiver_that_rejects_every_signature_gets_a_secret_hint() {
    let srv = TestServer::start(server::status(401));
    send_test(&srv.url(PATH))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does it use the same secret"));
}

#[test]
fn retries_follow_the_platform_schedule_then_give_up() {
    let srv = TestServer::start(server::status(500));
    let stdout = Ended::run(send_test(&srv.url(PATH)).args(["--retry", "--retry-scale", "0.0001"]))
        .exited(1)
        .stdout;
    assert!(
        stdout.contains("retry 1 of 5 in 3ms (the platform waits 30s)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("retry 5 of 5 in 2s 160ms (the platform waits 6h)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("would now mark the webhook as failing"),
        "{stdout}"
    );
    let posts = srv.posts();
    assert_eq!(posts.len(), 6, "the first attempt and five retries");
    assert!(
        posts.iter().all(|p| p.body == posts[0].body),
        "a retry resends the same bytes"
    );
    let waits_ms = [3, 12, 90, 360, 2160];
    for (pair, wait) in posts.windows(2).zip(waits_ms) {
        let gap = pair[1].at - pair[0].at;
        assert!(gap >= Duration::from_millis(wait), "{gap:?} < {wait} ms");
    }
}

#[test]
fn retries_stop_at_the_first_success() {
    let srv = TestServer::start(|req: &server::Recorded, n| {
        if n < 2 {
            Reply::new(503, "busy")
        } else {
            server::correct(SECRET)(req, n)
        }
    });
    send_test(&srv.url(PATH))
        .args(["--retry", "--retry-scale", "0.00001"])
        .assert()
        .success()
        .stdout(predicate::str::contains("(retry 2)"));
    assert_eq!(srv.posts().len(), 3);
}

#[test]
fn an_unreachable_endpoint_exits_3() {
    let url = format!("http://127.0.0.1:{}{PATH}", closed_port());
    send_test(&url)
        .assert()
        .code(3)
        .stdout(predicate::str::contains("no answer: connection refused"))
        .stderr(predicate::str::contains(format!(
            "error: cannot reach {url}: connection refused"
        )))
        .stderr(predicate::str::contains("hint: nothing listens there"));
    send_test(&url)
        .args(["--retry", "--retry-scale", "0.00001"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("retry 5 of 5"));
}

/// `send-test` with `args` to a receiver that answers well but only after
/// `delay`: too slow, so exit 1.
fn send_to_slow(delay: Duration, args: &[&str]) -> assert_cmd::assert::Assert {
    let srv = TestServer::start(server::slow(delay, server::correct(SECRET)));
    send_test(&srv.url(PATH)).args(args).assert().code(1)
}

#[test]
fn a_slow_answer_fails_with_a_hint_to_answer_first() {
    send_to_slow(Duration::from_secs(3), &["--timeout", "300ms"])
        .stdout(predicate::str::contains("no answer: timed out after 600ms"))
        .stderr(predicate::str::contains(
            "answer 2xx first and process the event later",
        ));
}

#[test]
fn a_late_2xx_is_still_too_slow() {
    send_to_slow(Duration::from_secs(1), &["--timeout", "950ms"])
        .stdout(predicate::str::contains("✘ POST").and(predicate::str::contains("200 OK")))
        .stdout(predicate::str::contains("(over the 950ms budget)"))
        .stderr(predicate::str::contains(
            "the platform gives up after 950ms: answer 2xx first",
        ));
}

#[test]
fn an_answer_after_6_s_misses_the_default_5_s_budget() {
    send_to_slow(Duration::from_secs(6), &[])
        .stdout(predicate::str::contains("200 OK  6."))
        .stdout(predicate::str::contains("(over the 5s budget)"));
}

#[test]
fn redirects_are_not_followed() {
    let srv = TestServer::start(|_: &server::Recorded, _| {
        Reply::new(308, "").header("location", "https://example.com/new")
    });
    send_test(&srv.url(PATH))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("308 Permanent Redirect"))
        .stderr(predicate::str::contains(
            "does not follow redirects: register the final URL (https://example.com/new)",
        ));
    assert_eq!(srv.requests().len(), 1);
}

#[test]
fn count_sends_fresh_events_over_kept_alive_connections() {
    let srv = TestServer::start(server::correct(SECRET));
    let stdout = Ended::run(send_test(&srv.url(PATH)).args([
        "message.status",
        "--count",
        "300",
        "--concurrency",
        "8",
    ]))
    .exited(0)
    .stdout;
    assert!(stdout.contains("sent 300 requests in"), "{stdout}");
    assert!(!stdout.contains("got no answer"), "{stdout}");
    assert!(stdout.contains("over 8 connections"), "{stdout}");
    assert!(
        stdout.contains("2xx 300  non-2xx 0  too slow 0  errors 0"),
        "{stdout}"
    );
    assert!(
        stdout.contains("latency p50 ") && stdout.contains(" p99 "),
        "{stdout}"
    );
    assert!(stdout.contains("✔ all 300 deliveries passed"), "{stdout}");
    assert!(!stdout.contains("POST"), "no line per request: {stdout}");
    let posts = srv.posts();
    assert_eq!(posts.len(), 300);
    assert!(all_signed(&posts));
    let mut ids = ids(&posts);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 300, "every event has a fresh id");
    let mut peers: Vec<_> = posts.iter().map(|p| p.peer).collect();
    peers.sort();
    peers.dedup();
    assert!(peers.len() <= 8, "{} connections", peers.len());
    send_test(&srv.url(PATH))
        .args(["--count", "1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("sent 1 request in"));
}

#[test]
fn count_summarises_failures() {
    let srv = TestServer::start(|req: &server::Recorded, n| {
        if n % 2 == 0 {
            Reply::new(500, "")
        } else {
            server::correct(SECRET)(req, n)
        }
    });
    send_test(&srv.url(PATH))
        .args(["--count", "10", "--concurrency", "2"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("2xx 5  non-2xx 5"))
        .stdout(predicate::str::contains("✘ 5 of 10 deliveries failed"))
        .stdout(predicate::str::contains("500 Internal Server Error ×5"));
}

#[test]
fn json_prints_one_line_per_request() {
    let srv = TestServer::start(server::correct(SECRET));
    let out = Ended::run(send_test(&srv.url(PATH)).args(["all", "--json"])).exited(0);
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[1]["type"], "delivery");
    assert_eq!(lines[1]["name"], "message.status");
    assert_eq!(lines[1]["event"], "message.status");
    assert_eq!(lines[1]["status"], 200);
    assert_eq!(lines[1]["result"], "pass");
    assert_eq!(lines[1]["passed"], true);
    assert_eq!(lines[1]["got"], "200 OK, body \"ok\"");
    assert_eq!(lines[1]["url"], srv.url(PATH));
    assert_eq!(lines[2]["message_id"], Value::Null);
    assert_eq!(lines[3]["type"], "summary");
    assert_eq!(
        (&lines[3]["result"], &lines[3]["passed"]),
        (&"pass".into(), &3.into())
    );
    assert!(out.stderr.contains("all 3 deliveries passed"));
}

#[test]
fn dry_run_prints_the_request_and_a_curl_command_and_sends_nothing() {
    let srv = TestServer::start(server::correct(SECRET));
    let out = Ended::run(send_test(&srv.url(PATH)).args([
        "message.status",
        "--dry-run",
        "-H",
        "Authorization: Bearer sk_live_abcdefghijkl",
    ]))
    .exited(0);
    assert!(srv.requests().is_empty());
    let stdout = out.stdout;
    assert!(!stdout.contains(SECRET) && !out.stderr.contains(SECRET));
    assert!(!stdout.contains("sk_live_abcdefghijkl"), "{stdout}");
    assert!(
        stdout.starts_with(&format!("POST {}\n", srv.url(PATH))),
        "{stdout}"
    );
    assert!(
        stdout.contains("Content-Type: application/json\n"),
        "{stdout}"
    );
    let body = stdout
        .lines()
        .find(|l| l.starts_with("{\"event\""))
        .expect("the body is printed");
    let signature = hmac_header(SECRET, body.as_bytes());
    assert!(
        stdout.contains(&format!("X-Signature-256: {signature}\n")),
        "{stdout}"
    );
    let curl = stdout.lines().last().unwrap();
    assert!(
        curl.starts_with(&format!("curl -sS -X POST '{}'", srv.url(PATH))),
        "{curl}"
    );
    assert!(
        curl.contains(&format!("-H 'X-Signature-256: {signature}'")),
        "{curl}"
    );
    assert!(curl.ends_with(&format!("--data-binary '{body}'")), "{curl}");
    assert!(out.stderr.contains("dry run: nothing was sent"));
}

#[test]
fn concurrency_beyond_the_events_is_said_not_ignored() {
    let srv = TestServer::start(server::correct(SECRET));
    send_test(&srv.url(PATH))
        .args(["all", "--concurrency", "8"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: --concurrency 8: only 3 events to send, so 3 connections; --count N sends more",
        ));
    assert_eq!(srv.posts().len(), 3);
    send_test(&srv.url(PATH))
        .args(["--concurrency", "2"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: --concurrency 2: only 1 event to send, so 1 connection; --count N sends more",
        ));
    send_test(&srv.url(PATH))
        .args(["all", "--concurrency", "3"])
        .assert()
        .success()
        .stderr(predicate::str::contains("--concurrency").not());
}

#[test]
fn an_answer_body_shows_as_lines_not_escaped_newlines() {
    let srv = TestServer::start(server::scripted([Reply::new(
        400,
        "bad signature\nsee the log\n",
    )]));
    let stdout = Ended::run(&mut send_test(&srv.url(PATH))).exited(1).stdout;
    assert!(
        stdout.contains("  body: bad signature\n        see the log\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("\\n"), "{stdout}");
}

#[test]
fn bad_input_exits_2() {
    wm_hooks()
        .args(["send-test", "--to", "http://127.0.0.1:9/"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error: no webhook secret given"));
    send_test("ftp://example.com/hook")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not an http or https URL"));
    send_test("http://127.0.0.1:9/")
        .args(["--retry", "--signature", "invalid"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--retry needs a valid signature"));
    send_test("http://127.0.0.1:9/")
        .args(["-H", "Content-Length: 3"])
        .assert()
        .code(2);
    send_test("http://127.0.0.1:9/")
        .args(["--count", "10000000", "--duplicate", "2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("more than 10000000 deliveries"));
}

/// A bulk run whose requests got no answer says how many beside its rate:
/// a rate of connections closed unanswered is no throughput.
#[test]
fn a_bulk_rate_says_how_many_requests_got_no_answer() {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}{PATH}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(100) {
            let Ok(mut stream) = stream else { continue };
            let mut head = [0u8; 4096];
            let _ = stream.read(&mut head);
        }
    });
    let out = Ended::run(send_test(&url).args(["--count", "10", "--concurrency", "1"])).exited(1);
    assert!(
        out.stdout.contains("(10 of them got no answer)"),
        "{}",
        out.stdout
    );
}
