//! The dedupe keys of the entries stored since the last merge, held in memory
//! by the store's thread and merged into the `seen` table in sorted runs.
//!
//! Why: the keys are random, so a key written into `seen` as its entry is
//! stored lands on a B-tree page of its own, and each such page is a frame
//! every commit writes and syncs: most of a commit's pages were dedupe pages.
//! Held here and merged [`MERGE_AT`] at a time in key order, many keys share
//! each page they touch, once.
//!
//! The file stays the truth. Every key held here is also its entry's `key`
//! column, and the counter `merged` says up to which entry id `seen` holds
//! them all, so a restarted process (or another one on the same file) reads
//! the keys after it back from `events` ([`Recent::catch_up`], under the
//! write lock). What a transaction changed here is undone with it ([`Mark`],
//! [`Recent::undo`], [`Recent::abort`]), so memory never holds a key the
//! file does not.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};

use super::counter;
use super::schema::key_hash;

/// Keys held before a merge of them into `seen` begins.
const MERGE_AT: usize = 32_768;
/// The longest a key waits for a merge to begin, while entries come.
const MERGE_AFTER: Duration = Duration::from_secs(60);
/// Keys a call writes into `seen` while a merge is under way. A merge is
/// spread over calls so that no commit waits for a whole one (at 2-3 µs a
/// key, a whole one held every answer for 100 ms and more), while each step
/// still covers one stretch of the key order, so the pages it writes are
/// the ones a whole merge would. (1024 a call: p99 12-19 ms under load, as
/// against 6.5-15 ms with 256, at the same throughput.)
const MERGE_STEP: usize = 256;

/// The counter naming the last entry id whose key `seen` holds.
pub(super) const MERGED: &str = "merged";

/// Where memory stands against the file: what a call or a transaction that
/// rolls back goes back to.
#[derive(Debug, Clone, Copy, Default)]
struct At {
    /// Every entry up to this id has its key held or in `seen`; `None`
    /// before the first catch-up.
    through: Option<i64>,
    /// `seen` holds the keys of every entry up to this id.
    floor: i64,
    /// When the oldest key not yet merged came.
    since: Option<Instant>,
    /// How much of the run under way is written.
    written: usize,
}

/// Where a call began, for [`Recent::undo`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Mark {
    changes: usize,
    at: At,
}

/// A merge under way: the committed keys of the entries up to `through`, in
/// key order, of which the first `written` are in `seen`.
#[derive(Debug)]
struct Run {
    keys: Vec<(i64, i64)>,
    /// The whole run expires with its last key, so that the expiry index
    /// too takes it in order (one expiry, then the hashes in order) rather
    /// than a page per key: a key is remembered for its window and at most
    /// the time the run took to gather ([`MERGE_AFTER`]) longer.
    expires_at: i64,
    through: i64,
}

/// The keys of entries with ids after `floor`, each with its entry and expiry.
#[derive(Debug, Default)]
pub(super) struct Recent {
    /// Key hash → (entry id, expires at, ms).
    keys: HashMap<i64, (i64, i64)>,
    at: At,
    /// The `floor` that `keys` was last trimmed to.
    trimmed: i64,
    run: Option<Run>,
    /// The open transaction's changes to `keys`: each hash and what it held.
    changes: Vec<(i64, Option<(i64, i64)>)>,
    /// Where the open transaction began, once a call began in it.
    begun: Option<At>,
}

impl Recent {
    /// Before a call runs in the open transaction.
    pub(super) fn mark(&mut self) -> Mark {
        self.begun.get_or_insert(self.at);
        Mark {
            changes: self.changes.len(),
            at: self.at,
        }
    }

    /// Takes back what was changed since `mark` (the call's savepoint rolled back).
    pub(super) fn undo(&mut self, mark: Mark) {
        while self.changes.len() > mark.changes {
            if let Some((hash, before)) = self.changes.pop() {
                match before {
                    Some(value) => self.keys.insert(hash, value),
                    None => self.keys.remove(&hash),
                };
            }
        }
        self.at = mark.at;
    }

    /// The open transaction committed: keep what it did, and forget the keys
    /// it (or another process) merged into `seen`.
    pub(super) fn commit(&mut self) {
        self.changes.clear();
        self.begun = None;
        if self
            .run
            .as_ref()
            .is_some_and(|run| self.at.written >= run.keys.len())
        {
            (self.run, self.at.written) = (None, 0);
        }
        if self.at.floor > self.trimmed {
            let floor = self.at.floor;
            self.keys.retain(|_, &mut (id, _)| id > floor);
            self.trimmed = floor;
            self.at.since = (!self.keys.is_empty()).then(Instant::now);
        }
    }

    /// The open transaction rolled back: so does everything it did here.
    pub(super) fn abort(&mut self) {
        if let Some(at) = self.begun.take() {
            self.undo(Mark { changes: 0, at });
        }
    }

    /// Reads the keys of entries stored after `through` (by another process,
    /// or before this one started) and what was merged meanwhile. Call it
    /// in a write transaction, before looking keys up.
    pub(super) fn catch_up(&mut self, c: &Connection, expires_at: i64) -> rusqlite::Result<()> {
        let merged = i64::try_from(counter(c, MERGED)?).unwrap_or(i64::MAX);
        self.at.floor = self.at.floor.max(merged);
        let mut through = self.at.through.unwrap_or(merged).max(merged);
        let mut newer = c.prepare_cached("SELECT id, key FROM events WHERE id > ?1 ORDER BY id")?;
        let mut rows = newer.query([through])?;
        // Committed by others: kept even if this transaction rolls back.
        while let Some(row) = rows.next()? {
            let (id, key): (i64, String) = (row.get(0)?, row.get(1)?);
            self.keys.insert(key_hash(&key), (id, expires_at));
            self.at.since.get_or_insert_with(Instant::now);
            through = id;
        }
        self.at.through = Some(through);
        Ok(())
    }

    /// The entry a key hash belongs to, while its window lasts.
    pub(super) fn get(&self, hash: i64, now: i64) -> Option<i64> {
        self.keys
            .get(&hash)
            .filter(|&&(_, expires_at)| expires_at > now)
            .map(|&(id, _)| id)
    }

    /// Holds the key of entry `id`, just stored. Another key with the same
    /// hash loses its place, as in `seen`: its repeats are stored again,
    /// this one is never dropped.
    pub(super) fn add(&mut self, hash: i64, id: i64, expires_at: i64) {
        let before = self.keys.insert(hash, (id, expires_at));
        self.changes.push((hash, before));
        self.at.through = Some(self.at.through.map_or(id, |t| t.max(id)));
        self.at.since.get_or_insert_with(Instant::now);
    }

    /// The last entry whose key is held and committed: the keys the open
    /// transaction added may still roll back.
    fn committed(&self) -> Option<i64> {
        match self.begun {
            Some(begun) if !self.changes.is_empty() => begun.through,
            _ => self.at.through,
        }
    }

    /// Begins a merge when many keys or old ones wait, and writes its next
    /// [`MERGE_STEP`] keys into `seen`. The call that writes the last moves
    /// the counter `merged` to the last entry the run covers.
    pub(super) fn merge_step(&mut self, c: &Connection, now: i64) -> rusqlite::Result<()> {
        if self.run.is_none() {
            let waiting = self.keys.len() >= MERGE_AT
                || self.at.since.is_some_and(|s| s.elapsed() >= MERGE_AFTER);
            match self.committed() {
                Some(through) if waiting && through > self.at.floor => self.begin_run(through, now),
                _ => return Ok(()),
            }
        }
        let Some(run) = &self.run else {
            return Ok(());
        };
        let end = (self.at.written + MERGE_STEP).min(run.keys.len());
        let mut insert = c.prepare_cached(
            "INSERT OR REPLACE INTO seen (hash, id, expires_at) VALUES (?1, ?2, ?3)",
        )?;
        for &(hash, id) in &run.keys[self.at.written..end] {
            insert.execute(params![hash, id, run.expires_at])?;
        }
        if end == run.keys.len() && self.at.floor < run.through {
            c.prepare_cached(
                "INSERT INTO counters (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)",
            )?
            .execute(params![MERGED, run.through])?;
            self.at.floor = self.at.floor.max(run.through);
        }
        self.at.written = end;
        Ok(())
    }

    /// Merges every committed key held, at once (`store prune`, before it
    /// removes entries).
    pub(super) fn merge_all(&mut self, c: &Connection, now: i64) -> rusqlite::Result<()> {
        if self.run.is_none() {
            match self.committed() {
                Some(through) if through > self.at.floor => self.begin_run(through, now),
                _ => return Ok(()),
            }
        }
        while self
            .run
            .as_ref()
            .is_some_and(|run| self.at.floor < run.through)
        {
            self.merge_step(c, now)?;
        }
        Ok(())
    }

    /// The keys of the entries after `floor` up to `through` (committed),
    /// still in their window, as a run in key order.
    fn begin_run(&mut self, through: i64, now: i64) {
        let floor = self.at.floor;
        let mut keys = Vec::with_capacity(self.keys.len());
        let mut expires_at = now;
        for (&hash, &(id, expires)) in &self.keys {
            if id > floor && id <= through && expires > now {
                keys.push((hash, id));
                expires_at = expires_at.max(expires);
            }
        }
        keys.sort_unstable();
        self.run = Some(Run {
            keys,
            expires_at,
            through,
        });
        self.at.written = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::OptionalExtension;

    const LATER: i64 = i64::MAX;

    #[test]
    fn a_call_rolled_back_takes_its_keys_with_it() {
        let mut recent = Recent::default();
        recent.mark();
        recent.add(1, 10, LATER);
        recent.commit();
        recent.mark();
        recent.add(2, 11, LATER);
        let mark = recent.mark();
        recent.add(1, 12, LATER);
        recent.add(3, 13, LATER);
        recent.undo(mark);
        assert_eq!(
            (recent.get(1, 0), recent.get(2, 0), recent.get(3, 0)),
            (Some(10), Some(11), None)
        );
        assert_eq!(recent.at.through, Some(11));
        recent.abort();
        assert_eq!((recent.get(1, 0), recent.get(2, 0)), (Some(10), None));
        assert_eq!(recent.at.through, Some(10));
    }

    #[test]
    fn a_key_past_its_window_is_not_found() {
        let mut recent = Recent::default();
        recent.add(1, 10, 500);
        assert_eq!(recent.get(1, 499), Some(10));
        assert_eq!(recent.get(1, 500), None);
    }

    fn file() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE seen (hash INTEGER PRIMARY KEY, id INTEGER NOT NULL,
                                expires_at INTEGER NOT NULL);
             CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);",
        )
        .unwrap();
        c
    }

    fn merged(c: &Connection) -> Option<i64> {
        c.query_row(
            "SELECT value FROM counters WHERE name = 'merged'",
            [],
            |r| r.get(0),
        )
        .optional()
        .unwrap()
    }

    #[test]
    fn merged_keys_are_forgotten_only_once_the_merge_committed() {
        let c = file();
        let mut recent = Recent::default();
        recent.mark();
        for (hash, id) in [(7, 1), (-3, 2), (5, 3)] {
            recent.add(hash, id, LATER);
        }
        recent.add(9, 4, 0);
        recent.commit();
        recent.mark();
        recent.merge_step(&c, 1).unwrap();
        assert_eq!(merged(&c), None, "neither many nor old: no merge yet");
        recent.merge_all(&c, 1).unwrap();
        let seen: Vec<(i64, i64)> = c
            .prepare("SELECT hash, id FROM seen ORDER BY rowid")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(seen, [(-3, 2), (5, 3), (7, 1)], "expired key left out");
        assert_eq!(recent.get(7, 0), Some(1), "still held until the commit");
        recent.abort();
        assert_eq!((recent.at.floor, recent.at.written), (0, 0));
        assert_eq!(recent.get(7, 0), Some(1));
        recent.mark();
        recent.merge_all(&c, 1).unwrap();
        recent.commit();
        assert_eq!((recent.get(7, 0), recent.keys.len()), (None, 0));
        assert_eq!(merged(&c), Some(4));
        assert!(recent.run.is_none());
    }

    #[test]
    fn a_merge_goes_a_step_a_call_and_leaves_out_what_may_roll_back() {
        let c = file();
        let mut recent = Recent::default();
        recent.mark();
        let total = i64::try_from(MERGE_AT).unwrap();
        for id in 1..=total {
            recent.add(id * 7919, id, LATER);
        }
        recent.commit();
        recent.mark();
        // Added in the transaction that begins the merge: not in its run.
        recent.add(-1, total + 1, LATER);
        recent.merge_step(&c, 1).unwrap();
        assert_eq!(recent.at.written, MERGE_STEP);
        recent.commit();
        let steps = MERGE_AT.div_ceil(MERGE_STEP);
        for step in 1..steps {
            recent.mark();
            recent.merge_step(&c, 1).unwrap();
            if step == 1 {
                // Rolled back: the step is written again by the next call.
                recent.abort();
                recent.mark();
                recent.merge_step(&c, 1).unwrap();
            }
            assert_eq!(merged(&c).is_some(), step == steps - 1, "step {step}");
            recent.commit();
        }
        assert_eq!(merged(&c), Some(total));
        assert_eq!((recent.keys.len(), recent.get(-1, 0)), (1, Some(total + 1)));
        let seen: i64 = c
            .query_row("SELECT count(*) FROM seen", [], |r| r.get(0))
            .unwrap();
        assert_eq!(seen, total);
    }
}
