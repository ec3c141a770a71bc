//! `wm-hooks listen` as a real process on 127.0.0.1 with `--port 0`, driven by
//! a real HTTP client (and raw TCP for broken HTTP): handshake, signatures, the
//! body limit, the record's format and byte-exactness, duplicates, forwarding,
//! slow and hostile clients, and the shutdown summary and exit code.

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use predicates::prelude::*;
use wm_hooks::contract::events::EventKind;
use wm_hooks::contract::record::{self, Record, Verdict};

use crate::util::listen::{
    Listener, PATIENCE, SECRET, get, post_signed, post_signed_many, post_signed_with, raw,
    read_to_close, request, wait_for,
};
use crate::util::server::{self, TestServer};
use crate::util::wm_hooks;

fn sample(kind: EventKind) -> &'static str {
    kind.sample_text()
}

fn status_event(id: &str, status: &str) -> String {
    format!(
        r#"{{"event":"message.status","timestamp":"2026-01-15T10:30:05Z","data":{{"message_id":"{id}","status":"{status}","recipient":"5511999999999"}}}}"#
    )
}

/// The count in a summary row: `  message.status    3` gives `3`.
fn row<'a>(summary: &'a str, name: &str) -> &'a str {
    summary
        .lines()
        .find_map(|line| line.strip_prefix(&format!("  {name} ")))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no {name:?} row in the summary:\n{summary}"))
}

fn records(text: &str) -> Vec<Record> {
    text.lines()
        .map(|line| record::parse_line(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

#[test]
fn first_line_generated_secret_and_a_signed_post() {
    let listener = Listener::start_with(&[], &[]);
    let first = listener.stderr().lines().next().unwrap().to_string();
    let port = listener.addr.port();
    assert_eq!(
        first,
        format!("Listening on http://127.0.0.1:{port}/webhooks/whatsapp")
    );
    // The banner's lines follow the first one, all out once it has started.
    let err = listener.stderr();
    assert!(err.ends_with("Press Ctrl-C to stop.\n"), "{err}");
    let export = err
        .lines()
        .find_map(|l| l.strip_prefix("export WM_HOOKS_SECRET="))
        .unwrap_or_else(|| panic!("no export line: {err}"));
    assert_eq!(export.len(), 64);
    assert!(export.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(err.matches(export).count(), 1, "printed once: {err}");
    assert!(
        err.contains(&format!("wm-hooks send-test --to {}", listener.url)),
        "{err}"
    );

    let reply = post_signed_with(&listener.url, export, sample(EventKind::MessageReceived));
    assert_eq!(reply.status, 200);
    listener.wait_stdout(|out| out.contains("message.received"));
    let stopped = listener.stop();
    assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
    assert!(
        stopped.stderr.contains("Stopped after 1 request: 1 valid"),
        "{}",
        stopped.stderr
    );
}

#[test]
fn handshake_answers_the_challenge_only_to_the_right_token_and_mode() {
    let listener = Listener::start(&["--json"]);
    let url = &listener.url;
    let ok = get(&format!(
        "{url}?hub.mode=subscribe&hub.challenge=ch%20123&hub.verify_token={SECRET}"
    ));
    assert_eq!((ok.status, ok.body.as_str()), (200, "ch 123"));
    assert!(
        ok.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );

    for query in [
        format!("hub.mode=subscribe&hub.challenge=c&hub.verify_token={SECRET}x"),
        "hub.mode=subscribe&hub.challenge=c".to_string(),
        format!("hub.mode=unsubscribe&hub.challenge=c&hub.verify_token={SECRET}"),
        format!("hub.challenge=c&hub.verify_token={SECRET}"),
        String::new(),
    ] {
        let refused = get(&format!("{url}?{query}"));
        assert_eq!(
            (refused.status, refused.body.as_str()),
            (403, "Forbidden"),
            "{query}"
        );
    }
    let long = "c".repeat(1000);
    let too_long = get(&format!(
        "{url}?hub.mode=subscribe&hub.challenge={long}&hub.verify_token={SECRET}"
    ));
    assert_eq!(too_long.status, 400);

    let out = listener.wait_stdout(|out| out.lines().count() == 7);
    for record in records(&out) {
        assert_eq!(
            (record.method.as_str(), record.path.as_str()),
            ("GET", "/webhooks/whatsapp")
        );
        assert_eq!(record.signature, Verdict::Unchecked);
    }
    assert!(
        !out.contains(SECRET) && !out.contains("hub."),
        "the query never reaches the record: {out}"
    );
    let stopped = listener.stop();
    assert!(!stopped.stderr.contains(SECRET));
    assert_eq!(row(&stopped.stderr, "handshakes"), "7 (1 passed)");
}

#[test]
fn signatures_valid_invalid_missing_repeated_and_malformed() {
    let listener = Listener::start(&[]);
    let url = &listener.url;
    let body = sample(EventKind::MessageStatus);
    let good = wm_hooks::contract::signature::sign(SECRET.as_bytes(), body.as_bytes()).to_string();
    let wrong = wm_hooks::contract::signature::sign(b"another secret", body.as_bytes()).to_string();
    let send = |headers: &[(&str, &str)]| request("POST", url, headers, body).status;

    assert_eq!(send(&[("x-signature-256", &good)]), 200);
    assert_eq!(send(&[("x-signature-256", &wrong)]), 401);
    assert_eq!(send(&[]), 401);
    assert_eq!(
        send(&[("x-signature-256", &good), ("x-signature-256", &good)]),
        401
    );
    assert_eq!(send(&[("x-signature-256", &good[7..])]), 401);
    let out = listener.wait_stdout(|out| out.matches("Z  401  ").count() == 4);
    assert!(
        out.contains("✘ signature invalid: the signature does not match the body"),
        "{out}"
    );
    assert!(
        out.contains("✘ signature missing: no X-Signature-256 header"),
        "{out}"
    );
    assert!(
        out.contains("2 X-Signature-256 headers; send exactly one"),
        "{out}"
    );
    assert!(out.contains("has no `sha256=` prefix"), "{out}");
    assert!(out.contains("hint: the value is bare hex"), "{out}");
    let stopped = listener.stop();
    assert!(
        stopped
            .stderr
            .contains("5 requests: 1 valid, 4 invalid (1 without a signature)"),
        "{}",
        stopped.stderr
    );
}

#[test]
fn a_paused_terminal_never_delays_an_answer_and_dropped_blocks_are_counted() {
    // Nothing reads stdout: its pipe fills, the terminal queue fills, and then
    // blocks are dropped while every request is still answered.
    let listener = Listener::start_with_paused_stdout(&["-v"]);
    let statuses = post_signed_many(&listener.url, sample(EventKind::MessageReceived), 500);
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
    let stopped = listener.stop();
    assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
    assert!(
        stopped
            .stderr
            .contains("Stopped after 500 requests: 500 valid"),
        "{}",
        stopped.stderr
    );
    assert!(
        stopped
            .stderr
            .contains("blocks not shown: the terminal did not keep up"),
        "{}",
        stopped.stderr
    );
}

#[test]
fn the_signature_header_is_a_flag_in_any_case() {
    let listener = Listener::start(&["--signature-header", "x-hub-signature-256"]);
    let body = sample(EventKind::TemplateStatus);
    let signature =
        wm_hooks::contract::signature::sign(SECRET.as_bytes(), body.as_bytes()).to_string();
    let with = |name: &str| request("POST", &listener.url, &[(name, &signature)], body).status;
    assert_eq!(with("X-HUB-SIGNATURE-256"), 200);
    assert_eq!(with("X-Signature-256"), 401);
    let out = listener.wait_stdout(|out| out.contains("Z  401  "));
    assert!(out.contains("no X-Hub-Signature-256 header"), "{out}");
    assert!(
        out.contains("hint: the request carries X-Signature-256"),
        "{out}"
    );
}

#[test]
fn the_body_limit_holds_for_declared_chunked_and_huge_bodies() {
    let listener = Listener::start(&["--max-body", "1KiB"]);
    let url = &listener.url;
    let big = format!("{{\"event\":\"x\",\"pad\":\"{}\"}}", "a".repeat(2000));
    assert_eq!(post_signed(url, &big).status, 413);
    let just_fits = format!("{{\"event\":\"x\",\"pad\":\"{}\"}}", "a".repeat(1000));
    assert_eq!(post_signed(url, &just_fits).status, 200);

    let head = "POST /webhooks/whatsapp HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    let mut chunked = head.as_bytes().to_vec();
    for _ in 0..3 {
        chunked.extend_from_slice(format!("200\r\n{}\r\n", "b".repeat(512)).as_bytes());
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let answer = raw(listener.addr, &chunked);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    // A 50 MB declaration is refused before any of it is read.
    let mut stream = TcpStream::connect(listener.addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let huge = "POST /webhooks/whatsapp HTTP/1.1\r\nHost: x\r\nContent-Length: 52428800\r\n\r\n";
    stream.write_all(huge.as_bytes()).unwrap();
    let _ = stream.write_all(&vec![b'{'; 256 * 1024]);
    let answer = read_to_close(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    assert_eq!(
        post_signed(url, sample(EventKind::MessageReceived)).status,
        200
    );
    let out = listener.wait_stdout(|out| out.matches("Z  413  ").count() == 3);
    assert!(
        out.contains("a body of 52428800 bytes is over the 1024 byte limit"),
        "{out}"
    );
    assert!(
        out.contains("the body grew past the 1024 byte limit"),
        "{out}"
    );
}

#[test]
fn json_and_record_keep_every_byte_and_append() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deliveries.jsonl");
    std::fs::write(&file, "an earlier line\n").unwrap();
    let listener = Listener::start(&["--json", "--record", file.to_str().unwrap()]);
    let url = &listener.url;
    let bodies: [&[u8]; 3] = [
        "{\"event\":\"message.received\",\"data\":{\"text\":{\"body\":\"Jo\\u00e3o 👋 \\\"q\\\" \\\\ \\n\"}}}\n".as_bytes(),
        b"{\"event\":\"x\",\"esc\":\"\\u001b\\u0000\\/\"}",
        b"\xff\xfe not utf-8 \x00",
    ];
    let statuses: Vec<u16> = bodies.iter().map(|b| post_signed(url, b).status).collect();
    // Correctly signed is answered 2xx, whatever the body.
    assert_eq!(statuses, [200, 200, 200]);
    assert_eq!(request("POST", url, &[], "unsigned").status, 401);

    // Each line is in the file as soon as it is answered, before any stop.
    let in_file = wait_for(
        || std::fs::read_to_string(&file).unwrap_or_default(),
        |text| text.lines().count() == 5,
        "the record file",
    );
    assert!(
        in_file.starts_with("an earlier line\n"),
        "appended, not truncated"
    );
    let from_file = records(in_file.split_once('\n').unwrap().1);
    let out = listener.wait_stdout(|out| out.lines().count() == 4);
    let from_stdout = records(&out);
    assert_eq!(from_stdout, from_file);

    for (record, body) in from_stdout.iter().zip(bodies) {
        assert_eq!(record.body_bytes().unwrap(), body, "byte for byte");
        assert_eq!(record.signature, Verdict::Valid);
        assert_eq!(record.headers["content-type"], "application/json");
        assert!(record.headers["x-signature-256"].starts_with("sha256="));
        assert!(record.received_at.ends_with('Z') && record.received_at.len() == 24);
    }
    assert_eq!(from_stdout[0].event.as_deref(), Some("message.received"));
    assert!(from_stdout[2].body.is_none() && from_stdout[2].body_base64.is_some());
    assert_eq!(
        (from_stdout[2].event.as_ref(), from_stdout[2].status),
        (None, 200)
    );
    assert_eq!(
        (from_stdout[3].signature, from_stdout[3].status),
        (Verdict::Missing, 401)
    );

    let stopped = listener.stop();
    assert_eq!(stopped.code, Some(0));
    assert_eq!(
        stopped.stdout.lines().count(),
        4,
        "--json prints records only"
    );
    assert!(
        stopped.stderr.contains("Stopped after 4 requests"),
        "{}",
        stopped.stderr
    );
}

#[test]
fn duplicates_and_out_of_order_statuses_are_tagged_and_counted() {
    let listener = Listener::start(&[]);
    for status in ["read", "delivered", "delivered"] {
        assert_eq!(
            post_signed(&listener.url, status_event("msg_1", status)).status,
            200
        );
    }
    let out = listener.wait_stdout(|out| out.matches("message.status").count() == 3);
    let heads: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("message.status"))
        .collect();
    assert!(!heads[0].contains('['), "{out}");
    assert!(heads[1].ends_with("[out of order]"), "{out}");
    assert!(heads[2].ends_with("[duplicate]"), "{out}");
    assert!(out.contains("msg_1 → read  to 5511999999999"), "{out}");
    let stopped = listener.stop_with("INT");
    assert_eq!(stopped.code, Some(0));
    assert!(
        stopped
            .stderr
            .contains("3 valid, 0 invalid (0 without a signature), 1 duplicate, 1 out of order"),
        "{}",
        stopped.stderr
    );
    assert_eq!(row(&stopped.stderr, "message.status"), "3");
}

#[test]
fn forward_to_resigns_for_the_app_and_answers_with_its_status() {
    let app = TestServer::start(server::status(202));
    let app_url = app.url("/hook");
    let listener = Listener::start_with(
        &["--forward-to", &app_url],
        &[
            ("WM_HOOKS_SECRET", SECRET),
            ("WM_HOOKS_FORWARD_SECRET", "the-app-secret"),
        ],
    );
    let body = format!("{} \n", sample(EventKind::MessageReceived));
    assert_eq!(post_signed(&listener.url, &body).status, 202);
    assert_eq!(
        request("POST", &listener.url, &[], body.as_str()).status,
        401,
        "unsigned: not forwarded"
    );

    let posts = app.posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].body, body.as_bytes(), "the same bytes");
    assert_eq!(posts[0].header("content-type"), Some("application/json"));
    assert!(posts[0].signed_with("the-app-secret", "x-signature-256"));
    let out = listener.wait_stdout(|out| out.contains("forwarded"));
    assert!(
        out.contains(&format!("↪ forwarded to {app_url}: 202 in ")),
        "{out}"
    );
}

#[test]
fn an_unreachable_app_gets_502_and_a_clear_line() {
    let url = format!("http://127.0.0.1:{}/hook", server::closed_port());
    let listener = Listener::start(&["--forward-to", &url]);
    assert_eq!(
        post_signed(&listener.url, sample(EventKind::MessageStatus)).status,
        502
    );
    let out = listener.wait_stdout(|out| out.contains("Z  502  "));
    assert!(
        out.contains(&format!("✘ could not forward to {url}: cannot connect: ")),
        "{out}"
    );
    assert!(out.contains("(answered 502)"), "{out}");
    let stopped = listener.stop();
    assert_eq!(row(&stopped.stderr, "forwarding failed"), "1");
}

#[test]
fn an_app_that_never_answers_gets_504_after_the_forward_timeout() {
    // The kernel accepts connections for a listener nobody accepts from: the
    // request goes out and no answer ever comes.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", silent.local_addr().unwrap());
    let listener = Listener::start(&["--forward-to", &url, "--forward-timeout", "300ms"]);
    let reply = post_signed(&listener.url, sample(EventKind::MessageStatus));
    assert_eq!(reply.status, 504);
    let out = listener.wait_stdout(|out| out.contains("Z  504  "));
    assert!(
        out.contains("no answer within 300ms (answered 504)"),
        "{out}"
    );
}

#[test]
fn respond_status_and_delay_simulate_a_failing_receiver() {
    let listener = Listener::start(&["--respond-status", "503", "--respond-delay", "300ms"]);
    let started = Instant::now();
    assert_eq!(
        post_signed(&listener.url, sample(EventKind::MessageStatus)).status,
        503
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(
        request("POST", &listener.url, &[], "x").status,
        401,
        "only signed POSTs"
    );
    assert!(
        listener
            .stderr()
            .contains("Answering valid POSTs with 503 after 300ms")
    );
}

#[test]
fn slow_clients_do_not_block_a_normal_request_and_time_out() {
    let listener = Listener::start(&["--read-timeout", "1s"]);
    // A head that never ends, a body that never comes, and an idle keep-alive.
    let mut slow_head = TcpStream::connect(listener.addr).unwrap();
    slow_head
        .write_all(b"POST /webhooks/whatsapp HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    let mut slow_body = TcpStream::connect(listener.addr).unwrap();
    slow_body
        .write_all(
            b"POST /webhooks/whatsapp HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":",
        )
        .unwrap();
    let mut idle = TcpStream::connect(listener.addr).unwrap();
    idle.write_all(b"GET /webhooks/whatsapp HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();

    assert_eq!(
        post_signed(&listener.url, sample(EventKind::MessageReceived)).status,
        200
    );
    for stream in [&slow_head, &slow_body, &idle] {
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
    }
    let head_answer = read_to_close(&mut slow_head);
    assert!(!head_answer.starts_with("HTTP/1.1 2"), "{head_answer}");
    let body_answer = read_to_close(&mut slow_body);
    assert!(body_answer.starts_with("HTTP/1.1 408"), "{body_answer}");
    let idle_answer = read_to_close(&mut idle);
    assert!(
        idle_answer.starts_with("HTTP/1.1 403"),
        "answered, then closed when idle: {idle_answer}"
    );
    let out = listener.wait_stdout(|out| out.contains("Z  408  "));
    assert!(
        out.contains("the body did not arrive within 1s (--read-timeout)"),
        "{out}"
    );
}

#[test]
fn a_thousand_idle_connections_do_not_stop_it_serving() {
    // The test holds the thousand client ends itself.
    wm_hooks::http::server::raise_open_file_limit();
    let listener = Listener::start(&[]);
    let idle: Vec<TcpStream> = (0..1000)
        .map(|_| TcpStream::connect(listener.addr).expect("connect"))
        .collect();
    assert_eq!(
        post_signed(&listener.url, sample(EventKind::MessageReceived)).status,
        200
    );
    drop(idle);
    assert_eq!(
        post_signed(&listener.url, sample(EventKind::MessageStatus)).status,
        200
    );
    let stopped = listener.stop();
    assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
}

#[test]
fn hostile_input_gets_an_answer_and_it_keeps_serving() {
    let listener = Listener::start(&[]);
    let garbage = raw(
        listener.addr,
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n",
    );
    assert!(garbage.starts_with("HTTP/1.1 400"), "{garbage}");
    let huge_head = format!(
        "GET /webhooks/whatsapp HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "h".repeat(100 * 1024)
    );
    let answer = raw(listener.addr, huge_head.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let reply = post_signed(&listener.url, &nested);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(post_signed(&listener.url, b"\xc3\x28\xff").status, 200);
    assert_eq!(post_signed(&listener.url, b"").status, 200);
    assert_eq!(post_signed(&listener.url, b"name=value&a=b").status, 200);
    assert_eq!(
        post_signed(&listener.url, sample(EventKind::TemplateStatus)).status,
        200
    );
    let out = listener.wait_stdout(|out| out.contains("template.status"));
    assert!(out.contains("sent something that is not HTTP/1.1"), "{out}");
    assert!(out.contains("hint: was it an https:// URL"), "{out}");
    assert!(
        out.contains("a request head over 64 KiB or with over 100 header fields (answered 431)"),
        "{out}"
    );
    let out = listener.wait_stdout(|out| out.matches("not a WhatsApp event").count() == 4);
    assert!(
        out.contains("✔ signature valid, not a WhatsApp event"),
        "{out}"
    );
    assert!(
        out.contains("200000 bytes of text that is not JSON"),
        "{out}"
    );
    assert!(out.contains("3 bytes that are not UTF-8 text"), "{out}");
    assert!(out.contains("an empty body"), "{out}");
    assert!(out.contains("14 bytes of text that is not JSON"), "{out}");
    let stopped = listener.stop();
    assert_eq!(stopped.code, Some(0));
    assert_eq!(row(&stopped.stderr, "not HTTP"), "2");
    assert_eq!(row(&stopped.stderr, "not an event"), "4");
}

#[test]
fn wrong_path_and_method_say_where_to_go() {
    let listener = Listener::start(&["--path", "/hooks"]);
    assert!(listener.url.ends_with("/hooks"));
    let lost = post_signed(
        &listener.at("/webhooks/whatsapp"),
        sample(EventKind::MessageStatus),
    );
    assert_eq!(lost.status, 404);
    assert!(lost.body.contains("webhooks go to /hooks"), "{}", lost.body);
    let put = request("PUT", &listener.url, &[], "x");
    assert_eq!(put.status, 405);
    assert_eq!(put.headers["allow"], "GET, POST");
    let out = listener.wait_stdout(|out| out.contains("Z  405  "));
    assert!(
        out.contains("POST /webhooks/whatsapp  ✘ nothing here"),
        "{out}"
    );
    assert!(out.contains("hint: webhooks go to /hooks"), "{out}");
}

#[test]
fn escapes_in_payloads_never_reach_the_terminal_even_in_colour() {
    let listener = Listener::start(&["--color", "always", "-v"]);
    let body = "{\"event\":\"message.received\",\"data\":{\"from\":\"\\u001b[2J\",\"text\":{\"body\":\"\\u001b]0;owned\\u0007\"}}}";
    assert_eq!(post_signed(&listener.url, body).status, 200);
    let out = listener.wait_stdout(|out| out.contains("body ("));
    assert!(out.contains("\u{1b}["), "our own colours are there");
    assert!(
        !out.contains("\u{1b}[2J") && !out.contains("\u{1b}]0;") && !out.contains('\u{7}'),
        "{out:?}"
    );
    assert!(
        out.contains("x-signature-256"),
        "-v shows the headers: {out}"
    );
    assert!(
        out.contains("\"event\": \"message.received\""),
        "-v pretty-prints the body: {out}"
    );
}

#[test]
fn bad_flags_are_exit_2_with_a_reason() {
    let cases: [(&[&str], &str); 12] = [
        (&["--path", "webhooks"], "is not a URL path"),
        (
            &["--secret-file", "/dev/zero"],
            "the secret file /dev/zero is larger than 64 KiB",
        ),
        (
            &[
                "--forward-to",
                "http://127.0.0.1:1/",
                "--forward-secret-file",
                "/dev/zero",
            ],
            "the secret file /dev/zero is larger than 64 KiB",
        ),
        (&["--signature-header", "a b"], "is not a valid header name"),
        (
            &["--signature-header", "content-length"],
            "content-length describes the request itself and cannot carry the signature",
        ),
        (&["--max-body", "0"], "more than 0 bytes"),
        (
            &["--max-body", "10TB"],
            "use B, KiB, MiB, GiB (powers of 1024) or KB, MB, GB",
        ),
        (
            &["--forward-to", "ftp://127.0.0.1/"],
            "not an http:// or https:// URL",
        ),
        (
            &["--read-timeout", "0s"],
            "for '--read-timeout <DURATION>': must be longer than zero",
        ),
        (&["--host", "example.com"], "is not an IP address"),
        (
            &["--record", "/nonexistent-dir/x.jsonl"],
            "cannot open the record file",
        ),
        (
            &["--record", "http://u:hunter2@127.0.0.1:3000/webhooks"],
            "error: --record takes a file to append records to, not a URL: \
             http://****@127.0.0.1:3000/webhooks\nhint: to pass each event on to your app, \
             use --forward-to URL",
        ),
    ];
    for (args, says) in cases {
        wm_hooks()
            .arg("listen")
            .args(args)
            .env("WM_HOOKS_SECRET", SECRET)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
}

#[test]
fn a_port_in_use_is_exit_2_with_a_hint() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    wm_hooks()
        .args(["listen", "--port", &port])
        .env("WM_HOOKS_SECRET", SECRET)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot listen on 127.0.0.1:"))
        .stderr(predicate::str::contains("--port 0"));
}

#[test]
fn a_body_the_display_cannot_read_is_recorded_as_no_event() {
    // A lone surrogate outside message_id used to be counted as
    // message.received, while the block said it was no event. Correctly
    // signed, it is answered 2xx (CLI.md), and recorded as no event.
    let listener = Listener::start(&["--json"]);
    let body =
        r#"{"event":"message.received","data":{"message_id":"m1","text":{"body":"\ud800"}}}"#;
    let reply = post_signed(&listener.url, body);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let out = listener.wait_stdout(|out| out.lines().count() == 1);
    let line = record::parse_line(out.trim_end()).unwrap();
    assert_eq!((line.event, line.status), (None, 200));
}

#[test]
fn a_header_that_is_not_utf8_is_recorded_with_its_exact_bytes() {
    use base64::Engine as _;
    let listener = Listener::start(&["--json"]);
    let answer = crate::util::listen::raw(
        listener.addr,
        b"POST /webhooks/whatsapp HTTP/1.1\r\nHost: x\r\nX-Name: caf\xe9\r\n\
          X-Text: caf\xc3\xa9\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    );
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    let out = listener.wait_stdout(|out| out.lines().count() == 1);
    let line = record::parse_line(out.trim_end()).unwrap();
    // The text keeps its replacement, marked by the exact bytes beside it.
    assert_eq!(line.headers["x-name"], "caf\u{fffd}");
    assert_eq!(line.headers["x-text"], "café");
    assert_eq!(line.headers_base64.keys().collect::<Vec<_>>(), ["x-name"]);
    let exact = base64::engine::general_purpose::STANDARD
        .decode(&line.headers_base64["x-name"])
        .unwrap();
    assert_eq!(exact, b"caf\xe9");
}

#[test]
fn a_signature_that_is_not_utf8_is_named_as_verify_signature_names_it() {
    let listener = Listener::start(&[]);
    let answer = crate::util::listen::raw(
        listener.addr,
        b"POST /webhooks/whatsapp HTTP/1.1\r\nHost: x\r\nX-Signature-256: sha256=\xff\r\n\
          Content-Length: 2\r\nConnection: close\r\n\r\n{}",
    );
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    let out = listener.wait_stdout(|out| out.contains("hint: the value has bytes"));
    assert!(
        out.contains("hint: the value has bytes that are not UTF-8 text (shown as \u{FFFD})"),
        "{out}"
    );
}

/// An app on raw TCP that answers every request with `head` (and keeps the
/// connection open), for statuses no HTTP library would send.
fn raw_app(head: &'static str) -> String {
    use std::io::Read;
    let app = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", app.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in app.incoming().take(8) {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                stream.set_read_timeout(Some(PATIENCE)).unwrap();
                let mut seen = Vec::new();
                let mut chunk = [0u8; 4096];
                while let Ok(n) = stream.read(&mut chunk) {
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&chunk[..n]);
                    // One answer per request head (bodies here hold no blank line).
                    while let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                        seen.drain(..end + 4);
                        let _ = stream.write_all(head.as_bytes());
                    }
                }
            });
        }
    });
    url
}

#[test]
fn an_app_status_that_is_not_final_is_a_502_with_a_hint() {
    // A 101 used to reach the sender with no Upgrade (and the next request on
    // its connection was never answered); a 999 went through as it was.
    for (head, says) in [
        (
            "HTTP/1.1 101 Switching Protocols\r\n\r\n",
            "101 Switching Protocols tries to upgrade the connection",
        ),
        (
            "HTTP/1.1 999 Odd\r\ncontent-length: 0\r\n\r\n",
            "HTTP defines statuses 100 to 599 only",
        ),
    ] {
        let app = raw_app(head);
        let listener = Listener::start(&["--forward-to", &app]);
        let statuses = post_signed_many(&listener.url, sample(EventKind::MessageStatus), 2);
        assert_eq!(statuses, [502, 502], "{head:?}");
        let out = listener.wait_stdout(|out| out.matches("(answered 502)").count() == 2);
        assert!(out.contains(says), "{out}");
        assert!(out.contains("which is not a final status"), "{out}");
    }
}

/// `-v` shows every header and the body, but as every command shows what
/// arrived: credentials masked, and the listener's own secret hidden where a
/// sender put a copy of it.
#[test]
fn verbose_masks_credentials_and_the_secret_in_what_arrived() {
    let listener = Listener::start(&["-v"]);
    let body = format!("{{\"event\":\"message.received\",\"note\":\"{SECRET}\"}}");
    let signature = server::hmac_header(SECRET, body.as_bytes());
    let headers = [
        ("x-signature-256", signature.as_str()),
        ("content-type", "application/json"),
        (
            "authorization",
            "Basic YWxpY2U6aHVudGVyMi1sb25nLXBhc3N3b3Jk",
        ),
        ("x-copy-of-the-secret", SECRET),
    ];
    assert_eq!(request("POST", &listener.url, &headers, body).status, 200);
    let out = listener.wait_stdout(|out| out.contains("body ("));
    assert!(out.contains("authorization: Basic ****"), "{out}");
    assert!(!out.contains("YWxpY2U6aHVudGVy"), "{out}");
    assert!(!out.contains(SECRET), "{out}");
    assert!(out.contains("x-copy-of-the-secret: "), "{out}");
}
