//! `--max-connections` against idle and slow clients: at the limit a new
//! sender is admitted and answered, and the connection idle the longest is
//! closed (one that sent nothing, one stuck in its request head, then the
//! oldest idle keep-alive one; under `ingest --tls-cert`, one that never
//! starts its TLS handshake), while a recently used one stays open. The read
//! timeout is a minute, so a sender locked out until it passes fails.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};

use crate::util::listen::{Listener, PATIENCE, SECRET};
use crate::util::store::TestStore;
use crate::util::wm_hooks;

const PATH: &str = "/webhooks/whatsapp";

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// Sends one signed keep-alive POST on `stream` and reads its answer's head
/// (the answers to valid POSTs have no body); the status.
fn post(stream: &mut TcpStream, n: usize) -> u16 {
    let body = format!(
        r#"{{"event":"message.received","timestamp":"2026-01-15T10:30:00Z","data":{{"message_id":"m{n}"}}}}"#
    );
    let signature = wm_hooks::contract::signature::sign(SECRET.as_bytes(), body.as_bytes());
    let request = format!(
        "POST {PATH} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
         x-signature-256: {signature}\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            other => panic!(
                "no whole answer to POST {n} ({other:?}): {}",
                String::from_utf8_lossy(&head)
            ),
        }
    }
    let head = String::from_utf8_lossy(&head).to_lowercase();
    assert!(head.contains("content-length: 0\r\n"), "{head}");
    head.split(' ').nth(1).unwrap().parse().unwrap()
}

/// Whether the server closed `stream`: EOF (or a reset) within [`PATIENCE`].
fn closed(stream: &mut TcpStream) -> bool {
    let mut chunk = [0u8; 64];
    match stream.read(&mut chunk) {
        Ok(0) => true,
        Ok(n) => panic!(
            "unexpected bytes: {:?}",
            String::from_utf8_lossy(&chunk[..n])
        ),
        Err(e) if e.kind() == ErrorKind::ConnectionReset => true,
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => false,
        Err(e) => panic!("reading failed: {e}"),
    }
}

#[test]
fn at_the_limit_the_longest_idle_connection_makes_room_for_a_sender() {
    let listener = Listener::start(&["--max-connections", "100", "--read-timeout", "60s"]);
    let addr = listener.addr;
    // Idle, in this order: one that sent nothing, one used (again later), one
    // stuck in its head, then 97 that each made one POST.
    let mut silent = connect(addr);
    let mut reused = connect(addr);
    assert_eq!(post(&mut reused, 0), 200);
    let mut stuck = connect(addr);
    stuck
        .write_all(format!("POST {PATH} HTTP/1.1\r\nhost: x\r\n").as_bytes())
        .unwrap();
    let mut used: Vec<TcpStream> = (1..=97)
        .map(|n| {
            let mut stream = connect(addr);
            assert_eq!(post(&mut stream, n), 200);
            stream
        })
        .collect();
    // Used again: now the most recently idle.
    assert_eq!(post(&mut reused, 98), 200);

    // Three newcomers at the limit: two raw ones that stay open, then send-test.
    let mut newcomers = Vec::new();
    for n in [99, 100] {
        let mut stream = connect(addr);
        assert_eq!(post(&mut stream, n), 200, "newcomer {n} is answered");
        newcomers.push(stream);
    }
    wm_hooks()
        .args(["send-test", "--to", &listener.url])
        .env("WM_HOOKS_SECRET", SECRET)
        .timeout(PATIENCE)
        .assert()
        .success();

    assert!(closed(&mut silent), "the connection that sent nothing");
    assert!(closed(&mut stuck), "the connection stuck in its head");
    assert!(
        closed(&mut used[0]),
        "the oldest idle keep-alive connection"
    );
    // The recently used one, and the next oldest, are still served.
    assert_eq!(post(&mut reused, 101), 200);
    assert_eq!(post(&mut used[1], 102), 200);
    for (n, stream) in newcomers.iter_mut().enumerate() {
        assert_eq!(post(stream, 103 + n), 200);
    }

    let stopped = listener.stop();
    assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
    let closed_line = stopped
        .stderr
        .lines()
        .find(|l| l.contains("idle connections closed at the limit"))
        .unwrap_or_else(|| panic!("{}", stopped.stderr));
    assert!(closed_line.trim_end().ends_with(" 3"), "{closed_line}");
    assert!(
        !stopped.stderr.contains("refused at the limit"),
        "{}",
        stopped.stderr
    );
}

/// `wm-hooks ingest --port 0` on `store`, with `extra`.
fn ingest(store: &TestStore, extra: &[&str]) -> Listener {
    let mut args = vec!["ingest", "--port", "0", "--store", &store.url];
    args.extend_from_slice(extra);
    Listener::run(&args, &[("WM_HOOKS_SECRET", SECRET)])
}

#[test]
fn ingest_also_closes_the_longest_idle_connection_at_the_limit() {
    let store = TestStore::sqlite();
    let listener = ingest(&store, &["--max-connections", "2", "--read-timeout", "60s"]);
    let mut oldest = connect(listener.addr);
    assert_eq!(post(&mut oldest, 1), 200);
    let mut newer = connect(listener.addr);
    assert_eq!(post(&mut newer, 2), 200);
    let mut newcomer = connect(listener.addr);
    assert_eq!(post(&mut newcomer, 3), 200);
    assert!(closed(&mut oldest));
    assert_eq!(post(&mut newer, 4), 200);
    let stopped = listener.stop();
    assert!(
        stopped
            .stderr
            .contains("1 idle connection closed at the limit"),
        "{}",
        stopped.stderr
    );
}

#[test]
fn a_client_that_never_starts_its_tls_handshake_makes_room_too() {
    let store = TestStore::sqlite();
    let cert = crate::util::server::TestCert::new();
    let listener = ingest(
        &store,
        &[
            "--tls-cert",
            cert.leaf_pem.to_str().unwrap(),
            "--tls-key",
            cert.key_pem.to_str().unwrap(),
            "--max-connections",
            "1",
            "--read-timeout",
            "60s",
        ],
    );
    let mut silent = connect(listener.addr);
    wm_hooks()
        .env("WM_HOOKS_SECRET", SECRET)
        .env("SSL_CERT_FILE", &cert.ca_pem)
        .args(["send-test", "--to", &listener.url])
        .timeout(PATIENCE)
        .assert()
        .success();
    assert!(closed(&mut silent), "the connection stuck before TLS");
    listener.stop();
}

/// `ingest --read-timeout TIMEOUT --metrics 127.0.0.1:0`, and the metrics
/// address its banner shows.
fn ingest_with_metrics(timeout: &str) -> (Listener, SocketAddr, TestStore) {
    let store = TestStore::sqlite();
    let listener = ingest(
        &store,
        &["--read-timeout", timeout, "--metrics", "127.0.0.1:0"],
    );
    let banner = listener.stderr();
    let metrics = banner
        .split("Metrics on http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("the metrics address in the banner:\n{banner}"));
    (listener, metrics, store)
}

/// The metrics listener gives a request head `--read-timeout`, as the
/// receiver does: a client stalled in one is closed then.
#[test]
fn the_metrics_listener_closes_a_stalled_head_at_the_read_timeout() {
    let (listener, metrics, _store) = ingest_with_metrics("1s");
    let mut stalled = connect(metrics);
    stalled.write_all(b"GET /metrics HTTP/1.1\r\n").unwrap();
    let started = std::time::Instant::now();
    stalled
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    // hyper answers a head cut off by its timeout with 408, or closes.
    let answer = crate::util::listen::read_to_close(&mut stalled);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "still open after {:?}",
        started.elapsed()
    );
    assert_eq!(listener.stop().code, Some(0));
}

/// `ingest --metrics`: a hundred idle clients (silent, stuck in a head, or
/// done with a keep-alive GET) neither lock a health checker out nor stay
/// open beyond the listener's own limit, whose longest-idle connections close
/// to admit newcomers.
#[test]
fn the_metrics_listener_keeps_answering_healthz_past_its_connection_limit() {
    use wm_hooks::http::metrics::MAX_CONNECTIONS;
    let (listener, metrics, _store) = ingest_with_metrics("60s");
    let healthz = |stream: &mut TcpStream| {
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
            .expect("send");
        let mut answer = [0u8; 512];
        let n = stream.read(&mut answer).expect("an answer within PATIENCE");
        let answer = String::from_utf8_lossy(&answer[..n]).into_owned();
        assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    };
    // Ten done with a GET (kept alive), then ninety that sent nothing or
    // stopped in their request head.
    let mut idle: Vec<TcpStream> = (0..10)
        .map(|_| {
            let mut stream = connect(metrics);
            healthz(&mut stream);
            stream
        })
        .collect();
    for n in 0..90 {
        let mut stream = connect(metrics);
        if n % 2 == 1 {
            stream.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
        }
        idle.push(stream);
    }
    // Those evicted to admit them are gone within a tenth of a second; until
    // then, too many closing at once would turn a newcomer away.
    std::thread::sleep(std::time::Duration::from_millis(300));
    for _ in 0..3 {
        let mut checker = connect(metrics);
        healthz(&mut checker);
    }
    // And those evicted for the checkers are gone too.
    std::thread::sleep(std::time::Duration::from_millis(300));
    // Those still open never got an EOF; the rest were closed to make room.
    let mut open = 0;
    for stream in &mut idle {
        stream
            .set_read_timeout(Some(std::time::Duration::from_millis(50)))
            .unwrap();
        if !closed(stream) {
            open += 1;
        }
    }
    assert!(
        MAX_CONNECTIONS < idle.len() / 2,
        "the test passes the limit"
    );
    assert!(
        open <= MAX_CONNECTIONS,
        "{open} idle connections still open, the limit is {MAX_CONNECTIONS}"
    );
    assert_eq!(listener.stop().code, Some(0));
}
