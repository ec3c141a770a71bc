//! The SQLite store: one file in WAL mode with `synchronous=FULL`, so a
//! committed transaction survives a crash of the process and of the machine.
//! One table, `events`, holds every entry with its delivery state (`pending`,
//! `delivered`, `dead`); the view `dead` shows the dead letters.
//!
//! One thread owns the connection. Calls queue up for it, and it runs them in
//! one transaction (each in its own savepoint, so one failing call undoes
//! only itself): a hundred concurrent requests cost one fsync, not a hundred.
//! Each call is answered only after the commit. What decides throughput is
//! how many calls share a commit, so under load a transaction stays open a
//! little for the callers the last commit answered, running their calls as
//! they come rather than after they all came (see `worker::Gather`).
//!
//! Dedupe keys live in `seen` (an 8-byte hash of the key, the entry, the
//! expiry). A key just stored is held in memory first and merged into `seen`
//! with many others in key order (module `recent`): written one by one, each
//! random key cost the commit a page of its own. The tables, and how a file
//! is opened and brought up to date: module `schema`; the file's own troubles
//! (a lock, a file deleted or replaced while open): module `file`.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::oneshot;

use super::{
    Appended, DeadLetter, Entry, NewEntry, Settled, Stats, Store, duration_ms, now_ms, unavailable,
};
use crate::error::{Error, Result};
use file::why;
use recent::Recent;
pub use schema::opened_file;
use schema::{connect, key_hash};
use worker::{Finish, Job, checkpoint, work};

mod file;
mod recent;
mod schema;
mod worker;

/// Delivered entries removed per transaction by `store prune`.
const PRUNE_CHUNK: i64 = 5000;
/// A store in one SQLite file.
pub struct SqliteStore {
    jobs: mpsc::Sender<Job>,
    name: String,
}

impl SqliteStore {
    /// Opens (creating when needed) the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let name = format!("sqlite:{}", path.display());
        let connection = connect(path, &name)?;
        let (jobs, queue) = mpsc::channel::<Job>();
        let nudge = connect(path, &name).ok().and_then(|checkpointer| {
            let (nudge, nudges) = mpsc::sync_channel(1);
            std::thread::Builder::new()
                .name("sqlite-checkpoint".into())
                .spawn(move || checkpoint(&checkpointer, &nudges))
                .ok()
                .map(|_| nudge)
        });
        std::thread::Builder::new()
            .name("sqlite".into())
            .spawn(move || work(connection, &queue, nudge.as_ref()))
            .map_err(|e| Error::failed(format!("cannot start the store's thread: {e}")))?;
        Ok(SqliteStore { jobs, name })
    }

    /// Runs `statements` in the next transaction; answers after its commit.
    async fn call<T: Send + 'static>(
        &self,
        statements: impl FnOnce(&Connection, &mut Recent) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T> {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |begun| {
            let result = match begun {
                Ok((connection, recent)) => statements(connection, recent).map_err(|e| why(&e)),
                Err(not_begun) => Err(not_begun.to_string()),
            };
            let ok = result.is_ok();
            let finish: Finish = Box::new(move |committed| {
                let _ = answer.send(match (result, committed) {
                    (Ok(value), Ok(())) => Ok(value),
                    (Err(e), _) | (Ok(_), Err(e)) => Err(e),
                });
            });
            (ok, finish)
        });
        self.jobs
            .send(job)
            .map_err(|_| unavailable(&self.name, "its thread stopped"))?;
        match answered.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(match file::hint(&e) {
                Some(hint) => unavailable(&self.name, e).with_hint(hint),
                None => unavailable(&self.name, e),
            }),
            Err(_) => Err(unavailable(
                &self.name,
                "its thread stopped before answering",
            )),
        }
    }
}

/// Forgets dedupe keys past their window, a bounded number per transaction.
fn expire_dedupe(transaction: &mut rusqlite::Transaction<'_>) {
    if let Ok(mut expire) = transaction.prepare_cached(
        "DELETE FROM seen WHERE hash IN
             (SELECT hash FROM seen WHERE expires_at <= ?1 LIMIT 1000)",
    ) {
        let _ = expire.execute([now_ms()]);
    }
}

fn count(connection: &Connection, name: &str, by: i64) -> rusqlite::Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO counters (name, value) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
        )?
        .execute(params![name, by])?;
    Ok(())
}

/// A counter's value (0 when it was never set). Cached: every append reads `merged`.
fn counter(connection: &Connection, name: &str) -> rusqlite::Result<u64> {
    let value: Option<i64> = connection
        .prepare_cached("SELECT value FROM counters WHERE name = ?1")?
        .query_row([name], |row| row.get(0))
        .optional()?;
    Ok(u64::try_from(value.unwrap_or(0)).unwrap_or(0))
}

fn now_text() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

impl Store for SqliteStore {
    async fn append(&self, entries: Vec<NewEntry>, window: Duration) -> Result<Vec<Appended>> {
        let window = duration_ms(window);
        self.call(move |c, recent| {
            let now = now_ms();
            let expires_at = now.saturating_add(window);
            recent.catch_up(c, expires_at)?;
            // Cached: a statement is compiled once per connection, not per entry.
            // The earlier entry's own key, when it is still stored, tells a
            // repeat from another key with the same hash.
            let mut merged = c.prepare_cached(
                "SELECT seen.id, events.key FROM seen LEFT JOIN events ON events.id = seen.id
                 WHERE seen.hash = ?1 AND seen.expires_at > ?2",
            )?;
            let mut held = c.prepare_cached("SELECT key FROM events WHERE id = ?1")?;
            let mut insert = c.prepare_cached(
                "INSERT INTO events (key, event, message_id, received_at, headers, body, secret,
                                     headers_base64)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let mut appended = Vec::with_capacity(entries.len());
            let (mut stored, mut duplicates) = (0, 0);
            for entry in &entries {
                let hash = key_hash(&entry.key);
                let earlier: Option<(i64, Option<String>)> = match recent.get(hash, now) {
                    Some(id) => Some((id, held.query_row([id], |row| row.get(0)).optional()?)),
                    None => merged
                        .query_row(params![hash, now], |row| Ok((row.get(0)?, row.get(1)?)))
                        .optional()?,
                };
                // A pruned entry's key cannot be compared: its hash alone
                // decides (two keys in 2^64 share one).
                let repeat =
                    earlier.filter(|(_, key)| key.as_ref().is_none_or(|k| *k == entry.key));
                if let Some((id, _)) = repeat {
                    duplicates += 1;
                    appended.push(Appended::Duplicate(Some(id.to_string())));
                    continue;
                }
                let id = insert.insert(params![
                    entry.key,
                    entry.event,
                    entry.message_id,
                    entry.received_at,
                    entry.headers,
                    &entry.body[..],
                    entry.secret.name(),
                    entry.headers_base64
                ])?;
                recent.add(hash, id, expires_at);
                stored += 1;
                appended.push(Appended::Stored(id.to_string()));
            }
            if stored > 0 {
                count(c, "stored", stored)?;
            }
            if duplicates > 0 {
                count(c, "duplicates", duplicates)?;
            }
            recent.merge_step(c, now)?;
            Ok(appended)
        })
        .await
    }

    async fn claim(&self, consumer: &str, max: usize, lease: Duration) -> Result<Vec<Entry>> {
        let consumer = consumer.to_string();
        let lease = duration_ms(lease);
        let max = i64::try_from(max).unwrap_or(i64::MAX);
        self.call(move |c, _| {
            let now = now_ms();
            let mut claim = c.prepare_cached(
                "UPDATE events SET ready_at = ?1 + ?2, leased_by = ?3
                 WHERE id IN (SELECT id FROM events WHERE state = 'pending' AND ready_at <= ?1
                              ORDER BY id LIMIT ?4)
                 RETURNING id, key, event, message_id, received_at, headers, body, secret, attempts",
            )?;
            let rows = claim.query_map(params![now, lease, consumer, max], |row| {
                Ok(Entry {
                    id: row.get::<_, i64>(0)?.to_string(),
                    key: row.get(1)?,
                    event: row.get(2)?,
                    message_id: row.get(3)?,
                    received_at: row.get(4)?,
                    headers: row.get(5)?,
                    body: row.get(6)?,
                    secret: row.get(7)?,
                    attempts: row.get(8)?,
                })
            })?;
            let mut entries = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            entries.sort_by_key(|e| e.id.parse::<i64>().unwrap_or(0));
            Ok(entries)
        })
        .await
    }

    async fn settle(&self, consumer: &str, results: &[Settled]) -> Result<()> {
        if results.is_empty() {
            return Ok(());
        }
        let (consumer, results) = (consumer.to_string(), results.to_vec());
        self.call(move |c, _| {
            let (now, finished_at) = (now_ms(), now_text());
            let (mut delivered, mut dead) = (0, 0);
            for result in &results {
                match result {
                    Settled::Delivered { id } => {
                        delivered += c
                            .prepare_cached(
                                "UPDATE events SET state = 'delivered', leased_by = NULL,
                                                   finished_at = ?2
                                 WHERE id = ?1 AND state = 'pending'",
                            )?
                            .execute(params![id, finished_at])?;
                    }
                    Settled::Retry {
                        id,
                        attempts,
                        after,
                        error,
                    } => {
                        // Only while this consumer holds it: another that
                        // claimed it since keeps its lease.
                        c.prepare_cached(
                            "UPDATE events SET attempts = ?2, ready_at = ?3, leased_by = NULL,
                                               last_error = ?4
                             WHERE id = ?1 AND state = 'pending' AND leased_by = ?5",
                        )?
                        .execute(params![
                            id,
                            attempts,
                            now.saturating_add(duration_ms(*after)),
                            error,
                            consumer
                        ])?;
                    }
                    Settled::Dead {
                        id,
                        attempts,
                        error,
                    } => {
                        dead += c
                            .prepare_cached(
                                "UPDATE events SET state = 'dead', attempts = ?2, last_error = ?3,
                                                   finished_at = ?4, leased_by = NULL
                                 WHERE id = ?1 AND state = 'pending' AND leased_by = ?5",
                            )?
                            .execute(params![id, attempts, error, finished_at, consumer])?;
                    }
                }
            }
            for (name, by) in [("delivered", delivered), ("dead", dead)] {
                if by > 0 {
                    count(c, name, i64::try_from(by).unwrap_or(i64::MAX))?;
                }
            }
            Ok(())
        })
        .await
    }

    async fn stats(&self) -> Result<Stats> {
        self.call(|c, _| {
            let stored = counter(c, "stored")?;
            let delivered = counter(c, "delivered")?;
            let dead = counter(c, "dead")?;
            // Leased or not: a retry under way is still retrying (as in Redis).
            let retrying: i64 = c.query_row(
                "SELECT count(*) FROM events WHERE state = 'pending' AND attempts > 0",
                [],
                |row| row.get(0),
            )?;
            Ok(Stats {
                stored,
                pending: stored.saturating_sub(delivered + dead),
                retrying: u64::try_from(retrying).unwrap_or(0),
                dead,
                delivered,
                duplicates: counter(c, "duplicates")?,
            })
        })
        .await
    }

    async fn dead(&self, limit: usize) -> Result<Vec<DeadLetter>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.call(move |c, _| {
            let mut query = c.prepare_cached(
                "SELECT id, event, message_id, received_at, attempts, error, failed_at
                 FROM dead ORDER BY id LIMIT ?1",
            )?;
            let rows = query.query_map([limit], |row| {
                Ok(DeadLetter {
                    id: row.get::<_, i64>(0)?.to_string(),
                    event: row.get(1)?,
                    message_id: row.get(2)?,
                    received_at: row.get(3)?,
                    attempts: row.get(4)?,
                    error: row.get::<_, Option<String>>(5)?.unwrap_or_default(),
                    failed_at: row.get::<_, Option<String>>(6)?.unwrap_or_default(),
                })
            })?;
            rows.collect()
        })
        .await
    }

    async fn redrive(&self, ids: &[String]) -> Result<u64> {
        let ids = ids.to_vec();
        self.call(move |c, _| {
            let set = "state = 'pending', attempts = 0, ready_at = 0, leased_by = NULL,
                       last_error = NULL, finished_at = NULL";
            let mut moved = 0;
            if ids.is_empty() {
                moved = c.execute(&format!("UPDATE events SET {set} WHERE state = 'dead'"), [])?;
            } else {
                let mut one = c.prepare_cached(&format!(
                    "UPDATE events SET {set} WHERE state = 'dead' AND id = ?1"
                ))?;
                for id in &ids {
                    moved += one.execute([id])?;
                }
            }
            let moved = i64::try_from(moved).unwrap_or(i64::MAX);
            count(c, "dead", -moved)?;
            Ok(u64::try_from(moved).unwrap_or(0))
        })
        .await
    }

    async fn prune(&self, age: Duration) -> Result<u64> {
        // `received_at` is RFC 3339 UTC with milliseconds: as text it sorts as time.
        let before = std::time::SystemTime::now()
            .checked_sub(age)
            .unwrap_or(std::time::UNIX_EPOCH);
        let before = humantime::format_rfc3339_millis(before).to_string();
        // The keys not merged into `seen` yet are merged first, so that
        // repeats of what goes are still absorbed; this process does not
        // know the window `ingest` uses, so they are kept for the platform's.
        let horizon = duration_ms(super::RETRY_HORIZON);
        self.call(move |c, recent| {
            let now = now_ms();
            recent.catch_up(c, now.saturating_add(horizon))?;
            recent.merge_all(c, now)
        })
        .await?;
        let mut removed = 0;
        let mut after = 0;
        // The next PRUNE_CHUNK rows by id per transaction, so that a large
        // prune never holds the writer long and no row is read twice (the
        // pending and dead ones it keeps are passed once, not scanned again
        // by every chunk).
        loop {
            let before = before.clone();
            let (chunk, next) = self
                .call(move |c, _| {
                    let last: Option<i64> = c
                        .prepare_cached(
                            "SELECT max(id) FROM (SELECT id FROM events WHERE id > ?1
                                                  ORDER BY id LIMIT ?2)",
                        )?
                        .query_row(params![after, PRUNE_CHUNK], |row| row.get(0))?;
                    let Some(last) = last else {
                        return Ok((0, None));
                    };
                    // An entry whose key is not merged into `seen` (stored
                    // since the merge above) stays: its key would go with it.
                    let chunk = c
                        .prepare_cached(
                            "DELETE FROM events WHERE id > ?1 AND id <= ?2
                                 AND state = 'delivered' AND received_at < ?3
                                 AND id <= (SELECT value FROM counters WHERE name = ?4)",
                        )?
                        .execute(params![after, last, before, recent::MERGED])?;
                    Ok((chunk, Some(last)))
                })
                .await?;
            removed += chunk as u64;
            match next {
                Some(last) => after = last,
                None => return Ok(removed),
            }
        }
    }

    async fn ping(&self) -> Result<()> {
        self.call(|c, _| c.query_row("SELECT 1", [], |_| Ok(())))
            .await
    }

    async fn probe_write(&self) -> Result<()> {
        // When it was last probed: a changed row, so the commit writes a page.
        self.call(|c, _| {
            c.prepare_cached(
                "INSERT INTO counters (name, value) VALUES ('probed_at', ?1)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            )?
            .execute([now_ms()])
            .map(drop)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
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
            assert_eq!(store.redrive(&[]).await.unwrap(), 1);
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
}
