//! What `check` and `send-test` conclude from receivers whose mistakes hide
//! behind others, each reproduced on 127.0.0.1: another secret (a restarted
//! `listen`), a 422 naming the header it wanted (pywa on FastAPI), a 400 to
//! every body, a keep-alive connection dropped after each answer (uvicorn
//! after a handler error), a receiver that needs a header (octokit's
//! X-GitHub-Event), POSTs routed nowhere, an answer given before the body was
//! read and cut short by the reset that follows, a 2xx cut short by a clean
//! close, a `100 Continue` and then nothing; hints chosen from the answer;
//! and `-v` showing the exchange with the secret masked.

use serde_json::Value;

use crate::check::{
    HEADER, PATH, SECRET, check, expect_results, posts, run_json, run_json_all, says, signed,
    verified,
};
use crate::check_formats::junit_report;
use crate::util::server::{self, DroppingServer, Recorded, Reply, TestServer, hmac_header};
use crate::util::{Ended, stdout_of, wm_hooks};

/// Every check's result for a receiver whose every correctly signed
/// delivery is refused: the valid ones fail, the refusals prove nothing.
const ALL_REFUSED: [(&str, &str); 18] = [
    ("handshake.challenge", "pass"),
    ("handshake.wrong-token", "pass"),
    ("handshake.wrong-mode", "pass"),
    ("signature.valid.message-received", "fail"),
    ("signature.valid.message-status", "fail"),
    ("signature.valid.template-status", "fail"),
    ("signature.missing", "inconclusive"),
    ("signature.wrong-secret", "inconclusive"),
    ("signature.tampered-body", "inconclusive"),
    ("signature.empty", "inconclusive"),
    ("signature.sha1-prefix", "inconclusive"),
    ("signature.uppercase-hex", "inconclusive"),
    ("idempotency", "fail"),
    ("tolerance.unknown-event", "fail"),
    ("tolerance.unseen-status", "fail"),
    ("tolerance.large-body", "fail"),
    ("tolerance.non-ascii", "fail"),
    ("budget", "pass"),
];

/// The card's lines, and the JSON summary's root cause, of one receiver.
fn card(cmd: &mut assert_cmd::Command) -> (i32, Vec<String>) {
    let out = cmd.output().unwrap();
    let lines = stdout_of(&out).lines().map(str::to_string).collect();
    (out.status.code().unwrap(), lines)
}

/// `wm-hooks` with `args` and the checks' secret in its environment.
fn with_secret(args: &[&str]) -> assert_cmd::Command {
    let mut cmd = wm_hooks();
    cmd.args(args).env("WM_HOOKS_SECRET", SECRET);
    cmd
}

fn root_cause_of(cmd: &mut assert_cmd::Command) -> String {
    let (_, lines) = run_json_all(cmd);
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    summary["root_cause"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn another_secret_is_said_once_first_naming_where_ours_came_from() {
    let srv = TestServer::start(server::correct("the secret of a restarted listen"));
    let (code, lines) = card(&mut check(&srv.url(PATH)));
    assert_eq!(code, 1);
    let cause = "root cause: the endpoint uses a different secret: every correctly signed \
                 delivery got 401 Unauthorized, and the handshake's right token got 403 \
                 Forbidden. Ours came from WM_HOOKS_SECRET; a `wm-hooks listen` restarted with \
                 another secret (--new-secret, --secret, or on another machine) no longer has the \
                 one it printed before";
    assert_eq!(lines[1], cause, "{lines:#?}");
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("root cause:"))
            .count(),
        1
    );
    assert!(lines[2].starts_with("✘ handshake.challenge"), "{lines:#?}");
    assert!(lines.iter().any(|l| l.starts_with("? signature.missing ")));
    let (_, json) = run_json(&mut check(&srv.url(PATH)));
    let mut want = ALL_REFUSED;
    want[..3].copy_from_slice(&[
        ("handshake.challenge", "fail"),
        ("handshake.wrong-token", "inconclusive"),
        ("handshake.wrong-mode", "inconclusive"),
    ]);
    expect_results(&json, &want);
    says(
        &json[6],
        "got",
        "401 Unauthorized, body \"invalid signature\"; proves nothing: \
         signature.valid.message-received got 401 Unauthorized",
    );
    says(
        &json[6],
        "hint",
        "fix signature.valid.message-received first",
    );
    assert_eq!(json[6]["passed"], false);
    // Named after the source: a secret file is not the environment.
    let (_dir, file) = crate::util::file_with(SECRET);
    let from_file = root_cause_of(
        wm_hooks()
            .args(["check", "--url", &srv.url(PATH), "--secret-file"])
            .arg(&file),
    );
    assert!(
        from_file.contains("Ours came from the file given with --secret-file;"),
        "{from_file}"
    );
    // The secret listen saved is named with its path.
    let state = tempfile::tempdir().unwrap();
    let saved = state.path().join("wm-hooks").join("secret");
    std::fs::create_dir_all(saved.parent().unwrap()).unwrap();
    std::fs::write(&saved, SECRET).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&saved, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let from_saved = root_cause_of(
        wm_hooks()
            .args(["check", "--url", &srv.url(PATH)])
            .env("XDG_STATE_HOME", state.path()),
    );
    assert!(
        from_saved.contains(&format!(
            "Ours came from the secret `wm-hooks listen` saved in {};",
            saved.display()
        )),
        "{from_saved}"
    );
    // send-test, whose deliveries all fail alike, has no handshake to tell
    // another secret from another header: it names both.
    let stdout = Ended::run(&mut with_secret(&[
        "send-test",
        "all",
        "--to",
        &srv.url(PATH),
    ]))
    .exited(1)
    .stdout;
    assert!(
        stdout.contains(
            "root cause: every correctly signed delivery got 401 Unauthorized: the endpoint uses \
             another secret, or reads the signature from another header than X-Signature-256 \
             (`--signature-header NAME` sends it in another). Ours came from WM_HOOKS_SECRET"
        ),
        "{stdout}"
    );
    let (_, json) = run_json_all(&mut with_secret(&["send-test", "--to", &srv.url(PATH)]));
    says(
        &json[1],
        "root_cause",
        "uses another secret, or reads the signature",
    );
    says(&json[0], "hint", "does it use the same secret");
}

#[test]
fn a_receiver_reading_another_header_is_not_blamed_on_the_secret_alone() {
    // The right secret, the signature read from X-Signature-256, and sent in
    // X-Hub-Signature-256: without the handshake nothing singles out the secret.
    let srv = TestServer::start(server::correct(SECRET));
    let both = "every correctly signed delivery got 401 Unauthorized: the endpoint uses another \
                secret, or reads the signature from another header than X-Hub-Signature-256 \
                (`--signature-header NAME` sends it in another). Ours came from WM_HOOKS_SECRET";
    let stdout = Ended::run(&mut with_secret(&[
        "send-test",
        "--signature-header",
        "X-Hub-Signature-256",
        "--to",
        &srv.url(PATH),
    ]))
    .exited(1)
    .stdout;
    assert!(stdout.contains(&format!("root cause: {both}")), "{stdout}");
    assert!(!stdout.contains("different secret"), "{stdout}");
    let cause =
        root_cause_of(check(&srv.url(PATH)).args(["--profile", "meta", "--skip", "handshake"]));
    assert!(cause.starts_with(both), "{cause}");
    // With the handshake, whose token is the secret and passes, check knows
    // the secret is right.
    let cause = root_cause_of(check(&srv.url(PATH)).args(["--profile", "meta"]));
    assert!(
        cause.contains("while the handshake with the same secret passed")
            && cause.contains("another header than X-Hub-Signature-256?"),
        "{cause}"
    );
}

#[test]
fn send_test_refuses_a_signature_header_given_with_h() {
    // A delivery whose signature -H replaced is not correctly signed, and
    // its 401 would be blamed on the secret: refused as check refuses it.
    let srv = TestServer::start(server::correct(SECRET));
    for (args, header) in [
        (vec!["-H", "X-Signature-256: sha256=00"], "X-Signature-256"),
        (
            vec!["-H", "x-signature-256: sha256=00", "--signature", "missing"],
            "X-Signature-256",
        ),
        (
            vec!["--profile", "meta", "-H", "X-Hub-Signature-256: sha256=00"],
            "X-Hub-Signature-256",
        ),
    ] {
        let mut cmd = with_secret(&["send-test", "--to", &srv.url(PATH)]);
        let err = Ended::run(cmd.args(&args)).exited(2).stderr;
        assert!(
            err.contains(&format!(
                "error: -H cannot set {header}: send-test signs each delivery itself, as \
                 --signature says (valid, invalid or missing)\nhint: --signature-header NAME \
                 chooses the header the signature goes in"
            )),
            "{args:?}: {err}"
        );
    }
    assert!(srv.requests().is_empty(), "nothing is sent");
    // Another header than the signature's is the user's to set.
    let mut cmd = with_secret(&["send-test", "--to", &srv.url(PATH)]);
    Ended::run(cmd.args(["-H", "X-Hub-Signature-256: sha256=00"])).exited(0);
}

#[test]
fn a_signature_header_that_the_request_sets_itself_is_refused() {
    // The request's own Content-Type would replace the signature: the
    // delivery would go out unsigned and be reported as correctly signed.
    let srv = TestServer::start(server::correct(SECRET));
    for verb in [
        vec!["send-test", "--to", &srv.url(PATH)],
        vec!["check", "--url", &srv.url(PATH)],
    ] {
        let mut cmd = with_secret(&verb);
        let err = Ended::run(cmd.args(["--signature-header", "Content-Type"]))
            .exited(2)
            .stderr;
        assert!(
            err.contains(
                "Content-Type describes the request itself and cannot carry the signature: give \
                 a header of its own, such as X-Signature-256 or X-Hub-Signature-256"
            ),
            "{verb:?}: {err}"
        );
    }
    assert!(srv.requests().is_empty(), "nothing is sent");
}

#[test]
fn an_answer_that_finds_no_signature_is_not_another_secret() {
    // A receiver that found no well-formed signature says so, as `listen` does.
    let srv = TestServer::start(posts(|_| {
        Reply::new(
            401,
            "Unauthorized: the signature does not start with `sha256=`\n",
        )
    }));
    let stdout = Ended::run(&mut with_secret(&["send-test", "--to", &srv.url(PATH)]))
        .exited(1)
        .stdout;
    assert!(
        stdout.contains(
            "root cause: the endpoint does not see the signature we send in X-Signature-256: \
             every correctly signed delivery got 401 Unauthorized and its answer says \
             \"Unauthorized: the signature does not start with `sha256=`\\n\": does it read the \
             signature from another header, or does something on the way drop or change \
             X-Signature-256?"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("secret"), "{stdout}");
}

#[test]
fn the_junit_report_marks_inconclusive_checks() {
    let srv = TestServer::start(server::correct("another secret"));
    let (_, xml) = junit_report(&srv.url(PATH), 1);
    assert!(
        xml.contains(r#"<testcase name="signature.missing" classname="wm-hooks.check.signature""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<failure message="inconclusive: 401 Unauthorized, body &quot;invalid signature&quot;; proves nothing: signature.valid.message-received got 401 Unauthorized"#),
        "{xml}"
    );
    assert_eq!(xml.matches("message=\"inconclusive: ").count(), 7, "{xml}");
}

/// FastAPI's answer when a required header parameter is missing.
const PYWA_422: &str = r#"{"detail":[{"type":"missing","loc":["header","x-hub-signature-256"],"msg":"Field required","input":null}]}"#;

/// A pywa-like receiver: the signature in X-Hub-Signature-256, or 422.
fn pywa(req: &Recorded) -> Reply {
    match req.header("x-hub-signature-256") {
        None => Reply::json(422, PYWA_422),
        Some(_) if req.signed_with(SECRET, "x-hub-signature-256") => Reply::new(200, "ok"),
        Some(_) => Reply::new(401, "invalid signature"),
    }
}

#[test]
fn a_422_naming_a_header_points_to_signature_header() {
    let srv = TestServer::start(posts(pywa));
    let (code, lines) = run_json(&mut check(&srv.url(PATH)));
    assert_eq!(code, 1);
    expect_results(&lines, &ALL_REFUSED);
    says(&lines[3], "got", "422 Unprocessable Entity");
    says(&lines[3], "hint", "parse it tolerantly");
    says(
        &lines[6],
        "hint",
        "fix signature.valid.message-received first",
    );
    assert_eq!(
        root_cause_of(&mut check(&srv.url(PATH))),
        "the endpoint reads the signature from another header: every correctly signed delivery \
         got 422 Unprocessable Entity and its answer names X-Hub-Signature-256, while we send \
         X-Signature-256; run with `--signature-header X-Hub-Signature-256`"
    );
    // Following the advice, every check passes.
    let (code, lines) =
        run_json(check(&srv.url(PATH)).args(["--signature-header", "X-Hub-Signature-256"]));
    assert_eq!(code, 0, "{lines:#?}");
}

#[test]
fn a_400_to_every_body_is_refused_before_the_signature_is_checked() {
    let srv = TestServer::start(posts(|_| Reply::new(400, "Bad Request")));
    let (code, lines) = run_json(&mut check(&srv.url(PATH)));
    assert_eq!(code, 1);
    expect_results(&lines, &ALL_REFUSED);
    says(
        &lines[13],
        "hint",
        "the receiver refused the body: parse it tolerantly",
    );
    assert_eq!(
        root_cause_of(&mut check(&srv.url(PATH))),
        "every delivery got 400 Bad Request whatever its signature: the endpoint refuses them \
         before it checks the signature (its answer says \"Bad Request\"); if it needs a header \
         the platform does not send, `-H 'NAME: VALUE'` adds one"
    );
}

/// An octokit-like receiver: 400 without X-GitHub-Event, then as correct.
fn needs_event_header(req: &Recorded) -> Reply {
    match req.header("x-github-event") {
        None => Reply::json(
            400,
            r#"{"error":"Required headers missing: x-github-event"}"#,
        ),
        Some(_) => verified(req),
    }
}

#[test]
fn a_receiver_that_needs_a_header_is_checked_with_h() {
    let srv = TestServer::start(posts(needs_event_header));
    let (code, lines) = run_json(&mut check(&srv.url(PATH)));
    assert_eq!(code, 1);
    expect_results(&lines, &ALL_REFUSED);
    let cause = root_cause_of(&mut check(&srv.url(PATH)));
    assert!(
        cause.starts_with("every delivery got 400 Bad Request whatever its signature")
            && cause.contains("Required headers missing: x-github-event")
            && cause.ends_with(
                "its answer names X-Github-Event: `-H 'X-Github-Event: VALUE'` sends it"
            ),
        "{cause}"
    );
    let with = TestServer::start(posts(needs_event_header));
    let (code, lines) = run_json(check(&with.url(PATH)).args(["-H", "X-GitHub-Event: ping"]));
    assert_eq!(code, 0, "{lines:#?}");
    assert!(
        with.requests()
            .iter()
            .all(|r| r.header("x-github-event") == Some("ping")),
        "every request, the handshake's GETs too"
    );
    check(&with.url(PATH))
        .args(["-H", "X-Signature-256: sha256=00"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "error: -H cannot set X-Signature-256",
        ));
}

/// A gateway in front of a correct receiver: 401 "missing api key" to every
/// request without X-Api-Key, the handshake's GETs too.
fn gateway() -> impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static {
    let behind = server::correct(SECRET);
    move |req, n| match req.header("x-api-key") {
        Some("k") => behind(req, n),
        _ => Reply::new(401, "missing api key"),
    }
}

#[test]
fn a_gateway_that_wants_a_key_is_not_blamed_on_the_secret() {
    let srv = TestServer::start(gateway());
    let cause = root_cause_of(&mut check(&srv.url(PATH)));
    assert!(
        cause.starts_with("every delivery got 401 Unauthorized whatever its signature")
            && cause.contains("(its answer says \"missing api key\")")
            && cause.contains("-H 'NAME: VALUE'"),
        "{cause}"
    );
    assert!(!cause.contains("different secret"), "{cause}");
    // Only its POSTs behind the gateway: the handshake passes.
    let posts_only = TestServer::start(posts(|req| match req.header("x-api-key") {
        Some("k") => verified(req),
        _ => Reply::new(401, "missing api key"),
    }));
    let cause = root_cause_of(&mut check(&posts_only.url(PATH)));
    assert!(cause.contains("whatever its signature"), "{cause}");
    let (code, lines) = run_json(check(&srv.url(PATH)).args(["-H", "X-Api-Key: k"]));
    assert_eq!(code, 0, "{lines:#?}");
}

#[test]
fn a_gateway_key_can_come_from_a_header_file() {
    // -H took only `Name: value` on the command line, where `ps` and shell
    // history see the key; `-H @FILE` reads it from a file.
    let srv = TestServer::start(gateway());
    let (_dir, file) = crate::util::file_with("# the gateway's key\r\nX-Api-Key: k\r\n\n");
    let mut cmd = check(&srv.url(PATH));
    cmd.arg("-H").arg(format!("@{}", file.display()));
    let (code, lines) = run_json(&mut cmd);
    assert_eq!(code, 0, "{lines:#?}");
    // A line that is no header is named by its number, never quoted.
    let (_dir, bad) = crate::util::file_with("X-Api-Key k-secret-value\n");
    let sent = srv.requests().len();
    let err = Ended::run(
        check(&srv.url(PATH))
            .arg("-H")
            .arg(format!("@{}", bad.display())),
    )
    .exited(2)
    .stderr;
    assert!(err.contains("error: line 1 of the header file"), "{err}");
    assert!(!err.contains("k-secret-value"), "{err}");
    assert_eq!(srv.requests().len(), sent, "nothing is sent");
}

#[test]
fn posts_routed_nowhere_are_a_wrong_path_or_method() {
    let srv = TestServer::start(posts(|_| Reply::new(404, "Not Found")));
    let cause = root_cause_of(&mut check(&srv.url(PATH)));
    assert_eq!(
        cause,
        "the handshake passes but every POST got 404 Not Found: the endpoint answers GET at this \
         URL but not POST (events on another path, or another method allowed?)"
    );
    let (_, lines) = run_json(&mut check(&srv.url(PATH)));
    says(&lines[3], "hint", "nothing handles POST on this path");
}

#[test]
fn hints_come_from_the_answer_not_the_check() {
    let srv = TestServer::start(posts(|req| {
        let event = req.json()["event"].as_str().map(str::to_string);
        if event.as_deref() == Some("message.reaction") {
            Reply::new(401, "invalid signature")
        } else if req.body.len() > 100_000 {
            Reply::new(500, "Internal Server Error")
        } else {
            verified(req)
        }
    }));
    let (code, lines) = run_json(&mut check(&srv.url(PATH)));
    assert_eq!(code, 1);
    let unknown = &lines[13];
    assert_eq!(unknown["result"], "fail");
    // The other deliveries got through: the secret is not in question.
    says(
        unknown,
        "hint",
        "the receiver accepted other correctly signed deliveries, so it has the secret and reads \
         the X-Signature-256 header, yet refused this one with 401 Unauthorized",
    );
    let large = &lines[15];
    assert_eq!(large["result"], "fail");
    says(
        large,
        "hint",
        "the receiver failed while handling the event: see its log",
    );
    assert!(!large["hint"].as_str().unwrap().contains("size"), "{large}");
    // Not every delivery failed alike: no root cause.
    assert_eq!(root_cause_of(&mut check(&srv.url(PATH))), "");
}

#[test]
fn a_dropped_keep_alive_is_resent_and_blamed_on_the_check_before() {
    let srv = DroppingServer::start(server::correct(SECRET));
    let (code, lines) = run_json(&mut check(&srv.url(PATH)));
    assert_eq!(code, 0, "{lines:#?}");
    let blamed = |line: &Value, earlier: &str| {
        says(
            line,
            "got",
            &format!(
                "(sent again on a new connection: the receiver closed the kept-alive one after \
                 answering {earlier}, without `Connection: close`)"
            ),
        );
        says(
            line,
            "hint",
            &format!("dropped its connection after answering {earlier}"),
        );
    };
    assert_eq!(lines[0]["hint"], Value::Null);
    blamed(&lines[1], "handshake.challenge");
    blamed(&lines[2], "handshake.wrong-token");
    blamed(&lines[7], "signature.missing");
    blamed(&lines[12], "signature.uppercase-hex");
    // Each copy was answered once: three copies delivered, not more.
    let answered = srv.answered();
    let copies = answered
        .iter()
        .filter(|r| {
            r.method == "POST"
                && r.body
                    == answered
                        .iter()
                        .filter(|p| p.method == "POST")
                        .nth(9)
                        .unwrap()
                        .body
        })
        .count();
    assert_eq!(copies, 3);
    assert_eq!(
        srv.dropped(),
        answered.len() - 1,
        "every request after the first was resent"
    );
    assert!(signed(&answered[3]) && answered[3].header(HEADER).is_some());
}

#[test]
fn verbose_shows_the_exchange_with_the_secret_masked() {
    let srv = TestServer::start(server::correct(SECRET));
    let out = Ended::run(check(&srv.url(PATH)).args([
        "-v",
        "--only",
        "handshake.challenge,signature.valid.message-received",
    ]))
    .exited(0);
    let stderr = out.stderr;
    assert!(
        stderr.contains("> GET /webhooks/whatsapp?hub.mode=subscribe&hub.challenge="),
        "{stderr}"
    );
    assert!(
        stderr.contains("&hub.verify_token=whsec_…cdef HTTP/1.1\n"),
        "{stderr}"
    );
    assert!(stderr.contains("> POST /webhooks/whatsapp HTTP/1.1\n> Content-Type: application/json\n> X-Signature-256: sha256="), "{stderr}");
    assert!(stderr.contains("< 200 OK  ("), "{stderr}");
    assert!(stderr.contains("< Content-Length: 2\n"), "{stderr}");
    assert!(stderr.contains("<\n< ok\n"), "{stderr}");
    assert!(
        !stderr.contains("> {\"event\""),
        "bodies only with -vv: {stderr}"
    );
    assert!(!stderr.contains(SECRET) && !out.stdout.contains(SECRET));

    let stderr = Ended::run(&mut with_secret(&[
        "-vv",
        "send-test",
        "--to",
        &srv.url(PATH),
        "-H",
        "Authorization: Bearer sk_live_abcdefghijklmnop",
    ]))
    .exited(0)
    .stderr;
    let body = &srv.posts().last().unwrap().body_text();
    assert!(stderr.contains(&format!(">\n> {body}\n")), "{stderr}");
    assert!(
        stderr.contains("> X-Signature-256: ")
            && stderr.contains(&hmac_header(SECRET, body.as_bytes()))
    );
    assert!(
        stderr.contains("> Authorization: Bearer sk_live_…mnop\n"),
        "{stderr}"
    );
    assert!(!stderr.contains("sk_live_abcdefghijklmnop") && !stderr.contains(SECRET));

    let stderr = Ended::run(&mut with_secret(&["-v", "verify", "--url", &srv.url(PATH)]))
        .exited(0)
        .stderr;
    assert_eq!(stderr.matches("> GET ").count(), 3, "{stderr}");
    assert!(!stderr.contains(SECRET), "{stderr}");
}

/// A receiver on a raw socket that answers `head` as soon as a request's head
/// has come, without reading its body, and closes 300 ms later: the body left
/// unread makes the close a reset, which cuts its answer short.
fn answers_before_reading_the_body(head: &'static str) -> String {
    raw_receiver(head.as_bytes(), false)
}

/// A receiver on a raw socket that reads each request whole (its head and
/// the Content-Length of body), writes `answer`, then closes cleanly (a FIN,
/// no reset: nothing is left unread).
fn answers_after_reading_the_body(answer: &'static [u8]) -> String {
    raw_receiver(answer, true)
}

/// A raw-socket receiver that reads each request's head (and with `whole`
/// its body), writes `answer`, and closes: with `whole` at once and cleanly,
/// else 300 ms later, the unread body making the close a reset.
fn raw_receiver(answer: &'static [u8], whole: bool) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}{PATH}", listener.local_addr().unwrap());
    // Whether `seen` holds a whole head, and with `whole` the body it announced.
    let read = move |seen: &[u8]| {
        let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") else {
            return false;
        };
        let head = String::from_utf8_lossy(&seen[..end]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |n| n.trim().parse::<usize>().unwrap());
        !whole || seen.len() >= end + 4 + length
    };
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut seen = Vec::new();
            let mut chunk = [0u8; 65536];
            while !read(&seen) {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&chunk[..n]),
                }
            }
            let _ = stream.write_all(answer);
            if whole {
                let _ = stream.shutdown(std::net::Shutdown::Write);
            }
            std::thread::sleep(std::time::Duration::from_millis(if whole {
                100
            } else {
                300
            }));
        }
    });
    url
}

#[test]
fn an_answer_before_the_body_was_read_is_the_verdict_not_a_crash() {
    for (head, got, hint) in [
        (
            "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 64\r\n\r\ntoo large",
            "413 Payload Too Large, then the connection was reset",
            "raise its body-size limit",
        ),
        (
            "HTTP/1.1 404 Not Found\r\nContent-Length: 64\r\n\r\nnot found",
            "404 Not Found, then the connection was reset",
            "nothing handles POST on this path",
        ),
    ] {
        let url = answers_before_reading_the_body(head);
        let (code, lines) = run_json(check(&url).args(["--only", "tolerance.large-body"]));
        assert_eq!(code, 1);
        let line = &lines[0];
        assert_eq!(line["result"], "fail", "{line}");
        assert!(line["got"].as_str().unwrap().starts_with(got), "{line}");
        let shown_hint = line["hint"].as_str().unwrap();
        assert!(shown_hint.contains(hint), "{line}");
        assert!(!shown_hint.contains("crash"), "{line}");
    }
}

/// `check`'s line for one correctly signed delivery to `url`, which must fail.
fn failed_valid_delivery(url: &str) -> Value {
    let (code, lines) = run_json(check(url).args(["--only", "signature.valid.message-received"]));
    assert_eq!(code, 1);
    assert_eq!(lines[0]["result"], "fail", "{}", lines[0]);
    lines[0].clone()
}

#[test]
fn a_2xx_cut_short_by_a_close_is_no_pass() {
    // It was a pass, "200 OK, then the connection was reset before the rest
    // of the answer (an answer given before the request's body was read)":
    // the body had been read, and the close was clean.
    let url = answers_after_reading_the_body(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nok");
    let said = "200 OK, then the connection closed 98 bytes short of the answer's Content-Length";
    let line = failed_valid_delivery(&url);
    assert_eq!(line["got"], said, "{line}");
    let hint = line["hint"].as_str().unwrap();
    assert!(hint.contains("must send its whole answer"), "{line}");

    let out = Ended::run(&mut with_secret(&["send-test", "--to", &url])).exited(1);
    assert!(
        out.stdout.contains(&format!("✘ POST {url}  {said}")),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("no answer"), "{}", out.stdout);
    assert!(
        out.stderr
            .contains("hint: the receiver's answer did not arrive whole"),
        "{}",
        out.stderr
    );
    let (_, lines) = run_json_all(&mut with_secret(&["send-test", "--to", &url]));
    assert_eq!(lines[0]["result"], "fail", "{}", lines[0]);
    assert_eq!(lines[0]["problem"], "closed", "{}", lines[0]);
    // budget times whole answers: none came, which is not "none was answered".
    let (_, lines) = run_json_all(&mut with_secret(&[
        "check", "--only", "budget", "--url", &url,
    ]));
    let budget = lines.iter().find(|l| l["name"] == "budget").unwrap();
    says(budget, "got", "none of the 3 deliveries got a whole answer");
    // A handshake whose answer broke off got an answer, not a whole one.
    let out = Ended::run(&mut with_secret(&["verify", "--url", &url])).exited(1);
    assert!(
        out.stdout
            .contains("not sent (the handshake's answer did not arrive whole)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("a handshake it does not pass"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_100_continue_and_then_a_close_is_no_answer() {
    let url = answers_after_reading_the_body(b"HTTP/1.1 100 Continue\r\n\r\n");
    let line = failed_valid_delivery(&url);
    let said = "no answer: 100 Continue, then the connection closed before a final answer";
    assert_eq!(line["got"], said, "{line}");
    let hint = line["hint"].as_str().unwrap();
    assert!(!hint.contains("non-2xx"), "{line}");
}

/// A 503 to every event (ingest with its store down) and a 502 or 504 (a
/// gateway whose app is gone) each name the part that failed, quoting the
/// answer, instead of "the receiver fails on every event".
#[test]
fn a_store_down_and_a_gateway_without_its_app_are_named_in_the_root_cause() {
    for (status, body, names) in [
        (503, "store unavailable", "what it stores them in is down"),
        (504, "upstream timed out", "a gateway in front"),
        (500, "boom", "the receiver fails on every event"),
    ] {
        let srv = TestServer::start(move |_: &Recorded, _| Reply::new(status, body));
        let out = Ended::run(&mut with_secret(&["send-test", "--to", &srv.url("/hook")])).exited(1);
        let cause = out
            .stdout
            .lines()
            .find(|l| l.starts_with("root cause: "))
            .unwrap_or_else(|| panic!("no root cause: {}", out.stdout));
        assert!(
            cause.contains(&format!("(its answer says {body:?})")),
            "{cause}"
        );
        assert!(cause.contains(names), "{cause}");
    }
}

/// A receiver that stops reading and resets the connection while a large
/// request is still being written, before any answer: the hint says so (an
/// early answer lost to the reset, or a crash), not only "did it crash?".
#[test]
fn a_reset_while_the_request_is_being_sent_is_named_as_such() {
    let url = raw_receiver(b"", false);
    // More than the kernel's buffers take, so the reset meets the writing.
    let (_dir, payload) = crate::util::file_with(vec![b'a'; 16 << 20]);
    let out = Ended::run(with_secret(&["send-test", "--to", &url, "--payload-file"]).arg(&payload))
        .exited(1);
    assert!(
        out.stderr
            .contains("the receiver reset the connection while the request was still being sent"),
        "{}",
        out.stderr
    );
}
