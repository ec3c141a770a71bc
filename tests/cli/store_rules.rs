//! The rules both stores follow, run as one scenario against a real SQLite
//! file and a real Redis: who may settle an entry once its lease ran out and
//! another consumer claimed it, and what `store stats` counts as retrying. Entries go in and are claimed and settled
//! through the library (as `ingest` and `deliver` do), and are counted with the
//! real `wm-hooks store stats --json`.

use std::time::Duration;

use wm_hooks::store::{self, Entry, Opened, Settled, Store, StoreUrl};

use crate::util::store::{TestStore, status_body};

/// A lease short enough to run out within the test, long enough that one
/// claimed just before is still held a few calls later on a busy machine.
const LEASE: Duration = Duration::from_secs(1);

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn open(store: &TestStore) -> Opened {
    let opened = store::open(&StoreUrl::parse(&store.url).unwrap(), "wm-hooks").unwrap();
    opened.prepare_delivery().await.unwrap();
    opened
}

fn ids(entries: &[Entry]) -> Vec<&str> {
    entries.iter().map(|e| e.id.as_str()).collect()
}

fn delivered(id: &str) -> Settled {
    Settled::Delivered { id: id.into() }
}

fn dead(id: &str, attempts: u32) -> Settled {
    Settled::Dead {
        id: id.into(),
        attempts,
        error: "the app answered 500".into(),
    }
}

fn retry(id: &str, attempts: u32) -> Settled {
    Settled::Retry {
        id: id.into(),
        attempts,
        after: Duration::from_millis(1),
        error: "the app answered 500".into(),
    }
}

/// c1's lease runs out and c2 claims the entry again; c1's answer comes late.
/// Its retry or dead letter must leave c2's lease alone (no third consumer
/// gets the entry, nothing is dead); its delivery counts, once.
#[test]
fn a_late_result_from_a_lapsed_lease_leaves_the_new_holder_alone() {
    for store in TestStore::both("a_late_result_from_a_lapsed_lease_leaves_the_new_holder_alone") {
        let url = &store.url;
        // Two entries new to the group, and one waiting for a retry: a claim
        // takes the first from the group's pending list, the other from the
        // retry set, and each must keep its holder.
        let stored = store.append(&[status_body(1), status_body(2), status_body(3)]);
        runtime().block_on(async {
            let opened = open(&store).await;
            let first = opened.claim("c0", 10, LEASE).await.unwrap();
            assert_eq!(ids(&first), ids_of(&stored), "{url}");
            opened.settle("c0", &[retry(&stored[2], 1)]).await.unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
            let c1 = opened.claim("c1", 10, LEASE).await.unwrap();
            assert_eq!(ids(&c1), [stored[2].as_str()], "{url}: the retry is due");

            tokio::time::sleep(LEASE + Duration::from_millis(300)).await;
            let c2 = opened.claim("c2", 10, LEASE).await.unwrap();
            let mut got = ids(&c2);
            got.sort_unstable();
            assert_eq!(got, ids_of(&stored), "{url}: every lease ran out");

            // c0 and c1 answer late: retries for two, a dead letter for one.
            opened
                .settle("c0", &[retry(&stored[0], 1), dead(&stored[1], 5)])
                .await
                .unwrap();
            opened.settle("c1", &[retry(&stored[2], 2)]).await.unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
            let stolen = opened.claim("c3", 10, LEASE).await.unwrap();
            assert!(
                stolen.is_empty(),
                "{url}: c2's leases were undone: {:?}",
                ids(&stolen)
            );
            let stats = store.stats();
            assert_eq!(stats["dead"], 0, "{url}: {stats}");

            // A late 2xx counts (the app has it), and only once: c2's own
            // answers for it change nothing more.
            opened.settle("c0", &[delivered(&stored[0])]).await.unwrap();
            opened
                .settle("c2", &[delivered(&stored[0]), retry(&stored[0], 2)])
                .await
                .unwrap();
            // c2 still holds the rest: its results count.
            opened
                .settle("c2", &[delivered(&stored[1]), dead(&stored[2], 3)])
                .await
                .unwrap();
        });
        let stats = store.stats();
        assert_eq!(
            (
                &stats["delivered"],
                &stats["dead"],
                &stats["pending"],
                &stats["retrying"]
            ),
            (&2.into(), &1.into(), &0.into(), &0.into()),
            "{url}: {stats}"
        );
    }
}

fn ids_of(stored: &[String]) -> Vec<&str> {
    stored.iter().map(String::as_str).collect()
}

/// The store opened for delivery, with all of `stored` claimed by `c` and
/// settled as `settled` says.
async fn claimed_and_settled(store: &TestStore, stored: &[String], settled: &[Settled]) -> Opened {
    let opened = open(store).await;
    assert_eq!(
        ids(&opened.claim("c", 10, LEASE).await.unwrap()),
        ids_of(stored)
    );
    opened.settle("c", settled).await.unwrap();
    opened
}

/// `retrying` counts what failed and is not done, in both stores alike: a
/// retry waiting for its time and one under way; neither what was delivered
/// nor a dead letter put back (its attempts start again from none).
#[test]
fn both_stores_count_the_same_entries_as_retrying() {
    for store in TestStore::both("both_stores_count_the_same_entries_as_retrying") {
        let url = &store.url;
        let stored = store.append(&[
            status_body(1),
            status_body(2),
            status_body(3),
            status_body(4),
        ]);
        runtime().block_on(async {
            let opened = open(&store).await;
            let claimed = opened.claim("c", 10, LEASE * 100).await.unwrap();
            assert_eq!(ids(&claimed), ids_of(&stored), "{url}");
            let waits = Settled::Retry {
                id: stored[1].clone(),
                attempts: 1,
                after: Duration::from_secs(3600),
                error: "the app answered 500".into(),
            };
            let settled = [
                delivered(&stored[0]),
                waits,
                retry(&stored[2], 1),
                dead(&stored[3], 6),
            ];
            opened.settle("c", &settled).await.unwrap();
            assert_eq!(opened.redrive(&[]).await.unwrap().len(), 1, "{url}");
            tokio::time::sleep(Duration::from_millis(20)).await;
            // The retry that is due and the dead letter put back are under way.
            let mut again = opened.claim("c", 10, LEASE * 100).await.unwrap();
            again.sort_by_key(|e| e.attempts);
            assert_eq!(
                ids(&again),
                [stored[3].as_str(), stored[2].as_str()],
                "{url}"
            );
        });
        let stats = store.stats();
        assert_eq!(
            (
                &stats["pending"],
                &stats["retrying"],
                &stats["delivered"],
                &stats["dead"]
            ),
            (&3.into(), &2.into(), &1.into(), &0.into()),
            "{url}: {stats}"
        );
    }
}

/// A Redis script that fails half way keeps what it wrote before the failing
/// call: a claim that finds the consumer group gone (destroyed while
/// `deliver` runs) must fail before it changes anything. Here the entry of a
/// retry is deleted by hand and the group destroyed before the claim that
/// comes to it: it is counted lost, not left pending for ever.
#[test]
fn a_claim_that_finds_the_group_gone_changes_nothing_before_it_fails() {
    let Some(store) = TestStore::redis("a_claim_that_finds_the_group_gone_changes_nothing") else {
        return;
    };
    let redis = store.redis.as_ref().unwrap();
    let stored = store.append(&[status_body(1), status_body(2)]);
    runtime().block_on(async {
        let settled = [dead(&stored[0], 1), retry(&stored[1], 1)];
        let opened = claimed_and_settled(&store, &stored, &settled).await;
        assert_eq!(opened.redrive(&[]).await.unwrap().len(), 1);
        let deleted = redis.command(&["XDEL", "wm-hooks:events", &stored[1]]);
        assert_eq!(deleted.as_deref(), Some(":1\r\n"));
        redis.destroy_group();
        // Both are due, and so is the claim's XAUTOCLAIM (a quarter lease on).
        tokio::time::sleep(LEASE / 4 + Duration::from_millis(20)).await;
        let claimed = opened.claim("c", 10, LEASE).await.unwrap();
        let mut got = ids(&claimed);
        got.dedup();
        assert_eq!(
            got,
            [stored[0].as_str()],
            "the group made again reads it too"
        );
        assert!(
            opened
                .notices()
                .contains(&store::Notice::Gone(vec![stored[1].clone()])),
            "the deleted entry is named"
        );
    });
    let stats = store.stats();
    assert_eq!(
        (&stats["lost"], &stats["pending"], &stats["retrying"]),
        (&1.into(), &1.into(), &0.into()),
        "{stats}"
    );
}

/// The same for a claim whose XAUTOCLAIM is not due: one that leased the
/// due retries, then found the group gone when it read the new entries,
/// answered none of them, and they waited out a lease nobody held. Here a
/// dead letter put back after a prune trimmed its entry (so the group made
/// again cannot read it anew) is claimed at once.
#[test]
fn a_claim_that_finds_the_group_gone_leases_nothing_it_does_not_answer() {
    let Some(store) = TestStore::redis("a_claim_that_finds_the_group_gone_leases_nothing") else {
        return;
    };
    let redis = store.redis.as_ref().unwrap();
    let stored = store.append(&[status_body(1), status_body(2)]);
    runtime().block_on(async {
        let settled = [dead(&stored[0], 1), delivered(&stored[1])];
        let opened = claimed_and_settled(&store, &stored, &settled).await;
        assert_eq!(opened.prune(Duration::from_millis(1)).await.unwrap(), 2);
        assert_eq!(opened.redrive(&[]).await.unwrap().len(), 1);
        redis.destroy_group();
        let claimed = opened.claim("c", 10, LEASE).await.unwrap();
        assert_eq!(ids(&claimed), [stored[0].as_str()], "claimed at once");
    });
}

/// `prune` keeps what a consumer group has not delivered by reading the
/// groups; one that is gone (destroyed by hand while another group reads the
/// stream) must not make it trim what that group would read again once
/// `deliver` makes it anew: an entry waiting for its retry, one not read yet.
#[test]
fn a_prune_while_the_group_is_gone_trims_nothing_it_had_not_delivered() {
    let Some(store) = TestStore::redis("a_prune_while_the_group_is_gone_trims_nothing") else {
        return;
    };
    let redis = store.redis.as_ref().unwrap();
    let command = |words: &[&str]| redis.command(words).unwrap_or_default();
    let mut stored = store.append(&[status_body(1), status_body(2)]);
    let waits = Settled::Retry {
        id: stored[1].clone(),
        attempts: 1,
        after: Duration::from_secs(3600),
        error: "the app answered 500".into(),
    };
    let settled = [delivered(&stored[0]), waits];
    runtime().block_on(async {
        claimed_and_settled(&store, &stored, &settled).await;
    });
    stored.extend(store.append(&[status_body(3)]));
    // Another group reads (and acknowledges) everything.
    let created = command(&["XGROUP", "CREATE", "wm-hooks:events", "other", "0"]);
    assert_eq!(created, "+OK\r\n");
    let read = command(&[
        "XREADGROUP",
        "GROUP",
        "other",
        "o",
        "STREAMS",
        "wm-hooks:events",
        ">",
    ]);
    assert!(read.contains(&stored[2]), "{read}");
    let acked = command(&[
        "XACK",
        "wm-hooks:events",
        "other",
        &stored[0],
        &stored[1],
        &stored[2],
    ]);
    assert_eq!(acked, ":3\r\n");
    redis.destroy_group();
    std::thread::sleep(Duration::from_millis(5));
    runtime().block_on(async {
        let opened = store::open(&StoreUrl::parse(&store.url).unwrap(), "wm-hooks").unwrap();
        assert_eq!(opened.prune(Duration::from_millis(1)).await.unwrap(), 0);
        // deliver makes the group again from the stream's start.
        let claimed = opened.claim("c", 10, LEASE).await.unwrap();
        let got: std::collections::BTreeSet<&str> = ids(&claimed).into_iter().collect();
        assert_eq!(got, ids_of(&stored).into_iter().collect(), "all read anew");
    });
}

/// A late 2xx (a `deliver` that stalled past its lease) for an entry another
/// consumer delivered since counts once, in both stores, even when a prune
/// removed the entry between the two answers.
#[test]
fn a_late_delivery_after_a_prune_is_not_counted_twice() {
    for store in TestStore::both("a_late_delivery_after_a_prune_is_not_counted_twice") {
        let url = &store.url;
        let stored = store.append(&[status_body(1)]);
        let lease = Duration::from_millis(40);
        runtime().block_on(async {
            let opened = open(&store).await;
            assert_eq!(
                ids(&opened.claim("c1", 10, lease).await.unwrap()),
                ids_of(&stored)
            );
            tokio::time::sleep(lease * 2).await;
            let again = opened.claim("c2", 10, lease).await.unwrap();
            assert_eq!(ids(&again), ids_of(&stored), "{url}: the lease ran out");
            opened.settle("c2", &[delivered(&stored[0])]).await.unwrap();
            assert_eq!(
                opened.prune(Duration::from_millis(1)).await.unwrap(),
                1,
                "{url}"
            );
            opened.settle("c1", &[delivered(&stored[0])]).await.unwrap();
        });
        let stats = store.stats();
        assert_eq!(
            (&stats["stored"], &stats["delivered"], &stats["pending"]),
            (&1.into(), &1.into(), &0.into()),
            "{url}: {stats}"
        );
    }
}
