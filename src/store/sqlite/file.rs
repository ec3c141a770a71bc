//! The database file itself: whether the file a connection has open is still
//! the one its path names, and SQLite's errors about the file in words, with
//! what to do about them (a lock held by another process, a file that is not
//! a database, one that was deleted or replaced while open).

use std::ffi::c_int;

use rusqlite::{Connection, ErrorCode, ffi};

use super::schema::BUSY_TIMEOUT;
use crate::error::Error;

/// Why every call fails once the file was found deleted or replaced.
pub(super) const MOVED: &str = "the database file was deleted or replaced while the store had it \
     open: nothing more is written to it, since nobody would read it";

/// Whether the file the connection has open is no longer the one its path
/// names: deleted, renamed, or replaced by another file (SQLite's
/// `SQLITE_FCNTL_HAS_MOVED`, one `stat` of the path). A commit into such a
/// file is lost with it, and a second connection opened at the path meanwhile
/// would pair the new file with the old one's WAL, so the store stops writing.
pub(super) fn has_moved(connection: &Connection) -> bool {
    let mut moved: c_int = 0;
    // SAFETY: the handle is this connection's, valid while it lives, and is
    // not used from another thread meanwhile (the connection is borrowed);
    // the opcode writes one int through the pointer, which outlives the call.
    let answer = unsafe {
        ffi::sqlite3_file_control(
            connection.handle(),
            c"main".as_ptr(),
            ffi::SQLITE_FCNTL_HAS_MOVED,
            (&raw mut moved).cast(),
        )
    };
    answer == ffi::SQLITE_OK && moved != 0
}

/// How [`why`] begins for a file another process holds locked.
const LOCKED: &str = "the database is locked by another process";
const LOCK_HINT: &str = "another program holds the file's write lock (a sqlite3 shell or a \
     backup inside a transaction); the store takes writes again once it commits or ends";

/// What a failed statement says; a busy or locked file names the lock and
/// how long it was waited for.
pub(super) fn why(error: &rusqlite::Error) -> String {
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => format!(
            "{LOCKED} (waited {} for it)",
            humantime::format_duration(BUSY_TIMEOUT)
        ),
        _ => error.to_string(),
    }
}

/// The hint for a call's failure, when there is one to give.
pub(super) fn hint(reason: &str) -> Option<&'static str> {
    if reason == MOVED {
        Some(
            "stop ingest and deliver, then start them again once the file is back where it \
             was (with its -wal file beside it), or with a new --store path",
        )
    } else if reason.starts_with(LOCKED) {
        Some(LOCK_HINT)
    } else {
        None
    }
}

/// The error for another program's database, which holds these tables.
pub(super) fn foreign(name: &str, tables: &str) -> Error {
    Error::input(format!(
        "cannot open the store {name}: it is a SQLite database, but not a wm-hooks store \
         (its tables: {tables}); nothing was written to it"
    ))
    .with_hint("name a new file, or the file ingest made")
}

/// The error for a file the store cannot open (`name` is its URL).
pub(super) fn not_opened(name: &str, error: &rusqlite::Error) -> Error {
    match error.sqlite_error_code() {
        // Opening may write (WAL mode, an older file brought up to date).
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            Error::unreachable(format!("cannot open the store {name}: {}", why(error)))
                .with_hint(LOCK_HINT)
        }
        Some(ErrorCode::NotADatabase) => Error::input(format!(
            "cannot open the store {name}: the file is not a SQLite database"
        ))
        .with_hint("name a new file, or the file ingest made; this one holds something else"),
        _ => Error::input(format!("cannot open the store {name}: {error}"))
            .with_hint("the directory must exist and be writable"),
    }
}
