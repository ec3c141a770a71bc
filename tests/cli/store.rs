//! `wm-hooks store stats|dead|redrive|prune` against real stores: counts as
//! JSON for scripts, the exit codes for a missing or unreachable store, and a
//! prune that removes only what was delivered.

use std::collections::BTreeSet;

use crate::util::listen::{Listener, SECRET};
use crate::util::server::{Recorded, Reply, TestServer};
use crate::util::store::{TestStore, status_body};
use crate::util::{Ended, wm_hooks};

/// `store prune --json` for this store: how many it removed.
fn prune(store: &TestStore, older_than: &str) -> u64 {
    let pruned = run_prune(store, &["--json", "--older-than", older_than]).exited(0);
    let line: serde_json::Value = serde_json::from_str(&pruned.stdout).expect("one JSON object");
    line["removed"].as_u64().expect("a count")
}

/// `store prune` for this store with `args`, run to its end.
fn run_prune(store: &TestStore, args: &[&str]) -> Ended {
    Ended::run(
        wm_hooks()
            .args(["store", "prune", "--store", &store.url])
            .args(args),
    )
}

/// `deliver` from the store to `url`, a failed attempt retried after 2 s.
fn deliver(store: &TestStore, url: &str) -> Listener {
    deliver_retrying(store, url, "2s,2s")
}

/// `deliver` from the store to `url` with this `--retry-schedule`.
fn deliver_retrying(store: &TestStore, url: &str, schedule: &str) -> Listener {
    Listener::run(
        &[
            "deliver",
            "--from",
            &store.url,
            "--to",
            url,
            "--retry-schedule",
            schedule,
        ],
        &[("WM_HOOKS_SECRET", SECRET)],
    )
}

#[test]
fn prune_removes_what_was_delivered_and_keeps_the_rest_deliverable() {
    for store in TestStore::both("store::prune_removes_what_was_delivered") {
        let redis = store.url.starts_with("redis");
        // m1..m5 are delivered; m0, the oldest, fails once and waits for its retry.
        store.append(&(0..6).map(status_body).collect::<Vec<_>>());
        let failing = status_body(0);
        let app = TestServer::start(move |req: &Recorded, _| {
            Reply::status(if req.body == failing { 500 } else { 200 })
        });
        let first = deliver(&store, &app.url("/hooks"));
        store.wait_stats(|s| s["delivered"] == 5 && s["retrying"] == 1);
        let stopped = first.stop();
        assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
        // m6..m8 were never read by a deliver.
        store.append(&(6..9).map(status_body).collect::<Vec<_>>());

        assert_eq!(prune(&store, "1h"), 0, "nothing is an hour old");
        std::thread::sleep(std::time::Duration::from_millis(50));
        // SQLite removes the delivered rows; a Redis stream is trimmed from
        // its start, and m0, still to retry, holds what follows it.
        let removed = if redis { 0 } else { 5 };
        assert_eq!(prune(&store, "1ms"), removed, "{}", store.url);
        let stats = store.stats();
        assert_eq!(
            (stats["stored"].as_u64(), stats["pending"].as_u64()),
            (Some(9), Some(4)),
            "the counts are of the store's life, not of what it holds: {stats}"
        );

        // What was kept is still delivered: the retry when it is due, the
        // unread ones at once, and nothing pruned comes back.
        let app = TestServer::start(|_: &Recorded, _| Reply::status(200));
        let second = deliver(&store, &app.url("/hooks"));
        store.wait_stats(|s| s["delivered"] == 9 && s["pending"] == 0);
        let stopped = second.stop();
        assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
        let bodies: BTreeSet<Vec<u8>> = app.posts().into_iter().map(|p| p.body).collect();
        let want: BTreeSet<Vec<u8>> = [0, 6, 7, 8].into_iter().map(status_body).collect();
        assert_eq!(bodies, want, "{}", store.url);
        // Everything is delivered now, so everything goes.
        assert_eq!(prune(&store, "1ms"), 9 - removed, "{}", store.url);
        assert_eq!(prune(&store, "1ms"), 0, "and only once");
    }
}

#[test]
fn prune_needs_an_age_and_says_what_it_did() {
    let store = TestStore::sqlite();
    store.append(&[status_body(1)]);
    run_prune(&store, &[]).exited(2).stderr_has("--older-than");
    run_prune(&store, &["--older-than", "7d"])
        .exited(0)
        .stderr_has("Removed 0 entries delivered and received more than 7days ago");
}

#[test]
fn stats_count_what_was_stored() {
    for store in TestStore::both("store::stats_count_what_was_stored") {
        store.append(&[status_body(1), status_body(2)]);
        let stats = store.stats();
        for (field, want) in [
            ("stored", 2),
            ("pending", 2),
            ("retrying", 0),
            ("dead", 0),
            ("delivered", 0),
            ("duplicates", 0),
        ] {
            assert_eq!(stats[field], want, "{field} in {stats} ({})", store.url);
        }
        let table =
            Ended::run(wm_hooks().args(["store", "stats", "--store", &store.url])).exited(0);
        assert!(table.stdout.contains("stored      2\n"), "{}", table.stdout);
        let dead = Ended::run(wm_hooks().args(["store", "dead", "--store", &store.url])).exited(0);
        assert_eq!(dead.stdout, "");
        assert!(dead.stderr.contains("0 dead letters"), "{}", dead.stderr);
    }
}

#[test]
fn a_missing_store_is_an_input_error_and_an_unreachable_one_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let missing = format!("sqlite:{}", dir.path().join("nope.db").display());
    Ended::run(wm_hooks().args(["store", "stats", "--store", &missing]))
        .exited(2)
        .stderr_has("does not exist");
    assert!(
        !dir.path().join("nope.db").exists(),
        "reading created a store"
    );

    let port = crate::util::server::closed_port();
    let unreachable = format!("redis://:hunter2@127.0.0.1:{port}/0");
    let err = Ended::run(
        wm_hooks()
            .args(["store", "stats"])
            .env("WM_HOOKS_STORE", &unreachable),
    )
    .exited(3)
    .stderr;
    assert!(
        err.starts_with("error: the store (redis://:****@127.0.0.1:"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    assert!(
        err.contains("\nhint: nothing answers at the store URL's address"),
        "{err}"
    );

    Ended::run(wm_hooks().args(["store", "stats", "--store", "postgres://x"])).exited(2);
    Ended::run(
        wm_hooks()
            .env("WM_HOOKS_STORE", "nonsense")
            .args(["store", "stats"]),
    )
    .exited(2)
    .stderr_has("WM_HOOKS_STORE");
}

#[test]
fn redrive_of_unknown_ids_fails_and_needs_ids_or_all() {
    let store = TestStore::sqlite();
    store.append(&[status_body(1)]);
    Ended::run(wm_hooks().args(["store", "redrive", "--store", &store.url, "999"]))
        .exited(1)
        .stderr_has("999 is not a dead letter");
    // The refusal names both ways to say which, not only the ids.
    Ended::run(wm_hooks().args(["store", "redrive", "--store", &store.url]))
        .exited(2)
        .stderr_has("<ID|--all>");
}

#[test]
fn dead_with_a_limit_says_how_many_there_are_in_all() {
    for store in TestStore::both("store::dead_with_a_limit_says_how_many") {
        store.append(&[status_body(1), status_body(2), status_body(3)]);
        let failing = TestServer::start(|_: &Recorded, _| Reply::status(500));
        let running = deliver_retrying(&store, &failing.url("/"), "50ms");
        store.wait_stats(|s| s["dead"] == 3 && s["pending"] == 0);
        assert_eq!(running.stop().code, Some(0));
        for (limit, lines, note) in [
            ("2", 2, "The first 2 of 3 dead letters (--limit 2) in"),
            ("3", 3, "3 dead letters in"),
            ("4", 3, "3 dead letters in"),
        ] {
            let dead = Ended::run(
                wm_hooks().args(["store", "dead", "--limit", limit, "--store", &store.url]),
            )
            .exited(0);
            assert_eq!(dead.stdout.lines().count(), lines, "--limit {limit}");
            assert!(
                dead.stderr.starts_with(note),
                "--limit {limit} ({}): {}",
                store.url,
                dead.stderr
            );
        }
    }
}

#[test]
fn prune_takes_ages_up_to_a_year_inclusive() {
    let store = TestStore::sqlite();
    store.append(&[status_body(1)]);
    for year in ["1y", "366d"] {
        assert_eq!(prune(&store, year), 0, "{year}");
    }
    run_prune(&store, &["--older-than", "367d"])
        .exited(2)
        .stderr_has("must be at most a year (366d)");
}

#[test]
fn a_dead_letter_outlives_a_prune_and_redrive_delivers_it() {
    for store in TestStore::both("store::a_dead_letter_outlives_a_prune") {
        store.append(&[status_body(1), status_body(2)]);
        let failing = TestServer::start(|_: &Recorded, _| Reply::status(500));
        let args = |url: &str| {
            [
                "deliver",
                "--from",
                &store.url,
                "--to",
                url,
                "--retry-schedule",
                "50ms",
            ]
            .map(String::from)
        };
        let first = Listener::run(
            &args(&failing.url("/")).each_ref().map(String::as_str),
            &[("WM_HOOKS_SECRET", SECRET)],
        );
        store.wait_stats(|s| s["dead"] == 2 && s["pending"] == 0);
        assert_eq!(first.stop().code, Some(0));
        std::thread::sleep(std::time::Duration::from_millis(50));
        // Redis trims the dead entries from the stream (their letters keep
        // every field); what redrive puts back must still be deliverable.
        prune(&store, "1ms");
        Ended::run(wm_hooks().args(["store", "redrive", "--all", "--store", &store.url])).exited(0);
        let app = TestServer::start(|_: &Recorded, _| Reply::status(200));
        let second = Listener::run(
            &args(&app.url("/")).each_ref().map(String::as_str),
            &[("WM_HOOKS_SECRET", SECRET)],
        );
        store.wait_stats(|s| s["delivered"] == 2 && s["pending"] == 0);
        assert_eq!(second.stop().code, Some(0));
        let bodies: BTreeSet<Vec<u8>> = app.posts().into_iter().map(|p| p.body).collect();
        let want: BTreeSet<Vec<u8>> = [1, 2].into_iter().map(status_body).collect();
        assert_eq!(bodies, want, "{}", store.url);
        if let Some(redis) = &store.redis {
            let copies = redis.command(&["KEYS", "wm-hooks:redriven:*"]);
            assert_eq!(
                copies.as_deref(),
                Some("*0\r\n"),
                "copies kept once delivered"
            );
        }
    }
}

#[test]
fn a_sqlite_uri_that_drops_the_files_locks_is_refused() {
    let store = TestStore::sqlite();
    store.append(&[status_body(1)]);
    let path = store.url.trim_start_matches("sqlite:");
    for parameter in ["nolock=1", "immutable=1", "vfs=unix-none", "mode=ro"] {
        let url = format!("sqlite:file:{path}?{parameter}");
        for command in [&["store", "stats"][..], &["ingest", "--port", "0"]] {
            let err = Ended::run(
                wm_hooks()
                    .args(command)
                    .args(["--store", &url])
                    .env("WM_HOOKS_SECRET", SECRET),
            )
            .exited(2)
            .stderr;
            assert!(err.contains(&format!("`{parameter}`")), "{url}: {err}");
        }
    }
}

/// Named ids: one named twice goes back once, and is not an error; those that
/// are no dead letter are named, and fail the command, while the rest still go.
#[test]
fn redrive_puts_back_the_ids_named_once_each_and_names_those_that_are_not_dead() {
    for store in TestStore::both("store::redrive_puts_back_the_ids_named") {
        let ids = store.append(&[status_body(1), status_body(2)]);
        let failing = TestServer::start(|_: &Recorded, _| Reply::status(500));
        let running = deliver_retrying(&store, &failing.url("/"), "10ms");
        store.wait_stats(|s| s["dead"] == 2);
        assert_eq!(running.stop().code, Some(0));
        let redrive = |ids: &[&str]| {
            let mut command = wm_hooks();
            command.args(["store", "redrive", "--store", &store.url]);
            Ended::run(command.args(ids))
        };
        let stderr = redrive(&[&ids[0], &ids[0]]).exited(0).stderr;
        assert!(stderr.contains("Put 1 dead letter back"), "{stderr}");
        assert_eq!(store.stats()["dead"], 1, "{}", store.url);
        // The first is pending again, not dead: named, with one never stored.
        let never = if store.url.starts_with("sqlite:") {
            "999"
        } else {
            "0-999"
        };
        redrive(&[&ids[0], &ids[1], never])
            .exited(1)
            .stderr_has("Put 1 dead letter back")
            .stderr_has(&format!("{}, {never} are not dead letters", ids[0]));
        // Not an id of this store at all: bad input.
        redrive(&["abc"])
            .exited(2)
            .stderr_has("`abc` is not an entry id");
        assert_eq!(store.stats()["dead"], 0, "{}", store.url);
    }
}

/// `sqlite:file:PATH?…` (a URI, as SQLite reads it) names the file at PATH,
/// decoded: `store` and `deliver` find the one `ingest` made there, and one
/// missing is still refused by its own path, not created.
#[test]
fn a_sqlite_uri_names_its_file_for_store_and_deliver() {
    let dir = tempfile::tempdir().unwrap();
    let spaced = dir.path().join("my events");
    std::fs::create_dir(&spaced).unwrap();
    let uri = |name: &str| {
        format!(
            "sqlite:file:{}/my%20events/{name}?cache=private",
            dir.path().display()
        )
    };
    let store = TestStore::sqlite_at(&spaced.join("e.db"));
    store.append(&[status_body(1)]);
    let by_uri = TestStore::at_url(uri("e.db"));
    assert_eq!(by_uri.stats()["stored"], 1);

    let app = TestServer::start(|_: &Recorded, _| Reply::status(200));
    let running = deliver(&by_uri, &app.url("/"));
    store.wait_stats(|s| s["delivered"] == 1);
    assert_eq!(running.stop().code, Some(0));

    for args in [
        &["store", "stats", "--store"][..],
        &["deliver", "--to", "http://127.0.0.1:1/", "--from"],
    ] {
        let err = Ended::run(
            wm_hooks()
                .args(args)
                .arg(uri("nope.db"))
                .env("WM_HOOKS_SECRET", SECRET),
        )
        .exited(2)
        .stderr;
        let named = format!("{} does not exist", spaced.join("nope.db").display());
        assert!(err.contains(&named), "{args:?}: {err}");
    }
    assert!(!spaced.join("nope.db").exists(), "reading created a store");
}

/// How often the app was sent each body.
fn posts_per_body(app: &TestServer) -> std::collections::BTreeMap<Vec<u8>, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for post in app.posts() {
        *counts.entry(post.body).or_insert(0) += 1;
    }
    counts
}

#[test]
fn a_consumer_group_made_again_counts_each_entry_once() {
    let Some(store) = TestStore::redis("store::a_consumer_group_made_again_counts_each_entry_once")
    else {
        return;
    };
    let redis = store.redis.as_ref().unwrap();
    // m1, m2 and m4 are delivered; m3 fails every attempt and is dead.
    store.append(&(1..5).map(status_body).collect::<Vec<_>>());
    let failing = status_body(3);
    let app = TestServer::start(move |req: &Recorded, _| {
        Reply::status(if req.body == failing { 500 } else { 200 })
    });
    let running = deliver_retrying(&store, &app.url("/"), "50ms");
    store.wait_stats(|s| s["delivered"] == 3 && s["dead"] == 1);
    redis.destroy_group();
    store.append(&[status_body(5)]);
    // Made again from the stream's start, the group reads all of it anew:
    // each delivered again, m3 tried once more (and let go: it is dead).
    let want = |counts: &std::collections::BTreeMap<Vec<u8>, usize>| {
        [(1, 2), (2, 2), (3, 3), (4, 2), (5, 1)]
            .iter()
            .all(|&(m, n)| counts.get(&status_body(m)) == Some(&n))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !want(&posts_per_body(&app)) {
        assert!(
            std::time::Instant::now() < deadline,
            "{:?}",
            posts_per_body(&app).values().collect::<Vec<_>>()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Stopping waits for the attempts in flight to be settled.
    assert_eq!(running.stop().code, Some(0));
    let stats = store.stats();
    assert_eq!(
        (&stats["stored"], &stats["delivered"], &stats["dead"]),
        (&5.into(), &4.into(), &1.into()),
        "{stats}"
    );
    assert_eq!(
        (&stats["pending"], &stats["retrying"]),
        (&0.into(), &0.into()),
        "{stats}"
    );
    let dead = Ended::run(wm_hooks().args(["store", "dead", "--json", "--store", &store.url]));
    assert_eq!(dead.stdout.lines().count(), 1, "one dead letter, not two");
    // A prune forgets what it trimmed; what stays still counts once.
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert_eq!(prune(&store, "1ms"), 5);
    let left = redis.command(&["SCARD", "wm-hooks:done"]);
    assert_eq!(left.as_deref(), Some(":0\r\n"));
    assert_eq!(
        store.stats(),
        stats,
        "the counts are of the store's whole life"
    );
}

#[test]
fn rows_deleted_by_hand_before_delivery_are_lost_not_pending() {
    let store = TestStore::sqlite();
    let ids = store.append(&(1..4).map(status_body).collect::<Vec<_>>());
    let path = store.url.strip_prefix("sqlite:").unwrap();
    let deleted = rusqlite::Connection::open(path)
        .unwrap()
        .execute("DELETE FROM events WHERE id = ?1", [&ids[1]])
        .unwrap();
    assert_eq!(deleted, 1);
    let stats = store.stats();
    assert_eq!(
        (&stats["stored"], &stats["lost"]),
        (&3.into(), &1.into()),
        "{stats}"
    );
    assert_eq!(stats["pending"], 2, "{stats}");
    let table = Ended::run(wm_hooks().args(["store", "stats", "--store", &store.url]));
    assert!(
        table.stdout.lines().any(|l| l == "lost        1"),
        "{}",
        table.stdout
    );
}
