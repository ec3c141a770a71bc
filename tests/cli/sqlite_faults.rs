//! A SQLite store that goes wrong under a running `ingest`, with real files:
//! the database deleted or replaced by another while it is open (whatever is
//! written then goes to a file nobody will read: every POST is 503, never
//! 2xx).

use rusqlite::Connection;

use crate::util::listen::{Listener, SECRET, post_signed, wait_for};
use crate::util::store::status_body;

const MOVED: &str = "was deleted or replaced while the store had it open";

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
        let stopped = running.stop();
        assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
        assert!(
            stopped.stderr.contains("3 answered 503 (store failed)"),
            "{}",
            stopped.stderr
        );
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
