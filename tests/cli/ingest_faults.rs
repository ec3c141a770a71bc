//! The fault tests of `wm-hooks ingest`, each holding the promise that
//! nothing answered 2xx is lost: SIGKILL under load, the store stopped
//! mid-load (503, then recovery without a restart), Redis restarted, two
//! ingest and two deliver processes sharing one Redis, a locked SQLite file,
//! a full disk, and an append whose answer was lost on the way back.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use wm_hooks::store::{self, Store, StoreUrl};

use crate::ingest::{answered_2xx, ingest, post_all, stored_ids};
use crate::util::listen::{self, Listener, SECRET, post_signed};
use crate::util::server::{Recorded, Reply, TestServer};
use crate::util::store::{TestStore, status_body};

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
        again.stop().exited(0);
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
    let stderr = running.stop().exited(0).stderr;
    assert!(stderr.contains("The store answers again"), "{stderr}");
    let ids = stored_ids(&store);
    assert!(ids.values().all(|n| *n == 1), "each stored once: {ids:?}");
    assert_eq!(ids.into_keys().collect::<BTreeSet<_>>(), answered);
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
