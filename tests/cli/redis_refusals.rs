//! A real Redis that answers but refuses the work: the URL's ACL user without
//! a permission, a Redis at its `maxmemory` with nothing to evict, a read-only
//! replica, another program's value in the stream's key, a Redis paused. Each is named in the `error:` line with a hint,
//! `ingest` answers 503 while it lasts and stores again by itself once it is
//! over, the start of `deliver` and `store` gets CLI.md's exit code, and
//! nothing answered 2xx is missing from the stream.

use std::time::Duration;

use crate::util::listen::{Listener, SECRET, post_signed, wait_for};
use crate::util::redis::RedisServer;
use crate::util::server::{Recorded, Reply, TestServer};
use crate::util::store::{TestStore, status_body};
use crate::util::{Ended, wm_hooks};

/// `ingest` into `url`, given as the README says a URL with a password is:
/// in WM_HOOKS_STORE, not on the command line.
fn ingest(url: &str) -> Listener {
    Listener::run(
        &["ingest", "--port", "0"],
        &[("WM_HOOKS_SECRET", SECRET), ("WM_HOOKS_STORE", url)],
    )
}

/// A command that must answer `+OK`.
fn ok(redis: &RedisServer, words: &[&str]) {
    let reply = redis.command(words);
    assert!(
        reply.as_deref().is_some_and(|r| r.starts_with("+OK")),
        "{words:?}: {reply:?}"
    );
}

/// The stream's length, as Redis counts it.
fn stream_length(redis: &RedisServer) -> u64 {
    let reply = redis
        .command(&["XLEN", "wm-hooks:events"])
        .unwrap_or_default();
    reply
        .trim()
        .strip_prefix(':')
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("XLEN answered {reply:?}"))
}

/// One POST, which must be answered 503; ingest's `error:` line and hint
/// once they are out.
fn refused_post(running: &Listener) -> String {
    assert_eq!(post_signed(&running.url, status_body(1)).status, 503);
    wait_for(|| running.stderr(), |s| s.contains("hint:"), "the error")
}

/// The platform's retry of `body`, stored now (200); then ingest stopped,
/// which must exit 0: its stderr.
fn stored_then_stopped(running: Listener, body: impl AsRef<[u8]>) -> String {
    assert_eq!(post_signed(&running.url, body).status, 200);
    running.stop().exited(0).stderr
}

/// `deliver --from URL`, which must stop at the start with exit `code`.
fn deliver_refused(url: &str, code: i32) -> Ended {
    Ended::run(
        wm_hooks()
            .env("WM_HOOKS_SECRET", SECRET)
            .args(["deliver", "--from", url, "--to", "http://127.0.0.1:9/"])
            .timeout(Duration::from_secs(20)),
    )
    .exited(code)
}

/// The store URL with an ACL user and its password.
fn as_user(store: &TestStore, user: &str) -> String {
    store
        .url
        .replace("redis://", &format!("redis://{user}:pw@"))
}

#[test]
fn a_user_without_a_permission_is_503_with_the_acl_to_grant_and_the_acl_is_enough() {
    let Some(store) = TestStore::redis("redis_refusals::a_user_without_a_permission") else {
        return;
    };
    let redis = store.redis.as_ref().unwrap();
    // XADD refused inside the append script: the hardest case to read.
    ok(
        redis,
        &[
            "ACL", "SETUSER", "ingest", "on", ">pw", "~*", "+@all", "-xadd",
        ],
    );
    let running = ingest(&as_user(&store, "ingest"));
    assert_eq!(post_signed(&running.url, status_body(1)).status, 503);
    // Granted while ingest runs: the platform's retry is stored.
    ok(redis, &["ACL", "SETUSER", "ingest", "+xadd"]);
    let stderr = stored_then_stopped(running, status_body(1));
    assert!(
        stderr.contains("does not let the URL's user run what wm-hooks needs"),
        "{stderr}"
    );
    assert!(!stderr.contains("script: "), "no script hash: {stderr}");
    assert!(stderr.contains("The store answers again"), "{stderr}");
    assert_eq!(stream_length(redis), 1);

    // The hint's ACL, word for word, is all ingest, deliver and store need.
    let acl = stderr
        .split_once(
            "hint: give that Redis user the commands and keys wm-hooks uses: `ACL SETUSER USER ",
        )
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(acl, _)| acl.to_string())
        .unwrap_or_else(|| panic!("a hint with the ACL: {stderr}"));
    let mut words = vec!["ACL", "SETUSER", "least", "on", ">pw"];
    words.extend(acl.split_whitespace());
    ok(redis, &words);
    let least = as_user(&store, "least");
    let running = ingest(&least);
    assert_eq!(post_signed(&running.url, status_body(2)).status, 200);
    assert_eq!(running.stop().code, Some(0));
    let app = TestServer::start(|_: &Recorded, _| Reply::status(200));
    let delivering = Listener::run(
        &["deliver", "--to", &app.url("/hooks")],
        &[("WM_HOOKS_SECRET", SECRET), ("WM_HOOKS_STORE", &least)],
    );
    store.wait_stats(|s| s["delivered"] == 2);
    assert!(
        !delivering.stderr().contains("warning"),
        "{}",
        delivering.stderr()
    );
    // Taken away while deliver runs: its warning carries the hint, and it
    // goes on once the permission is back.
    ok(redis, &["ACL", "SETUSER", "least", "-evalsha"]);
    wait_for(
        || delivering.stderr(),
        |s| s.contains("hint: give that Redis user"),
        "the hint",
    );
    ok(redis, &["ACL", "SETUSER", "least", "+evalsha"]);
    wait_for(
        || delivering.stderr(),
        |s| s.contains("The store answers again"),
        "the recovery",
    );
    delivering.stop().exited(0);
    for args in [
        &["stats"][..],
        &["dead"],
        &["redrive", "--all"],
        &["prune", "--older-than", "1d"],
    ] {
        Ended::run(wm_hooks().arg("store").args(args).args(["--store", &least])).exited(0);
    }

    // At the start of deliver and store, a refused permission is exit 2,
    // as a wrong password is: it is the URL's user, and no retry fixes it.
    ok(
        redis,
        &[
            "ACL", "SETUSER", "noread", "on", ">pw", "~*", "+@all", "-hmget", "-xgroup",
        ],
    );
    let noread = as_user(&store, "noread");
    let stats = Ended::run(wm_hooks().args(["store", "stats", "--store", &noread])).exited(2);
    for stderr in [deliver_refused(&noread, 2).stderr, stats.stderr] {
        assert!(stderr.contains("hint: give that Redis user"), "{stderr}");
        assert!(!stderr.contains("pw@"), "the password is masked: {stderr}");
    }
}

#[test]
fn a_redis_at_its_maxmemory_is_503_naming_it_and_ingest_stores_again_once_memory_is_freed() {
    let Some(store) = TestStore::redis("redis_refusals::a_redis_at_its_maxmemory") else {
        return;
    };
    let redis = store.redis.as_ref().unwrap();
    // A MiB of something else, then a limit a little above what Redis uses.
    ok(redis, &["SET", "ballast", &"b".repeat(1 << 20)]);
    let info = redis.command(&["INFO", "memory"]).unwrap();
    let used: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("INFO memory: {info}"));
    ok(redis, &["CONFIG", "SET", "maxmemory-policy", "noeviction"]);
    ok(
        redis,
        &[
            "CONFIG",
            "SET",
            "maxmemory",
            &(used + 256 * 1024).to_string(),
        ],
    );
    let running = ingest(&store.url);
    let body = |i: usize| {
        let pad = "x".repeat(3000);
        format!(r#"{{"event":"message.received","data":{{"message_id":"m{i}","pad":"{pad}"}}}}"#)
    };
    // 3 KiB events until Redis is full: 256 KiB hold a hundred or so.
    let mut answered = 0;
    let full = (0..2000)
        .find(|&i| match post_signed(&running.url, body(i)).status {
            200 => {
                answered += 1;
                false
            }
            503 => true,
            other => panic!("m{i} answered {other}"),
        })
        .expect("Redis fills up");
    assert!(answered > 0);
    let stderr = wait_for(|| running.stderr(), |s| s.contains("hint:"), "the error");
    assert!(
        stderr.contains("is full: Redis is at its `maxmemory` and evicts nothing"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: free memory in Redis or raise its `maxmemory`"),
        "{stderr}"
    );
    assert!(!stderr.contains("script: "), "no script hash: {stderr}");
    // Memory freed: the same process stores the platform's retry.
    let deleted = redis.command(&["DEL", "ballast"]);
    assert_eq!(deleted.as_deref(), Some(":1\r\n"));
    let stderr = stored_then_stopped(running, body(full));
    assert!(stderr.contains("The store answers again"), "{stderr}");
    assert_eq!(stream_length(redis), answered + 1);
    assert_eq!(store.stats()["stored"], answered + 1);
}

#[test]
fn a_read_only_replica_is_503_naming_it_and_ingest_stores_once_it_is_promoted() {
    let Some(primary) = TestStore::redis("redis_refusals::a_read_only_replica") else {
        return;
    };
    let Some(replica) = TestStore::redis("redis_refusals::a_read_only_replica") else {
        return;
    };
    let port = primary.redis.as_ref().unwrap().port.to_string();
    let redis = replica.redis.as_ref().unwrap();
    ok(redis, &["REPLICAOF", "127.0.0.1", &port]);
    let running = ingest(&replica.url);
    let stderr = refused_post(&running);
    assert!(stderr.contains("is a read-only replica"), "{stderr}");
    assert!(
        stderr.contains("hint: point the store URL at the primary"),
        "{stderr}"
    );
    // deliver cannot make its consumer group there: the store is not usable
    // (exit 3, as for one that does not answer), with the same hint.
    deliver_refused(&replica.url, 3).stderr_has("hint: point the store URL at the primary");
    // A failover promotes it: the same ingest stores the retry.
    ok(redis, &["REPLICAOF", "NO", "ONE"]);
    assert_eq!(post_signed(&running.url, status_body(1)).status, 200);
    let stopped = running.stop();
    assert!(
        stopped.stderr.contains("The store answers again"),
        "{}",
        stopped.stderr
    );
    assert_eq!(stream_length(redis), 1);
}

#[test]
fn another_programs_value_in_the_streams_key_is_503_naming_it_and_deliver_refuses_it() {
    let Some(store) = TestStore::redis("redis_refusals::another_programs_value") else {
        return;
    };
    let redis = store.redis.as_ref().unwrap();
    ok(redis, &["SET", "wm-hooks:events", "not a stream"]);
    let running = ingest(&store.url);
    let stderr = refused_post(&running);
    assert!(
        stderr.contains("found another kind of value in a key of its own"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: the stream wm-hooks:events and the keys beside it (wm-hooks:*)"),
        "{stderr}"
    );
    deliver_refused(&store.url, 2).stderr_has("name another stream with `?stream=NAME`");
    // The other program's key moved away: the platform's retry is stored.
    assert_eq!(
        redis.command(&["DEL", "wm-hooks:events"]).as_deref(),
        Some(":1\r\n")
    );
    stored_then_stopped(running, status_body(1));
    assert_eq!(stream_length(redis), 1);
}

#[test]
fn a_paused_redis_is_503_within_the_platforms_budget_and_the_retry_is_not_stored_twice() {
    let Some(store) = TestStore::redis("redis_refusals::a_paused_redis") else {
        return;
    };
    let redis = store.redis.as_ref().unwrap();
    let running = ingest(&store.url);
    assert_eq!(post_signed(&running.url, status_body(1)).status, 200);
    ok(redis, &["CLIENT", "PAUSE", "20000", "WRITE"]);
    let started = std::time::Instant::now();
    assert_eq!(post_signed(&running.url, status_body(2)).status, 503);
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(4500),
        "answered after {took:?}"
    );
    let stderr = wait_for(|| running.stderr(), |s| s.contains("hint:"), "the error");
    assert!(stderr.contains("did not answer within 3s"), "{stderr}");
    assert!(stderr.contains("hint: Redis is busy or paused"), "{stderr}");
    // The call that timed out runs once Redis goes on: the platform's retry
    // then finds it stored, and is a duplicate.
    ok(redis, &["CLIENT", "UNPAUSE"]);
    stored_then_stopped(running, status_body(2));
    assert_eq!(stream_length(redis), 2);
}

#[test]
fn a_redis_that_may_evict_stored_events_is_named_at_the_start_of_ingest() {
    let Some(store) = TestStore::redis("redis_refusals::a_redis_that_may_evict") else {
        return;
    };
    let redis = store.redis.as_ref().unwrap();
    let warned = "Redis may evict any key at its maxmemory (maxmemory-policy allkeys-lru)";
    ok(redis, &["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]);
    // A user that may not run INFO: nothing to say, and nothing refused.
    ok(
        redis,
        &[
            "ACL", "SETUSER", "noinfo", "on", ">pw", "~*", "+@all", "-info",
        ],
    );
    for (url, warns) in [
        (store.url.clone(), true),
        (as_user(&store, "noinfo"), false),
    ] {
        let running = ingest(&url);
        assert_eq!(post_signed(&running.url, status_body(1)).status, 200);
        let stderr = running.stop().exited(0).stderr;
        assert_eq!(stderr.contains(warned), warns, "{stderr}");
        assert_eq!(
            stderr.contains("hint: set `maxmemory-policy noeviction`"),
            warns,
            "{stderr}"
        );
    }
    ok(redis, &["CONFIG", "SET", "maxmemory-policy", "noeviction"]);
    let stopped = ingest(&store.url).stop();
    assert!(!stopped.stderr.contains("may evict"), "{}", stopped.stderr);
}

#[test]
fn deliver_starts_on_a_full_redis_and_drains_it() {
    let Some(store) = TestStore::redis("redis_refusals::deliver_starts_on_a_full_redis") else {
        return;
    };
    let redis = store.redis.as_ref().unwrap();
    store.append(&[status_body(1), status_body(2), status_body(3)]);
    // The group as an earlier deliver left it; then Redis fills up.
    ok(
        redis,
        &["XGROUP", "CREATE", "wm-hooks:events", "wm-hooks", "0"],
    );
    ok(redis, &["CONFIG", "SET", "maxmemory", "1"]);
    let app = TestServer::start(|_: &Recorded, _| Reply::status(200));
    let running = Listener::run(
        &["deliver", "--from", &store.url, "--to", &app.url("/hooks")],
        &[("WM_HOOKS_SECRET", SECRET)],
    );
    store.wait_stats(|s| s["delivered"] == 3);
    running.stop().exited(0);
    assert_eq!(app.posts().len(), 3);
    // What was delivered can be pruned from the full Redis to make room.
    std::thread::sleep(Duration::from_millis(1100));
    let prune = [
        "store",
        "prune",
        "--older-than",
        "1s",
        "--store",
        &store.url,
    ];
    Ended::run(wm_hooks().args(prune)).exited(0);
    assert_eq!(stream_length(redis), 0);
    // Without the group a full Redis cannot make it: exit 3, named.
    redis.destroy_group();
    deliver_refused(&store.url, 3).stderr_has("is full: Redis is at its `maxmemory`");
}

#[test]
fn a_cause_that_changes_while_the_store_fails_is_named_again() {
    let Some(store) = TestStore::redis("redis_refusals::a_cause_that_changes") else {
        return;
    };
    let redis = store.redis.as_ref().unwrap();
    let running = ingest(&store.url);
    ok(redis, &["CONFIG", "SET", "maxmemory", "1"]);
    let full = refused_post(&running);
    assert!(full.contains("is full"), "{full}");
    // Room again, but the user may no longer add to a stream.
    ok(redis, &["CONFIG", "SET", "maxmemory", "0"]);
    ok(redis, &["ACL", "SETUSER", "default", "-xadd"]);
    assert_eq!(post_signed(&running.url, status_body(1)).status, 503);
    let said = wait_for(
        || running.stderr(),
        |s| s.contains("does not let the URL's user run"),
        "the new cause",
    );
    // The first cause, coming back, is not shown twice.
    ok(redis, &["CONFIG", "SET", "maxmemory", "1"]);
    assert_eq!(post_signed(&running.url, status_body(1)).status, 503);
    ok(redis, &["CONFIG", "SET", "maxmemory", "0"]);
    ok(redis, &["ACL", "SETUSER", "default", "+xadd"]);
    assert_eq!(post_signed(&running.url, status_body(1)).status, 200);
    let stopped = running.stop();
    assert_eq!(stopped.stderr.matches("is full").count(), 1, "{said}");
    assert_eq!(
        stopped
            .stderr
            .matches("answering 503 until the store answers again")
            .count(),
        1,
        "{}",
        stopped.stderr
    );
    assert!(stopped.stderr.contains("The store answers again"));
    assert_eq!(stream_length(redis), 1);
}

/// A rediss:// URL at a Redis that serves no TLS gets no answer at all (the
/// handshake waits as a command would): the hint names TLS first, not only
/// a busy Redis.
#[test]
fn a_rediss_url_at_a_plain_redis_is_named_as_a_tls_mismatch() {
    let Some(redis) = RedisServer::start("redis_refusals::a_rediss_url_at_a_plain_redis") else {
        return;
    };
    let url = format!("rediss://127.0.0.1:{}/0", redis.port);
    Ended::run(wm_hooks().args(["store", "stats", "--store", &url]))
        .exited(3)
        .stderr_has("did not answer within")
        .stderr_has("hint: a rediss:// URL speaks TLS: is TLS served on that port");
}
