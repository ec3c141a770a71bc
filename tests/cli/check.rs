//! `wm-hooks check` against receivers started here on 127.0.0.1:0: a correct
//! one passes every check, and each broken one (one per check family, and a
//! few finer mistakes) fails exactly the checks about its mistake; what goes
//! on the wire; the card and `--json` (`check_formats.rs` holds the lines'
//! shape and `--junit`, `check_endpoints.rs` slow, hung and closed endpoints);
//! `--only`/`--skip`; the exit codes; and `wm-hooks listen` run as a
//! process, which must pass every check.

use std::collections::{BTreeSet, HashSet};
use std::sync::Mutex;

use predicates::prelude::*;
use serde_json::Value;

use crate::util::listen::{self, Listener};
use crate::util::server::{self, Recorded, Reply, TestServer, hmac_header};
use crate::util::{Ended, stdout_of, wm_hooks};
use crate::verify::{leaves_out_the_urls_hub_values, own_parameters_then_the_handshakes};

pub(crate) const SECRET: &str = "whsec_check_0123456789abcdef";
pub(crate) const PATH: &str = "/webhooks/whatsapp";
pub(crate) const HEADER: &str = "x-signature-256";

/// Every check, in the order they run.
pub(crate) const ALL: [&str; 18] = [
    "handshake.challenge",
    "handshake.wrong-token",
    "handshake.wrong-mode",
    "signature.valid.message-received",
    "signature.valid.message-status",
    "signature.valid.template-status",
    "signature.missing",
    "signature.wrong-secret",
    "signature.tampered-body",
    "signature.empty",
    "signature.sha1-prefix",
    "signature.uppercase-hex",
    "idempotency",
    "tolerance.unknown-event",
    "tolerance.unseen-status",
    "tolerance.large-body",
    "tolerance.non-ascii",
    "budget",
];

pub(crate) fn check(url: &str) -> assert_cmd::Command {
    let mut cmd = wm_hooks();
    cmd.args(["check", "--url", url])
        .env("WM_HOOKS_SECRET", SECRET);
    cmd
}

/// Runs `check --json` and returns the exit code and one object per check
/// (the summary line, checked against the rest, left off).
pub(crate) fn run_json(cmd: &mut assert_cmd::Command) -> (i32, Vec<Value>) {
    let (code, mut lines) = run_json_all(cmd);
    let summary = lines.pop().expect("a summary line");
    assert_eq!(summary["type"], "summary", "{summary}");
    let count = |result: &str| lines.iter().filter(|l| l["result"] == result).count();
    assert_eq!(summary["passed"], count("pass"));
    assert_eq!(summary["failed"], count("fail"));
    assert_eq!(summary["inconclusive"], count("inconclusive"));
    assert_eq!(summary["result"], if code == 0 { "pass" } else { "fail" });
    (code, lines)
}

/// Every line of `check --json`, the summary included.
pub(crate) fn run_json_all(cmd: &mut assert_cmd::Command) -> (i32, Vec<Value>) {
    let out = cmd.arg("--json").output().unwrap();
    let lines = stdout_of(&out)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is a JSON object"))
        .collect();
    (out.status.code().unwrap(), lines)
}

fn names(lines: &[Value], failed: bool) -> BTreeSet<String> {
    lines
        .iter()
        .filter(|l| !failed || l["result"] != "pass")
        .map(|l| l["name"].as_str().unwrap().to_string())
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

/// Runs every check against `srv` and asserts that exactly `broken` fail,
/// with exit 1 (or 0 when none do).
pub(crate) fn fails_exactly(srv: &TestServer, extra: &[&str], broken: &[&str]) -> Vec<Value> {
    let (code, lines) = run_json(check(&srv.url(PATH)).args(extra));
    assert_eq!(names(&lines, false).len(), ALL.len(), "{lines:#?}");
    assert_eq!(names(&lines, true), set(broken), "{lines:#?}");
    assert_eq!(code, if broken.is_empty() { 0 } else { 1 });
    lines
}

/// The start of a card line: the names are padded to the longest one's width.
pub(crate) fn line(mark: &str, name: &str, got: &str) -> String {
    format!("{mark} {name:<32}  {got}")
}

/// Asserts that a JSON line's `key` holds `text`.
pub(crate) fn says(line: &Value, key: &str, text: &str) {
    let value = line[key].as_str().unwrap_or_default();
    assert!(value.contains(text), "{key} {value:?} lacks {text:?}");
}

pub(crate) fn signed(req: &Recorded) -> bool {
    req.signed_with(SECRET, HEADER)
}

/// A receiver that is correct but for how it answers a POST.
pub(crate) fn posts(
    answer: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
) -> impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static {
    move |req, _| {
        if req.method == "GET" {
            server::handshake(req, SECRET, |c| Reply::new(200, c))
        } else {
            answer(req)
        }
    }
}

/// 200 when a receiver takes the signature as good, 401 when not.
fn accept_if(good: bool) -> Reply {
    match good {
        true => Reply::new(200, "ok"),
        false => Reply::new(401, "invalid signature"),
    }
}

/// The correct answer to a POST.
pub(crate) fn verified(req: &Recorded) -> Reply {
    accept_if(signed(req))
}

#[test]
fn a_correct_receiver_passes_every_check() {
    let srv = TestServer::start(server::correct(SECRET));
    let out = Ended::run(&mut check(&srv.url(PATH))).exited(0);
    let stdout = out.stdout;
    assert!(
        stdout.starts_with(&format!("check {}\n", srv.url(PATH))),
        "{stdout}"
    );
    for name in ALL {
        assert!(stdout.contains(&format!("✔ {name} ")), "{name}: {stdout}");
    }
    assert!(!stdout.contains('✘'), "{stdout}");
    assert!(
        stdout.contains(&line(
            "✔",
            "signature.uppercase-hex",
            "refused: 401 Unauthorized"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("hint: information only: the platform sends lower-case hex, so refusing"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&line("✔", "idempotency", "200 OK, 200 OK, 200 OK")),
        "{stdout}"
    );
    assert!(stdout.contains("p50 "), "{stdout}");
    assert!(
        stdout.contains("17 of 17 required checks passed in "),
        "{stdout}"
    );
    assert!(!stdout.contains(SECRET) && !out.stderr.contains(SECRET));
}

#[test]
fn what_goes_on_the_wire() {
    let srv = TestServer::start(server::correct(SECRET));
    check(&srv.url(PATH)).assert().success();
    let requests = srv.requests();
    let gets: Vec<&Recorded> = requests.iter().filter(|r| r.method == "GET").collect();
    assert_eq!(gets.len(), 3);
    assert_eq!(gets[0].query("hub.verify_token").as_deref(), Some(SECRET));
    assert_ne!(gets[1].query("hub.verify_token").as_deref(), Some(SECRET));
    assert_eq!(gets[2].query("hub.mode").as_deref(), Some("unsubscribe"));

    let posts = srv.posts();
    // 3 valid, 5 forged, upper-case hex, 3 copies, 4 tolerance, 3 for the budget.
    assert_eq!(posts.len(), 19);
    assert!(posts.iter().all(|p| p.path() == PATH));
    assert!(
        posts
            .iter()
            .all(|p| p.header("content-type") == Some("application/json"))
    );
    assert_eq!(posts.iter().filter(|p| signed(p)).count(), 13);
    let header = |p: &Recorded| p.header(HEADER).map(str::to_string);
    let right = |p: &Recorded| hmac_header(SECRET, &p.body);
    let events: Vec<String> = posts[..3]
        .iter()
        .map(|p| p.json()["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        events,
        ["message.received", "message.status", "template.status"]
    );
    assert_eq!(header(&posts[3]), None, "signature.missing");
    assert!(
        header(&posts[4]).unwrap().starts_with("sha256="),
        "wrong secret"
    );
    assert!(!signed(&posts[4]));
    // Tampered: one digit of the body differs from what was signed.
    let tampered = &posts[5];
    assert!(!signed(tampered));
    let original = (0..tampered.body.len())
        .filter(|&i| tampered.body[i].is_ascii_digit())
        .flat_map(|i| (b'0'..=b'9').map(move |d| (i, d)))
        .any(|(i, d)| {
            let mut body = tampered.body.clone();
            body[i] = d;
            hmac_header(SECRET, &body) == header(tampered).unwrap()
        });
    assert!(
        original,
        "the tampered body differs from a signed one by one digit"
    );
    assert_eq!(header(&posts[6]).as_deref(), Some("sha256="));
    assert_eq!(
        header(&posts[7]).unwrap(),
        right(&posts[7]).replace("sha256=", "sha1=")
    );
    assert_eq!(
        header(&posts[8]).unwrap(),
        format!("sha256={}", right(&posts[8])[7..].to_uppercase())
    );
    // Idempotency: the same bytes three times.
    assert!(posts[9].body == posts[10].body && posts[10].body == posts[11].body);
    assert!(signed(&posts[9]));
    let tolerance = &posts[12..16];
    assert!(tolerance.iter().all(signed));
    assert_eq!(tolerance[0].json()["event"], "message.reaction");
    assert_eq!(tolerance[1].json()["data"]["status"], "read");
    assert_eq!(tolerance[2].body.len(), 512 * 1024);
    let text = String::from_utf8(tolerance[3].body.clone()).unwrap();
    assert!(text.contains(r"\u00e4") && text.contains("👋🏽"), "{text}");
    // Every message id is fresh but the copies'.
    let ids: HashSet<String> = posts
        .iter()
        .filter_map(|p| p.json()["data"]["message_id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        ids.len(),
        19 - 2 - 2,
        "two copies repeat, template.status has no id"
    );
    assert!(posts[16..].iter().all(signed));
    // One keep-alive connection for the whole run.
    assert!(requests.iter().all(|r| r.peer == requests[0].peer));
}

#[test]
fn deliveries_keep_the_urls_own_query_and_the_handshake_sends_only_its_own_hub_values() {
    let srv = TestServer::start(server::correct(SECRET));
    let query = "tenant=a%20b&hub.mode=x&hub.topic=t&hub.verify_token=leak1234";
    let url = format!("{}?{query}", srv.url(PATH));
    leaves_out_the_urls_hub_values(
        &Ended::run(&mut check(&url)).exited(0),
        &format!("check {}?tenant=a%20b&hub.topic=t", srv.url(PATH)),
    );
    // The platform POSTs to the URL as registered, stray hub.* included.
    let posts = srv.posts();
    assert_eq!(posts.len(), 19);
    for post in &posts {
        assert_eq!(post.target, format!("{PATH}?{query}"));
    }
    let requests = srv.requests();
    let gets: Vec<&Recorded> = requests.iter().filter(|r| r.method == "GET").collect();
    assert_eq!(gets.len(), 3);
    for get in &gets {
        own_parameters_then_the_handshakes(get, "tenant=a%20b&hub.topic=t");
        assert!(!get.target.contains("leak1234"), "{}", get.target);
    }
    assert_eq!(gets[0].query("hub.mode").as_deref(), Some("subscribe"));
    assert_eq!(gets[0].query("hub.verify_token").as_deref(), Some(SECRET));
    assert_eq!(gets[2].query("hub.mode").as_deref(), Some("unsubscribe"));
}

#[test]
fn wm_hooks_listen_passes_every_check() {
    let listener = Listener::start(&["--json"]);
    let (code, lines) = run_json(
        wm_hooks()
            .args(["check", "--url", &listener.url])
            .env("WM_HOOKS_SECRET", listen::SECRET),
    );
    assert_eq!(names(&lines, true), set(&[]), "{lines:#?}");
    assert_eq!(names(&lines, false), set(&ALL));
    assert_eq!(code, 0);
    // listen decodes the hex, so upper case is accepted, and refuses forgeries.
    says(&lines[11], "got", "accepted: 2");
    says(&lines[11], "hint", "decodes the hex before comparing");
    // listen saw every request: 3 handshake GETs and 19 deliveries.
    let records = listener.wait_stdout(|out| out.lines().count() >= 22);
    let signatures: Vec<String> = records
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["signature"].to_string())
        .collect();
    let count = |verdict: &str| signatures.iter().filter(|s| *s == verdict).count();
    assert_eq!(
        (
            count("\"valid\""),
            count("\"invalid\""),
            count("\"missing\"")
        ),
        (14, 4, 1),
        "{records}"
    );
    assert_eq!(signatures.len(), 22, "{records}");
}

/// The `result` of each check, by name.
fn results(lines: &[Value]) -> Vec<(String, String)> {
    lines
        .iter()
        .map(|l| {
            let field = |k: &str| l[k].as_str().unwrap().to_string();
            (field("name"), field("result"))
        })
        .collect()
}

pub(crate) fn expect_results(lines: &[Value], want: &[(&str, &str)]) {
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(n, r)| (n.to_string(), r.to_string()))
        .collect();
    assert_eq!(results(lines), want, "{lines:#?}");
}

#[test]
fn a_negative_check_run_alone_sends_its_own_control() {
    let srv = TestServer::start(server::status(400));
    let (code, lines) = run_json(check(&srv.url(PATH)).args(["--only", "signature.missing"]));
    assert_eq!(code, 1);
    expect_results(&lines, &[("signature.missing", "inconclusive")]);
    let posts = srv.posts();
    assert_eq!(posts.len(), 2, "the control, then the check");
    assert!(signed(&posts[0]) && posts[1].header(HEADER).is_none());
    // A correct receiver passes it, with the same control sent first.
    let good = TestServer::start(server::correct(SECRET));
    let (code, lines) = run_json(check(&good.url(PATH)).args(["--only", "signature.missing"]));
    assert_eq!(code, 0);
    expect_results(&lines, &[("signature.missing", "pass")]);
}

#[test]
fn a_receiver_that_ignores_the_token_fails_the_token_check() {
    let srv = TestServer::start(|req: &Recorded, _| {
        if req.method == "POST" {
            verified(req)
        } else if req.query("hub.mode").as_deref() == Some("subscribe") {
            Reply::new(200, req.query("hub.challenge").unwrap_or_default())
        } else {
            Reply::new(403, "Forbidden")
        }
    });
    let lines = fails_exactly(&srv, &[], &["handshake.wrong-token"]);
    says(&lines[1], "hint", "anyone could register it");
    assert_eq!(lines[1]["required"], true);
}

#[test]
fn a_refusal_that_quotes_the_challenge_passes_and_its_expected_text_says_why() {
    // The platform verifies only a 200 with exactly the challenge: a 403 that
    // quotes it registers nothing, while a 200 that quotes it echoed it.
    let refusal = |status: u16| {
        move |req: &Recorded, _: usize| {
            if req.method == "POST" {
                return verified(req);
            }
            let challenge = req.query("hub.challenge").unwrap_or_default();
            if req.query("hub.verify_token").as_deref() == Some(SECRET)
                && req.query("hub.mode").as_deref() == Some("subscribe")
            {
                Reply::new(200, challenge)
            } else {
                Reply::new(status, format!("Forbidden: {challenge}"))
            }
        }
    };
    let expected = "a refusal (403): no 2xx that carries the challenge";
    let srv = TestServer::start(refusal(403));
    let lines = fails_exactly(&srv, &[], &[]);
    for line in &lines[1..3] {
        assert_eq!(line["result"], "pass", "{line}");
        assert_eq!(line["expected"], expected, "{line}");
        says(line, "got", "403 Forbidden, body \"Forbidden: ");
    }
    let srv = TestServer::start(refusal(200));
    let lines = fails_exactly(
        &srv,
        &[],
        &["handshake.wrong-token", "handshake.wrong-mode"],
    );
    for line in &lines[1..3] {
        assert_eq!(line["expected"], expected, "{line}");
    }
}

#[test]
fn a_receiver_that_ignores_the_mode_fails_the_mode_check() {
    let srv = TestServer::start(|req: &Recorded, _| {
        if req.method == "POST" {
            verified(req)
        } else if req.query("hub.verify_token").as_deref() == Some(SECRET) {
            Reply::new(200, req.query("hub.challenge").unwrap_or_default())
        } else {
            Reply::new(403, "Forbidden")
        }
    });
    fails_exactly(&srv, &[], &["handshake.wrong-mode"]);
}

#[test]
fn a_receiver_that_accepts_any_signature_fails_every_forgery() {
    let srv = TestServer::start(posts(|_| Reply::new(200, "ok")));
    let lines = fails_exactly(
        &srv,
        &[],
        &[
            "signature.missing",
            "signature.wrong-secret",
            "signature.tampered-body",
            "signature.empty",
            "signature.sha1-prefix",
        ],
    );
    let upper = &lines[11];
    assert_eq!(upper["name"], "signature.uppercase-hex");
    assert_eq!(
        (&upper["result"], &upper["required"]),
        (&Value::from("pass"), &Value::Bool(false))
    );
    says(upper, "got", "accepted: 200 OK");
    // It accepts forgeries too: its acceptance shows nothing about the hex.
    says(upper, "hint", "but so were forged signatures");
    let (_, alone) = run_json(check(&srv.url(PATH)).args(["--only", "signature.uppercase-hex"]));
    says(&alone[0], "hint", "whether signatures are checked at all");
    let missing = &lines[6];
    assert_eq!(missing["got"], "200 OK, body \"ok\"");
    assert_eq!(missing["expected"], "4xx (401)");
    assert_eq!(
        missing["sent"],
        format!("POST {PATH}  message.received, no X-Signature-256 header")
    );
    says(missing, "hint", "anyone can forge events");
    // The finer forgeries' hints name what the whole pattern shows, not the
    // mistake each check is about.
    for line in &lines[8..11] {
        says(
            line,
            "hint",
            "the receiver accepted a signature made with another secret too \
             (signature.wrong-secret): it checks no signature at all, so this forgery shows no \
             mistake of its own: compute the HMAC-SHA256 of the raw body with the secret, \
             compare it with X-Signature-256 in constant time, and answer 401 when they differ",
        );
    }
    // And the summary names it once, as the root cause of every failure.
    let (_, all) = run_json_all(&mut check(&srv.url(PATH)));
    let summary = all.last().unwrap();
    assert_eq!(summary["type"], "summary");
    says(
        summary,
        "root_cause",
        "the endpoint accepted every delivery, forged or not (5 forgeries, each answered 2xx): \
         it checks no signature",
    );
}

#[test]
fn a_compare_that_fails_open_on_another_length_is_named_as_such() {
    // As Node's crypto.timingSafeEqual, which throws on buffers of other
    // lengths, in a try whose catch accepts: only a wrong signature of the
    // right length is refused.
    let srv = TestServer::start(posts(|req| {
        let want = hmac_header(SECRET, &req.body);
        match req.header(HEADER) {
            Some(got) if got.len() == want.len() => accept_if(got == want),
            _ => Reply::new(200, "ok"),
        }
    }));
    let lines = fails_exactly(
        &srv,
        &[],
        &[
            "signature.missing",
            "signature.empty",
            "signature.sha1-prefix",
        ],
    );
    let length = "but refused a wrong signature of the right length (signature.wrong-secret): its \
                  compare fails open when the lengths differ (an error from the compare, such as \
                  Node's crypto.timingSafeEqual on buffers of other lengths, caught and taken as \
                  a match?): refuse anything but `sha256=` and 64 hex digits with 401 before \
                  comparing, and treat an error in the check as a refusal";
    assert_eq!(lines[9]["name"], "signature.empty");
    says(
        &lines[9],
        "hint",
        &format!(
            "the receiver accepted an empty digest (signature.empty) and no signature \
             (signature.missing), values of another length than a signature, {length}"
        ),
    );
    assert_eq!(lines[10]["name"], "signature.sha1-prefix");
    says(
        &lines[10],
        "hint",
        &format!(
            "the receiver accepted `sha1=` in front of the digest (signature.sha1-prefix), no \
             signature (signature.missing) and an empty digest (signature.empty), values of \
             another length than a signature, {length}"
        ),
    );
    let hint = lines[10]["hint"].as_str().unwrap();
    assert!(!hint.contains("stripping"), "{hint}");
    // Alone, `sha1=` accepted may be any of three mistakes: the hint says so.
    let (_, alone) = run_json(check(&srv.url(PATH)).args(["--only", "signature.sha1-prefix"]));
    says(
        &alone[0],
        "hint",
        "it strips whatever comes before the `=`, its compare fails open on a value of another \
         length, or it checks no signature (signature.empty and signature.wrong-secret tell which)",
    );
    // With an empty digest accepted too, a stripped prefix is ruled out.
    let only = ["--only", "signature.empty,signature.sha1-prefix"];
    let (_, two) = run_json(check(&srv.url(PATH)).args(only));
    let sha1 = two
        .iter()
        .find(|l| l["name"] == "signature.sha1-prefix")
        .unwrap();
    says(sha1, "hint", "(signature.wrong-secret tells which)");
    assert!(!sha1["hint"].as_str().unwrap().contains("strips"), "{sha1}");
}

#[test]
fn finer_signature_mistakes_are_named_one_by_one() {
    // Strips whatever comes before the `=`, so `sha1=` passes.
    let strips = TestServer::start(posts(|req| {
        let hex = req
            .header(HEADER)
            .and_then(|v| v.split_once('='))
            .map(|(_, h)| h);
        accept_if(hex == Some(&hmac_header(SECRET, &req.body)[7..]))
    }));
    let lines = fails_exactly(&strips, &[], &["signature.sha1-prefix"]);
    says(&lines[10], "hint", "require exactly `sha256=`");

    // Compares only as far as the header goes, so `sha256=` alone passes.
    let prefix = TestServer::start(posts(|req| {
        let want = hmac_header(SECRET, &req.body);
        accept_if(req.header(HEADER).is_some_and(|v| want.starts_with(v)))
    }));
    fails_exactly(&prefix, &[], &["signature.empty"]);

    // Hashes the JSON re-serialised, not the raw bytes.
    let reserialises = TestServer::start(posts(|req| {
        let json: Value = serde_json::from_slice(&req.body).unwrap();
        let body = serde_json::to_vec(&json).unwrap();
        accept_if(req.header(HEADER) == Some(&hmac_header(SECRET, &body)))
    }));
    let lines = fails_exactly(&reserialises, &[], &["tolerance.non-ascii"]);
    says(&lines[16], "hint", "never over re-serialised JSON");
}

#[test]
fn a_signature_refused_after_others_were_accepted_blames_the_body_not_the_secret() {
    // Hashes at most the first 64 KiB: every sample passes, the 512 KiB body's
    // signature does not match. The run has shown that the secret and the
    // header are right, so the hint may not ask about them.
    let cuts = TestServer::start(posts(|req| {
        let hashed = &req.body[..req.body.len().min(64 * 1024)];
        accept_if(req.header(HEADER) == Some(&hmac_header(SECRET, hashed)))
    }));
    let lines = fails_exactly(&cuts, &[], &["tolerance.large-body"]);
    says(
        &lines[15],
        "hint",
        "accepted other correctly signed deliveries",
    );
    says(&lines[15], "hint", "raw body bytes");
    let hint = lines[15]["hint"].as_str().unwrap();
    assert!(!hint.contains("same secret"), "{hint}");
}

#[test]
fn a_receiver_that_errors_on_a_duplicate_fails_idempotency() {
    let seen = Mutex::new(HashSet::new());
    let srv = TestServer::start(posts(move |req| {
        if !signed(req) {
            return verified(req);
        }
        let id = req.json()["data"]["message_id"]
            .as_str()
            .map(str::to_string);
        match id {
            Some(id) if !seen.lock().unwrap().insert(id.clone()) => {
                Reply::new(500, "duplicate key")
            }
            _ => Reply::new(200, "ok"),
        }
    }));
    let lines = fails_exactly(&srv, &[], &["idempotency"]);
    let idempotency = &lines[12];
    assert_eq!(
        idempotency["got"],
        "200 OK, 500 Internal Server Error, 500 Internal Server Error; \
         copy 2: 500 Internal Server Error, body \"duplicate key\""
    );
    says(idempotency, "sent", "3 times byte for byte");
    says(idempotency, "hint", "deduplicate by data.message_id");
}

#[test]
fn a_receiver_that_rejects_unknown_events_fails_that_tolerance() {
    let srv = TestServer::start(posts(|req| {
        let known = ["message.received", "message.status", "template.status"];
        match req.json()["event"].as_str() {
            Some(event) if !known.contains(&event) => Reply::new(400, "unknown event"),
            _ => verified(req),
        }
    }));
    let lines = fails_exactly(&srv, &[], &["tolerance.unknown-event"]);
    says(&lines[13], "hint", "answer 2xx and ignore it");
}

#[test]
fn a_receiver_with_a_small_body_limit_fails_the_large_body() {
    let srv = TestServer::start(posts(|req| match req.body.len() > 100_000 {
        true => Reply::new(413, "Payload Too Large"),
        false => verified(req),
    }));
    fails_exactly(&srv, &[], &["tolerance.large-body"]);
}

#[test]
fn only_and_skip_take_names_and_groups() {
    let srv = TestServer::start(server::correct(SECRET));
    let (code, lines) = run_json(check(&srv.url(PATH)).args(["--only", "handshake"]));
    assert_eq!(code, 0);
    assert_eq!(names(&lines, false), set(&ALL[..3]));
    assert!(srv.posts().is_empty());

    let (_, lines) = run_json(check(&srv.url(PATH)).args([
        "--only",
        "signature.valid,budget",
        "--skip",
        "signature.valid.template-status",
    ]));
    let got: Vec<&str> = lines.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(
        got,
        [
            "signature.valid.message-received",
            "signature.valid.message-status",
            "budget"
        ]
    );

    let (_, lines) = run_json(check(&srv.url(PATH)).args([
        "--skip",
        "signature",
        "tolerance",
        "--skip",
        "handshake.wrong-mode",
    ]));
    let got: Vec<&str> = lines.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(
        got,
        [
            "handshake.challenge",
            "handshake.wrong-token",
            "idempotency",
            "budget"
        ]
    );
}

#[test]
fn unknown_check_names_are_usage_errors_that_list_the_names() {
    wm_hooks()
        .args(["check", "--only", "signatures"])
        .env("WM_HOOKS_SECRET", SECRET)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'signatures'"))
        .stderr(predicate::str::contains(
            "handshake, handshake.challenge, handshake.wrong-token",
        ))
        .stderr(predicate::str::contains(
            "tolerance.non-ascii, batch, budget",
        ));
    wm_hooks()
        .args(["check", "--only", "budget", "--skip", "budget"])
        .env("WM_HOOKS_SECRET", SECRET)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("leave no check to run"));
}

#[test]
fn the_secret_is_required() {
    wm_hooks()
        .args(["check"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error: no webhook secret given"))
        .stderr(predicate::str::contains("hint: set WM_HOOKS_SECRET"));
}

#[test]
fn list_names_every_check_without_a_secret() {
    let out = Ended::run(wm_hooks().args(["check", "--list"])).exited(0);
    let listed: Vec<String> = out
        .stdout
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect();
    assert_eq!(listed, ALL);
    wm_hooks()
        .args(["check", "--list", "--only", "tolerance"])
        .assert()
        .success()
        .stdout(predicate::str::contains("tolerance.large-body"))
        .stdout(predicate::str::contains("handshake").not());
}

#[test]
fn batch_alone_without_the_meta_profile_says_why_nothing_runs() {
    let srv = TestServer::start(server::correct(SECRET));
    check(&srv.url(PATH))
        .args(["--only", "batch"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: --only picks checks that do not run under --profile startmessaging",
        ))
        .stderr(predicate::str::contains(
            "`batch` runs only with --profile meta",
        ));
    assert!(srv.requests().is_empty());
}

#[test]
fn forgeries_are_sent_as_an_event_the_receiver_accepts() {
    // Fails on any body with a non-ASCII byte: the message.received sample
    // has "João" in it, and so refusing its forgeries would prove nothing.
    let srv = TestServer::start(posts(|req| match req.body.is_ascii() {
        true => verified(req),
        false => Reply::new(500, "Internal Server Error"),
    }));
    let (code, lines) = run_json(&mut check(&srv.url(PATH)));
    assert_eq!(code, 1);
    for name in [
        "signature.missing",
        "signature.wrong-secret",
        "signature.tampered-body",
        "signature.empty",
        "signature.sha1-prefix",
    ] {
        let line = lines.iter().find(|l| l["name"] == name).unwrap();
        assert_eq!(line["result"], "pass", "{line}");
        says(line, "sent", "message.status");
    }
    let received = lines
        .iter()
        .find(|l| l["name"] == "signature.valid.message-received")
        .unwrap();
    assert_eq!(received["result"], "fail");
}

/// Upper-case hex is read against an accepted body, as the forgeries are:
/// a receiver that refuses `message.received` for its body (and accepts
/// upper-case hex) is sent it as another event, and shown accepting it.
#[test]
fn uppercase_hex_moves_to_an_accepted_event_as_the_forgeries_do() {
    let srv = TestServer::start(posts(|req| {
        let want = hmac_header(SECRET, &req.body);
        let given = req.header(HEADER).unwrap_or_default();
        if req.json()["event"] == "message.received" {
            Reply::new(422, "unsupported event")
        } else if given.eq_ignore_ascii_case(&want) {
            Reply::new(200, "ok")
        } else {
            Reply::new(401, "bad signature")
        }
    }));
    let (_, lines) = run_json(&mut check(&srv.url(PATH)));
    let upper = lines
        .iter()
        .find(|l| l["name"] == "signature.uppercase-hex")
        .unwrap();
    says(upper, "got", "accepted: 200 OK");
    says(upper, "sent", "message.status");
}
