//! The open connections as the accept loop sees them, for `max_connections`:
//! each connection shares a [`Slot`] with the loop (how many of its requests
//! are in service, since when it has been idle, whether it was told to go), and
//! at the limit the loop asks the longest-idle one to close ([`victim`]) rather
//! than turn a new sender away, so idle keep-alive connections or slow clients
//! that never finish a request head cannot lock senders out. A connection with
//! a request in service is never chosen: only when every one has one is the
//! newcomer refused. The `--metrics` listener keeps its connections the same
//! way, under a small fixed limit of its own.

use std::error::Error as StdError;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use hyper::body::{Body, Incoming};
use hyper::rt::{Read, Write};
use hyper::server::conn::http1;
use hyper::service::HttpService;
use tokio::sync::Notify;

/// How long an evicted connection with nothing in service gets to close on
/// its own (hyper closes a keep-alive-idle one at once, after flushing what it
/// wrote) before it is dropped: hyper does not close a connection that has not
/// finished a request head, so that one is cut.
const EVICTION_GRACE: Duration = Duration::from_millis(100);

/// What one connection shares with the accept loop.
pub(crate) struct Slot {
    epoch: Instant,
    /// Requests hyper has handed to the service and whose answer is not yet
    /// decided (HTTP/1.1: at most one).
    in_service: AtomicU32,
    /// Microseconds after `epoch`: when the last request left service, or the
    /// connection was accepted.
    idle_since: AtomicU64,
    evicted: AtomicBool,
    notify: Notify,
}

impl Slot {
    /// Counts a request in service until the guard is dropped.
    pub(crate) fn begin(self: &Arc<Slot>) -> InService {
        self.in_service.fetch_add(1, Ordering::AcqRel);
        InService(Arc::clone(self))
    }

    /// Nothing in service: dropping the connection loses nothing answered.
    pub(crate) fn idle(&self) -> bool {
        self.in_service.load(Ordering::Acquire) == 0
    }

    /// Resolves once the accept loop chose this connection to make room (at
    /// once if it did so earlier).
    pub(crate) async fn evicted(&self) {
        self.notify.notified().await;
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    fn seen(&self) -> Seen {
        Seen {
            in_service: self.in_service.load(Ordering::Acquire),
            idle_since: self.idle_since.load(Ordering::Acquire),
            evicted: self.evicted.load(Ordering::Acquire),
        }
    }
}

/// A request in service on a [`Slot`]; the connection is idle again from
/// when it is dropped (the handler's future ended, answered or cancelled).
pub(crate) struct InService(Arc<Slot>);

impl Drop for InService {
    fn drop(&mut self) {
        let slot = &self.0;
        // Stamped before the count falls, so a loop that sees it idle sees
        // since when.
        slot.idle_since.store(slot.now(), Ordering::Release);
        slot.in_service.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Closes `conn`, whose slot the accept loop evicted: hyper closes a
/// keep-alive-idle connection at once (flushing its last answer); one that has
/// not finished a request head it would keep until the read timeout, so that
/// one is dropped (`None`). A request that came in meanwhile is answered, then
/// the connection closes.
pub(crate) async fn close_evicted<I, S, B>(
    mut conn: Pin<&mut http1::Connection<I, S>>,
    slot: &Slot,
) -> Option<hyper::Result<()>>
where
    S: HttpService<Incoming, ResBody = B>,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
    I: Read + Write + Unpin,
    B: Body + 'static,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    conn.as_mut().graceful_shutdown();
    match tokio::time::timeout(EVICTION_GRACE, conn.as_mut()).await {
        Ok(result) => Some(result),
        Err(_) if slot.idle() => None,
        Err(_) => Some(conn.await),
    }
}

/// One connection's state as the victim choice reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Seen {
    pub in_service: u32,
    pub idle_since: u64,
    pub evicted: bool,
}

/// Which connection to close to admit a new one: among those not already
/// closing and with nothing in service, the one idle the longest (on a tie,
/// the first). `None` when every connection has a request in service.
pub(super) fn victim(connections: impl IntoIterator<Item = Seen>) -> Option<usize> {
    connections
        .into_iter()
        .enumerate()
        .filter(|(_, seen)| !seen.evicted && seen.in_service == 0)
        .min_by_key(|(_, seen)| seen.idle_since)
        .map(|(index, _)| index)
}

/// The accept loop's weak references to every open connection's slot (a
/// slot dies with its connection's task).
pub(crate) struct Connections {
    epoch: Instant,
    slots: Vec<Weak<Slot>>,
    /// Dead references are swept when the list reaches this length, so it
    /// stays within about twice the open connections.
    sweep_at: usize,
}

/// What the accept loop may do with a new connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Under the limit.
    Admit,
    /// At the limit: an idle connection was told to close.
    Evicted,
    /// At the limit and every connection has a request in service, or too
    /// many are still closing.
    Refuse,
}

impl Connections {
    pub(crate) fn new() -> Connections {
        Connections {
            epoch: Instant::now(),
            slots: Vec::new(),
            sweep_at: 64,
        }
    }

    /// A slot for a connection just accepted, idle since now.
    pub(crate) fn admit(&mut self) -> Arc<Slot> {
        let slot = Arc::new(Slot {
            epoch: self.epoch,
            in_service: AtomicU32::new(0),
            idle_since: AtomicU64::new(0),
            evicted: AtomicBool::new(false),
            notify: Notify::new(),
        });
        slot.idle_since.store(slot.now(), Ordering::Release);
        if self.slots.len() >= self.sweep_at {
            self.slots.retain(|slot| slot.strong_count() > 0);
            self.sweep_at = (self.slots.len() * 2).max(64);
        }
        self.slots.push(Arc::downgrade(&slot));
        slot
    }

    /// Decides on a new connection given the `limit` of connections served
    /// at once and `most` open at all (the closing ones too, whose
    /// descriptors are not free yet); at the limit, tells the victim to go.
    pub(crate) fn make_room(&mut self, open: usize, limit: usize, most: usize) -> Admission {
        if open < limit {
            return Admission::Admit;
        }
        let live: Vec<Arc<Slot>> = self.slots.iter().filter_map(Weak::upgrade).collect();
        let closing = live.iter().filter(|slot| slot.seen().evicted).count();
        if open.saturating_sub(closing) < limit {
            return Admission::Admit;
        }
        if open >= most {
            return Admission::Refuse;
        }
        match victim(live.iter().map(|slot| slot.seen())) {
            Some(index) => {
                let slot = &live[index];
                slot.evicted.store(true, Ordering::Release);
                // A stored permit: the connection may not be waiting yet.
                slot.notify.notify_one();
                Admission::Evicted
            }
            None => Admission::Refuse,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(in_service: u32, idle_since: u64, evicted: bool) -> Seen {
        Seen {
            in_service,
            idle_since,
            evicted,
        }
    }

    #[test]
    fn the_longest_idle_connection_goes_first() {
        let table: Vec<(Vec<Seen>, Option<usize>)> = vec![
            (vec![], None),
            (vec![seen(0, 5, false)], Some(0)),
            (
                vec![seen(0, 30, false), seen(0, 10, false), seen(0, 20, false)],
                Some(1),
            ),
            // Busy ones are never chosen, however long ago they were idle.
            (vec![seen(1, 1, false), seen(0, 50, false)], Some(1)),
            (vec![seen(1, 1, false), seen(1, 2, false)], None),
            // Nor ones already closing.
            (vec![seen(0, 1, true), seen(0, 9, false)], Some(1)),
            (vec![seen(0, 1, true)], None),
            // A tie: the first (accepted earlier).
            (vec![seen(0, 7, false), seen(0, 7, false)], Some(0)),
        ];
        for (connections, want) in table {
            assert_eq!(victim(connections.clone()), want, "{connections:?}");
        }
    }

    #[test]
    fn room_is_made_only_at_the_limit_and_never_from_a_busy_connection() {
        let mut connections = Connections::new();
        let first = connections.admit();
        let second = connections.admit();
        assert_eq!(connections.make_room(1, 2, 4), Admission::Admit);
        let busy = first.begin();
        assert_eq!(connections.make_room(2, 2, 4), Admission::Evicted);
        assert!(second.seen().evicted && !first.seen().evicted);
        // The closing one does not count against the limit.
        assert_eq!(connections.make_room(2, 2, 4), Admission::Admit);
        let third = connections.admit();
        let also_busy = third.begin();
        assert_eq!(connections.make_room(3, 2, 4), Admission::Refuse);
        drop(busy);
        assert!(first.idle());
        assert_eq!(connections.make_room(3, 2, 4), Admission::Evicted);
        assert!(first.seen().evicted && !third.seen().evicted);
        drop(also_busy);
        // Too many still closing: refused although one is idle.
        assert_eq!(connections.make_room(4, 2, 4), Admission::Refuse);
    }

    #[test]
    fn leaving_service_restamps_idle_since() {
        let mut connections = Connections::new();
        let slot = connections.admit();
        let accepted = slot.seen().idle_since;
        std::thread::sleep(Duration::from_millis(2));
        drop(slot.begin());
        assert!(slot.seen().idle_since > accepted);
        assert!(slot.idle());
    }

    #[test]
    fn dead_slots_are_swept() {
        let mut connections = Connections::new();
        for _ in 0..1000 {
            drop(connections.admit());
        }
        assert!(connections.slots.len() <= 64, "{}", connections.slots.len());
    }
}
