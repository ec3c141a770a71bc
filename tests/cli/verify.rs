//! `wm-hooks verify` against receivers started here on 127.0.0.1:0: the exact
//! handshake GETs sent, a correct endpoint passing, each common mistake named,
//! the negative probes, TLS, and the exit codes.

use std::time::Duration;

use predicates::prelude::*;

use crate::util::server::{self, Recorded, Reply, TestCert, TestServer, closed_port};
use crate::util::{Ended, stderr_of, stdout_of, wm_hooks};

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
    let out = Ended::run(&mut verify(&srv.url(PATH))).exited(0);
    let stdout = out.stdout;
    assert!(
        stdout.starts_with(&format!("verify {}\n", srv.url(PATH))),
        "{stdout}"
    );
    assert!(
        stdout.contains("✔ handshake.challenge    200 OK, body \""),
        "{stdout}"
    );
    assert!(
        stdout.contains("✔ handshake.wrong-token  403 Forbidden"),
        "{stdout}"
    );
    assert!(
        stdout.contains("✔ handshake.wrong-mode   403 Forbidden"),
        "{stdout}"
    );
    assert!(stdout.contains("3 of 3 checks passed"), "{stdout}");
    assert!(!stdout.contains(SECRET) && !out.stderr.contains(SECRET));

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
fn the_urls_own_handshake_parameters_are_replaced_with_a_warning_and_the_rest_kept() {
    let srv = TestServer::start(server::correct(SECRET));
    let url = format!(
        "{}?hub.mode=x&tenant=a%20b&hub.verify_token=leak1234&hub.topic=t",
        srv.url(PATH)
    );
    leaves_out_the_urls_hub_values(
        &Ended::run(&mut verify(&url)).exited(0),
        &format!("verify {}?tenant=a%20b&hub.topic=t", srv.url(PATH)),
    );
    let gets = srv.requests();
    assert_eq!(gets.len(), 3);
    for get in &gets {
        own_parameters_then_the_handshakes(get, "tenant=a%20b&hub.topic=t");
    }
    assert_eq!(gets[0].query("hub.mode").as_deref(), Some("subscribe"));
    assert_eq!(gets[0].query("hub.verify_token").as_deref(), Some(SECRET));
    // The report's `sent` says what went: the URL's other parameters first.
    let out = Ended::run(verify(&url).arg("--json")).exited(0);
    let first: serde_json::Value =
        serde_json::from_str(out.stdout.lines().next().unwrap()).unwrap();
    let sent = first["sent"].as_str().unwrap();
    assert!(
        sent.starts_with(&format!(
            "GET {PATH}?tenant=a%20b&hub.topic=t&hub.mode=subscribe&hub.challenge="
        )) && sent.ends_with("&hub.verify_token=<the secret>"),
        "{sent}"
    );
    // One parameter is named alone.
    verify(&format!("{}?hub.challenge=c", srv.url(PATH)))
        .arg("--no-negative")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: the URL's own hub.challenge is left out",
        ));
}

/// Asserts that a handshake GET went to [`PATH`] with the URL's `own` other
/// parameters first, as written, then one of each of the handshake's.
/// A run against a URL with its own hub.mode and hub.verify_token (the
/// latter `leak1234`): one warning that they are left out, and the URL
/// shown, first, as `shown`: without them, since hub.verify_token's value
/// may be the secret.
pub(crate) fn leaves_out_the_urls_hub_values(ran: &Ended, shown: &str) {
    assert_eq!(
        ran.stderr,
        "warning: the URL's own hub.mode, hub.verify_token are left out: \
         the handshake sends its own, as the platform does\n"
    );
    let stdout = &ran.stdout;
    assert!(stdout.starts_with(&format!("{shown}\n")), "{stdout}");
    assert!(!stdout.contains("leak1234"), "{stdout}");
}

pub(crate) fn own_parameters_then_the_handshakes(get: &Recorded, own: &str) {
    let (path, query) = get.target.split_once('?').unwrap();
    assert_eq!(path, PATH);
    let names: Vec<&str> = query
        .split('&')
        .map(|p| p.split('=').next().unwrap())
        .collect();
    let own_names = own.split('&').map(|p| p.split('=').next().unwrap());
    let expected: Vec<&str> = own_names
        .chain(["hub.mode", "hub.challenge", "hub.verify_token"])
        .collect();
    assert_eq!(names, expected, "{}", get.target);
    assert!(query.starts_with(&format!("{own}&")), "{}", get.target);
}

#[test]
fn the_challenge_can_be_given_and_negatives_skipped() {
    let srv = TestServer::start(server::correct(SECRET));
    verify(&srv.url(PATH))
        .args(["--challenge", "1158201444", "--no-negative"])
        .assert()
        .success()
        .stdout(predicate::str::contains("200 OK, body \"1158201444\""))
        .stdout(predicate::str::contains(
            "1 of 1 checks passed; not sent (--no-negative): handshake.wrong-token, handshake.wrong-mode",
        ));
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
        .stdout(predicate::str::contains("✔ handshake.challenge"))
        .stdout(predicate::str::contains("✘ handshake.wrong-token"))
        .stdout(predicate::str::contains("✘ handshake.wrong-mode"))
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

/// `bytes` compressed by Debian's gzip.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gzip = std::process::Command::new("gzip")
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip (Debian's gzip package)");
    gzip.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = gzip.wait_with_output().unwrap();
    assert!(out.status.success() && out.stdout.starts_with(&[0x1f, 0x8b]));
    out.stdout
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
            r#"the challenge with a trailing "\n": send exactly the challenge, byte for byte"#,
        ),
        (
            Box::new(|c| Reply::new(200, format!(" {c}\r\n"))),
            r#"the challenge with " " before and "\r\n" after it"#,
        ),
        (
            Box::new(|c| Reply::new(200, format!("\u{feff}{c}"))),
            "the challenge after a UTF-8 byte-order mark (EF BB BF",
        ),
        (
            Box::new(|c| Reply::new(200, c.to_uppercase())),
            "the challenge in upper case (it is case-sensitive)",
        ),
        (
            Box::new(|c| Reply::new(200, gzip(c.as_bytes())).header("content-encoding", "gzip")),
            "the body is compressed (Content-Encoding: gzip): the handshake asks for no encoding",
        ),
        (
            Box::new(|c| Reply::new(200, gzip(c.as_bytes()))),
            "the body is gzip data (with no Content-Encoding saying so)",
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
            .stdout(predicate::str::contains("✘ handshake.challenge"))
            .stdout(predicate::str::contains(
                "expected  200 with the body exactly",
            ))
            .stdout(predicate::str::contains(hint));
    }
    // The bytes are the verdict: `got` keeps the final newline that made it
    // fail, which would otherwise look the same as `expected`.
    let srv = TestServer::start(answering(|c| Reply::new(200, format!("{c}\r\n"))));
    let lines = json_lines(&srv, 1);
    let got = lines[0]["got"].as_str().unwrap();
    assert!(
        got.starts_with("200 OK, body \"") && got.ends_with("\\r\\n\""),
        "{got}"
    );
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
        .stdout(predicate::str::contains("refused the right token"))
        // Where ours came from, as check's root cause says it.
        .stdout(predicate::str::contains(
            "Ours came from WM_HOOKS_SECRET; a `wm-hooks listen` restarted with another secret",
        ));
    // A verify token of its own says nothing about the secret.
    verify(&srv.url(PATH))
        .args(["--verify-token", "another token"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("refused the right token"))
        .stdout(predicate::str::contains("Ours came from").not());
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
            "✘ handshake.challenge  no answer: timed out after 400ms",
        ))
        .stdout(predicate::str::contains("answer the GET at once"))
        .stdout(predicate::str::contains(
            "0 of 1 checks passed; not sent (the handshake got no answer): \
             handshake.wrong-token, handshake.wrong-mode",
        ));
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
    // `--json` still ends with a summary, after the one failed line.
    let out = Ended::run(verify(&url).arg("--json")).exited(3);
    let lines: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["name"], "reachable");
    assert_eq!(lines[0]["result"], "fail");
    assert!(
        lines[0]["got"]
            .as_str()
            .unwrap()
            .contains("connection refused")
    );
    assert_eq!(lines[1]["type"], "summary");
    assert_eq!(lines[1]["result"], "fail");
}

/// `verify --json`'s lines, after asserting its exit code.
fn json_lines(srv: &TestServer, code: i32) -> Vec<serde_json::Value> {
    let out = verify(&srv.url(PATH))
        .arg("--json")
        .assert()
        .code(code)
        .get_output()
        .clone();
    stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn json_prints_a_line_per_check_and_a_summary() {
    let srv = TestServer::start(server::accepts_anything());
    let lines = json_lines(&srv, 1);
    assert_eq!(lines.len(), 4);
    let names: Vec<&str> = lines[..3]
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "handshake.challenge",
            "handshake.wrong-token",
            "handshake.wrong-mode"
        ]
    );
    assert_eq!(lines[0]["result"], "pass");
    assert_eq!(lines[1]["result"], "fail");
    assert!(
        lines[1]["hint"]
            .as_str()
            .unwrap()
            .contains("anyone could register")
    );
    let summary = &lines[3];
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["result"], "fail");
    assert_eq!(
        (&summary["passed"], &summary["failed"]),
        (&1.into(), &2.into())
    );
    assert_eq!(summary["url"], srv.url(PATH));
}

#[test]
fn a_refused_handshake_makes_the_negative_probes_inconclusive() {
    // 403 to everything: refusing a wrong token proves nothing then.
    let srv = TestServer::start(server::status(403));
    let lines = json_lines(&srv, 1);
    let results: Vec<&str> = lines[..3]
        .iter()
        .map(|l| l["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["fail", "inconclusive", "inconclusive"]);
    assert!(
        lines[1]["got"]
            .as_str()
            .unwrap()
            .contains("proves nothing: the right token was not answered with the challenge either (handshake.challenge)"),
        "{}",
        lines[1]
    );
    assert!(
        lines[1]["hint"]
            .as_str()
            .unwrap()
            .starts_with("fix handshake.challenge first")
    );
    assert_eq!(lines[3]["inconclusive"], 2);
    verify(&srv.url(PATH))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "? handshake.wrong-token  403 Forbidden",
        ))
        .stdout(predicate::str::contains("0 of 3 checks passed"));
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

#[test]
fn an_empty_verify_token_is_named_as_the_token_it_is() {
    // It was "the secret file … is empty" with a hint about HMAC keys: the
    // verify token is neither.
    let (_dir, empty) = crate::util::file_with("\n");
    let url = format!("http://127.0.0.1:{}{PATH}", closed_port());
    let runs = [
        (vec!["--verify-token-file", empty.to_str().unwrap()], None),
        (vec![], Some("")),
        (vec!["--verify-token", ""], None),
    ];
    for (args, env) in runs {
        let mut cmd = verify(&url);
        cmd.args(&args);
        if let Some(value) = env {
            cmd.env("WM_HOOKS_VERIFY_TOKEN", value);
        }
        let out = cmd.assert().code(2).stdout("").get_output().clone();
        let err = stderr_of(&out);
        assert!(
            err.contains("hint: an empty hub.verify_token matches no handshake"),
            "{err}"
        );
        assert!(
            !err.contains("HMAC") && !err.contains("secret file"),
            "{err}"
        );
    }
    wm_hooks()
        .args(["verify", "--url", &url, "--verify-token-file", "/dev/zero"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: the verify token file /dev/zero is larger than 64 KiB",
        ));
}

#[test]
fn a_port_silent_to_the_tls_handshake_is_named_so() {
    // TCP connects, the TLS ClientHello gets nothing back. This said "could
    // not connect within 1s … nothing answered the connection": the
    // connection was answered; the handshake was not.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(4).collect();
        std::thread::sleep(Duration::from_secs(10));
        drop(held);
    });
    let out =
        Ended::run(verify(&format!("https://127.0.0.1:{port}{PATH}")).args(["--timeout", "500ms"]))
            .exited(3);
    let err = out.stderr;
    assert!(
        err.contains("connected, but the TLS handshake got no answer within 500ms"),
        "{err}"
    );
    assert!(err.contains("never answered the TLS handshake"), "{err}");
    assert!(!err.contains("nothing answered the connection"), "{err}");
}

#[test]
fn a_request_target_too_long_to_send_is_an_input_error_not_a_panic() {
    // A 100 KB path, or a secret that makes the handshake's query too long,
    // panicked building the request (InvalidUri(TooLong)).
    let long = format!("http://127.0.0.1:{}/{}", closed_port(), "a".repeat(100_000));
    for command in ["verify", "send-test"] {
        let flag = if command == "verify" { "--url" } else { "--to" };
        wm_hooks()
            .args([command, flag, &long])
            .env("WM_HOOKS_SECRET", SECRET)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("more than a request can carry"))
            .stderr(predicate::str::contains("panicked").not());
    }
    let (_dir, secret) = crate::util::file_with("%".repeat(30_000));
    let url = format!("http://127.0.0.1:{}{PATH}", closed_port());
    wm_hooks()
        .args(["verify", "--url", &url, "--secret-file"])
        .arg(&secret)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the handshake's GET cannot be sent",
        ))
        .stderr(predicate::str::contains("%%%%").not());
}

#[test]
fn a_timeout_without_a_unit_is_exit_2_naming_one() {
    wm_hooks()
        .args(["verify", "--timeout", "5"])
        .env("WM_HOOKS_SECRET", "a-test-secret")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "has no unit: `5s` is 5 seconds (units: ms, s, m, h, d)",
        ));
}
