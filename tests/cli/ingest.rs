//! `wm-hooks ingest` as a real process in front of real stores: a verified
//! POST is answered 2xx only once stored, a repeat is absorbed, and the fault
//! tests hold the promise that nothing answered 2xx is lost: SIGKILL under
//! load, the store stopped mid-load (503, then recovery without a restart),
//! and two ingest and two deliver processes sharing one Redis.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use wm_hooks::store::{self, Store, StoreUrl};

use crate::util::listen::{self, Listener, SECRET, post_signed, post_signed_with};
use crate::util::server::{Recorded, Reply, TestServer};
use crate::util::store::{TestStore, status_body};
use crate::util::{stderr_of, wm_hooks};

fn ingest(store: &TestStore, extra: &[&str]) -> Listener {
    let mut args = vec!["ingest", "--port", "0", "--store", &store.url];
    args.extend_from_slice(extra);
    Listener::run(&args, &[("WM_HOOKS_SECRET", SECRET)])
}

/// Every entry the store holds (claimed through the library), as message id → count.
fn stored_ids(store: &TestStore) -> BTreeMap<String, usize> {
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
fn post_all(url: &str, bodies: Vec<Vec<u8>>, concurrency: usize) -> Vec<Option<u16>> {
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
fn answered_2xx(statuses: &[Option<u16>], from: usize) -> BTreeSet<String> {
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

#[test]
fn bad_input_is_exit_2() {
    let store = TestStore::sqlite();
    let output = wm_hooks()
        .args(["ingest", "--port", "0", "--store", &store.url])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output).contains("no webhook secret"),
        "{}",
        stderr_of(&output)
    );
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
        let output = wm_hooks()
            .env("WM_HOOKS_SECRET", SECRET)
            .args(["ingest", "--port", "0"])
            .args(bad)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{bad:?}: {}",
            stderr_of(&output)
        );
        assert!(
            stderr_of(&output).contains(says),
            "{bad:?}: {}",
            stderr_of(&output)
        );
    }
}

#[test]
fn a_killed_ingest_under_load_loses_nothing_it_answered_2xx() {
    const LOAD: usize = 3000;
    for store in TestStore::both("ingest::a_killed_ingest_under_load_loses_nothing") {
        let running = ingest(&store, &[]);
        let url = running.url.clone();
        let load =
            std::thread::spawn(move || post_all(&url, (0..LOAD).map(status_body).collect(), 16));
        // Kill it part-way through the load: the load is large enough that it
        // cannot all be answered before the kill, even on an idle machine.
        store.wait_stats(|s| s["stored"].as_u64() >= Some(50));
        running.kill();
        let statuses = load.join().unwrap();
        let answered = answered_2xx(&statuses, 0);
        assert!(
            !answered.is_empty() && answered.len() < LOAD,
            "{} answered",
            answered.len()
        );
        // The platform sends again what got no 2xx (and may repeat what did):
        // a new ingest on the same store stores each event once, the repeats
        // of what the killed one stored included (in SQLite their keys were
        // in its memory only, and come back from the stored entries).
        let again = ingest(&store, &[]);
        let resent = post_all(&again.url, (0..LOAD).map(status_body).collect(), 16);
        assert!(resent.iter().all(|s| *s == Some(200)), "{}", store.url);
        let stopped = again.stop();
        assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
        let stored = stored_ids(&store);
        for id in &answered {
            assert_eq!(
                stored.get(id),
                Some(&1),
                "{id} was answered 2xx ({})",
                store.url
            );
        }
        assert_eq!(stored.len(), LOAD, "every event, once ({})", store.url);
        assert!(stored.values().all(|n| *n == 1), "{}", store.url);
    }
}

#[test]
fn a_redis_restarted_between_requests_costs_no_503() {
    let Some(mut store) = TestStore::redis("ingest::a_redis_restarted_between") else {
        return;
    };
    let running = ingest(&store, &[]);
    let first = post_all(&running.url, vec![status_body(0)], 1);
    assert_eq!(first, [Some(200)]);
    // ingest's connection is now dead, and it does not know yet.
    store.redis.as_mut().unwrap().restart();
    let next = post_all(&running.url, (1..4).map(status_body).collect(), 1);
    assert_eq!(next, [Some(200); 3], "the first one too");
    let stopped = running.stop();
    assert!(!stopped.stderr.contains("error:"), "{}", stopped.stderr);
    let stored = stored_ids(&store);
    assert_eq!(stored.len(), 4, "{stored:?}");
    assert!(stored.values().all(|n| *n == 1));
}

#[test]
fn the_store_stopped_mid_load_means_503_then_recovery_without_a_restart() {
    let Some(mut store) = TestStore::redis("ingest::the_store_stopped_mid_load") else {
        return;
    };
    let running = ingest(&store, &[]);
    let before = post_all(&running.url, (0..100).map(status_body).collect(), 8);
    assert!(before.iter().all(|s| *s == Some(200)));
    store.redis.as_mut().unwrap().stop();
    let down = listen::request(
        "POST",
        &running.url,
        &[(
            "x-signature-256",
            &crate::util::server::hmac_header(SECRET, &status_body(100)),
        )],
        status_body(100),
    );
    assert_eq!(down.status, 503);
    assert_eq!(down.headers.get("retry-after").unwrap(), "30");
    store.redis.as_mut().unwrap().restart();
    // Recovery by itself: the next requests are stored again.
    let mut after = Vec::new();
    for _ in 0..50 {
        after = post_all(&running.url, (101..200).map(status_body).collect(), 8);
        if after.iter().all(|s| *s == Some(200)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(after.iter().all(|s| *s == Some(200)), "{after:?}");
    let stopped = running.stop();
    assert!(
        stopped.stderr.contains("error: the store"),
        "{}",
        stopped.stderr
    );
    assert!(
        stopped.stderr.contains("The store answers again"),
        "{}",
        stopped.stderr
    );
    let stored = stored_ids(&store);
    let mut answered = answered_2xx(&before, 0);
    answered.extend(answered_2xx(&after, 101));
    for id in &answered {
        assert_eq!(stored.get(id), Some(&1), "{id} was answered 2xx");
    }
    assert!(!stored.contains_key("m100"), "the 503'd one was not stored");
}

#[test]
fn two_ingest_and_two_deliver_on_one_redis_store_once_and_deliver_all() {
    let Some(store) = TestStore::redis("ingest::two_ingest_and_two_deliver_on_one_redis") else {
        return;
    };
    let app = TestServer::start(|req: &Recorded, _| {
        Reply::status(if req.signed_with(SECRET, "x-signature-256") {
            200
        } else {
            401
        })
    });
    let first = ingest(&store, &[]);
    let second = ingest(&store, &[]);
    let bodies: Vec<Vec<u8>> = (0..200).map(status_body).collect();
    // The platform retrying through a load balancer: every event reaches both.
    let (a, b) = (first.url.clone(), second.url.clone());
    let (one, two) = (bodies.clone(), bodies.clone());
    let to_first = std::thread::spawn(move || post_all(&a, one, 8));
    let to_second = std::thread::spawn(move || post_all(&b, two, 8));
    assert!(to_first.join().unwrap().iter().all(|s| *s == Some(200)));
    assert!(to_second.join().unwrap().iter().all(|s| *s == Some(200)));
    let deliver = |name: &str| {
        Listener::run(
            &[
                "deliver",
                "--from",
                &store.url,
                "--to",
                &app.url("/"),
                "--consumer",
                name,
            ],
            &[("WM_HOOKS_SECRET", SECRET)],
        )
    };
    let (d1, d2) = (deliver("one"), deliver("two"));
    let stats = store.wait_stats(|s| s["delivered"] == 200 && s["pending"] == 0);
    assert_eq!(
        (stats["stored"].as_u64(), stats["duplicates"].as_u64()),
        (Some(200), Some(200))
    );
    for running in [first, second, d1, d2] {
        assert_eq!(running.stop().code, Some(0));
    }
    let posts = app.posts();
    let delivered: BTreeSet<Vec<u8>> = posts.iter().map(|p| p.body.clone()).collect();
    assert_eq!(delivered, bodies.into_iter().collect());
    assert_eq!(
        posts.len(),
        200,
        "nothing delivered twice without a failure"
    );
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
    let output = wm_hooks()
        .env("WM_HOOKS_SECRET", SECRET)
        .env("SSL_CERT_FILE", &cert.ca_pem)
        .args(["send-test", "message.status", "--to", &running.url])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(store.stats()["stored"], 1);
    running.stop();
    // A key that is not PEM is an input error before anything listens.
    let output = wm_hooks()
        .env("WM_HOOKS_SECRET", SECRET)
        .args([
            "ingest",
            "--port",
            "0",
            "--store",
            &store.url,
            "--tls-cert",
            leaf,
            "--tls-key",
            leaf,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr_of(&output));
    assert!(
        stderr_of(&output).contains("cannot read the TLS key"),
        "{}",
        stderr_of(&output)
    );
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
fn a_locked_sqlite_file_is_a_503_inside_the_platforms_budget_and_its_retry_is_stored() {
    let store = TestStore::sqlite();
    let running = ingest(&store, &[]);
    let path = store.url.strip_prefix("sqlite:").unwrap();
    // Another process's writer holding the file: a real second connection.
    let holder = rusqlite::Connection::open(path).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let started = std::time::Instant::now();
    let locked = post_signed(&running.url, status_body(1));
    let took = started.elapsed();
    assert_eq!(locked.status, 503, "{}", locked.body);
    assert_eq!(locked.headers.get("retry-after").unwrap(), "30");
    assert!(took < Duration::from_secs(4), "answered after {took:?}");
    holder.execute_batch("COMMIT").unwrap();
    // The platform's retry of the same event.
    assert_eq!(post_signed(&running.url, status_body(1)).status, 200);
    let stopped = running.stop();
    assert!(
        stopped
            .stderr
            .contains("the database is locked by another process"),
        "{}",
        stopped.stderr
    );
    assert!(
        stopped
            .stderr
            .contains("hint: another program holds the file's write lock"),
        "{}",
        stopped.stderr
    );
    assert_eq!(stored_ids(&store), BTreeMap::from([("m1".to_string(), 1)]));
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
        let output = wm_hooks()
            .env("WM_HOOKS_SECRET", SECRET)
            .args(["ingest", "--port", "0", "--store", &url])
            .output()
            .unwrap();
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
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
fn healthz_is_503_while_the_store_answers_but_refuses_writes() {
    let Some(store) = TestStore::redis("ingest::healthz_is_503_while_the_store_refuses_writes")
    else {
        return;
    };
    let redis = store.redis.as_ref().unwrap();
    let port = crate::util::server::free_port();
    let metrics_addr = format!("127.0.0.1:{port}");
    let healthz = format!("http://{metrics_addr}/healthz");
    let running = ingest(&store, &["--metrics", &metrics_addr]);
    assert_eq!(listen::get(&healthz).status, 200);
    // At its maxmemory (the default policy evicts nothing) Redis still
    // answers PING, and refuses every write.
    let set = |limit: &str| {
        let reply = redis.command(&["CONFIG", "SET", "maxmemory", limit]);
        assert!(
            reply.as_deref().is_some_and(|r| r.starts_with("+OK")),
            "{reply:?}"
        );
    };
    set("1");
    assert_eq!(post_signed(&running.url, status_body(1)).status, 503);
    assert_eq!(listen::get(&healthz).status, 503, "a store refusing writes");
    set("0");
    // The failed POST holds /healthz at 503 for a while, unless a write
    // succeeds since (the platform's retry).
    assert_eq!(post_signed(&running.url, status_body(1)).status, 200);
    assert_eq!(listen::get(&healthz).status, 200);
    assert_eq!(running.stop().code, Some(0));
}

#[test]
fn a_full_disk_is_503_and_unhealthy_and_ingest_recovers_when_there_is_room() {
    let Some(disk) = crate::util::tmpfs::Tmpfs::mount("1m") else {
        return;
    };
    let store = TestStore::sqlite_at(&disk.path("events.db"));
    let port = crate::util::server::free_port();
    let healthz = format!("http://127.0.0.1:{port}/healthz");
    let running = ingest(&store, &["--metrics", &format!("127.0.0.1:{port}")]);
    assert_eq!(listen::get(&healthz).status, 200);
    let body = |i: usize| {
        let pad = "x".repeat(3000);
        format!(r#"{{"event":"message.received","data":{{"message_id":"m{i}","pad":"{pad}"}}}}"#)
    };
    // 3 KiB events, one after another, until the disk is full: a MiB holds
    // a few hundred at most.
    let mut answered = BTreeSet::new();
    let full = (0..2000)
        .find(|&i| {
            let reply = post_signed(&running.url, body(i));
            match reply.status {
                200 => !answered.insert(format!("m{i}")),
                503 => {
                    assert_eq!(reply.headers["retry-after"], "30");
                    true
                }
                other => panic!("m{i} answered {other}"),
            }
        })
        .expect("the disk fills");
    assert!(!answered.is_empty());
    assert_eq!(post_signed(&running.url, body(full)).status, 503);
    assert_eq!(listen::get(&healthz).status, 503, "writes fail");
    // Room again: the same process stores the retries.
    disk.resize("16m");
    assert_eq!(post_signed(&running.url, body(full)).status, 200);
    answered.insert(format!("m{full}"));
    assert_eq!(listen::get(&healthz).status, 200);
    let stopped = running.stop();
    assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
    assert!(
        stopped.stderr.contains("The store answers again"),
        "{}",
        stopped.stderr
    );
    let ids = stored_ids(&store);
    assert!(ids.values().all(|n| *n == 1), "each stored once: {ids:?}");
    assert_eq!(ids.into_keys().collect::<BTreeSet<_>>(), answered);
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
        let output = wm_hooks()
            .env("WM_HOOKS_SECRET", SECRET)
            .args(["ingest", "--port", "0", "--store", &store.url])
            .args(["--tls-cert", pem[0], "--tls-key", pem[1]])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{}", stderr_of(&output));
        let err = stderr_of(&output);
        assert!(
            err.contains(&format!(
                "cannot read the TLS {what} {huge}: it is larger than 1 MiB"
            )),
            "{err}"
        );
    }
}

/// A TCP proxy in front of a Redis that can lose one answer: once `cut` is
/// set, the connection that next sends a script call has it run, and is
/// closed before the answer reaches the client (as a Redis restarted or a
/// network cut right after the write would do).
struct CuttingProxy {
    port: u16,
    cut: Arc<std::sync::atomic::AtomicBool>,
}

impl CuttingProxy {
    fn start(redis_port: u16) -> CuttingProxy {
        use std::io::{Read, Write};
        use std::net::{Shutdown, TcpListener, TcpStream};
        use std::sync::atomic::Ordering;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let cutting = Arc::clone(&cut);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(("127.0.0.1", redis_port)) else {
                    continue;
                };
                // Set when a script call went to Redis with `cut` set: its
                // answer is not passed on.
                let lose = Arc::new(std::sync::atomic::AtomicBool::new(false));
                let (mut from_client, mut to_server) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (cutting, losing) = (Arc::clone(&cutting), Arc::clone(&lose));
                std::thread::spawn(move || {
                    let mut buffer = [0u8; 65536];
                    while let Ok(n @ 1..) = from_client.read(&mut buffer) {
                        let script = buffer[..n].windows(7).any(|w| w == b"EVALSHA");
                        if script && cutting.swap(false, Ordering::SeqCst) {
                            losing.store(true, Ordering::SeqCst);
                        }
                        if to_server.write_all(&buffer[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = to_server.shutdown(Shutdown::Both);
                });
                let (mut from_server, mut to_client) = (server, client);
                std::thread::spawn(move || {
                    let mut buffer = [0u8; 65536];
                    while let Ok(n @ 1..) = from_server.read(&mut buffer) {
                        if lose.load(Ordering::SeqCst) || to_client.write_all(&buffer[..n]).is_err()
                        {
                            break;
                        }
                    }
                    let _ = to_client.shutdown(Shutdown::Both);
                    let _ = from_server.shutdown(Shutdown::Both);
                });
            }
        });
        CuttingProxy { port, cut }
    }
}

/// An append whose answer is lost after Redis ran it, sent again by ingest
/// on a new connection: a new event is counted once as stored (not also as a
/// duplicate of itself), and a platform retry of a stored one (a real
/// duplicate, not the first try's own entry) once as a duplicate, in the
/// store and in ingest's tally alike.
#[test]
fn an_append_whose_answer_was_lost_is_counted_once() {
    for (second, stored, duplicates, tally) in [
        (1, 2, 0, "Stopped after 2 requests: 2 stored, 0 duplicates"),
        (0, 1, 1, "Stopped after 2 requests: 1 stored, 1 duplicate"),
    ] {
        let Some(store) = TestStore::redis("ingest::an_append_whose_answer_was_lost") else {
            return;
        };
        let proxy = CuttingProxy::start(store.redis.as_ref().unwrap().port);
        let through = TestStore::at_url(format!("redis://127.0.0.1:{}/0", proxy.port));
        let running = ingest(&through, &[]);
        // The first loads the script; the second's answer is lost.
        assert_eq!(post_signed(&running.url, status_body(0)).status, 200);
        proxy.cut.store(true, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(post_signed(&running.url, status_body(second)).status, 200);
        assert!(
            !proxy.cut.load(std::sync::atomic::Ordering::SeqCst),
            "the cut happened"
        );
        let stats = store.stats();
        assert_eq!(
            (stats["stored"].as_u64(), stats["duplicates"].as_u64()),
            (Some(stored), Some(duplicates)),
            "{stats}"
        );
        let stopped = running.stop();
        assert!(stopped.stderr.contains(tally), "{}", stopped.stderr);
        let ids = stored_ids(&store);
        assert_eq!(ids.len() as u64, stored, "{ids:?}");
    }
}

/// A batch holding one event twice (the platform's retry landing beside the
/// first delivery, byte for byte and in the same millisecond), its answer
/// lost: sent again, the second is still the first's duplicate, as the
/// first try answered, not a second entry stored.
#[test]
fn a_repeat_within_a_batch_sent_again_is_still_a_duplicate() {
    let Some(store) = TestStore::redis("ingest::a_repeat_within_a_batch_sent_again") else {
        return;
    };
    let proxy = CuttingProxy::start(store.redis.as_ref().unwrap().port);
    let url = StoreUrl::parse(&format!("redis://127.0.0.1:{}/0", proxy.port)).unwrap();
    let entry = |i: usize| store::NewEntry {
        key: wm_hooks::contract::dedup::store_key(&status_body(i)),
        event: Some("message.status".into()),
        message_id: Some(format!("m{i}")),
        received_at: "2026-01-15T10:30:00.123Z".into(),
        headers: "{}".into(),
        headers_base64: None,
        body: bytes::Bytes::from(status_body(i)),
        secret: store::SecretUsed::Current,
    };
    let window = Duration::from_secs(3600);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let answers = runtime.block_on(async {
        let opened = store::open(&url, "wm-hooks").unwrap();
        // The first call loads the script; the second's answer is lost.
        opened.append(vec![entry(0)], window).await.unwrap();
        proxy.cut.store(true, std::sync::atomic::Ordering::SeqCst);
        opened
            .append(vec![entry(1), entry(1)], window)
            .await
            .unwrap()
    });
    assert!(
        !proxy.cut.load(std::sync::atomic::Ordering::SeqCst),
        "the cut happened"
    );
    let store::Appended::Stored(id) = &answers[0] else {
        panic!("{answers:?}")
    };
    assert_eq!(answers[1], store::Appended::Duplicate(Some(id.clone())));
    let stats = store.stats();
    assert_eq!(
        (stats["stored"].as_u64(), stats["duplicates"].as_u64()),
        (Some(2), Some(1)),
        "{stats}"
    );
}
