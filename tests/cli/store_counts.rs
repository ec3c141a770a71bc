//! The counts of `store stats` under hostile conditions, in both stores: real
//! `ingest` and `deliver` processes, an app that fails some events, `store
//! redrive` and `store prune` while they run, a `deliver` killed with SIGKILL;
//! for Redis also a consumer group destroyed, entries deleted by hand and a
//! Redis killed and restarted from its append-only file. When it settles,
//! `stored` is `pending + delivered + dead + lost`, `delivered` is the number
//! of entries the app answered 2xx for, `dead` the dead letters `store dead`
//! lists, and every event ingest answered 2xx for is at the app or dead.

use std::collections::BTreeSet;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::listen::{Listener, PATIENCE, SECRET};
use crate::util::server::{Recorded, Reply, TestServer};
use crate::util::store::{TestStore, status_body};
use crate::util::{Ended, wm_hooks, wm_hooks_std};

/// How the app answers an attempt: one event in five fails every attempt
/// (a dead letter, however often it is put back), one in five fails its
/// first attempt only, the rest are taken at once. Decided by the body and
/// the attempt alone, so that an attempt made again after a kill is
/// answered as the first one was.
fn answer(req: &Recorded) -> u16 {
    let class = req.body.iter().map(|&b| u32::from(b)).sum::<u32>() % 5;
    let attempt = req.header("x-wm-hooks-attempt").unwrap_or("1");
    match class {
        _ if !req.signed_with(SECRET, "x-signature-256") => 401,
        0 => 500,
        1 if attempt == "1" => 500,
        _ => 200,
    }
}

/// The app, 20 ms an answer: attempts are in flight whenever a test looks.
fn app() -> TestServer {
    TestServer::start(|req: &Recorded, _| {
        Reply::status(answer(req)).after(Duration::from_millis(20))
    })
}

/// `deliver` as consumer `name`: three attempts 50 ms and 100 ms apart, then a
/// dead letter; what a killed one held is claimed again after 1.5 s.
fn deliver(store: &TestStore, app: &TestServer, name: &str) -> Listener {
    Listener::run(
        &[
            "deliver",
            "--from",
            &store.url,
            "--to",
            &app.url("/hooks"),
            "--consumer",
            name,
            "--retry-schedule",
            "50ms,100ms",
            "--claim-after",
            "1500ms",
            "--timeout",
            "1s",
        ],
        &[("WM_HOOKS_SECRET", SECRET)],
    )
}

/// `wm-hooks store ARGS --store URL`, which must succeed.
fn store_command(store: &TestStore, args: &[&str]) -> Ended {
    Ended::run(
        wm_hooks()
            .args(["store"])
            .args(args)
            .args(["--store", &store.url]),
    )
    .exited(0)
}

/// The ids of the entries the app answered 2xx for, and the message ids of
/// their events.
fn taken(app: &TestServer) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut ids = BTreeSet::new();
    let mut messages = BTreeSet::new();
    for post in app.posts().iter().filter(|p| answer(p) == 200) {
        ids.insert(post.header("x-wm-hooks-delivery").unwrap().to_string());
        messages.insert(
            post.json()["data"]["message_id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    (ids, messages)
}

/// `store dead --json`: the ids of the dead letters, and their message ids.
fn dead_letters(store: &TestStore) -> (BTreeSet<String>, BTreeSet<String>) {
    let listed = store_command(store, &["dead", "--json", "--limit", "100000"]);
    let lines: Vec<Value> = listed
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: BTreeSet<String> = lines
        .iter()
        .map(|l| l["id"].as_str().unwrap().into())
        .collect();
    assert_eq!(
        ids.len(),
        lines.len(),
        "a dead letter listed twice: {}",
        listed.stdout
    );
    let messages = lines
        .iter()
        .map(|l| l["message_id"].as_str().unwrap_or_default().into())
        .collect();
    (ids, messages)
}

/// Asserts what holds of every `store stats`: the entries stored are each
/// pending, delivered, dead or lost, and retrying is a part of pending.
fn consistent(stats: &Value) {
    let n = |name: &str| {
        stats[name]
            .as_u64()
            .unwrap_or_else(|| panic!("{name}: {stats}"))
    };
    assert_eq!(
        n("stored"),
        n("pending") + n("delivered") + n("dead") + n("lost"),
        "{stats}"
    );
    assert!(n("retrying") <= n("pending"), "{stats}");
}

/// Asserts the counts once everything settled: consistent, `delivered` the
/// entries the app took, `dead` those `store dead` lists, and no entry both.
/// The message ids of what the app took or is dead.
fn settled(store: &TestStore, app: &TestServer) -> (Value, BTreeSet<String>) {
    let stats = store.stats();
    consistent(&stats);
    let (delivered, mut messages) = taken(app);
    let (dead, dead_messages) = dead_letters(store);
    assert_eq!(stats["delivered"], delivered.len(), "{} {stats}", store.url);
    assert_eq!(stats["dead"], dead.len(), "{} {stats}", store.url);
    let both: Vec<_> = delivered.intersection(&dead).collect();
    assert!(both.is_empty(), "{}: taken and dead: {both:?}", store.url);
    messages.extend(dead_messages);
    (stats, messages)
}

/// `send-test --count N` of `message.status` events into `url` (each a new
/// message id), running until [`Sending::answered_2xx`]: its JSON lines go to
/// a file, which no full pipe can stop.
struct Sending {
    child: Child,
    lines: tempfile::NamedTempFile,
    count: usize,
}

impl Sending {
    fn start(url: &str, count: usize, concurrency: usize) -> Sending {
        let lines = tempfile::NamedTempFile::new().unwrap();
        let child = wm_hooks_std()
            .env("WM_HOOKS_SECRET", SECRET)
            .args(["send-test", "message.status", "--json", "-q", "--to", url])
            .args(["--count", &count.to_string()])
            .args(["--concurrency", &concurrency.to_string()])
            .stdout(lines.reopen().unwrap())
            .stderr(Stdio::null())
            .spawn()
            .expect("send-test starts");
        Sending {
            child,
            lines,
            count,
        }
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Waits for it (bounded); the message ids it saw answered 2xx, every one.
    fn answered_2xx(mut self) -> BTreeSet<String> {
        let deadline = Instant::now() + PATIENCE * 2;
        while self.running() {
            assert!(Instant::now() < deadline, "send-test did not end");
            std::thread::sleep(Duration::from_millis(20));
        }
        let text = std::fs::read_to_string(self.lines.path()).unwrap();
        let ids: BTreeSet<String> = text
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|l| l["type"] == "delivery" && l["status"] == 200)
            .map(|l| l["message_id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            ids.len(),
            self.count,
            "{}",
            text.lines().last().unwrap_or("")
        );
        ids
    }
}

/// Waits until nothing is pending (what failed every attempt is dead).
fn drained(store: &TestStore) -> Value {
    store.wait_stats(|s| {
        consistent(s);
        s["pending"] == 0
    })
}

#[test]
fn two_delivers_with_redrive_prune_and_a_kill_count_every_entry_once() {
    const EVENTS: usize = 300;
    for store in TestStore::both("store_counts::two_delivers_with_redrive_prune_and_a_kill") {
        let app = app();
        let ingest = Listener::run(
            &["ingest", "--port", "0", "--store", &store.url],
            &[("WM_HOOKS_SECRET", SECRET)],
        );
        let first = deliver(&store, &app, "first");
        let second = deliver(&store, &app, "second");
        let sending = Sending::start(&ingest.url, EVENTS, 16);
        let mut third = None;
        let mut first = Some(first);
        for round in 0..6 {
            std::thread::sleep(Duration::from_millis(200));
            store_command(&store, &["redrive", "--all"]);
            store_command(&store, &["prune", "--older-than", "1ms"]);
            consistent(&store.stats());
            match round {
                // SIGKILL: what it held is claimed again once its lease ends.
                0 => first.take().unwrap().kill(),
                3 => third = Some(deliver(&store, &app, "third")),
                _ => {}
            }
        }
        let ingested = sending.answered_2xx();
        let stats = drained(&store);
        assert_eq!(
            (&stats["stored"], &stats["lost"]),
            (&EVENTS.into(), &0.into()),
            "{stats}"
        );
        for running in [Some(second), third].into_iter().flatten() {
            running.stop().exited(0);
        }
        let (stats, reached) = settled(&store, &app);
        let missing: Vec<_> = ingested.difference(&reached).collect();
        assert!(
            missing.is_empty(),
            "{}: answered 2xx, then gone: {missing:?}",
            store.url
        );
        assert!(stats["dead"].as_u64().unwrap() > 0, "{stats}");
        assert_eq!(ingest.stop().code, Some(0));
    }
}

/// `XDEL` of these entries, which must all be there.
fn delete(store: &TestStore, ids: &[String]) {
    let mut words = vec!["XDEL", "wm-hooks:events"];
    words.extend(ids.iter().map(String::as_str));
    let deleted = store.redis.as_ref().unwrap().command(&words);
    assert_eq!(deleted, Some(format!(":{}\r\n", ids.len())));
}

/// Deletes from the stream, at once, up to three entries waiting for a
/// retry (in the retry set and claimed by nobody); their ids, when there
/// were any.
fn delete_waiting_retries(store: &TestStore) -> Vec<String> {
    const SCRIPT: &str = "local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if #out < 3 and redis.call('HEXISTS', KEYS[2], id) == 0 then
    redis.call('XDEL', KEYS[3], id)
    out[#out + 1] = id
  end
end
return out";
    let reply = store.redis.as_ref().unwrap().command(&[
        "EVAL",
        SCRIPT,
        "3",
        "wm-hooks:retry",
        "wm-hooks:leased",
        "wm-hooks:events",
    ]);
    // A RESP array of bulk strings: the ids are the lines that look like one.
    reply
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains('-') && l.chars().all(|c| c.is_ascii_digit() || c == '-'))
        .map(str::to_string)
        .collect()
}

/// Everything Redis's operators do by hand at once, while two `deliver`s
/// work: entries deleted before any was read (README: skipped without a
/// word, pending for ever), entries deleted while they wait for a retry
/// (lost), the consumer group destroyed (made again: what the stream holds
/// is delivered again and counted once), and Redis killed and started again
/// from its append-only file (`appendfsync always`).
#[test]
fn a_group_destroyed_entries_deleted_and_redis_killed_keep_every_count() {
    let Some(mut store) = TestStore::redis("store_counts::a_group_destroyed_entries_deleted")
    else {
        return;
    };
    let stored = store.append(&(0..200).map(status_body).collect::<Vec<_>>());
    let unread = stored[150..152].to_vec();
    delete(&store, &unread);
    let app = app();
    let first = deliver(&store, &app, "first");
    let second = deliver(&store, &app, "second");
    let deadline = Instant::now() + PATIENCE;
    let deleted = loop {
        let deleted = delete_waiting_retries(&store);
        if !deleted.is_empty() {
            break deleted;
        }
        assert!(Instant::now() < deadline, "no retry waited");
        std::thread::sleep(Duration::from_millis(10));
    };
    std::thread::sleep(Duration::from_millis(100));
    let destroyed = store.redis.as_ref().unwrap().command(&[
        "XGROUP",
        "DESTROY",
        "wm-hooks:events",
        "wm-hooks",
    ]);
    assert_eq!(destroyed.as_deref(), Some(":1\r\n"));
    std::thread::sleep(Duration::from_millis(200));
    store.redis.as_mut().unwrap().crash();
    let stats = store.wait_stats(|s| {
        consistent(s);
        s["pending"] == unread.len() && s["retrying"] == 0
    });
    assert_eq!(stats["lost"], deleted.len(), "{stats}");
    let said = [
        first.stop().exited(0).stderr,
        second.stop().exited(0).stderr,
    ]
    .concat();
    assert!(
        said.contains("the consumer group wm-hooks was gone"),
        "{said}"
    );
    for id in &deleted {
        assert!(said.contains(id.as_str()), "{id} named: {said}");
    }
    settled(&store, &app);
    let (taken, _) = taken(&app);
    let (dead, _) = dead_letters(&store);
    let reached: BTreeSet<&String> = taken.iter().chain(&dead).collect();
    let expected: BTreeSet<&String> = stored
        .iter()
        .filter(|id| !unread.contains(id) && !deleted.contains(id))
        .collect();
    assert_eq!(reached, expected);
}

/// `store stats` on SQLite while `ingest` stores 2000 signed POSTs, 32 at
/// once, and `deliver` delivers them: each answers within a second, and its
/// counts are one consistent moment of the store.
#[test]
fn store_stats_answers_at_once_and_consistently_under_load() {
    const EVENTS: usize = 2000;
    let store = TestStore::sqlite();
    let app = app();
    let ingest = Listener::run(
        &["ingest", "--port", "0", "--store", &store.url],
        &[("WM_HOOKS_SECRET", SECRET)],
    );
    let delivering = deliver(&store, &app, "only");
    let mut sending = Sending::start(&ingest.url, EVENTS, 32);
    let mut reads = 0;
    let deadline = Instant::now() + PATIENCE * 2;
    while sending.running() {
        assert!(Instant::now() < deadline, "send-test did not end");
        let asked = Instant::now();
        let stats = store.stats();
        let took = asked.elapsed();
        assert!(took < Duration::from_secs(1), "{took:?} for {stats}");
        consistent(&stats);
        assert!(
            stats["delivered"].as_u64() <= stats["stored"].as_u64(),
            "{stats}"
        );
        reads += 1;
    }
    sending.answered_2xx();
    assert!(reads >= 3, "only {reads} reads while ingest was under load");
    drained(&store);
    delivering.stop().exited(0);
    assert_eq!(ingest.stop().code, Some(0));
}
