//! The Meta Cloud API profile end to end, as real processes: `send-test
//! --profile meta` (every message type, batches, fixture folders) into
//! `wm-hooks listen`, which recognises both envelopes by itself, and the
//! handshake with a verify token of its own.

use wm_hooks::contract::signature;

use crate::util::listen::{Listener, SECRET, request};
use crate::util::{Ended, wm_hooks};

/// `wm-hooks send-test ARGS --to URL` with the listeners' secret.
fn send_test(url: &str, args: &[&str]) -> Ended {
    Ended::run(
        wm_hooks()
            .env("WM_HOOKS_SECRET", SECRET)
            .arg("send-test")
            .args(args)
            .args(["--to", url]),
    )
}

#[test]
fn a_batch_of_every_event_shows_every_update() {
    let listener = Listener::start(&["--profile", "meta"]);
    let err = listener.stderr();
    assert!(
        err.contains(&format!(
            "wm-hooks send-test --profile meta --to {}",
            listener.url
        )),
        "the banner's line works as pasted: {err}"
    );
    let out = send_test(&listener.url, &["--profile", "meta", "--batch", "3", "all"]).exited(0);
    assert!(
        out.stdout.contains("3 updates in one delivery"),
        "{}",
        out.stdout
    );
    let shown = listener.wait_stdout(|o| o.contains("3/3"));
    for part in [
        "message.received  1/3  ✔ signature valid",
        "from João Silva (5511999999999)",
        "text: Hi, I need help with my order",
        "message.status  2/3  ✔ signature valid",
        "→ delivered  to 5511999999999",
        "template.status  3/3  ✔ signature valid",
        "order_shipped (en_US) → APPROVED",
    ] {
        assert!(shown.contains(part), "{part:?} in:\n{shown}");
    }
    let stopped = listener.stop();
    assert!(
        stopped.stderr.contains("Stopped after 1 request: 1 valid"),
        "{}",
        stopped.stderr
    );
}

#[test]
fn every_type_is_shown_with_its_essentials() {
    let listener = Listener::start(&["--profile", "meta"]);
    let cases: [(&[&str], &str); 9] = [
        (
            &["--type", "image"],
            "image: \"The package arrived damaged\"  image/jpeg  media id 1479537139650973",
        ),
        (&["--type", "audio"], "voice note  audio/ogg; codecs=opus"),
        (
            &["--type", "location"],
            "location: Avenida Paulista  -23.561414, -46.655881",
        ),
        (&["--type", "reaction"], "reaction: 👍 to wamid."),
        (
            &["--type", "interactive", "--reply", "list"],
            "interactive (list_reply): 9:00 – 10:00  id slot_0900",
        ),
        (&["--type", "contacts"], "contacts: Maria Souza"),
        (&["--type", "order"], "order: 2 items"),
        (
            &["message.status", "--status", "failed"],
            "✘ 131047 Re-engagement message",
        ),
        (
            &["template.status", "--template-status", "rejected"],
            "→ REJECTED: INVALID_FORMAT",
        ),
    ];
    for (args, _) in &cases {
        send_test(&listener.url, &[&["--profile", "meta"][..], args].concat()).exited(0);
    }
    let shown = listener.wait_stdout(|o| o.contains("REJECTED"));
    for (args, part) in cases {
        assert!(shown.contains(part), "{args:?}: {part:?} in:\n{shown}");
    }
}

#[test]
fn a_meta_body_is_answered_200_and_its_non_ascii_was_signed_escaped() {
    let listener = Listener::start(&["--signature-header", "X-Hub-Signature-256", "--json"]);
    send_test(
        &listener.url,
        &[
            "--profile",
            "meta",
            "--text",
            "Olá, ä 👍",
            "--signature-header",
            "X-Hub-Signature-256",
        ],
    )
    .exited(0);
    let line = listener.wait_stdout(|o| o.lines().count() == 1);
    let record = wm_hooks::contract::record::parse_line(line.trim()).unwrap();
    assert_eq!(record.status, 200);
    assert_eq!(record.event.as_deref(), Some("message.received"));
    let body = record.body.unwrap();
    assert!(
        body.contains(r#""body":"Ol\u00e1, \u00e4 \ud83d\udc4d""#),
        "{body}"
    );
    assert!(body.is_ascii());
    let header = &record.headers["x-hub-signature-256"];
    assert_eq!(
        header,
        &signature::sign(SECRET.as_bytes(), body.as_bytes()).to_string()
    );
}

#[test]
fn payload_files_and_a_fixture_folder_are_sent_in_order() {
    let listener = Listener::start(&["--json"]);
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, id: &str| {
        let body = format!(
            r#"{{"event":"message.status","data":{{"message_id":"{id}","status":"read"}}}}"#
        );
        std::fs::write(dir.path().join(name), body).unwrap();
    };
    write("b.json", "second");
    write("a.json", "first");
    write("c.txt", "skipped");
    let lone = dir.path().join("lone.body");
    std::fs::write(&lone, "{\"event\":\"x.y\"}").unwrap();
    let fixtures = dir.path().to_str().unwrap();
    send_test(
        &listener.url,
        &[
            "--payload-file",
            lone.to_str().unwrap(),
            "--payload-file",
            lone.to_str().unwrap(),
            "--payload-dir",
            fixtures,
        ],
    )
    .exited(0);
    let lines = listener.wait_stdout(|o| o.lines().count() == 4);
    let bodies: Vec<String> = lines
        .lines()
        .map(|l| {
            wm_hooks::contract::record::parse_line(l)
                .unwrap()
                .body
                .unwrap()
        })
        .collect();
    assert_eq!(bodies[0], bodies[1]);
    assert!(
        bodies[2].contains("first") && bodies[3].contains("second"),
        "{bodies:?}"
    );

    let empty = tempfile::tempdir().unwrap();
    send_test(
        &listener.url,
        &["--payload-dir", empty.path().to_str().unwrap()],
    )
    .exited(2)
    .stderr_has("holds no *.json files");
}

#[test]
fn the_handshake_takes_a_verify_token_of_its_own() {
    let listener = Listener::start_with(
        &["--profile", "meta"],
        &[
            ("WM_HOOKS_SECRET", SECRET),
            ("WM_HOOKS_VERIFY_TOKEN", "hub-token"),
        ],
    );
    assert!(
        listener
            .stderr()
            .contains("hub.verify_token=<the verify token>")
    );
    let query = |token: &str| {
        format!(
            "{}?hub.mode=subscribe&hub.challenge=c123&hub.verify_token={token}",
            listener.url
        )
    };
    let ok = request("GET", &query("hub-token"), &[], "");
    assert_eq!((ok.status, ok.body.as_str()), (200, "c123"));
    assert_eq!(request("GET", &query(SECRET), &[], "").status, 403);

    let verify = |env: &[(&str, &str)], args: &[&str]| {
        Ended::run(
            wm_hooks()
                .envs(env.iter().copied())
                .args(["verify", "--url", &listener.url])
                .args(args),
        )
    };
    verify(&[("WM_HOOKS_VERIFY_TOKEN", "hub-token")], &[]).exited(0);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "hub-token\n").unwrap();
    verify(&[], &["--verify-token-file", file.to_str().unwrap()]).exited(0);
    // The secret is not the token here.
    verify(&[("WM_HOOKS_SECRET", SECRET)], &[]).exited(1);
    // Nothing given: no secret, since no other run's saved one is found.
    verify(&[], &[]).exited(2).stderr_has("--verify-token");
}

/// listen's banner names the value a sender must send, found by comparing
/// values: a verify token that is the secret is shown as the secret (verify
/// and check name where the token came from instead).
#[test]
fn the_banner_names_the_value_the_handshake_needs() {
    let cases: [(&[(&str, &str)], &str); 3] = [
        (&[("WM_HOOKS_SECRET", SECRET)], "<the secret>"),
        (
            &[
                ("WM_HOOKS_SECRET", SECRET),
                ("WM_HOOKS_VERIFY_TOKEN", SECRET),
            ],
            "<the secret>",
        ),
        (
            &[
                ("WM_HOOKS_SECRET", SECRET),
                ("WM_HOOKS_VERIFY_TOKEN", "hub-token"),
            ],
            "<the verify token>",
        ),
    ];
    for (env, shown) in cases {
        let stderr = Listener::start_with(&[], env).stderr();
        assert!(
            stderr.contains(&format!("&hub.verify_token={shown}\n")),
            "{env:?}: {stderr}"
        );
    }
}

#[test]
fn verify_and_check_warn_about_a_token_typed_on_the_command_line() {
    let url = format!("http://127.0.0.1:{}/", crate::util::server::closed_port());
    let warning = |flag: &str| format!("warning: {flag} is visible to other users");
    for (args, warned, not_warned) in [
        (
            &["verify", "--verify-token", "t"][..],
            &["--verify-token"][..],
            "--secret",
        ),
        (
            &["verify", "--secret", "s"],
            &["--secret"],
            "--verify-token",
        ),
        (
            &["check", "--secret", "s", "--verify-token", "t"],
            &["--secret", "--verify-token"],
            "no such flag",
        ),
    ] {
        let stderr = Ended::run(wm_hooks().args(args).args(["--url", &url]))
            .exited(3)
            .stderr;
        for flag in warned {
            assert_eq!(
                stderr.matches(&warning(flag)).count(),
                1,
                "{args:?}: {stderr}"
            );
        }
        assert!(!stderr.contains(&warning(not_warned)), "{args:?}: {stderr}");
    }
}

#[test]
fn reports_name_the_verify_token_they_sent_never_the_secret() {
    let listener = Listener::start_with(
        &["--profile", "meta"],
        &[
            ("WM_HOOKS_SECRET", SECRET),
            ("WM_HOOKS_VERIFY_TOKEN", "hub-token"),
        ],
    );
    let run = |env: &[(&str, &str)], args: &[&str]| {
        let out = Ended::run(wm_hooks().envs(env.iter().copied()).args(args).args([
            "--profile",
            "meta",
            "--url",
            &listener.url,
        ]));
        (out.code, out.stdout)
    };
    let json_line = |text: &str, name: &str| -> serde_json::Value {
        text.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|l| l["name"] == name || l["type"] == name)
            .unwrap_or_else(|| panic!("no {name} in {text}"))
    };
    let wrong_token = [("WM_HOOKS_VERIFY_TOKEN", "not-the-hub-token")];
    let (code, table) = run(&wrong_token, &["verify", "--no-negative"]);
    assert_eq!(code, Some(1), "{table}");
    assert!(
        table.contains("&hub.verify_token=<the verify token>\n"),
        "{table}"
    );
    assert!(
        table.contains("with the same verify token, exactly"),
        "{table}"
    );
    assert!(!table.contains("secret"), "{table}");
    for args in [
        &["verify", "--json"][..],
        &["check", "--json", "--only", "handshake"],
    ] {
        let env = [wrong_token[0], ("WM_HOOKS_SECRET", SECRET)];
        let (code, text) = run(&env, args);
        assert_eq!(code, Some(1), "{args:?}: {text}");
        let challenge = json_line(&text, "handshake.challenge");
        let sent = challenge["sent"].as_str().unwrap();
        assert!(
            sent.ends_with("&hub.verify_token=<the verify token>"),
            "{args:?}: {sent}"
        );
        assert!(
            challenge["hint"]
                .as_str()
                .unwrap()
                .contains("the same verify token"),
            "{args:?}: {challenge}"
        );
    }

    // The right token, the wrong secret: the handshake passes, which says
    // nothing of the secret; listen's answer says the signature it read does
    // not match, so the deliveries' 401s are the secret's fault.
    let (code, text) = run(
        &[
            ("WM_HOOKS_VERIFY_TOKEN", "hub-token"),
            ("WM_HOOKS_SECRET", "another-secret"),
        ],
        &[
            "check",
            "--json",
            "--only",
            "handshake.challenge,signature.valid.message-received",
        ],
    );
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(json_line(&text, "handshake.challenge")["result"], "pass");
    let cause = json_line(&text, "summary")["root_cause"].to_string();
    assert!(
        cause.starts_with("\"the endpoint uses a different secret: every correctly signed delivery got 401 Unauthorized and its answer says the signature it read does not match (or it computes the HMAC over other bytes than the raw body). Ours came from WM_HOOKS_SECRET"),
        "{cause}"
    );
}

#[test]
fn batches_need_the_meta_profile_and_flags_must_fit() {
    for args in [
        &["send-test", "--batch", "2"][..],
        &["send-test", "message.status", "--type", "image"],
        &["send-test", "--reply", "flow"],
    ] {
        let stderr = Ended::run(wm_hooks().env("WM_HOOKS_SECRET", SECRET).args(args))
            .exited(2)
            .stderr;
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    }
}

#[test]
fn check_under_meta_passes_against_listen_with_its_own_verify_token() {
    let listener = Listener::start_with(
        &["--profile", "meta", "--verify-token", "hub-token"],
        &[("WM_HOOKS_SECRET", SECRET)],
    );
    let text = Ended::run(
        wm_hooks()
            .env("WM_HOOKS_SECRET", SECRET)
            .env("WM_HOOKS_VERIFY_TOKEN", "hub-token")
            .args([
                "check",
                "--profile",
                "meta",
                "--json",
                "--url",
                &listener.url,
            ]),
    )
    .exited(0)
    .stdout;
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let line = |name: &str| {
        lines
            .iter()
            .find(|l| l["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {text}"))
    };
    assert_eq!(line("batch")["result"], "pass");
    assert_eq!(line("batch")["required"], true);
    assert_eq!(
        line("handshake.wrong-mode")["required"],
        false,
        "Meta always subscribes"
    );
    assert_eq!(line("handshake.challenge")["result"], "pass");
    let shown = listener.wait_stdout(|o| o.contains("5/5"));
    assert!(shown.contains("template.status  5/5"), "{shown}");

    // The secret is not the token here: the handshake fails, the rest does not.
    Ended::run(
        wm_hooks()
            .env("WM_HOOKS_SECRET", SECRET)
            .args([
                "check",
                "--profile",
                "meta",
                "--only",
                "handshake.challenge",
            ])
            .args(["--url", &listener.url]),
    )
    .exited(1);
    // And listen names what the token should have been: its own verify token.
    let shown = listener.wait_stdout(|o| o.contains("refused: hub.verify_token"));
    assert!(
        shown.contains("refused: hub.verify_token is not the verify token"),
        "{shown}"
    );

    // StartMessaging has no batches: the check is not run there.
    let list = Ended::run(wm_hooks().args(["check", "--list"])).stdout;
    assert!(!list.contains("batch"), "{list}");
}

/// A receiver that, like pywa's, answers the challenge when the token is
/// right whatever `hub.mode` says, and 403 otherwise; serves `count` requests.
fn mode_blind_receiver(token: &'static str, count: usize) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/webhooks/whatsapp",
        listener.local_addr().unwrap()
    );
    std::thread::spawn(move || {
        for stream in listener.incoming().take(count) {
            let mut stream = stream.unwrap();
            let mut line = String::new();
            BufReader::new(&stream).read_line(&mut line).unwrap();
            let query = line.split(['?', ' ']).nth(2).unwrap_or("");
            let param = |key: &str| {
                query
                    .split('&')
                    .find_map(|pair| pair.strip_prefix(&format!("{key}=")))
                    .unwrap_or("")
                    .to_string()
            };
            let (status, body) = if param("hub.verify_token") == token {
                ("200 OK", param("hub.challenge"))
            } else {
                ("403 Forbidden", String::new())
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn under_meta_a_receiver_that_ignores_hub_mode_passes_verify() {
    let verify = |profile: &str| {
        let url = mode_blind_receiver("hub-token", 3);
        Ended::run(wm_hooks().env("WM_HOOKS_VERIFY_TOKEN", "hub-token").args([
            "verify",
            "--profile",
            profile,
            "--url",
            &url,
        ]))
    };
    verify("meta").exited(0);
    verify("startmessaging").exited(1);
}
