//! The SQLite store: one file in WAL mode with `synchronous=FULL`, so a
//! committed transaction survives a crash of the process and of the machine.
//! One table, `events`, holds every entry with its delivery state (`pending`,
//! `delivered`, `dead`); the view `dead` shows the dead letters.
//!
//! One thread owns the writing connection. Calls queue up for it, and it runs them in
//! one transaction (each in its own savepoint, so one failing call undoes
//! only itself): a hundred concurrent requests cost one fsync, not a hundred.
//! Each call is answered only after the commit. What decides throughput is
//! how many calls share a commit, so under load a transaction stays open a
//! little for the callers the last commit answered, running their calls as
//! they come rather than after they all came (see `worker::Gather`).
//! Pure reads (`stats`, `dead`, `ping`) go to a second thread and connection
//! instead, each in a read transaction of its own: in WAL mode a reader sees
//! what was committed and never waits for a writer, so they answer while
//! another process (an `ingest` under load, a `sqlite3` shell) holds the
//! write lock, and never hold up this process's writes.
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
use schema::{connect, connect_reader, key_hash};
use worker::{Finish, Job, Read, checkpoint, read, snapshot, work};

mod file;
mod recent;
mod schema;
mod worker;

/// Delivered entries removed per transaction by `store prune`.
const PRUNE_CHUNK: i64 = 5000;
/// A store in one SQLite file.
pub struct SqliteStore {
    jobs: mpsc::Sender<Job>,
    reads: mpsc::Sender<Read>,
    name: String,
}

impl SqliteStore {
    /// Opens (creating when needed) the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let name = format!("sqlite:{}", path.display());
        let connection = connect(path, &name)?;
        // Opened after the writer's, which made the file ready.
        let reader = connect_reader(path, &name)?;
        let (jobs, queue) = mpsc::channel::<Job>();
        let (reads, read_queue) = mpsc::channel::<Read>();
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
        std::thread::Builder::new()
            .name("sqlite-read".into())
            .spawn(move || read(reader, &read_queue))
            .map_err(|e| Error::failed(format!("cannot start the store's thread: {e}")))?;
        Ok(SqliteStore { jobs, reads, name })
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
        self.answer(answered.await)
    }

    /// Runs `statements`, which only read, in a read transaction of their own
    /// on the reading connection: what was committed when it began.
    async fn read<T: Send + 'static>(
        &self,
        statements: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T> {
        let (answer, answered) = oneshot::channel();
        let job: Read = Box::new(move |connection| {
            let _ = answer.send(snapshot(connection, statements));
        });
        self.reads
            .send(job)
            .map_err(|_| unavailable(&self.name, "its thread stopped"))?;
        self.answer(answered.await)
    }

    /// A call's answer as the store's result: its failure named, with a hint
    /// when one helps.
    fn answer<T>(
        &self,
        answered: std::result::Result<std::result::Result<T, String>, oneshot::error::RecvError>,
    ) -> Result<T> {
        match answered {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(unavailable(&self.name, &e).with_hint_if(file::hint(&e))),
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
        self.read(|c| {
            let stored = counter(c, "stored")?;
            let delivered = counter(c, "delivered")?;
            let dead = counter(c, "dead")?;
            // The rows themselves, so that one deleted by hand is not pending
            // for ever. Leased or not: a retry under way is still retrying
            // (as in Redis).
            let (pending, retrying): (i64, i64) = c.query_row(
                "SELECT count(*), coalesce(sum(attempts > 0), 0) FROM events
                 WHERE state = 'pending'",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            let pending = u64::try_from(pending).unwrap_or(0);
            Ok(Stats {
                stored,
                pending,
                retrying: u64::try_from(retrying).unwrap_or(0),
                dead,
                delivered,
                duplicates: counter(c, "duplicates")?,
                lost: stored.saturating_sub(delivered + dead + pending),
            })
        })
        .await
    }

    async fn dead(&self, limit: usize) -> Result<Vec<DeadLetter>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(move |c| {
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

    async fn redrive(&self, ids: &[String]) -> Result<Vec<String>> {
        let ids = ids.to_vec();
        self.call(move |c, _| {
            let update = "UPDATE events SET state = 'pending', attempts = 0, ready_at = 0,
                              leased_by = NULL, last_error = NULL, finished_at = NULL
                          WHERE state = 'dead'";
            let mut moved = Vec::new();
            if ids.is_empty() {
                let mut all = c.prepare(&format!("{update} RETURNING id"))?;
                let rows = all.query_map([], |row| row.get::<_, i64>(0))?;
                for id in rows {
                    moved.push(id?.to_string());
                }
            } else {
                let mut one = c.prepare_cached(&format!("{update} AND id = ?1"))?;
                for id in ids {
                    if one.execute([&id])? > 0 {
                        moved.push(id);
                    }
                }
            }
            count(c, "dead", -i64::try_from(moved.len()).unwrap_or(i64::MAX))?;
            Ok(moved)
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
        self.read(|c| c.query_row("SELECT 1", [], |_| Ok(()))).await
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
mod tests;
