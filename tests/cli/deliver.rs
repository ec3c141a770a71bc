//! `wm-hooks deliver` as a real process between a real store and a recording
//! app: every stored event reaches the app, re-signed, with its entry id and
//! attempt number; failures are retried and then dead letters, which redrive
//! brings back; an app that was down is caught up; a `deliver` killed with
//! SIGKILL loses nothing, since another claims what it held, nor does one
//! stopped now by a second Ctrl-C.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::util::listen::{Listener, SECRET, wait_for};
use crate::util::server::{Recorded, Reply, TestServer, closed_port};
use crate::util::store::{TestStore, status_body};
use crate::util::{Ended, wm_hooks};

/// An app that answers 200 to a correctly signed POST, or `failing` while that is set.
fn app(failing: Arc<AtomicBool>, status: u16) -> TestServer {
    TestServer::start(move |req: &Recorded, _| {
        if failing.load(Ordering::SeqCst) {
            Reply::status(status)
        } else if req.signed_with(SECRET, "x-signature-256") {
            Reply::status(200)
        } else {
            Reply::status(401)
        }
    })
}

fn deliver(store: &TestStore, extra: &[&str]) -> Listener {
    // A short lease, so what a killed deliver held is claimed again soon;
    // longer than the attempts' --timeout, as deliver requires.
    let mut args = vec![
        "deliver",
        "--from",
        &store.url,
        "--claim-after",
        "1500ms",
        "--timeout",
        "1s",
    ];
    args.extend_from_slice(extra);
    Listener::run(&args, &[("WM_HOOKS_SECRET", SECRET)])
}

/// The distinct bodies the app was given with a 200.
fn delivered_bodies(app: &TestServer) -> BTreeSet<Vec<u8>> {
    app.posts()
        .into_iter()
        .filter(|p| p.signed_with(SECRET, "x-signature-256"))
        .map(|p| p.body)
        .collect()
}

#[test]
fn every_stored_event_reaches_the_app_as_stored() {
    for store in TestStore::both("deliver::every_stored_event_reaches_the_app_as_stored") {
        let mut bodies: Vec<Vec<u8>> = (0..30).map(status_body).collect();
        bodies.push(b"{\"not\": \"an event\", \"raw\": \"\xff\"}".to_vec());
        let ids = store.append(&bodies);
        let app = app(Arc::new(AtomicBool::new(false)), 200);
        let url = app.url("/hooks");
        let running = deliver(&store, &["--to", &url, "--json"]);
        store.wait_stats(|s| s["delivered"] == 31 && s["pending"] == 0);
        let stopped = running.stop();
        assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
        assert!(
            stopped
                .stderr
                .contains("31 delivered, 0 retries scheduled, 0 dead"),
            "{}",
            stopped.stderr
        );
        let posts = app.posts();
        assert_eq!(posts.len(), 31, "{}", store.url);
        for post in &posts {
            assert!(post.signed_with(SECRET, "x-signature-256"));
            assert_eq!(post.header("x-wm-hooks-attempt"), Some("1"));
            assert_eq!(post.header("content-type"), Some("application/json"));
            let id = post.header("x-wm-hooks-delivery").unwrap();
            let at = ids.iter().position(|i| i == id).expect("a stored id");
            assert_eq!(post.body, bodies[at], "the bytes as stored");
        }
        let lines: Vec<serde_json::Value> = stopped
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 31);
        assert!(
            lines.iter().all(|l| l["type"] == "attempt"
                && l["result"] == "delivered"
                && l["status"] == 200)
        );
        assert!(
            lines
                .iter()
                .any(|l| l["event"] == "message.status" && l["message_id"] == "m7")
        );
    }
}

#[test]
fn routes_send_each_event_type_to_its_own_endpoint() {
    let store = TestStore::sqlite();
    let received = br#"{"event":"message.received","data":{"message_id":"in1"}}"#.to_vec();
    let template =
        br#"{"event":"template.status","data":{"template_name":"t","status":"APPROVED"}}"#.to_vec();
    store.append(&[status_body(1), received.clone(), template]);
    let statuses = app(Arc::new(AtomicBool::new(false)), 200);
    let everything = app(Arc::new(AtomicBool::new(false)), 200);
    let running = deliver(
        &store,
        &[
            "--to",
            &format!("message.status={}", statuses.url("/s")),
            "--to",
            &format!("message.received={}", everything.url("/r")),
            "--json",
        ],
    );
    // template.status has no route: a dead letter saying so.
    store.wait_stats(|s| s["delivered"] == 2 && s["dead"] == 1);
    let stopped = running.stop();
    let unrouted: Vec<serde_json::Value> = stopped
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|l| l["event"] == "template.status")
        .collect();
    assert_eq!(unrouted.len(), 1, "{}", stopped.stdout);
    assert_eq!(
        (&unrouted[0]["result"], &unrouted[0]["attempt"]),
        (
            &serde_json::Value::from("dead"),
            &serde_json::Value::from(0)
        ),
        "nothing was sent, as the dead letter's 0 attempts say"
    );
    assert_eq!(
        delivered_bodies(&statuses),
        BTreeSet::from([status_body(1)])
    );
    assert_eq!(everything.posts().len(), 1);
    assert_eq!(everything.posts()[0].body, received);
    let dead = Ended::run(wm_hooks().args(["store", "dead", "--store", &store.url]));
    assert!(
        dead.stdout
            .contains("no --to route takes template.status events"),
        "{}",
        dead.stdout
    );
}

#[test]
fn a_failing_app_gets_the_schedule_then_dead_letters_and_redrive_brings_them_back() {
    for store in TestStore::both("deliver::a_failing_app_gets_the_schedule_then_dead_letters") {
        let failing = Arc::new(AtomicBool::new(true));
        let app = app(Arc::clone(&failing), 500);
        let bodies: Vec<Vec<u8>> = (0..5).map(status_body).collect();
        store.append(&bodies);
        let running = deliver(
            &store,
            &["--to", &app.url("/"), "--retry-schedule", "50ms,100ms"],
        );
        store.wait_stats(|s| s["dead"] == 5 && s["pending"] == 0);
        let attempts: Vec<String> = app
            .posts()
            .iter()
            .filter(|p| p.body == bodies[0])
            .map(|p| p.header("x-wm-hooks-attempt").unwrap().to_string())
            .collect();
        assert_eq!(attempts, ["1", "2", "3"], "{}", store.url);
        let dead = Ended::run(wm_hooks().args(["store", "dead", "--json", "--store", &store.url]));
        let letters: Vec<serde_json::Value> = dead
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(letters.len(), 5, "{}", store.url);
        for letter in &letters {
            assert_eq!(letter["attempts"], 3);
            assert_eq!(
                letter["error"],
                "the app answered 500 Internal Server Error"
            );
            assert_eq!(letter["event"], "message.status");
        }
        failing.store(false, Ordering::SeqCst);
        Ended::run(wm_hooks().args(["store", "redrive", "--all", "--store", &store.url]))
            .exited(0)
            .stderr_has("Put 5 dead letters back");
        store.wait_stats(|s| s["delivered"] == 5 && s["dead"] == 0 && s["pending"] == 0);
        running.stop();
        assert_eq!(delivered_bodies(&app), bodies.into_iter().collect());
    }
}

#[test]
fn an_app_that_was_down_is_caught_up() {
    for store in TestStore::both("deliver::an_app_that_was_down_is_caught_up") {
        let down = Arc::new(AtomicBool::new(true));
        let app = app(Arc::clone(&down), 503);
        let bodies: Vec<Vec<u8>> = (0..40).map(status_body).collect();
        store.append(&bodies);
        let running = deliver(
            &store,
            &[
                "--to",
                &app.url("/"),
                "--retry-schedule",
                "100ms,200ms,400ms,800ms,1s,1s,1s",
            ],
        );
        store.wait_stats(|s| s["retrying"].as_u64() > Some(0));
        std::thread::sleep(Duration::from_millis(300));
        down.store(false, Ordering::SeqCst);
        store.wait_stats(|s| s["delivered"] == 40 && s["pending"] == 0);
        running.stop();
        assert_eq!(store.stats()["dead"], 0);
        assert_eq!(delivered_bodies(&app), bodies.into_iter().collect());
    }
}

#[test]
fn a_killed_deliver_loses_nothing_another_claims_what_it_held() {
    for store in TestStore::both("deliver::a_killed_deliver_loses_nothing") {
        let slow = TestServer::start(|req: &Recorded, _| {
            Reply::status(if req.signed_with(SECRET, "x-signature-256") {
                200
            } else {
                401
            })
            .after(Duration::from_millis(500))
        });
        let bodies: Vec<Vec<u8>> = (0..20).map(status_body).collect();
        store.append(&bodies);
        let first = deliver(&store, &["--to", &slow.url("/"), "--concurrency", "20"]);
        crate::util::listen::wait_for(
            || slow.posts().len().to_string(),
            |n| n.parse::<usize>().unwrap() > 0,
            "the first attempts",
        );
        first.kill();
        let second = deliver(&store, &["--to", &slow.url("/"), "--concurrency", "20"]);
        store.wait_stats(|s| s["delivered"] == 20 && s["pending"] == 0);
        second.stop();
        assert_eq!(
            delivered_bodies(&slow),
            bodies.into_iter().collect(),
            "{}",
            store.url
        );
    }
}

#[test]
fn a_second_ctrl_c_abandons_the_attempt_in_flight_and_another_deliver_delivers_it() {
    for store in TestStore::both("deliver::a_second_ctrl_c_abandons_the_attempt_in_flight") {
        let ids = store.append(&[status_body(1)]);
        // The first attempt is held for 30 s; any later one is answered at once.
        let app = TestServer::start(|_: &Recorded, n| match n {
            0 => Reply::status(200).after(Duration::from_secs(30)),
            _ => Reply::status(200),
        });
        let url = app.url("/hooks");
        let first = Listener::run(
            &[
                "deliver",
                "--from",
                &store.url,
                "--to",
                &url,
                "--timeout",
                "5s",
                "--claim-after",
                "6s",
            ],
            &[("WM_HOOKS_SECRET", SECRET)],
        );
        wait_for(
            || app.posts().len().to_string(),
            |n| n == "1",
            "the first attempt",
        );
        first.signal("INT");
        let said = wait_for(|| first.stderr(), |e| e.contains("Stopping: "), "stderr");
        assert!(
            said.contains(
                "Stopping: finishing 1 attempt in flight (Ctrl-C again stops now: what is in \
                 flight is then claimed again after --claim-after 6s)"
            ),
            "{said}"
        );
        std::thread::sleep(Duration::from_millis(500));
        assert!(
            !first.stderr().contains("Stopped after"),
            "the first Ctrl-C waits for the attempt in flight: {}",
            first.stderr()
        );
        let asked = Instant::now();
        let stopped = first.stop_with("INT");
        assert!(
            asked.elapsed() < Duration::from_secs(3),
            "the second Ctrl-C waited {:?}: {}",
            asked.elapsed(),
            stopped.stderr
        );
        assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
        assert!(
            stopped.stderr.contains(
                "Stopping now: the attempts in flight are abandoned, not settled; what this \
                 deliver held is claimed again after --claim-after 6s"
            ),
            "{}",
            stopped.stderr
        );
        assert!(
            stopped.stderr.contains(
                "Stopped after 1 attempt: 0 delivered, 0 retries scheduled, 0 dead, \
                 1 abandoned in flight"
            ),
            "{}",
            stopped.stderr
        );
        let stats = store.stats();
        assert_eq!(
            (&stats["delivered"], &stats["retrying"], &stats["dead"]),
            (&0.into(), &0.into(), &0.into()),
            "abandoned, not settled: {stats}"
        );
        let second = deliver(&store, &["--to", &url]);
        store.wait_stats(|s| s["delivered"] == 1 && s["pending"] == 0);
        second.stop();
        let posts = app.posts();
        assert_eq!(posts.len(), 2, "{}", store.url);
        for post in &posts {
            assert_eq!(post.header("x-wm-hooks-delivery"), Some(ids[0].as_str()));
        }
        assert_eq!(store.stats()["delivered"], 1, "{}", store.url);
    }
}

#[test]
fn bad_input_is_exit_2_and_an_unreachable_store_exit_3() {
    let store = TestStore::sqlite();
    let to = ["--to", "http://127.0.0.1:1/"];
    Ended::run(wm_hooks().args(["deliver", "--from", &store.url]).args(to))
        .exited(2)
        .stderr_has("no webhook secret");
    for bad in [
        &["--to", "ftp://x/"][..],
        &["--to", "x"],
        &["--to", "http://h/", "--retry-schedule", "0s"],
    ] {
        Ended::run(
            wm_hooks()
                .env("WM_HOOKS_SECRET", SECRET)
                .args(["deliver", "--from", &store.url])
                .args(bad),
        )
        .exited(2);
    }
    let unreachable = format!("redis://127.0.0.1:{}/0", closed_port());
    Ended::run(
        wm_hooks()
            .env("WM_HOOKS_SECRET", SECRET)
            .args(["deliver", "--from", &unreachable])
            .args(to),
    )
    .exited(3);
}

#[test]
fn deliver_rides_out_a_redis_restart() {
    let Some(mut store) = TestStore::redis("deliver::deliver_rides_out_a_redis_restart") else {
        return;
    };
    let app = app(Arc::new(AtomicBool::new(false)), 200);
    store.append(&[status_body(1)]);
    let running = deliver(&store, &["--to", &app.url("/")]);
    store.wait_stats(|s| s["delivered"] == 1);
    let redis = store.redis.as_mut().unwrap();
    redis.stop();
    crate::util::listen::wait_for(
        || running.stderr(),
        |e| e.contains("trying again"),
        "a warning",
    );
    redis.restart();
    // The append-only file kept what was delivered; new entries flow again.
    store.append(&[status_body(2), status_body(3)]);
    store.wait_stats(|s| s["delivered"] == 3 && s["pending"] == 0);
    stop_recovered(running, &app);
}

#[test]
fn deliver_recreates_the_consumer_group_a_redis_restart_lost() {
    let Some(mut store) =
        TestStore::redis("deliver::deliver_recreates_the_consumer_group_a_redis_restart_lost")
    else {
        return;
    };
    let app = app(Arc::new(AtomicBool::new(false)), 200);
    store.append(&[status_body(1)]);
    let running = deliver(&store, &["--to", &app.url("/"), "--json"]);
    store.wait_stats(|s| s["delivered"] == 1);
    // No persistence: the stream, the group and the counters are gone.
    store.redis.as_mut().unwrap().restart_empty();
    store.append(&[status_body(2), status_body(3)]);
    crate::util::listen::wait_for(
        || delivered_bodies(&app).len().to_string(),
        |n| n == "3",
        "the events stored after the restart delivered",
    );
    stop_recovered(running, &app);
    assert_eq!(store.stats()["delivered"], 2, "counted since the restart");
}

#[test]
fn a_consumer_group_destroyed_or_its_stream_deleted_under_deliver_is_made_again_and_said() {
    let Some(store) = TestStore::redis("deliver::a_consumer_group_destroyed_or_its_stream_deleted")
    else {
        return;
    };
    let redis = store.redis.as_ref().unwrap();
    let app = app(Arc::new(AtomicBool::new(false)), 200);
    store.append(&[status_body(1), status_body(2)]);
    let running = deliver(&store, &["--to", &app.url("/")]);
    store.wait_stats(|s| s["delivered"] == 2);
    let gone = "the consumer group wm-hooks was gone";
    assert!(!running.stderr().contains(gone), "{}", running.stderr());
    redis.destroy_group();
    store.append(&[status_body(3)]);
    // Nothing skipped: the new event, and the stream's others again (at least once).
    let posts_of = |body: Vec<u8>| {
        let app = &app;
        move || {
            let n = app.posts().iter().filter(|p| p.body == body).count();
            n.to_string()
        }
    };
    crate::util::listen::wait_for(posts_of(status_body(3)), |n| n == "1", "the new event");
    crate::util::listen::wait_for(posts_of(status_body(1)), |n| n == "2", "the first again");
    let said =
        crate::util::listen::wait_for(|| running.stderr(), |e| e.contains(gone), "a warning");
    assert!(
        said.contains("made again from the stream's start"),
        "{said}"
    );
    // The stream itself deleted (and its group with it): what comes next is delivered.
    let deleted = redis.command(&["DEL", "wm-hooks:events"]);
    assert_eq!(deleted.as_deref(), Some(":1\r\n"));
    store.append(&[status_body(4)]);
    crate::util::listen::wait_for(posts_of(status_body(4)), |n| n == "1", "the event after");
    let stopped = running.stop();
    assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
    assert_eq!(
        stopped.stderr.matches(gone).count(),
        2,
        "{}",
        stopped.stderr
    );
    assert_eq!(
        delivered_bodies(&app),
        BTreeSet::from([
            status_body(1),
            status_body(2),
            status_body(3),
            status_body(4)
        ])
    );
}

#[test]
fn entries_deleted_from_the_stream_by_hand_before_delivery_are_named_not_dropped_silently() {
    let Some(store) = TestStore::redis("deliver::entries_deleted_from_the_stream_by_hand") else {
        return;
    };
    let redis = store.redis.as_ref().unwrap();
    let ids = store.append(&[status_body(1), status_body(2)]);
    // The first is pending for a consumer that died holding it.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let held = runtime.block_on(async {
        use wm_hooks::store::Store as _;
        let url = wm_hooks::store::StoreUrl::parse(&store.url).unwrap();
        let opened = wm_hooks::store::open(&url, "wm-hooks").unwrap();
        opened.prepare_delivery().await.unwrap();
        opened
            .claim("ghost", 1, Duration::from_secs(60))
            .await
            .unwrap()
    });
    assert_eq!(held.len(), 1);
    let deleted = |id: &str| {
        let reply = redis.command(&["XDEL", "wm-hooks:events", id]);
        assert_eq!(reply.as_deref(), Some(":1\r\n"), "{id}");
    };
    deleted(&ids[0]);
    // The second fails once and waits for its retry, deleted meanwhile.
    let app = app(Arc::new(AtomicBool::new(true)), 500);
    let running = deliver(
        &store,
        &["--to", &app.url("/"), "--retry-schedule", "2s,1h"],
    );
    store.wait_stats(|s| s["retrying"] == 1);
    deleted(&ids[1]);
    let said = crate::util::listen::wait_for(
        || running.stderr(),
        |e| {
            ids.iter()
                .all(|id| e.contains(&format!("cannot be delivered: {id}")))
        },
        "both named",
    );
    assert!(
        said.contains("deleted from the stream (XDEL or XTRIM by hand?)"),
        "{said}"
    );
    assert_eq!(running.stop().code, Some(0));
    // Named once each: they left the group's lists.
    assert_eq!(app.posts().len(), 1, "the second's one attempt");
    // Counted once each as lost, no longer as pending or retrying.
    let stats = store.stats();
    assert_eq!(
        (&stats["stored"], &stats["lost"]),
        (&2.into(), &2.into()),
        "{stats}"
    );
    assert_eq!(
        (&stats["pending"], &stats["retrying"]),
        (&0.into(), &0.into()),
        "{stats}"
    );
}

/// Stops a `deliver` that lived through a Redis restart: it said the store
/// answers again, and the app got the three events of the test.
fn stop_recovered(running: Listener, app: &TestServer) {
    let stopped = running.stop();
    assert!(
        stopped.stderr.contains("The store answers again"),
        "{}",
        stopped.stderr
    );
    assert_eq!(
        delivered_bodies(app),
        BTreeSet::from([status_body(1), status_body(2), status_body(3)])
    );
}

/// `deliver ARGS` with a secret, to its exit; the exit code and stderr.
fn refused(args: &[&str]) -> (Option<i32>, String) {
    let ended = Ended::run(
        wm_hooks()
            .env("WM_HOOKS_SECRET", SECRET)
            .arg("deliver")
            .args(args),
    );
    (ended.code, ended.stderr)
}

#[test]
fn routes_with_an_unknown_event_type_or_given_twice_are_exit_2_with_a_hint() {
    let store = TestStore::sqlite();
    store.append(&[status_body(1)]);
    let from = ["--from", &store.url];
    for (to, says) in [
        (
            &["message.recieved=http://127.0.0.1:1/"][..],
            "`message.recieved` is not an event type",
        ),
        (&["foo=http://127.0.0.1:1/"], "`foo` is not an event type"),
        (
            &["http://127.0.0.1:1/a", "http://127.0.0.1:1/b"],
            "error: --to given twice for every event",
        ),
        (
            &[
                "message.status=http://127.0.0.1:1/a",
                "message.status=http://127.0.0.1:1/b",
            ],
            "error: --to given twice for message.status",
        ),
    ] {
        let mut args = from.to_vec();
        for route in to {
            args.extend(["--to", route]);
        }
        let (code, stderr) = refused(&args);
        assert_eq!(code, Some(2), "{to:?}: {stderr}");
        assert!(stderr.contains(says), "{to:?}: {stderr}");
        assert!(stderr.contains("hint: "), "{to:?}: {stderr}");
    }
    let (_, stderr) = refused(&["--from", &store.url, "--to", "messages=http://h/"]);
    assert!(
        stderr.contains("message.received, message.status, template.status"),
        "{stderr}"
    );
}

#[test]
fn a_lease_not_longer_than_the_timeout_is_exit_2_naming_both() {
    let store = TestStore::sqlite();
    store.append(&[status_body(1)]);
    for (claim_after, timeout) in [("1s", "5s"), ("5s", "5s")] {
        let (code, stderr) = refused(&[
            "--from",
            &store.url,
            "--to",
            "http://127.0.0.1:1/",
            "--claim-after",
            claim_after,
            "--timeout",
            timeout,
        ]);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "--claim-after {claim_after} is not longer than --timeout {timeout}"
            )),
            "{stderr}"
        );
        assert!(
            stderr.contains("hint: give --claim-after longer"),
            "{stderr}"
        );
    }
}

#[test]
fn one_deliver_never_attempts_an_entry_twice_at_once_behind_slow_attempts() {
    let store = TestStore::sqlite();
    let bodies: Vec<Vec<u8>> = (0..3).map(status_body).collect();
    store.append(&bodies);
    // Slower than --timeout: every attempt fails, and the entries claimed
    // ahead wait behind it until their lease has nearly run out.
    let app = TestServer::start(|_: &Recorded, _| Reply::status(200).after(Duration::from_secs(3)));
    let running = deliver(
        &store,
        &[
            "--to",
            &app.url("/"),
            "--concurrency",
            "1",
            "--retry-schedule",
            "1h",
        ],
    );
    store.wait_stats(|s| s["retrying"] == 3);
    running.stop();
    for body in &bodies {
        let attempts: Vec<String> = app
            .posts()
            .iter()
            .filter(|p| &p.body == body)
            .map(|p| p.header("x-wm-hooks-attempt").unwrap().to_string())
            .collect();
        assert_eq!(attempts, ["1"], "{}", String::from_utf8_lossy(body));
    }
}

#[test]
fn a_sqlite_store_that_does_not_exist_is_exit_2_and_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.db");
    // --store too, as ingest spells it.
    for flag in ["--from", "--store"] {
        let (code, stderr) = refused(&[
            flag,
            &format!("sqlite:{}", path.display()),
            "--to",
            "http://127.0.0.1:1/",
        ]);
        assert_eq!(code, Some(2), "{flag}: {stderr}");
        assert!(stderr.contains("error: no store at sqlite:"), "{stderr}");
        assert!(
            stderr.contains("hint: give --from the store that ingest writes to"),
            "{stderr}"
        );
        assert!(!path.exists());
    }
}

#[test]
fn an_empty_group_or_consumer_name_is_exit_2() {
    let store = TestStore::sqlite();
    store.append(&[status_body(1)]);
    for flag in ["--group", "--consumer"] {
        let (code, stderr) = refused(&["--from", &store.url, "--to", "http://h/", flag, ""]);
        assert_eq!(code, Some(2), "{flag}: {stderr}");
        assert!(stderr.contains("the name is empty"), "{flag}: {stderr}");
    }
    Ended::run(wm_hooks().args(["store", "stats", "--store", &store.url, "--group", " "]))
        .exited(2);
}
