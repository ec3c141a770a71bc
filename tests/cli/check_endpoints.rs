//! `wm-hooks check` against endpoints that answer late, never, or not at all:
//! a slow receiver fails the budget alone, a hung one costs two timeouts and
//! then nothing more is sent, a closed port is unreachable at once, and
//! refusals prove nothing when nothing is answered.

use std::time::Duration;

use predicates::prelude::*;
use serde_json::Value;

use crate::check::{
    PATH, SECRET, check, fails_exactly, line, posts, run_json, run_json_all, says, verified,
};
use crate::check_formats::{junit_report, well_formed};
use crate::util::server::{self, TestServer, closed_port};
use crate::util::{Ended, stdout_of};

#[test]
fn a_slow_receiver_fails_the_budget_only() {
    // Does its slow work (a lookup) before answering status updates.
    let srv = TestServer::start(posts(|req| {
        let reply = verified(req);
        match req.json()["event"] == "message.status" {
            true => reply.after(Duration::from_millis(1500)),
            false => reply,
        }
    }));
    // A budget well above what the 512 KiB body takes on a loaded machine, so
    // only the slow answers are over it.
    let lines = fails_exactly(&srv, &["--timeout", "800ms"], &["budget"]);
    let budget = &lines[17];
    let detail = budget["got"].as_str().unwrap();
    assert!(
        detail.starts_with("3 over 800ms: signature.valid.message-status 1.5"),
        "{detail}"
    );
    assert!(detail.contains(", tolerance.unseen-status 1.5"), "{detail}");
    assert!(detail.contains(", budget 1.5"), "{detail}");
    assert!(detail.contains("over 13 deliveries"), "{detail}");
    says(budget, "hint", "answer 2xx first");
    assert!(budget["latency_ms"].as_f64().unwrap() >= 1500.0);
    // The slow check itself passed: its status was right.
    assert_eq!(lines[4]["result"], "pass");
    // Without `budget` in the run, nothing else would time it: the check
    // judges its own answer's time.
    let (code, lines) =
        run_json(check(&srv.url(PATH)).args(["--timeout", "800ms", "--only", "signature.valid"]));
    assert_eq!(code, 1);
    let slow = &lines[1];
    assert_eq!(slow["name"], "signature.valid.message-status");
    assert_eq!(slow["result"], "fail", "{slow}");
    says(slow, "hint", "answer 2xx first");
    assert_eq!(lines[0]["result"], "pass", "the fast ones pass");
}

#[test]
fn a_hung_receiver_costs_two_timeouts_then_the_rest_is_not_sent() {
    let srv = TestServer::start(server::slow(
        Duration::from_secs(30),
        server::correct(SECRET),
    ));
    let out = Ended::run(check(&srv.url(PATH)).args(["--timeout", "100ms"])).exited(1);
    let stdout = out.stdout;
    assert!(
        stdout.contains(&line(
            "✘",
            "handshake.challenge",
            "no answer: timed out after 2s 100ms"
        )),
        "{stdout}"
    );
    // Its wrong token got no answer either: that proves nothing.
    assert!(stdout.contains("? handshake.wrong-token"), "{stdout}");
    assert!(
        stdout.contains(&line(
            "-",
            "budget",
            "not run: the last 2 requests got no answer in time"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("0 of 17 required checks passed in "),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "; failed: handshake.challenge; inconclusive: handshake.wrong-token; \
             16 not run (the endpoint stopped answering)\n"
        ),
        "{stdout}"
    );
    assert!(
        !stdout.contains("    sent      \n"),
        "nothing sent, nothing shown: {stdout}"
    );
    assert_eq!(srv.requests().len(), 2);
}

#[test]
fn a_closed_port_is_unreachable_at_once() {
    let url = format!("http://127.0.0.1:{}{PATH}", closed_port());
    let (ran, xml) = junit_report(&url, 3);
    let out = ran
        .stderr(predicate::str::contains(format!(
            "error: cannot reach {url}: connection refused"
        )))
        .stderr(predicate::str::contains("hint: nothing listens there"))
        .get_output()
        .clone();
    assert!(!stdout_of(&out).contains('✘'), "no check ran");
    let counts = well_formed(&xml);
    assert_eq!(
        (counts.testcases, counts.failures, counts.errors),
        (1, 0, 1),
        "{xml}"
    );
    assert!(xml.contains("connection refused"), "{xml}");
    // `--json` still ends with a summary, after the one failed line.
    let (code, lines) = run_json_all(&mut check(&url));
    assert_eq!(code, 3);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(
        (&lines[0]["name"], &lines[0]["result"]),
        (&Value::from("reachable"), &Value::from("fail"))
    );
    says(&lines[0], "got", "connection refused");
    says(&lines[0], "hint", "nothing listens there");
    assert_eq!(
        (&lines[1]["type"], &lines[1]["result"], &lines[1]["failed"]),
        (
            &Value::from("summary"),
            &Value::from("fail"),
            &Value::from(1)
        )
    );
}

/// Accepts connections on 127.0.0.1:0 and closes each one as soon as a
/// request has come in, answering nothing (at most 200 connections).
fn closes_every_connection() -> std::net::SocketAddr {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(200) {
            let Ok(mut stream) = stream else { continue };
            let mut head = [0u8; 1024];
            let _ = stream.read(&mut head);
        }
    });
    addr
}

/// Answers the handshake's GETs as a correct receiver does (on kept-alive
/// connections), then stops listening at the first POST, as a receiver that
/// crashed on its first delivery.
fn stops_at_the_first_post() -> std::net::SocketAddr {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        // Each connection kept alive for the next request, as servers do.
        for stream in listener.incoming().take(20) {
            let Ok(mut stream) = stream else { continue };
            let mut seen = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => seen.extend_from_slice(&chunk[..n]),
                    }
                }
                let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") else {
                    break; // The client closed this connection.
                };
                let head = String::from_utf8_lossy(&seen[..end]).into_owned();
                seen.drain(..end + 4);
                if !head.starts_with("GET ") {
                    return; // The listener goes with the thread: refused from now on.
                }
                let target = head.split(' ').nth(1).unwrap_or_default();
                let challenge = target
                    .split(['?', '&'])
                    .find_map(|pair| pair.strip_prefix("hub.challenge="))
                    .unwrap_or_default();
                let proper = target.contains(&format!("hub.verify_token={SECRET}"))
                    && target.contains("hub.mode=subscribe");
                let (status, body) = if proper {
                    ("200 OK", challenge)
                } else {
                    ("403 Forbidden", "no")
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
            }
        }
    });
    addr
}

/// A receiver gone part way (crashed on a delivery): two requests refused in
/// a row, and the rest is not sent, with what was last answered; a check for
/// information only that got no answer learnt nothing, so it is no ✘.
#[test]
fn a_receiver_that_stops_part_way_leaves_the_rest_not_run_and_says_when() {
    let url = format!("http://{}{PATH}", stops_at_the_first_post());
    let out = Ended::run(&mut check(&url)).exited(1);
    let stdout = out.stdout;
    assert!(stdout.contains("✔ handshake.wrong-mode"), "{stdout}");
    assert!(
        stdout.contains(&line(
            "-",
            "signature.uppercase-hex",
            "not run: the last 2 requests could not connect (refused) after handshake.wrong-mode \
             was answered: did the receiver stop? See its log"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("not run (the endpoint stopped answering)"),
        "{stdout}"
    );
    let url = format!("http://{}{PATH}", stops_at_the_first_post());
    let (_, lines) = run_json(check(&url).args(["--only", "signature.uppercase-hex"]));
    assert_eq!(lines[0]["result"], "inconclusive", "{}", lines[0]);
}

#[test]
fn refusals_prove_nothing_when_nothing_is_answered() {
    let url = format!("http://{}{PATH}", closes_every_connection());
    let (code, lines) = run_json(&mut check(&url));
    assert_eq!(code, 1);
    let result = |name: &str| {
        let line = lines.iter().find(|l| l["name"] == name).unwrap();
        line["result"].as_str().unwrap().to_string()
    };
    // The valid requests got no answer: that is a failure of each.
    for name in [
        "handshake.challenge",
        "signature.valid.message-status",
        "budget",
    ] {
        assert_eq!(result(name), "fail", "{name}: {lines:#?}");
    }
    // A wrong request without an answer, while the right one got none
    // either, shows nothing about how wrong ones are treated.
    for name in [
        "handshake.wrong-token",
        "handshake.wrong-mode",
        "signature.missing",
        "signature.wrong-secret",
        "signature.tampered-body",
        "signature.empty",
        "signature.sha1-prefix",
    ] {
        assert_eq!(result(name), "inconclusive", "{name}: {lines:#?}");
    }
}
