//! A SQLite store that goes wrong under a running `ingest`, with real files:
//! the database deleted or replaced by another while it is open (whatever is
//! written then goes to a file nobody will read: every POST is 503, never
//! 2xx), a file that is not a store (exit 2 at the start, with a hint that
//! fits), and a file another process holds locked while it is opened (exit 3,
//! naming the lock); reads (`store stats`, `store dead`) that answer while
//! another process holds the write lock, and writes that wait for it.

use rusqlite::Connection;

use crate::util::listen::{Listener, SECRET, post_signed, wait_for};
use crate::util::store::status_body;
use crate::util::{Ended, wm_hooks};

const MOVED: &str = "was deleted or replaced while the store had it open";

/// The error for a file whose lock another process held too long, and its hint.
fn assert_names_the_lock(stderr: &str) {
    assert!(
        stderr.contains("the database is locked by another process (waited 2s for it)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: another program holds the file's write lock"),
        "{stderr}"
    );
}

#[test]
fn a_database_deleted_or_replaced_under_ingest_is_answered_503_never_2xx() {
    for replaced in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.db");
        let url = format!("sqlite:{}", path.display());
        let running = Listener::run(
            &["ingest", "--port", "0", "--store", &url],
            &[("WM_HOOKS_SECRET", SECRET)],
        );
        assert_eq!(post_signed(&running.url, status_body(1)).status, 200);
        if replaced {
            // Another program's database moved over it (a restore, a mistake).
            let other = dir.path().join("other.db");
            Connection::open(&other)
                .unwrap()
                .execute_batch("CREATE TABLE notes (text TEXT)")
                .unwrap();
            std::fs::rename(&other, &path).unwrap();
        } else {
            std::fs::remove_file(&path).unwrap();
        }
        for i in 2..5 {
            let reply = post_signed(&running.url, status_body(i));
            assert_eq!(reply.status, 503, "m{i} (replaced: {replaced})");
            assert_eq!(reply.headers["retry-after"], "30");
        }
        let stderr = wait_for(|| running.stderr(), |s| s.contains("hint:"), "the error");
        assert!(stderr.contains(MOVED), "{stderr}");
        assert!(stderr.contains("hint: stop ingest and deliver"), "{stderr}");
        let stderr = running.stop().exited(0).stderr;
        assert!(stderr.contains("3 answered 503 (store failed)"), "{stderr}");
        if replaced {
            // Nothing of the store's was written into the file now there.
            let tables: i64 = Connection::open(&path)
                .unwrap()
                .query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE name = 'events'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(tables, 0);
        }
    }
}

#[test]
fn a_file_that_is_not_a_store_is_exit_2_naming_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, "junk\n".repeat(200)).unwrap();
    // Another program's database, with a table of the store's name: opened,
    // it would have been switched to WAL and given the store's tables.
    let other = dir.path().join("other.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE events (x); INSERT INTO events VALUES (1);")
        .unwrap();
    for (path, said) in [
        (&junk, "the file is not a SQLite database"),
        (
            &other,
            "it is a SQLite database, but not a wm-hooks store (its tables: events)",
        ),
    ] {
        let before = std::fs::read(path).unwrap();
        let url = format!("sqlite:{}", path.display());
        for args in [
            &["ingest", "--port", "0", "--store", &url][..],
            &["deliver", "--from", &url, "--to", "http://127.0.0.1:9/"],
            &["store", "stats", "--store", &url],
        ] {
            let stderr = Ended::run(wm_hooks().env("WM_HOOKS_SECRET", SECRET).args(args))
                .exited(2)
                .stderr;
            assert!(stderr.contains(said), "{stderr}");
            assert!(
                stderr.contains("hint: name a new file, or the file ingest made"),
                "{stderr}"
            );
            assert!(!stderr.contains("directory"), "{stderr}");
            assert!(!stderr.contains("CREATE"), "no SQL: {stderr}");
        }
        assert!(
            std::fs::read(path).unwrap() == before,
            "{} left as it was",
            path.display()
        );
    }
}

#[test]
fn a_file_locked_by_another_process_while_it_is_opened_names_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    // A store not in WAL mode yet (as another tool may leave it): opening
    // switches it, which takes the file's lock.
    let url = format!("sqlite:{}", path.display());
    let holder = Connection::open(&path).unwrap();
    holder
        .execute_batch(
            "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
             BEGIN EXCLUSIVE;",
        )
        .unwrap();
    let stats = || Ended::run(wm_hooks().args(["store", "stats", "--store", &url]));
    let started = std::time::Instant::now();
    let stderr = stats().exited(3).stderr;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_names_the_lock(&stderr);
    assert!(!stderr.contains("directory"), "{stderr}");
    holder.execute_batch("COMMIT").unwrap();
    stats().exited(0);
}

#[test]
fn reads_answer_at_once_while_another_process_holds_the_write_lock_and_writes_wait() {
    let store = crate::util::store::TestStore::sqlite();
    store.append(&(1..4).map(status_body).collect::<Vec<_>>());
    let path = store.url.strip_prefix("sqlite:").unwrap();
    // Another process's writer (an ingest under load, a sqlite3 shell) in
    // the middle of a transaction, with a write of its own not yet committed.
    let holder = Connection::open(path).unwrap();
    holder
        .execute_batch(
            "BEGIN IMMEDIATE;
             UPDATE counters SET value = value + 100 WHERE name = 'stored';",
        )
        .unwrap();
    let started = std::time::Instant::now();
    let stats = store.stats();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(1),
        "stats answered after {:?}",
        started.elapsed()
    );
    // What is committed, not what the holder has yet to commit.
    assert_eq!(stats["stored"], 3, "{stats}");
    assert_eq!(stats["pending"], 3, "{stats}");
    Ended::run(wm_hooks().args(["store", "dead", "--json", "--store", &store.url])).exited(0);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    // A write waits for the lock as long as ever, then names it.
    for args in [
        &["store", "redrive", "--all"][..],
        &["store", "prune", "--older-than", "1h"],
    ] {
        let started = std::time::Instant::now();
        let ended = Ended::run(wm_hooks().args(args).args(["--store", &store.url])).exited(3);
        assert!(started.elapsed() >= std::time::Duration::from_secs(2));
        assert_names_the_lock(&ended.stderr);
    }
    holder.execute_batch("ROLLBACK").unwrap();
    Ended::run(wm_hooks().args(["store", "redrive", "--all", "--store", &store.url])).exited(0);
}
