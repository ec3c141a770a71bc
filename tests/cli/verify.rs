//! `wm-hooks verify` against receivers started here on 127.0.0.1:0: the exact
//! handshake GETs sent, a correct endpoint passing, each common mistake named,
//! the negative probes, TLS, and the exit codes.

use std::time::Duration;

use predicates::prelude::*;

use crate::util::server::{self, Recorded, Reply, TestCert, TestServer, closed_port};
use crate::util::{stderr_of, stdout_of, wm_hooks};

/// Characters that must be percent-encoded in the query.
const SECRET: &str = "s3cret&token=x y/é";
const PATH: &str = "/webhooks/whatsapp";

fn verify(url: &str) -> assert_cmd::Command {
    let mut cmd = wm_hooks();
    cmd.args(["verify", "--url", url])
        .env("WM_HOOKS_SECRET", SECRET);
    cmd
}

#[test]
fn a_correct_endpoint_passes_every_check() {
    let srv = TestServer::start(server::correct(SECRET));
    let out = verify(&srv.url(PATH))
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = stdout_of(&out);
    assert!(
        stdout.starts_with(&format!("verify {}\n", srv.url(PATH))),
        "{stdout}"
    );
    assert!(
        stdout.contains("✔ handshake               200 OK, body \""),
        "{stdout}"
    );
    assert!(
        stdout.contains("✔ wrong token refused     403 Forbidden"),
        "{stdout}"
    );
    assert!(
        stdout.contains("✔ wrong hub.mode refused  403 Forbidden"),
        "{stdout}"
    );
    assert!(stdout.contains("3 of 3 checks passed"), "{stdout}");
    assert!(!stdout.contains(SECRET) && !stderr_of(&out).contains(SECRET));

    let gets = srv.requests();
    assert_eq!(gets.len(), 3);
    assert!(gets.iter().all(|r| r.method == "GET" && r.path() == PATH));
    let challenge = gets[0].query("hub.challenge").unwrap();
    assert_eq!(challenge.len(), 24);
    assert!(challenge.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(gets[0].query("hub.mode").as_deref(), Some("subscribe"));
    assert_eq!(gets[0].query("hub.verify_token").as_deref(), Some(SECRET));
    assert_ne!(gets[1].query("hub.verify_token").as_deref(), Some(SECRET));
    assert_eq!(gets[1].query("hub.mode").as_deref(), Some("subscribe"));
    assert_ne!(gets[2].query("hub.mode").as_deref(), Some("subscribe"));
    assert_eq!(gets[2].query("hub.verify_token").as_deref(), Some(SECRET));
    assert!(gets[0].body.is_empty());
}

#[test]
fn the_challenge_can_be_given_and_negatives_skipped() {
    let srv = TestServer::start(server::correct(SECRET));
    verify(&srv.url(PATH))
        .args(["--challenge", "1158201444", "--no-negative"])
        .assert()
        .success()
        .stdout(predicate::str::contains("200 OK, body \"1158201444\""))
        .stdout(predicate::str::contains("1 of 1 checks passed"));
    let gets = srv.requests();
    assert_eq!(gets.len(), 1);
    assert_eq!(
        gets[0].query("hub.challenge").as_deref(),
        Some("1158201444")
    );
}

#[test]
fn an_endpoint_that_echoes_any_token_fails() {
    let srv = TestServer::start(server::accepts_anything());
    verify(&srv.url(PATH))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("✔ handshake"))
        .stdout(predicate::str::contains("✘ wrong token refused"))
        .stdout(predicate::str::contains("✘ wrong hub.mode refused"))
        .stdout(predicate::str::contains("anyone could register it"))
        .stdout(predicate::str::contains(
            "sent      GET /webhooks/whatsapp?hub.mode=subscribe",
        ))
        .stdout(predicate::str::contains("hub.verify_token=<a wrong token>"))
        .stdout(predicate::str::contains("1 of 3 checks passed"));
}

/// A receiver with the right token logic that answers the challenge like `answer`.
fn answering(
    answer: impl Fn(String) -> Reply + Send + Sync + 'static,
) -> impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static {
    move |req, _| server::handshake(req, SECRET, &answer)
}

#[test]
fn common_mistakes_get_a_hint() {
    type Answer = Box<dyn Fn(String) -> Reply + Send + Sync>;
    let cases: Vec<(Answer, &str)> = vec![
        (
            Box::new(|c| {
                Reply::new(200, format!("{{\"challenge\":\"{c}\"}}"))
                    .header("content-type", "application/json")
            }),
            "the challenge is wrapped in JSON",
        ),
        (
            Box::new(|c| Reply::new(200, format!("\"{c}\""))),
            "the challenge is in quotes",
        ),
        (
            Box::new(|c| Reply::new(200, format!("{c}\n"))),
            "a trailing newline?",
        ),
        (
            Box::new(|_| {
                Reply::new(200, "<html><body>Welcome</body></html>")
                    .header("content-type", "text/html")
            }),
            "answered with an HTML page",
        ),
        (
            Box::new(|_| Reply::new(404, "Not Found")),
            "nothing answers GET on this path",
        ),
        (
            Box::new(|_| Reply::new(500, "oops")),
            "the endpoint failed on the handshake",
        ),
        (
            Box::new(|_| Reply::new(302, "").header("location", "https://example.com/login")),
            "does not follow redirects: register the final URL (https://example.com/login)",
        ),
    ];
    for (answer, hint) in cases {
        let srv = TestServer::start(answering(answer));
        verify(&srv.url(PATH))
            .assert()
            .code(1)
            .stdout(predicate::str::contains("✘ handshake"))
            .stdout(predicate::str::contains(
                "expected  200 with the body exactly",
            ))
            .stdout(predicate::str::contains(hint));
    }
}

#[test]
fn the_body_is_escaped() {
    let srv = TestServer::start(answering(|_| Reply::new(200, "\u{1b}[2Jgone")));
    verify(&srv.url(PATH))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(r#"200 OK, body "\u{1b}[2Jgone""#))
        .stdout(predicate::str::contains("\u{1b}[2J").not());
}

#[test]
fn a_wrong_secret_is_named() {
    let srv = TestServer::start(server::correct("another secret"));
    verify(&srv.url(PATH))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("403 Forbidden"))
        .stdout(predicate::str::contains("refused the right token"));
}

#[test]
fn a_slow_endpoint_times_out() {
    let srv = TestServer::start(server::slow(
        Duration::from_secs(3),
        server::correct(SECRET),
    ));
    verify(&srv.url(PATH))
        .args(["--timeout", "200ms"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "✘ handshake  no answer: timed out after 400ms",
        ))
        .stdout(predicate::str::contains("answer the GET at once"))
        .stdout(predicate::str::contains("0 of 1 checks passed"));
    assert_eq!(
        srv.requests().len(),
        1,
        "no negative probes after a timeout"
    );
}

#[test]
fn an_unreachable_endpoint_exits_3() {
    let url = format!("http://127.0.0.1:{}{PATH}", closed_port());
    verify(&url)
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "error: cannot reach {url}: connection refused"
        )));
}

#[test]
fn json_prints_the_report() {
    let srv = TestServer::start(server::accepts_anything());
    let out = verify(&srv.url(PATH))
        .arg("--json")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let report: serde_json::Value = serde_json::from_str(&stdout_of(&out)).unwrap();
    assert_eq!(report["url"], srv.url(PATH));
    let checks = report["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 3);
    assert_eq!(checks[0]["name"], "handshake");
    assert_eq!(checks[0]["passed"], true);
    assert_eq!(checks[1]["passed"], false);
    assert!(
        checks[1]["hint"]
            .as_str()
            .unwrap()
            .contains("anyone could register")
    );
}

#[test]
fn tls_certificates_are_checked_unless_insecure() {
    let cert = TestCert::new();
    let srv = TestServer::start_tls(&cert, server::correct(SECRET));
    verify(&srv.url(PATH))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("no answer: TLS handshake failed"))
        .stdout(predicate::str::contains("add --insecure"));
    verify(&srv.url(PATH))
        .env("SSL_CERT_FILE", &cert.ca_pem)
        .assert()
        .success();
    verify(&srv.url(PATH))
        .arg("--insecure")
        .assert()
        .success()
        .stderr(predicate::str::contains("warning: --insecure"));
}

#[test]
fn bad_input_exits_2() {
    wm_hooks()
        .args(["verify", "--url", "http://127.0.0.1:9/"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no webhook secret given"));
    verify("not a url").assert().code(2);
}
