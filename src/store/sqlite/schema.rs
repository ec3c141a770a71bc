//! The file's tables, and opening a file: the pragmas that make a commit
//! durable, the schema, and the one-time moves of files made by older
//! versions (the `dedupe` table, the `merged` counter).

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior, params};
use sha2::{Digest, Sha256};

use super::{file, recent};
use crate::error::Error;

/// How long a transaction waits for another process's (`deliver` beside
/// `ingest`, or anything holding the file locked) before it fails. Well inside
/// the platform's 5 s budget: a POST that finds the file locked is answered
/// 503 (and retried) in time, not cut off as a timeout. The calls that queued
/// meanwhile fail with the one that waited, so none waits twice.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT NOT NULL,
    event       TEXT,
    message_id  TEXT,
    received_at TEXT NOT NULL,
    headers     TEXT NOT NULL,
    body        BLOB NOT NULL,
    secret      TEXT NOT NULL,
    headers_base64 TEXT,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    ready_at    INTEGER NOT NULL DEFAULT 0,
    leased_by   TEXT,
    last_error  TEXT,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS events_pending ON events (id, ready_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS events_dead ON events (id) WHERE state = 'dead';
CREATE TABLE IF NOT EXISTS seen (
    hash       INTEGER PRIMARY KEY,
    id         INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS seen_expiry ON seen (expires_at);
CREATE TABLE IF NOT EXISTS counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS dead AS
    SELECT id, key, event, message_id, received_at, headers, body, secret, attempts,
           last_error AS error, finished_at AS failed_at
    FROM events WHERE state = 'dead';
";

/// Opens the store's file at `path` (named `name` in errors), made ready:
/// durable commits, the schema, older files brought up to date. A file of
/// another program is refused before anything is written to it.
pub(super) fn connect(path: &Path, name: &str) -> Result<Connection, Error> {
    let refused = |e: rusqlite::Error| file::not_opened(name, &e);
    let connection = Connection::open(path).map_err(refused)?;
    connection.busy_timeout(BUSY_TIMEOUT).map_err(refused)?;
    if let Some(tables) = foreign(&connection).map_err(refused)? {
        return Err(file::foreign(name, &tables));
    }
    ready(&connection).map_err(refused)?;
    Ok(connection)
}

/// Opens a second connection to the file [`connect`] made ready, for reads
/// only: SQLite refuses it any write (`query_only`), and it creates nothing.
pub(super) fn connect_reader(path: &Path, name: &str) -> Result<Connection, Error> {
    let refused = |e: rusqlite::Error| file::not_opened(name, &e);
    let flags = OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE;
    let connection = Connection::open_with_flags(path, flags).map_err(refused)?;
    connection.busy_timeout(BUSY_TIMEOUT).map_err(refused)?;
    connection
        .pragma_update(None, "query_only", true)
        .map_err(refused)?;
    Ok(connection)
}

/// The tables of a database that is not a store (none of the store's
/// tables, or an `events` table without the store's columns); `None` for a
/// store, or a new file.
fn foreign(connection: &Connection) -> rusqlite::Result<Option<String>> {
    let mut names = connection.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
         ORDER BY name",
    )?;
    let tables = names
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let ours = ["events", "seen", "counters", "dedupe"];
    let columns: i64 = connection.query_row(
        "SELECT count(*) FROM pragma_table_info('events') WHERE name IN ('key', 'body', 'state')",
        [],
        |row| row.get(0),
    )?;
    let has_events = tables.iter().any(|t| t == "events");
    let store = tables.is_empty()
        || (has_events && columns == 3)
        || (!has_events && tables.iter().any(|t| ours.contains(&t.as_str())));
    Ok((!store).then(|| tables.join(", ")))
}

fn ready(connection: &Connection) -> rusqlite::Result<()> {
    // WAL: readers (store stats) and the writer never wait for each other. FULL: the WAL is
    // synced at every commit, so a commit survives power loss, not only a crash.
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    // A savepoint's sub-journal in memory, not in a temporary file opened,
    // written and deleted for every transaction.
    connection.pragma_update(None, "temp_store", "MEMORY")?;
    // 8 MiB of pages (the default is 2 MiB), so the dedupe index's lookups
    // stay in memory under load.
    connection.pragma_update(None, "cache_size", -8192)?;
    connection.execute_batch(SCHEMA)?;
    add_headers_base64(connection)?;
    migrate_dedupe(connection)?;
    start_merged(connection)?;
    Ok(())
}

/// Sets the counter `merged` (up to which entry `seen` holds the keys) on a
/// file that has none: a new one, or one from a version that wrote every key
/// into `seen` as it stored its entry, so that all of them are there. Read
/// first, so that an ordinary open writes nothing.
fn start_merged(connection: &Connection) -> rusqlite::Result<()> {
    let known: bool = connection.query_row(
        "SELECT count(*) > 0 FROM counters WHERE name = ?1",
        [recent::MERGED],
        |row| row.get(0),
    )?;
    if !known {
        connection.execute(
            "INSERT OR IGNORE INTO counters (name, value)
             SELECT ?1, coalesce(max(id), 0) FROM events",
            [recent::MERGED],
        )?;
    }
    Ok(())
}

/// The row of `seen` a dedupe key has: the first 8 bytes of its SHA-256.
///
/// An integer row is a fifth the size of the key's text, so more keys share
/// a page of the table's B-tree (and the expiry index holds integers too).
/// Two keys with one hash are told apart by the stored entry's own `key`
/// (see `append`).
pub(super) fn key_hash(key: &str) -> i64 {
    let digest = Sha256::digest(key.as_bytes());
    let mut first = [0; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_le_bytes(first)
}

/// Adds the column `headers_base64` to the `events` of a file made before
/// it, once: with the write lock held from the start and the column looked
/// for again under it, so two processes opening the file at once do not
/// both add it.
fn add_headers_base64(connection: &Connection) -> rusqlite::Result<()> {
    let has = "SELECT count(*) > 0 FROM pragma_table_info('events') WHERE name = 'headers_base64'";
    if connection.query_row(has, [], |row| row.get::<_, bool>(0))? {
        return Ok(());
    }
    let transaction =
        rusqlite::Transaction::new_unchecked(connection, TransactionBehavior::Immediate)?;
    if !transaction.query_row(has, [], |row| row.get::<_, bool>(0))? {
        transaction.execute_batch("ALTER TABLE events ADD COLUMN headers_base64 TEXT")?;
    }
    transaction.commit()
}

/// Moves the keys of a file made with the older `dedupe` table (the key's
/// text as its primary key) into `seen`, once, in one transaction that holds
/// the write lock from its start, so two processes opening the file at once
/// neither deadlock nor both move them.
fn migrate_dedupe(connection: &Connection) -> rusqlite::Result<()> {
    let old = "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'dedupe'";
    if !connection.query_row(old, [], |row| row.get::<_, bool>(0))? {
        return Ok(());
    }
    let transaction =
        rusqlite::Transaction::new_unchecked(connection, TransactionBehavior::Immediate)?;
    if !transaction.query_row(old, [], |row| row.get::<_, bool>(0))? {
        return Ok(());
    }
    {
        let mut old = transaction.prepare("SELECT key, id, expires_at FROM dedupe")?;
        let mut seen = transaction
            .prepare("INSERT OR REPLACE INTO seen (hash, id, expires_at) VALUES (?1, ?2, ?3)")?;
        let mut rows = old.query([])?;
        while let Some(row) = rows.next()? {
            let key: String = row.get(0)?;
            seen.execute(params![
                key_hash(&key),
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?
            ])?;
        }
    }
    transaction.execute_batch("DROP TABLE dedupe")?;
    transaction.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_file_gets_the_headers_base64_column_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let old = Connection::open(&path).unwrap();
        old.execute_batch(
            "CREATE TABLE events (
                 id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, event TEXT,
                 message_id TEXT, received_at TEXT NOT NULL, headers TEXT NOT NULL,
                 body BLOB NOT NULL, secret TEXT NOT NULL,
                 state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
                 ready_at INTEGER NOT NULL DEFAULT 0, leased_by TEXT, last_error TEXT,
                 finished_at TEXT);
             INSERT INTO events (key, received_at, headers, body, secret)
                 VALUES ('k', 't', '{}', x'00', 'current');",
        )
        .unwrap();
        drop(old);
        for _ in 0..2 {
            let opened = connect(&path, "sqlite:s.db").unwrap();
            let kept: Option<String> = opened
                .query_row("SELECT headers_base64 FROM events", [], |r| r.get(0))
                .unwrap();
            assert_eq!(kept, None, "the entry stored before keeps no bytes");
        }
    }
}
