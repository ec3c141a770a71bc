//! `wm-hooks send-test` on the wire: TLS certificates checked unless
//! `--insecure`, an https:// URL to a plain HTTP server (a hint to use
//! http://, not --insecure), and receivers that close each connection, never
//! end an answer, answer a malformed head, TLS or another protocol.

use predicates::prelude::*;

use crate::send_test::{PATH, SECRET, all_signed, send_test};
use crate::util::server::{self, TestCert, TestServer};
use crate::util::{Ended, stderr_of, wm_hooks};

#[test]
fn tls_certificates_are_checked_unless_insecure() {
    let cert = TestCert::new();
    let srv = TestServer::start_tls(&cert, server::correct(SECRET));
    let url = srv.url(PATH);
    send_test(&url)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("no answer: TLS handshake failed"))
        .stderr(predicate::str::contains("add --insecure"));
    assert!(srv.requests().is_empty());
    send_test(&url)
        .env("SSL_CERT_FILE", &cert.ca_pem)
        .assert()
        .success()
        .stderr(predicate::str::contains("--insecure").not());
    send_test(&url)
        .arg("--insecure")
        .assert()
        .success()
        .stderr(predicate::str::contains("warning: --insecure"));
    assert_eq!(srv.posts().len(), 2);
    assert!(all_signed(&srv.posts()));
}

#[test]
fn with_insecure_a_failed_handshake_is_not_blamed_on_the_certificate() {
    let srv = TestServer::start(server::correct(SECRET));
    let url = srv.url(PATH).replacen("http://", "https://", 1);
    let out = send_test(&url)
        .arg("--insecure")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("no answer: TLS handshake failed"))
        .get_output()
        .clone();
    let err = stderr_of(&out);
    assert!(!err.contains("add --insecure"), "{err}");
    assert!(
        err.contains("hint: the server speaks plain HTTP, not TLS: for a plain-HTTP receiver use an http:// URL"),
        "{err}"
    );
}

#[test]
fn an_https_url_to_a_plain_http_server_says_so() {
    // `wm-hooks listen` is plain HTTP: `--to https://127.0.0.1:8080/…` is a
    // common first mistake, and rustls calls it a "corrupt message".
    let srv = TestServer::start(server::correct(SECRET));
    let url = srv.url(PATH).replacen("http://", "https://", 1);
    // Its hint was the certificate's ("… add --insecure"), which cannot help.
    send_test(&url)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "no answer: TLS handshake failed: the server answered in plain HTTP, not TLS (is the URL http://?)",
        ))
        .stdout(predicate::str::contains("InvalidContentType").not())
        .stderr(predicate::str::contains(
            "hint: the server speaks plain HTTP, not TLS: for a plain-HTTP receiver use an http:// URL, \
             or put TLS in front of it (the platform calls only https:// URLs)",
        ))
        .stderr(predicate::str::contains("--insecure").not());
}

#[test]
fn a_dry_run_with_insecure_gives_curl_k() {
    let stdout =
        Ended::run(send_test("https://127.0.0.1:9/hook").args(["--dry-run", "--insecure"]))
            .exited(0)
            .stdout;
    assert!(stdout.contains("curl -sS -k -X POST"), "{stdout}");
    let plain = Ended::run(send_test("https://127.0.0.1:9/hook").arg("--dry-run")).exited(0);
    assert!(!plain.stdout.contains(" -k "));
}

#[test]
fn a_receiver_that_closes_each_connection_gets_a_new_one() {
    let srv = TestServer::start(|req: &server::Recorded, n| {
        server::correct(SECRET)(req, n).header("connection", "close")
    });
    send_test(&srv.url(PATH))
        .args(["--duplicate", "3"])
        .assert()
        .success();
    let posts = srv.posts();
    assert_eq!(posts.len(), 3);
    let mut peers: Vec<_> = posts.iter().map(|p| p.peer).collect();
    peers.dedup();
    assert_eq!(peers.len(), 3, "one connection per request");
}

#[test]
fn an_answer_whose_body_never_ends_is_judged_by_its_status() {
    // 200 at once, then a chunked body without end. It was read until the
    // give-up time and reported as "no answer: timed out", with a hint to
    // answer 2xx first, which the receiver had done.
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            std::thread::spawn(move || {
                let mut request = [0u8; 65536];
                let _ = conn.read(&mut request);
                let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                let chunk = [b'x'; 4096];
                while conn.write_all(b"1000\r\n").is_ok()
                    && conn.write_all(&chunk).is_ok()
                    && conn.write_all(b"\r\n").is_ok()
                {}
            });
        }
    });
    let text = Ended::run(
        wm_hooks()
            .args(["send-test", "all", "--timeout", "2s", "--to"])
            .arg(format!("http://127.0.0.1:{port}/webhooks/whatsapp"))
            .env("WM_HOOKS_SECRET", "s3cret")
            .timeout(std::time::Duration::from_secs(20)),
    )
    .exited(0)
    .stdout;
    assert_eq!(text.matches("200 OK").count(), 3, "{text}");
    assert!(text.contains("all 3 deliveries passed"), "{text}");
}

/// A port whose every connection gets `answer` to its first read, then is closed.
fn answering_raw(answer: &'static [u8]) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let mut request = [0u8; 65536];
            let _ = conn.read(&mut request);
            let _ = conn.write_all(answer);
        }
    });
    port
}

#[test]
fn a_malformed_answer_head_is_not_blamed_on_https() {
    // A header with a control character, or a status line with a version
    // HTTP/1 has not (hyper's "invalid HTTP version"): HTTP, but unreadable.
    // Their hint was "an https server behind an http:// URL?", the one for TLS bytes.
    let send = |url: String| {
        let out = Ended::run(
            wm_hooks()
                .args(["send-test", "--to", &url])
                .env("WM_HOOKS_SECRET", SECRET),
        )
        .exited(1);
        format!("{}{}", out.stdout, out.stderr)
    };
    for head in [
        &b"HTTP/1.1 200 OK\r\nX-Bad: a\x01b\r\nContent-Length: 0\r\n\r\n"[..],
        b"HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n",
    ] {
        let port = answering_raw(head);
        let err = send(format!("http://127.0.0.1:{port}{PATH}"));
        assert!(err.contains("its head is malformed"), "{err}");
        assert!(!err.contains("https server behind"), "{err}");
    }
    // TLS bytes where an answer should be: that hint stays, the bytes named.
    let cert = TestCert::new();
    let tls = TestServer::start_tls(&cert, server::correct(SECRET));
    let err = send(tls.url(PATH).replacen("https://", "http://", 1));
    assert!(
        err.contains("an https server behind an http:// URL?"),
        "{err}"
    );
    assert!(err.contains(", a TLS record)"), "{err}");
    // TLS bytes from a raw port (an alert) are told the same way.
    let port = answering_raw(b"\x15\x03\x01\x00\x02\x02\x46");
    let err = send(format!("http://127.0.0.1:{port}{PATH}"));
    assert!(
        err.contains(
            "hint: the answer is TLS, not plain HTTP: an https server behind an http:// URL?"
        ),
        "{err}"
    );
    // Another protocol altogether: not HTTP, its first bytes shown, and no
    // https blamed: the bytes are no TLS record.
    for (answer, began) in [
        (
            &b"SSH-2.0-OpenSSH_9.6\r\n"[..],
            r#"(the answer began with "SSH-2.0-OpenSSH_")"#,
        ),
        (
            b"hello there\r\n\r\n",
            "(the answer began with 68 65 6c 6c 6f",
        ),
    ] {
        let port = answering_raw(answer);
        let err = send(format!("http://127.0.0.1:{port}{PATH}"));
        assert!(err.contains(began), "{err}");
        assert!(
            err.contains("hint: the answer is neither HTTP nor TLS: another service on this port?"),
            "{err}"
        );
        assert!(!err.contains("https"), "{err}");
    }
}
