//! The SQLite store's own tests, each on a file of its own in a temporary
//! directory: batches and dedupe, a call that breaks its transaction, older
//! files, prune, hash collisions, keys read back by another process, an
//! entry's whole life, leases, concurrent appends.

use super::*;
use crate::store::SecretUsed;
use bytes::Bytes;

fn entry(key: &str) -> NewEntry {
    NewEntry {
        key: key.into(),
        event: Some("message.received".into()),
        message_id: Some(key.into()),
        received_at: "2026-01-15T10:30:00.123Z".into(),
        headers: r#"{"content-type":"application/json"}"#.into(),
        headers_base64: None,
        body: Bytes::from_static(b"{\"raw\": \xff}"),
        secret: SecretUsed::Current,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Merges the keys the store holds into `seen` now, as it does once it
/// holds many or old ones.
async fn merge(store: &SqliteStore) {
    store
        .call(|c, recent| {
            recent.catch_up(c, now_ms() + duration_ms(DAY))?;
            recent.merge_all(c, now_ms())
        })
        .await
        .unwrap();
}

/// Appends one entry, as a batch of one.
async fn one(store: &SqliteStore, entry: NewEntry, window: Duration) -> Result<Appended> {
    let mut appended = store.append(vec![entry], window).await?;
    assert_eq!(appended.len(), 1);
    Ok(appended.remove(0))
}

#[test]
fn a_batch_dedupes_within_itself_and_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
    runtime().block_on(async {
        let got = store
            .append(vec![entry("a"), entry("b"), entry("a")], DAY)
            .await
            .unwrap();
        let Appended::Stored(first) = &got[0] else {
            panic!("{got:?}")
        };
        assert!(matches!(got[1], Appended::Stored(_)));
        assert_eq!(got[2], Appended::Duplicate(Some(first.clone())));
        let stats = store.stats().await.unwrap();
        assert_eq!((stats.stored, stats.duplicates), (2, 1));
        assert!(store.append(Vec::new(), DAY).await.unwrap().is_empty());
    });
}

#[test]
fn a_call_that_breaks_its_transaction_fails_with_the_reason_and_the_store_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
    runtime().block_on(async {
        // Ending the transaction under the call's savepoint leaves
        // nothing to release: the call fails with SQLite's own words,
        // not with an answer dropped on the way.
        let broken = store
            .call(|c, _| c.execute_batch("ROLLBACK"))
            .await
            .unwrap_err();
        assert!(broken.to_string().contains("no such savepoint"), "{broken}");
        let got = one(&store, entry("after"), DAY).await.unwrap();
        assert!(matches!(got, Appended::Stored(_)), "{got:?}");
    });
}

const DAY: Duration = Duration::from_secs(86_400);

/// What a count query answers on a connection of its own.
fn count(path: &Path, sql: &str) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn the_keys_of_an_older_file_still_absorb_their_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let old = Connection::open(&path).unwrap();
    old.execute_batch(
        "CREATE TABLE dedupe (key TEXT PRIMARY KEY, id INTEGER NOT NULL,
                              expires_at INTEGER NOT NULL) WITHOUT ROWID;
         INSERT INTO dedupe VALUES ('a', 7, 9000000000000);",
    )
    .unwrap();
    drop(old);
    let store = SqliteStore::open(&path).unwrap();
    runtime().block_on(async {
        assert_eq!(
            one(&store, entry("a"), DAY).await.unwrap(),
            Appended::Duplicate(Some("7".into()))
        );
        assert!(matches!(
            one(&store, entry("b"), DAY).await.unwrap(),
            Appended::Stored(_)
        ));
    });
    let tables = count(
        &path,
        "SELECT count(*) FROM sqlite_schema WHERE name = 'dedupe'",
    );
    assert_eq!(tables, 0, "moved into seen, then dropped");
    // Its keys were all in `seen`: the counter says so, and no process
    // reads them back from `events` into memory.
    let store = SqliteStore::open(&path).unwrap();
    runtime().block_on(one(&store, entry("c"), DAY)).unwrap();
    let merged = "SELECT value FROM counters WHERE name = 'merged'";
    Connection::open(&path)
        .unwrap()
        .execute("DELETE FROM counters WHERE name = 'merged'", [])
        .unwrap();
    drop(SqliteStore::open(&path).unwrap());
    assert_eq!(
        count(&path, merged),
        count(&path, "SELECT max(id) FROM events")
    );
}

#[test]
fn prune_walks_every_chunk_and_keeps_what_was_not_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let store = SqliteStore::open(&path).unwrap();
    let total = 2 * PRUNE_CHUNK + 7;
    runtime().block_on(async {
        let entries: Vec<NewEntry> = (0..total).map(|i| entry(&format!("k{i}"))).collect();
        store.append(entries, DAY).await.unwrap();
    });
    // Every seventh stays pending; the rest were delivered long ago.
    Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE events SET state = 'delivered' WHERE id % 7 != 0",
            [],
        )
        .unwrap();
    let kept = total / 7;
    let prune = || {
        runtime()
            .block_on(store.prune(Duration::from_secs(1)))
            .unwrap()
    };
    let removed = prune();
    assert_eq!(removed, u64::try_from(total - kept).unwrap());
    let left = count(&path, "SELECT count(*) FROM events WHERE state = 'pending'");
    assert_eq!(left, kept);
    assert_eq!(prune(), 0);
    // The keys of the entries pruned still absorb their repeats.
    let again = runtime().block_on(one(&store, entry("k1"), DAY)).unwrap();
    assert_eq!(again, Appended::Duplicate(Some("2".into())));
}

#[test]
fn another_key_with_the_same_hash_is_stored_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let store = SqliteStore::open(&path).unwrap();
    runtime().block_on(async {
        let Appended::Stored(a) = one(&store, entry("a"), DAY).await.unwrap() else {
            panic!("a is new")
        };
        merge(&store).await;
        // As if "b" hashed as "a" does.
        let changed = Connection::open(&path)
            .unwrap()
            .execute(
                "UPDATE seen SET hash = ?1 WHERE id = ?2",
                params![key_hash("b"), a.parse::<i64>().unwrap()],
            )
            .unwrap();
        assert_eq!(changed, 1);
        let Appended::Stored(b) = one(&store, entry("b"), DAY).await.unwrap() else {
            panic!("b is not a's repeat")
        };
        assert_ne!(a, b);
        assert_eq!(
            one(&store, entry("b"), DAY).await.unwrap(),
            Appended::Duplicate(Some(b))
        );
    });
}

#[test]
fn keys_not_merged_yet_are_read_back_by_another_process_and_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (first, second) = (
        SqliteStore::open(&path).unwrap(),
        SqliteStore::open(&path).unwrap(),
    );
    runtime().block_on(async {
        let Appended::Stored(a) = one(&first, entry("a"), DAY).await.unwrap() else {
            panic!("a is new")
        };
        let repeat = one(&second, entry("a"), DAY).await.unwrap();
        assert_eq!(repeat, Appended::Duplicate(Some(a.clone())));
        let Appended::Stored(b) = one(&second, entry("b"), DAY).await.unwrap() else {
            panic!("b is new")
        };
        merge(&second).await;
        assert_eq!(count(&path, "SELECT count(*) FROM seen"), 2);
        // The first finds b (stored and merged by the other) and a in `seen`.
        let repeat = one(&first, entry("b"), DAY).await.unwrap();
        assert_eq!(repeat, Appended::Duplicate(Some(b)));
        let repeat = one(&first, entry("a"), DAY).await.unwrap();
        assert_eq!(repeat, Appended::Duplicate(Some(a)));
        assert!(matches!(
            one(&first, entry("c"), DAY).await.unwrap(),
            Appended::Stored(_)
        ));
    });
    drop((first, second));
    // c was never merged: a new process reads its key back from `events`.
    let restarted = SqliteStore::open(&path).unwrap();
    let repeat = runtime()
        .block_on(one(&restarted, entry("c"), DAY))
        .unwrap();
    assert!(matches!(repeat, Appended::Duplicate(Some(_))), "{repeat:?}");
    assert_eq!(count(&path, "SELECT count(*) FROM seen"), 2);
    assert_eq!(count(&path, "SELECT count(*) FROM events"), 3);
}

#[test]
fn an_entry_goes_in_once_and_through_its_whole_life() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
    runtime().block_on(async {
        let first = one(&store, entry("a"), DAY).await.unwrap();
        let Appended::Stored(id) = first.clone() else {
            panic!("{first:?}")
        };
        assert_eq!(
            one(&store, entry("a"), DAY).await.unwrap(),
            Appended::Duplicate(Some(id.clone()))
        );
        one(&store, entry("b"), DAY).await.unwrap();
        let lease = Duration::from_secs(60);
        let got = store.claim("c1", 10, lease).await.unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].body, b"{\"raw\": \xff}");
        assert_eq!(got[0].content_type().as_deref(), Some("application/json"));
        assert!(
            store.claim("c2", 10, lease).await.unwrap().is_empty(),
            "leased"
        );
        let delivered = Settled::Delivered {
            id: got[0].id.clone(),
        };
        let retry = Settled::Retry {
            id: got[1].id.clone(),
            attempts: 1,
            after: Duration::from_millis(1),
            error: "502".into(),
        };
        // Settled twice: counted once.
        store
            .settle("c1", &[delivered.clone(), retry])
            .await
            .unwrap();
        store.settle("c1", &[delivered]).await.unwrap();
        let stats = store.stats().await.unwrap();
        assert_eq!((stats.stored, stats.delivered, stats.duplicates), (2, 1, 1));
        assert_eq!((stats.pending, stats.retrying), (1, 1));
        tokio::time::sleep(Duration::from_millis(5)).await;
        let again = store.claim("c2", 10, lease).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempts, 1);
        let dead = Settled::Dead {
            id: again[0].id.clone(),
            attempts: 2,
            error: "HTTP 500".into(),
        };
        store.settle("c2", &[dead]).await.unwrap();
        let dead = store.dead(10).await.unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!((dead[0].attempts, dead[0].error.as_str()), (2, "HTTP 500"));
        assert_eq!(store.stats().await.unwrap().dead, 1);
        assert_eq!(store.redrive(&[]).await.unwrap().len(), 1);
        let stats = store.stats().await.unwrap();
        assert_eq!((stats.dead, stats.pending), (0, 1));
        let back = store.claim("c3", 10, lease).await.unwrap();
        assert_eq!((back.len(), back[0].attempts), (1, 0));
    });
}

#[test]
fn an_expired_lease_is_claimed_again_and_the_window_ends() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
    runtime().block_on(async {
        let window = Duration::from_millis(20);
        one(&store, entry("a"), window).await.unwrap();
        let lease = Duration::from_millis(20);
        assert_eq!(store.claim("dead", 10, lease).await.unwrap().len(), 1);
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert_eq!(store.claim("alive", 10, lease).await.unwrap().len(), 1);
        // Past the window the same key is stored again.
        assert!(matches!(
            one(&store, entry("a"), window).await.unwrap(),
            Appended::Stored(_)
        ));
    });
}

#[test]
fn concurrent_appends_share_transactions_and_all_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let store = std::sync::Arc::new(SqliteStore::open(&path).unwrap());
    runtime().block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..200 {
            let store = std::sync::Arc::clone(&store);
            tasks.spawn(async move { one(&store, entry(&format!("k{i}")), DAY).await });
        }
        while let Some(done) = tasks.join_next().await {
            assert!(matches!(done.unwrap().unwrap(), Appended::Stored(_)));
        }
    });
    // Another connection sees them all: they were committed.
    assert_eq!(count(&path, "SELECT count(*) FROM events"), 200);
    let mode: String = Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_missing_directory_is_an_input_error() {
    let error = SqliteStore::open(Path::new("/nonexistent/dir/s.db"))
        .err()
        .unwrap();
    assert_eq!(error.kind, crate::error::Kind::Input);
    assert!(error.message.contains("sqlite:/nonexistent/dir/s.db"));
}
