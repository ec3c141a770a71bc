//! The store's thread: it owns the connection, runs the calls that queue up for it
//! in one open transaction (each in its own savepoint), commits when [`Gather`] says,
//! then answers them; and the checkpoint thread beside it. It also holds the
//! dedupe keys not yet merged ([`Recent`]), and undoes a call's changes to
//! them when the call or its transaction rolls back. Beside them, the reading
//! thread, which runs each read in a read transaction of its own.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use rusqlite::{Connection, TransactionBehavior};

use super::expire_dedupe;
use super::file::{MOVED, has_moved, why};
use super::recent::Recent;

/// Calls run in one transaction at most.
const MAX_BATCH: usize = 512;

/// Runs after the call's savepoint: with the transaction's outcome.
pub(super) type Finish = Box<dyn FnOnce(std::result::Result<(), String>) + Send>;
/// One call: runs its statements in the transaction begun, says whether they
/// succeeded; given why, when no transaction could begin, it answers that.
pub(super) type Job =
    Box<dyn FnOnce(std::result::Result<(&Connection, &mut Recent), &str>) -> (bool, Finish) + Send>;

/// How long a transaction waits for more calls before it commits. After a
/// commit the callers it answered come back (a sender answered sends its
/// next event), so the next transaction stays open until a quarter of that
/// commit's time has passed, and for [`IDLE_GAP`] after each call that came
/// while it was open: calls keep coming while senders return. Never past
/// [`MAX_OPEN`] from its start (the open transaction holds the file's write
/// lock), and a call on an idle store is committed at once.
#[derive(Debug, Clone, Copy)]
struct Gather {
    /// When the last commit finished and how long it took.
    last_commit: Option<(Instant, Duration)>,
}

/// The wait after a call that came while the transaction was open.
const IDLE_GAP: Duration = Duration::from_micros(250);
/// The longest a transaction stays open for more calls.
const MAX_OPEN: Duration = Duration::from_millis(4);
/// The part of the last commit's time that the next transaction waits.
const COMMIT_PART: u32 = 4;

impl Gather {
    /// Until when a transaction opened at `opened` waits for more calls,
    /// having run `calls` of them, the last one at `now`.
    fn until(&self, opened: Instant, calls: usize, now: Instant) -> Instant {
        let answered = match self.last_commit {
            Some((at, took)) => at + took / COMMIT_PART,
            None => opened,
        };
        let coming = if calls > 1 { now + IDLE_GAP } else { opened };
        answered.max(coming).min(opened + MAX_OPEN)
    }
}

/// The least time between two checkpoints of the checkpoint thread.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(10);

/// The checkpoint thread: after commits (nudged, at most every
/// [`CHECKPOINT_EVERY`]), copies what the WAL holds into the database file
/// with a PASSIVE checkpoint, which never blocks the writer. The copying and
/// the database file's fsync then happen beside the commits, not in one of
/// them: the writer's own automatic checkpoint (every 1000 pages, the last
/// step that lets the WAL start over) finds almost everything copied already.
pub(super) fn checkpoint(connection: &Connection, nudges: &mpsc::Receiver<()>) {
    while nudges.recv().is_ok() {
        // Busy (the writer is checkpointing itself) or failing: the next try does it.
        let _ = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        std::thread::sleep(CHECKPOINT_EVERY);
    }
}

/// One read, run on the reading connection.
pub(super) type Read = Box<dyn FnOnce(&mut Connection) + Send>;

/// The reading thread: runs each read as it comes (see [`snapshot`]).
pub(super) fn read(mut connection: Connection, queue: &mpsc::Receiver<Read>) {
    while let Ok(job) = queue.recv() {
        job(&mut connection);
    }
}

/// Runs `statements` in a deferred transaction, which takes no lock to
/// begin: its first read fixes what it sees (what was committed then), and
/// in WAL mode that needs no lock a writer holds. A file found deleted or
/// replaced is not read: it is no longer the store.
pub(super) fn snapshot<T>(
    connection: &mut Connection,
    statements: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> std::result::Result<T, String> {
    if has_moved(connection) {
        return Err(MOVED.to_string());
    }
    let transaction = connection
        .transaction_with_behavior(TransactionBehavior::Deferred)
        .map_err(|e| why(&e))?;
    let value = statements(&transaction).map_err(|e| why(&e))?;
    transaction.commit().map_err(|e| why(&e))?;
    Ok(value)
}

/// The connection's thread: runs calls as they come in one open transaction,
/// commits it when [`Gather`] says, then answers them all and nudges the
/// checkpoint thread.
pub(super) fn work(
    mut connection: Connection,
    queue: &mpsc::Receiver<Job>,
    nudge: Option<&mpsc::SyncSender<()>>,
) {
    let mut gather = Gather { last_commit: None };
    let mut recent = Recent::default();
    // Once the file was found deleted or replaced, every call fails.
    let mut moved = false;
    while let Ok(first) = queue.recv() {
        let opened = Instant::now();
        if moved {
            fail(first, queue, MOVED);
            continue;
        }
        let mut transaction =
            match connection.transaction_with_behavior(TransactionBehavior::Immediate) {
                Ok(transaction) => transaction,
                Err(error) => {
                    fail(first, queue, &why(&error));
                    continue;
                }
            };
        let finishes = match run_open(&mut transaction, &mut recent, first, queue, &gather, opened)
        {
            Ok(finishes) => finishes,
            // Unusable (rolled back on drop): every call in it fails with the reason.
            Err((reason, finishes)) => {
                recent.abort();
                for finish in finishes {
                    finish(Err(reason.clone()));
                }
                continue;
            }
        };
        expire_dedupe(&mut transaction);
        let committing = Instant::now();
        let committed = transaction.commit().map_err(|e| why(&e));
        // Committed into a file the path no longer names: as good as lost,
        // so not answered as stored (one stat of the path per transaction).
        moved = has_moved(&connection);
        let committed = committed.and_then(|()| match moved {
            true => Err(MOVED.to_string()),
            false => Ok(()),
        });
        match committed {
            Ok(()) => recent.commit(),
            Err(_) => recent.abort(),
        }
        let done = Instant::now();
        gather.last_commit = Some((done, done - committing));
        if let Some(nudge) = nudge {
            // Full: a nudge is already waiting, which is as good.
            let _ = nudge.try_send(());
        }
        for finish in finishes {
            finish(committed.clone());
        }
    }
}

/// Fails `first` and the calls queued behind it, for a transaction that did
/// not begin: they fail with it (after a wait for a lock, each waiting in
/// turn would answer the last of them many waits late).
fn fail(first: Job, queue: &mpsc::Receiver<Job>, reason: &str) {
    for job in std::iter::once(first).chain(queue.try_iter()) {
        let (_, finish) = job(Err(reason));
        finish(Err(reason.to_string()));
    }
}

/// Runs `first`, then each call that comes while [`Gather`] keeps the
/// transaction open. When one left the transaction unusable: why, and the
/// calls run so far (that one included), which must all fail.
fn run_open(
    transaction: &mut rusqlite::Transaction<'_>,
    recent: &mut Recent,
    first: Job,
    queue: &mpsc::Receiver<Job>,
    gather: &Gather,
    opened: Instant,
) -> Result<Vec<Finish>, (String, Vec<Finish>)> {
    let mut finishes = Vec::new();
    let mut next = Some(first);
    while let Some(job) = next.take() {
        match run_job(transaction, recent, job) {
            Ok(finish) => finishes.push(finish),
            Err((reason, finish)) => {
                finishes.push(finish);
                return Err((reason, finishes));
            }
        }
        if finishes.len() >= MAX_BATCH {
            break;
        }
        let until = gather.until(opened, finishes.len(), Instant::now());
        next = match queue.try_recv() {
            Ok(job) => Some(job),
            Err(mpsc::TryRecvError::Disconnected) => None,
            Err(mpsc::TryRecvError::Empty) => until
                .checked_duration_since(Instant::now())
                .and_then(|wait| queue.recv_timeout(wait).ok()),
        };
    }
    Ok(finishes)
}

/// Runs one call in its own savepoint of `transaction`; when the savepoint
/// could not be made or kept (the transaction is unusable then), why.
fn run_job(
    transaction: &mut rusqlite::Transaction<'_>,
    recent: &mut Recent,
    job: Job,
) -> Result<Finish, (String, Finish)> {
    let savepoint = match transaction.savepoint() {
        Ok(savepoint) => savepoint,
        Err(error) => {
            let reason = why(&error);
            let (_, finish) = job(Err(&reason));
            return Err((reason, finish));
        }
    };
    let mark = recent.mark();
    let (ok, finish) = job(Ok((&savepoint, recent)));
    // A savepoint dropped without commit rolls back that call alone.
    if !ok {
        recent.undo(mark);
    } else if let Err(error) = savepoint.commit() {
        return Err((why(&error), finish));
    }
    Ok(finish)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_store_commits_a_lone_call_at_once() {
        let opened = Instant::now();
        let never = Gather { last_commit: None };
        assert_eq!(never.until(opened, 1, opened), opened);
        let long_ago = Gather {
            last_commit: Some((opened - Duration::from_secs(1), Duration::from_millis(2))),
        };
        assert_eq!(long_ago.until(opened, 1, opened), opened);
    }

    #[test]
    fn a_transaction_waits_for_the_callers_the_last_commit_answered() {
        let at = Instant::now();
        let gather = Gather {
            last_commit: Some((at, Duration::from_millis(2))),
        };
        let opened = at + Duration::from_micros(100);
        assert_eq!(
            gather.until(opened, 1, opened),
            at + Duration::from_micros(500)
        );
        // A slow commit's share is capped by how long a transaction stays open.
        let slow = Gather {
            last_commit: Some((at, Duration::from_secs(1))),
        };
        assert_eq!(slow.until(opened, 1, opened), opened + MAX_OPEN);
    }

    #[test]
    fn calls_that_keep_coming_keep_it_open_but_not_past_its_limit() {
        let opened = Instant::now();
        let gather = Gather { last_commit: None };
        let now = opened + Duration::from_millis(1);
        assert_eq!(gather.until(opened, 2, now), now + IDLE_GAP);
        let late = opened + MAX_OPEN;
        assert_eq!(gather.until(opened, 9, late), opened + MAX_OPEN);
    }
}
