//! Durable queues for `ingest` and `deliver`, behind the one [`Store`] trait:
//! [`sqlite`] (one file, one machine, the default) and [`redis`] (a Redis
//! stream with a consumer group, for several machines). Also the store URL
//! ([`url`]) and the values that cross the trait. Never prints.
//!
//! The life of an entry is the same in both: [`Store::append`] stores it
//! (or counts it as a duplicate of one stored within the dedupe window);
//! [`Store::claim`] leases ready entries to one consumer for `lease`; the
//! consumer then tells [`Store::settle`] how each attempt ended (delivered,
//! to retry, dead), many at once ([`settler`] batches them). A lease that runs out (its consumer died) makes the entry
//! ready again, so delivery is at least once. Dead letters go back with
//! [`Store::redrive`]; delivered entries leave with [`Store::prune`].

pub mod redis;
pub mod settler;
pub mod sqlite;
pub mod url;

use std::future::Future;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use serde::Serialize;

use crate::error::{Error, Result};
pub use url::StoreUrl;

/// The store used when none is named.
pub const DEFAULT_STORE: &str = "sqlite:wm-hooks.db";
/// The environment variable read when `--store` / `--from` is not given (a
/// Redis URL can carry a password, which the process list would show).
pub const STORE_ENV: &str = "WM_HOOKS_STORE";
/// The platform's retry horizon: an event failing for this long is dropped.
pub const RETRY_HORIZON: Duration = Duration::from_secs(24 * 3600);
/// The Redis stream used when the URL names none.
pub const DEFAULT_STREAM: &str = "wm-hooks:events";

/// Which secret verified an event, during a rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretUsed {
    Current,
    Previous,
}

impl SecretUsed {
    pub fn name(self) -> &'static str {
        match self {
            SecretUsed::Current => "current",
            SecretUsed::Previous => "previous",
        }
    }
}

/// A verified event on its way into the store.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// The dedupe key ([`crate::contract::dedup::store_key`]).
    pub key: String,
    pub event: Option<String>,
    pub message_id: Option<String>,
    /// RFC 3339 UTC with milliseconds.
    pub received_at: String,
    /// The request's headers as a JSON object (lower-case names), bytes
    /// that are not UTF-8 replaced (U+FFFD).
    pub headers: String,
    /// The exact bytes of the headers whose value is not UTF-8, as a JSON
    /// object of base64 values; `None` when every value is UTF-8
    /// ([`crate::contract::record::headers_base64_json`]).
    pub headers_base64: Option<String>,
    /// The raw body, exactly as received.
    pub body: Bytes,
    pub secret: SecretUsed,
}

/// What the store did with a [`NewEntry`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    /// Stored under this id.
    Stored(String),
    /// The same key was stored within the window (under this id, when known).
    Duplicate(Option<String>),
}

/// A stored entry, as a consumer gets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub key: String,
    pub event: Option<String>,
    pub message_id: Option<String>,
    pub received_at: String,
    pub headers: String,
    pub body: Vec<u8>,
    pub secret: String,
    /// Delivery attempts made before this one.
    pub attempts: u32,
}

impl Entry {
    /// The stored request's Content-Type, when it had one.
    pub fn content_type(&self) -> Option<String> {
        // Only the one header is kept: the others are skipped, not built
        // into a map, since every delivery asks.
        #[derive(serde::Deserialize)]
        struct Headers {
            #[serde(rename = "content-type")]
            content_type: Option<String>,
        }
        serde_json::from_str::<Headers>(&self.headers)
            .ok()?
            .content_type
    }
}

/// How one attempt at an entry ended, for [`Store::settle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// The entry reached the app (2xx): it is done.
    Delivered { id: String },
    /// The attempt failed: try again after `after`; `attempts` made so far.
    Retry {
        id: String,
        attempts: u32,
        after: Duration,
        error: String,
    },
    /// The last attempt failed: the entry becomes a dead letter.
    Dead {
        id: String,
        attempts: u32,
        error: String,
    },
}

/// A dead letter: an entry that failed every attempt, with its last error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadLetter {
    pub id: String,
    pub event: Option<String>,
    pub message_id: Option<String>,
    pub received_at: String,
    pub attempts: u32,
    pub error: String,
    pub failed_at: String,
}

/// Counts over the store's whole life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Entries stored since the store was created.
    pub stored: u64,
    /// Stored and not yet delivered or dead, in flight and retrying included.
    pub pending: u64,
    /// Waiting for a retry: failed at least once and not delivered or dead
    /// yet, its next attempt due or under way (a dead letter put back starts
    /// again from no attempts, so it is not counted).
    pub retrying: u64,
    pub dead: u64,
    pub delivered: u64,
    /// Deliveries absorbed by dedupe.
    pub duplicates: u64,
    /// Stored, then deleted by hand (not by `prune`) before it was delivered
    /// or dead, so it can never be: SQLite's rows deleted from `events`, the
    /// Redis entries a claim found deleted from the stream. Not pending:
    /// `stored` is `pending + delivered + dead + lost`.
    pub lost: u64,
}

/// A durable queue. Every method is one round trip (or one transaction), and
/// every error means the store did not do it.
pub trait Store: Send + Sync + 'static {
    /// Stores each entry unless its key was stored within `window` (earlier
    /// in the same batch included), all in one round trip or transaction:
    /// what became of each, in order. An error means none was stored.
    fn append(
        &self,
        entries: Vec<NewEntry>,
        window: Duration,
    ) -> impl Future<Output = Result<Vec<Appended>>> + Send;

    /// Leases up to `max` ready entries to `consumer` for `lease`: new ones,
    /// retries that are due, and entries whose lease ran out.
    fn claim(
        &self,
        consumer: &str,
        max: usize,
        lease: Duration,
    ) -> impl Future<Output = Result<Vec<Entry>>> + Send;

    /// Records how `consumer`'s attempts ended, all in one round trip (one
    /// transaction). A delivery (2xx) always counts, since the app has the
    /// entry, unless it was delivered or dead already; a retry or a dead
    /// letter only while `consumer` still holds the entry: one whose lease
    /// ran out and that another consumer claimed since is left to that one.
    fn settle(
        &self,
        consumer: &str,
        results: &[Settled],
    ) -> impl Future<Output = Result<()>> + Send;

    fn stats(&self) -> impl Future<Output = Result<Stats>> + Send;

    /// Up to `limit` dead letters, oldest first.
    fn dead(&self, limit: usize) -> impl Future<Output = Result<Vec<DeadLetter>>> + Send;

    /// Puts dead letters back for delivery (all of them, or those with these
    /// ids), with their attempts reset; the ids of those that went back.
    fn redrive(&self, ids: &[String]) -> impl Future<Output = Result<Vec<String>>> + Send;

    /// Removes the entries delivered (to every consumer group, in Redis) that
    /// were received more than `age` ago; how many went. Entries not yet
    /// delivered, retrying or in flight stay, and so do the dead letters.
    fn prune(&self, age: Duration) -> impl Future<Output = Result<u64>> + Send;

    /// Whether the store answers.
    fn ping(&self) -> impl Future<Output = Result<()>> + Send;

    /// Whether the store takes a write: one small one, made as an append's
    /// is (SQLite: a counter row, committed; Redis: a key with a short
    /// expiry). A store that answers but refuses writes (a full disk, a
    /// Redis at its `maxmemory` or refusing writes after a failed save)
    /// fails this, not [`Store::ping`].
    fn probe_write(&self) -> impl Future<Output = Result<()>> + Send;
}

/// Either store, chosen by URL at run time.
pub enum Opened {
    Sqlite(sqlite::SqliteStore),
    // Boxed: the Redis client's state is large, and one store lives per process.
    Redis(Box<redis::RedisStore>),
}

impl Opened {
    /// How many calls a writer should have in the store at once. Redis
    /// pipelines them on one connection, and two keep it busy while the
    /// answers of one travel back; more only split the waiting requests
    /// into smaller, costlier script calls. SQLite runs whatever comes in
    /// the transaction it holds open, so nothing should wait to be sent.
    pub fn calls_at_once(&self) -> usize {
        match self {
            Opened::Redis(_) => 2,
            Opened::Sqlite(_) => usize::MAX,
        }
    }
}

/// Opens the store a URL names; for Redis, as consumer group `group`. A Redis
/// connection is made lazily: call [`Store::ping`] to know it answers.
pub fn open(url: &StoreUrl, group: &str) -> Result<Opened> {
    match url {
        StoreUrl::Sqlite(path) => sqlite::SqliteStore::open(path).map(Opened::Sqlite),
        StoreUrl::Redis(redis) => redis::RedisStore::connect(redis, group, &url.to_string())
            .map(|store| Opened::Redis(Box::new(store))),
    }
}

impl Opened {
    /// Readies the store for `deliver`: the Redis consumer group is created
    /// (from the stream's start) unless it exists.
    pub async fn prepare_delivery(&self) -> Result<()> {
        match self {
            Opened::Sqlite(_) => Ok(()),
            Opened::Redis(store) => store.create_group().await,
        }
    }

    /// Readies the store for `ingest`, whose 2xx promises the event is kept:
    /// a Redis that may evict it breaks that silently, and is a [`Notice`].
    pub async fn prepare_ingest(&self) {
        match self {
            Opened::Sqlite(_) => {}
            Opened::Redis(store) => store.check_eviction().await,
        }
    }

    /// What the store noticed since the last call: the one way a store
    /// says what the person should know though no call failed.
    pub fn notices(&self) -> Vec<Notice> {
        match self {
            Opened::Sqlite(_) => Vec::new(),
            Opened::Redis(store) => store.notices(),
        }
    }
}

/// Something a store noticed that the person should know, though no call
/// failed ([`Opened::notices`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Redis may evict any key at its `maxmemory`, stored events included:
    /// its `maxmemory-policy` (`allkeys-lru` and the like).
    Evicting { policy: String },
    /// The ids of the entries claims found deleted from the Redis stream (by
    /// hand: `XDEL`, `XTRIM`) while they waited for a retry or were pending:
    /// they cannot be delivered.
    Gone(Vec<String>),
    /// A claim found the Redis consumer group gone (destroyed, its stream
    /// deleted, a Redis restarted without its data) and made it again from
    /// the stream's start: what the stream holds is delivered again.
    GroupMadeAgain { group: String },
}

/// The store from a flag, else [`STORE_ENV`], else [`DEFAULT_STORE`].
pub fn resolve(flag: Option<&StoreUrl>) -> Result<StoreUrl> {
    if let Some(url) = flag {
        return Ok(url.clone());
    }
    match std::env::var(STORE_ENV) {
        Ok(text) if !text.trim().is_empty() => {
            StoreUrl::parse(&text).map_err(|e| Error::input(format!("{STORE_ENV}: {e}")))
        }
        _ => Ok(StoreUrl::parse(DEFAULT_STORE).expect("the default store URL parses")),
    }
}

macro_rules! either {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            Opened::Sqlite($store) => $call.await,
            Opened::Redis($store) => $call.await,
        }
    };
}

impl Store for Opened {
    async fn append(&self, entries: Vec<NewEntry>, window: Duration) -> Result<Vec<Appended>> {
        either!(self, s => s.append(entries, window))
    }
    async fn claim(&self, consumer: &str, max: usize, lease: Duration) -> Result<Vec<Entry>> {
        either!(self, s => s.claim(consumer, max, lease))
    }
    async fn settle(&self, consumer: &str, results: &[Settled]) -> Result<()> {
        either!(self, s => s.settle(consumer, results))
    }
    async fn stats(&self) -> Result<Stats> {
        either!(self, s => s.stats())
    }
    async fn dead(&self, limit: usize) -> Result<Vec<DeadLetter>> {
        either!(self, s => s.dead(limit))
    }
    async fn redrive(&self, ids: &[String]) -> Result<Vec<String>> {
        either!(self, s => s.redrive(ids))
    }
    async fn prune(&self, age: Duration) -> Result<u64> {
        either!(self, s => s.prune(age))
    }
    async fn ping(&self) -> Result<()> {
        either!(self, s => s.ping())
    }
    async fn probe_write(&self) -> Result<()> {
        either!(self, s => s.probe_write())
    }
}

/// Milliseconds since the epoch, the stores' clock.
pub fn now_ms() -> i64 {
    millis(SystemTime::now())
}

fn millis(at: SystemTime) -> i64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX).max(1)
}

/// The error for a store that did not do what it was asked.
fn unavailable(store: &str, error: impl std::fmt::Display) -> Error {
    Error::unreachable(format!("the store ({store}) failed: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_headers(headers: &str) -> Entry {
        Entry {
            id: "1".into(),
            key: "k".into(),
            event: None,
            message_id: None,
            received_at: String::new(),
            headers: headers.into(),
            body: Vec::new(),
            secret: "current".into(),
            attempts: 0,
        }
    }

    #[test]
    fn the_content_type_is_read_from_the_stored_headers_alone() {
        let entry = |h| with_headers(h).content_type();
        assert_eq!(
            entry(
                r#"{"host":"x","content-type":"application/json; charset=utf-8","x-a":["1","2"]}"#
            )
            .as_deref(),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(entry(r#"{"content-type":"a\"b"}"#).as_deref(), Some("a\"b"));
        assert_eq!(entry(r#"{"host":"x"}"#), None);
        assert_eq!(entry(r#"{"content-type":7}"#), None);
        assert_eq!(entry("{}"), None);
        assert_eq!(entry("not json"), None);
    }
}
