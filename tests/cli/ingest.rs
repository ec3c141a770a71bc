//! `wm-hooks ingest` as a real process in front of real stores: a verified
//! POST is answered 2xx only once stored, a repeat is absorbed, and ingest
//! takes listen's flags. The fault tests are in `ingest_faults.rs`; the
//! helpers here serve both.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use wm_hooks::store::{self, Store, StoreUrl};

use crate::util::listen::{self, Listener, SECRET, post_signed, post_signed_with};
use crate::util::store::{TestStore, status_body};
use crate::util::{Ended, wm_hooks};

pub(crate) fn ingest(store: &TestStore, extra: &[&str]) -> Listener {
    let mut args = vec!["ingest", "--port", "0", "--store", &store.url];
    args.extend_from_slice(extra);
    Listener::run(&args, &[("WM_HOOKS_SECRET", SECRET)])
}

/// Every entry the store holds (claimed through the library), as message id → count.
pub(crate) fn stored_ids(store: &TestStore) -> BTreeMap<String, usize> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let opened = store::open(&StoreUrl::parse(&store.url).unwrap(), "inspect").unwrap();
        opened.prepare_delivery().await.unwrap();
        let mut ids = BTreeMap::new();
        loop {
            let got = opened
                .claim("inspector", 500, Duration::from_secs(600))
                .await
                .unwrap();
            if got.is_empty() {
                return ids;
            }
            for entry in got {
                *ids.entry(entry.message_id.unwrap_or_default()).or_insert(0) += 1;
            }
        }
    })
}

/// POSTs every body (signed) with `concurrency` in flight; each one's status,
/// or `None` when the connection failed.
pub(crate) fn post_all(url: &str, bodies: Vec<Vec<u8>>, concurrency: usize) -> Vec<Option<u16>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = url.to_string();
    runtime.block_on(async move {
        let client = wm_hooks::http::client::builder()
            .timeout(listen::PATIENCE)
            .build()
            .unwrap();
        let permits = Arc::new(tokio::sync::Semaphore::new(concurrency));
        let mut tasks = Vec::new();
        for body in bodies {
            let (client, url, permits) = (client.clone(), url.clone(), Arc::clone(&permits));
            tasks.push(tokio::spawn(async move {
                let _permit = permits.acquire_owned().await.unwrap();
                let signature = wm_hooks::contract::signature::sign(SECRET.as_bytes(), &body);
                let sent = client
                    .post(&url)
                    .header("x-signature-256", signature.to_string())
                    .body(body)
                    .send()
                    .await;
                sent.ok().map(|r| r.status().as_u16())
            }));
        }
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap());
        }
        statuses
    })
}

/// The message ids (`m{i}`) of the bodies answered 2xx.
pub(crate) fn answered_2xx(statuses: &[Option<u16>], from: usize) -> BTreeSet<String> {
    statuses
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_some_and(|s| (200..300).contains(&s)))
        .map(|(i, _)| format!("m{}", i + from))
        .collect()
}

#[test]
fn a_verified_event_is_stored_once_and_everything_else_answered_as_listen_does() {
    for store in TestStore::both("ingest::a_verified_event_is_stored_once") {
        let running = ingest(&store, &["--json"]);
        for i in 0..3 {
            assert_eq!(post_signed(&running.url, status_body(i)).status, 200);
        }
        let again = post_signed(&running.url, status_body(1));
        assert_eq!(again.status, 200, "a duplicate is answered 200");
        assert_eq!(post_signed(&running.url, b"not json").status, 200);
        assert_eq!(
            post_signed_with(&running.url, "wrong", status_body(9)).status,
            401
        );
        let handshake = listen::get(&format!(
            "{}?hub.mode=subscribe&hub.challenge=abc&hub.verify_token={SECRET}",
            running.url
        ));
        assert_eq!((handshake.status, handshake.body.as_str()), (200, "abc"));
        let stats = store.stats();
        assert_eq!(
            (stats["stored"].as_u64(), stats["duplicates"].as_u64()),
            (Some(4), Some(1))
        );
        let stopped = running.stop();
        assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
        assert!(
            stopped
                .stderr
                .contains("Stopped after 7 requests: 4 stored, 1 duplicate,"),
            "{}",
            stopped.stderr
        );
        let lines: Vec<serde_json::Value> = stopped
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 7);
        assert!(lines[0]["entry_id"].is_string() && lines[0]["duplicate"] == false);
        assert_eq!(lines[3]["duplicate"], true);
        assert_eq!(
            lines[3]["entry_id"], lines[1]["entry_id"],
            "the duplicate names the first"
        );
        assert_eq!(
            (lines[5]["status"].as_u64(), lines[5]["entry_id"].is_null()),
            (Some(401), true)
        );
        assert_eq!(
            stored_ids(&store).len(),
            4,
            "m0, m1, m2 and the body without one"
        );
    }
}

#[test]
fn concurrent_repeats_share_a_batch_and_are_stored_once() {
    // Repeats sent at once land in one batch (one transaction, one script
    // call): the store must dedupe within the batch as well as across.
    for store in TestStore::both("ingest::concurrent_repeats_share_a_batch") {
        let running = ingest(&store, &[]);
        let mut bodies = Vec::new();
        for _round in 0..8 {
            bodies.extend((0..5).map(status_body));
        }
        let statuses = post_all(&running.url, bodies, 40);
        assert!(
            statuses.iter().all(|s| *s == Some(200)),
            "every repeat is answered 200: {statuses:?}"
        );
        let stats = store.stats();
        assert_eq!(
            (stats["stored"].as_u64(), stats["duplicates"].as_u64()),
            (Some(5), Some(35)),
            "{stats}"
        );
        let ids = stored_ids(&store);
        assert_eq!(ids.len(), 5, "{ids:?}");
        assert!(ids.values().all(|n| *n == 1), "each stored once: {ids:?}");
        let stopped = running.stop();
        assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
    }
}

#[test]
fn the_previous_secret_is_accepted_during_a_rotation_and_recorded() {
    let store = TestStore::sqlite();
    let running = Listener::run(
        &["ingest", "--port", "0", "--store", &store.url],
        &[
            ("WM_HOOKS_SECRET", SECRET),
            ("WM_HOOKS_PREVIOUS_SECRET", "the-old-secret"),
        ],
    );
    assert_eq!(
        post_signed_with(&running.url, "the-old-secret", status_body(1)).status,
        200
    );
    assert_eq!(post_signed(&running.url, status_body(2)).status, 200);
    assert_eq!(
        post_signed_with(&running.url, "neither", status_body(3)).status,
        401
    );
    running.stop();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let secrets: BTreeMap<String, String> = runtime.block_on(async {
        let opened = store::open(&StoreUrl::parse(&store.url).unwrap(), "x").unwrap();
        let got = opened
            .claim("c", 10, Duration::from_secs(60))
            .await
            .unwrap();
        got.into_iter()
            .map(|e| (e.message_id.unwrap(), e.secret))
            .collect()
    });
    assert_eq!(secrets["m1"], "previous");
    assert_eq!(secrets["m2"], "current");
}

/// A rotation whose previous secret is the current one accepts nothing
/// else: said, since the old secret the platform may still sign with is
/// then refused; and a previous secret with a newline is said to have one.
#[test]
fn a_previous_secret_equal_to_the_current_or_with_a_newline_is_warned_of() {
    let store = TestStore::sqlite();
    for (previous, says) in [
        (
            SECRET.to_string(),
            "warning: the previous secret is the current one",
        ),
        (
            "the-old-secret\n".to_string(),
            "warning: the secret from WM_HOOKS_PREVIOUS_SECRET ends with a newline",
        ),
    ] {
        let running = Listener::run(
            &["ingest", "--port", "0", "--store", &store.url],
            &[
                ("WM_HOOKS_SECRET", SECRET),
                ("WM_HOOKS_PREVIOUS_SECRET", &previous),
            ],
        );
        let stopped = running.stop();
        assert!(stopped.stderr.contains(says), "{}", stopped.stderr);
        // The platform's horizon, as people write it (not humantime's `1day`).
        assert!(
            stopped
                .stderr
                .contains("a repeat within 24h is answered 200"),
            "{}",
            stopped.stderr
        );
    }
}

#[test]
fn bad_input_is_exit_2() {
    let store = TestStore::sqlite();
    Ended::run(wm_hooks().args(["ingest", "--port", "0", "--store", &store.url]))
        .exited(2)
        .stderr_has("no webhook secret");
    for (bad, says) in [
        (&["--store", "nosuch://x"][..], "scheme"),
        (&["--dedupe-window", "0s"], "dedupe-window"),
        (&["--store", "sqlite:/nonexistent/dir/x.db"], "cannot open"),
        // Answered 200 and gone with the process: never durable.
        (&["--store", "sqlite::memory:"], "in memory"),
        (&["--store", "sqlite:file::memory:"], "in memory"),
        (&["--store", "sqlite:"], "names no file"),
        (
            &["--previous-secret", ""],
            "--previous-secret is given but empty",
        ),
    ] {
        Ended::run(
            wm_hooks()
                .env("WM_HOOKS_SECRET", SECRET)
                .args(["ingest", "--port", "0"])
                .args(bad),
        )
        .exited(2)
        .stderr_has(says);
    }
}

#[test]
fn ingest_terminates_https_itself_with_tls_cert_and_key() {
    let store = TestStore::sqlite();
    let cert = crate::util::server::TestCert::new();
    let (leaf, key) = (
        cert.leaf_pem.to_str().unwrap(),
        cert.key_pem.to_str().unwrap(),
    );
    let running = ingest(&store, &["--tls-cert", leaf, "--tls-key", key]);
    assert!(
        running.url.starts_with("https://127.0.0.1:"),
        "{}",
        running.url
    );
    Ended::run(
        wm_hooks()
            .env("WM_HOOKS_SECRET", SECRET)
            .env("SSL_CERT_FILE", &cert.ca_pem)
            .args(["send-test", "message.status", "--to", &running.url]),
    )
    .exited(0);
    assert_eq!(store.stats()["stored"], 1);
    running.stop();
    // A key that is not PEM is an input error before anything listens.
    Ended::run(
        wm_hooks()
            .env("WM_HOOKS_SECRET", SECRET)
            .args(["ingest", "--port", "0", "--store", &store.url])
            .args(["--tls-cert", leaf, "--tls-key", leaf]),
    )
    .exited(2)
    .stderr_has("cannot read the TLS key");
}

#[test]
fn metrics_count_requests_events_and_writes_and_healthz_follows_the_store() {
    let Some(mut store) = TestStore::redis("ingest::metrics_count_requests") else {
        return;
    };
    let port = crate::util::server::free_port();
    let metrics_addr = format!("127.0.0.1:{port}");
    let running = ingest(&store, &["--metrics", &metrics_addr]);
    // The address is part of the banner, before the line that ends it.
    let banner = running.stderr();
    let shown = banner
        .find(&format!("Metrics on http://{metrics_addr}/metrics"))
        .unwrap_or_else(|| panic!("the metrics address in the banner:\n{banner}"));
    assert!(shown < banner.find("Press Ctrl-C").unwrap(), "{banner}");
    assert_eq!(post_signed(&running.url, status_body(1)).status, 200);
    assert_eq!(post_signed(&running.url, status_body(1)).status, 200);
    assert_eq!(
        post_signed_with(&running.url, "wrong", status_body(2)).status,
        401
    );
    let text = listen::get(&format!("http://{metrics_addr}/metrics")).body;
    for line in [
        "wm_hooks_requests_total{status=\"200\"} 2",
        "wm_hooks_requests_total{status=\"401\"} 1",
        "wm_hooks_events_total{event=\"message.status\"} 1",
        "wm_hooks_duplicates_total 1",
        "wm_hooks_store_errors_total 0",
        "wm_hooks_store_write_seconds_count 2",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
    assert_eq!(
        listen::get(&format!("http://{metrics_addr}/healthz")).status,
        200
    );
    store.redis.as_mut().unwrap().stop();
    assert_eq!(
        listen::get(&format!("http://{metrics_addr}/healthz")).status,
        503
    );
    running.stop();
}

#[test]
fn ingest_takes_the_meta_profile_and_a_verify_token_as_listen_does() {
    let store = TestStore::sqlite();
    let running = Listener::run(
        &[
            "ingest",
            "--port",
            "0",
            "--store",
            &store.url,
            "--profile",
            "meta",
        ],
        &[
            ("WM_HOOKS_SECRET", SECRET),
            ("WM_HOOKS_VERIFY_TOKEN", "the-token"),
        ],
    );
    let handshake = |token: &str| {
        listen::get(&format!(
            "{}?hub.mode=subscribe&hub.challenge=c1&hub.verify_token={token}",
            running.url
        ))
        .status
    };
    assert_eq!((handshake("the-token"), handshake(SECRET)), (200, 403));
    let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
    let signed = crate::util::server::hmac_header(SECRET, body);
    let post = |header: &str| {
        listen::request(
            "POST",
            &running.url,
            &[(header, signed.as_str())],
            body.to_vec(),
        )
        .status
    };
    assert_eq!(
        post("x-signature-256"),
        401,
        "meta's header is X-Hub-Signature-256"
    );
    assert_eq!(post("x-hub-signature-256"), 200);
    running.stop();
    assert_eq!(store.stats()["stored"], 1);
}

#[test]
fn a_redis_database_number_or_password_refused_is_exit_2_at_the_start() {
    let Some(store) = TestStore::redis("ingest::a_redis_database_number_or_password_refused")
    else {
        return;
    };
    let redis = store.redis.as_ref().unwrap();
    let added = redis.command(&["ACL", "SETUSER", "ingest", "on", ">right", "~*", "+@all"]);
    assert!(added.is_some_and(|r| r.starts_with("+OK")));
    let wrong_password = store.url.replace("redis://", "redis://ingest:wrong@");
    // Each hint names what was refused, and only that.
    for (url, refused, hint, not) in [
        (
            store.url.replace("/0", "/99"),
            "refused the URL's database number",
            "hint: check the database number",
            "password",
        ),
        (
            wrong_password,
            "refused the URL's user or password",
            "hint: check the user and password in the store URL",
            "database number",
        ),
    ] {
        let stderr = Ended::run(
            wm_hooks()
                .env("WM_HOOKS_SECRET", SECRET)
                .args(["ingest", "--port", "0", "--store", &url]),
        )
        .exited(2)
        .stderr;
        assert!(stderr.contains(refused), "{stderr}");
        assert!(stderr.contains(hint), "{stderr}");
        assert!(!stderr.contains(not), "{stderr}");
        assert!(
            !stderr.contains("wrong"),
            "the password is masked: {stderr}"
        );
        // Refused before anything says it listens or stores.
        assert!(!stderr.contains("Listening on"), "{stderr}");
        assert!(!stderr.contains("Storing verified events"), "{stderr}");
    }
}

#[test]
fn a_redis_on_its_unix_socket_is_the_same_store_as_over_tcp() {
    let Some(tcp) = TestStore::redis("ingest::a_redis_on_its_unix_socket") else {
        return;
    };
    let socket = TestStore::at_url(tcp.redis.as_ref().unwrap().socket_url());
    let running = ingest(&socket, &[]);
    for i in 0..2 {
        assert_eq!(post_signed(&running.url, status_body(i)).status, 200);
    }
    // Shown with its socket path; stored where the TCP URL finds it too.
    let stopped = running.stop();
    assert!(
        stopped.stderr.contains("redis+unix://") && stopped.stderr.contains("redis.sock"),
        "{}",
        stopped.stderr
    );
    for store in [&socket, &tcp] {
        assert_eq!(store.stats()["stored"].as_u64(), Some(2), "{}", store.url);
    }
}

#[test]
fn events_with_an_empty_message_id_are_each_stored_not_taken_for_repeats() {
    for store in TestStore::both("ingest::events_with_an_empty_message_id") {
        let running = ingest(&store, &[]);
        let bodies = [
            r#"{"event":"message.received","data":{"message_id":"","text":"first"}}"#,
            r#"{"event":"message.received","data":{"message_id":"","text":"second"}}"#,
            r#"{"event":"template.status","data":{"template_name":"","status":"APPROVED"}}"#,
            r#"{"event":"template.status","data":{"template_name":"","status":"REJECTED"}}"#,
        ];
        for body in bodies {
            assert_eq!(post_signed(&running.url, body.as_bytes()).status, 200);
        }
        // The same bytes again are still a repeat.
        assert_eq!(post_signed(&running.url, bodies[0].as_bytes()).status, 200);
        let stats = store.stats();
        assert_eq!(
            (stats["stored"].as_u64(), stats["duplicates"].as_u64()),
            (Some(4), Some(1)),
            "{stats} ({})",
            store.url
        );
        assert_eq!(running.stop().code, Some(0));
    }
}

#[test]
fn metrics_stay_parseable_whatever_event_types_the_sender_names() {
    let store = TestStore::sqlite();
    let port = crate::util::server::free_port();
    let running = ingest(&store, &["--metrics", &format!("127.0.0.1:{port}")]);
    for (i, name) in ["cr\rx", "nul\u{0}x", "ls\u{2028}x", "lf\nx", "q\"b\\s"]
        .into_iter()
        .enumerate()
    {
        let body = serde_json::json!({"event": name, "data": {"message_id": format!("o{i}")}});
        assert_eq!(post_signed(&running.url, body.to_string()).status, 200);
    }
    let text = listen::get(&format!("http://127.0.0.1:{port}/metrics")).body;
    // One sample per line: a name, labels, and a number; no raw control
    // character or line separator anywhere (parsers split lines on them).
    assert!(
        !text.contains(|c: char| (c.is_control() && c != '\n') || c == '\u{2028}'),
        "{text:?}"
    );
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (_, value) = line.rsplit_once(' ').unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line:?}");
    }
    assert!(
        text.lines()
            .any(|l| l == "wm_hooks_events_total{event=\"q\\\"b\\\\s\"} 1"),
        "{text}"
    );
    assert_eq!(running.stop().code, Some(0));
}

#[test]
fn a_tls_file_too_large_for_pem_is_refused_without_reading_it_all() {
    let store = TestStore::sqlite();
    let cert = crate::util::server::TestCert::new();
    let dir = tempfile::tempdir().unwrap();
    // As /dev/zero would be, without end: 2 MiB of zeros here.
    let huge = dir.path().join("huge.pem");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(2 << 20)
        .unwrap();
    let (leaf, key, huge) = (
        cert.leaf_pem.to_str().unwrap(),
        cert.key_pem.to_str().unwrap(),
        huge.to_str().unwrap(),
    );
    for (pem, what) in [([huge, key], "certificate"), ([leaf, huge], "key")] {
        let err = Ended::run(
            wm_hooks()
                .env("WM_HOOKS_SECRET", SECRET)
                .args(["ingest", "--port", "0", "--store", &store.url])
                .args(["--tls-cert", pem[0], "--tls-key", pem[1]]),
        )
        .exited(2)
        .stderr;
        assert!(
            err.contains(&format!(
                "cannot read the TLS {what} {huge}: it is larger than 1 MiB"
            )),
            "{err}"
        );
    }
}
