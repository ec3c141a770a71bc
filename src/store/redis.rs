//! The Redis store: entries in a stream (`XADD`), delivered through a consumer
//! group (`XREADGROUP`, `XACK`, `XAUTOCLAIM` for what a dead consumer left).
//! Every operation is one small Lua script (module `scripts`), so each is
//! atomic and one round trip (settling a whole batch of attempts included):
//! the dedupe key's `SET NX PX` and the `XADD` happen together or not at all,
//! and two `ingest` processes never store one event twice. Concurrent calls
//! share one multiplexed connection, which pipelines them. What Redis refuses
//! for a reason of its own settings is named in module `refusal`.
//!
//! The keys beside the stream are named in module `keys`.

use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Script};

use super::url::RedisUrl;
use super::{
    Appended, DeadLetter, Entry, NewEntry, Notice, Settled, Stats, Store, duration_ms, unavailable,
};
use crate::error::{Error, Result};
use keys::Keys;
use refusal::Refusal;
use scripts::{APPEND, CLAIM, NOW, REDRIVE, SETTLE};

mod keys;
mod refusal;
mod scripts;

/// The consumer group `deliver` uses unless told otherwise.
pub const DEFAULT_GROUP: &str = "wm-hooks";
/// How long one command may take before it counts as failed.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(3);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest between two `XAUTOCLAIM`s of one consumer.
const AUTOCLAIM_EVERY: Duration = Duration::from_secs(1);
/// Values of one entry sent to the append script, in the order of its fields.
const ENTRY_FIELDS: usize = 8;
/// Dead letters moved back per script call, so a long list never blocks Redis for long.
const REDRIVE_CHUNK: usize = 500;
/// Ids of the set of entries done read per `SSCAN` by `prune`.
const FORGET_PAGE: usize = 1000;
/// How long the key a write probe sets lasts.
const PROBE_EXPIRY_MS: u64 = 60_000;

/// A stream entry id (`MS-SEQ`) as numbers, for comparing; one that does not
/// parse counts as the very first, so nothing after it is trimmed.
fn stream_id(id: &str) -> (u64, u64) {
    let (ms, seq) = id.split_once('-').unwrap_or((id, "0"));
    match (ms.parse(), seq.parse()) {
        (Ok(ms), Ok(seq)) => (ms, seq),
        _ => (0, 0),
    }
}

struct Scripts {
    append: Script,
    claim: Script,
    settle: Script,
    redrive: Script,
}

/// A store in a Redis stream, for one consumer group.
pub struct RedisStore {
    connection: ConnectionManager,
    keys: Keys,
    group: String,
    scripts: Scripts,
    name: String,
    /// Where the last `XAUTOCLAIM` stopped, so the next one goes on from
    /// there, and when the next is due.
    autoclaim: std::sync::Mutex<(String, Instant)>,
    /// What was noticed since [`RedisStore::notices`] was last asked.
    noticed: std::sync::Mutex<Vec<Notice>>,
}

impl RedisStore {
    /// Sets up a connection that reconnects by itself; nothing is sent yet.
    pub fn connect(url: &RedisUrl, group: &str, shown: &str) -> Result<RedisStore> {
        // rediss:// needs rustls's process-wide provider, as reqwest does.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = redis::Client::open(url.connect.as_str())
            .map_err(|e| Error::input(format!("the store URL {shown} is not usable: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let connection = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| Error::input(format!("the store URL {shown} is not usable: {e}")))?;
        let script = |body: &str| Script::new(body);
        Ok(RedisStore {
            connection,
            keys: Keys::new(&url.stream, group),
            group: group.to_string(),
            scripts: Scripts {
                append: script(APPEND),
                claim: script(&format!("{NOW}{CLAIM}")),
                settle: script(&format!("{NOW}{SETTLE}")),
                redrive: script(&format!("{NOW}{REDRIVE}")),
            },
            name: shown.to_string(),
            autoclaim: std::sync::Mutex::new(("0-0".into(), Instant::now())),
            noticed: std::sync::Mutex::default(),
        })
    }

    /// Creates the consumer group (from the stream's start, so that what was
    /// stored before the first `deliver` is delivered too) unless it exists.
    pub async fn create_group(&self) -> Result<()> {
        let mut connection = self.connection.clone();
        let created: redis::RedisResult<()> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(&self.keys.stream)
            .arg(&self.group)
            .arg("0")
            .arg("MKSTREAM")
            .query_async(&mut connection)
            .await;
        match created {
            Ok(()) => Ok(()),
            Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
            // A full Redis refuses XGROUP CREATE before it looks for the
            // group; one that exists lets deliver drain the stream (which
            // is what frees memory, with `store prune`).
            Err(e) if Refusal::of(&e) == Some(Refusal::Full) && self.group_exists().await => Ok(()),
            Err(e) => Err(self.failed(e)),
        }
    }

    /// Whether the stream has this store's consumer group (a read: a full
    /// Redis answers it).
    async fn group_exists(&self) -> bool {
        let mut connection = self.connection.clone();
        let groups: redis::RedisResult<redis::streams::StreamInfoGroupsReply> =
            connection.xinfo_groups(&self.keys.stream).await;
        groups.is_ok_and(|reply| reply.groups.iter().any(|g| g.name == self.group))
    }

    /// Notices Redis's `maxmemory-policy` when it may evict any key
    /// (`allkeys-…`), the stream and its entries included.
    pub async fn check_eviction(&self) {
        if let Some(policy) = self.evicting_policy().await {
            self.notice(Notice::Evicting { policy });
        }
    }

    /// Redis's `maxmemory-policy` when it may evict any key; `None` for the
    /// others, or when `INFO` is not allowed to the URL's user (nothing to
    /// say then).
    async fn evicting_policy(&self) -> Option<String> {
        let mut connection = self.connection.clone();
        let info: String = redis::cmd("INFO")
            .arg("memory")
            .query_async(&mut connection)
            .await
            .ok()?;
        info.lines()
            .find_map(|line| line.strip_prefix("maxmemory_policy:"))
            .map(str::trim)
            .filter(|policy| policy.starts_with("allkeys-"))
            .map(str::to_string)
    }

    /// What was noticed since the last time this was asked, in the order
    /// first noticed.
    pub fn notices(&self) -> Vec<Notice> {
        self.noticed
            .lock()
            .map(|mut noticed| std::mem::take(&mut *noticed))
            .unwrap_or_default()
    }

    /// Keeps `notice` for [`RedisStore::notices`]: once, however often it
    /// comes, and the ids of every [`Notice::Gone`] in one.
    fn notice(&self, notice: Notice) {
        let Ok(mut noticed) = self.noticed.lock() else {
            return;
        };
        if let Notice::Gone(more) = &notice {
            if let Some(Notice::Gone(ids)) =
                noticed.iter_mut().find(|n| matches!(n, Notice::Gone(_)))
            {
                ids.extend_from_slice(more);
                return;
            }
        }
        if !noticed.contains(&notice) {
            noticed.push(notice);
        }
    }

    fn failed(&self, error: redis::RedisError) -> Error {
        // No retry makes these work: input errors, exit 2 at the start.
        if error.kind() == redis::ErrorKind::AuthenticationFailed {
            return Error::input(format!(
                "the store ({}) refused the URL's user or password: {error}",
                self.name
            ))
            .with_hint(
                "check the user and password in the store URL (`redis://USER:PASSWORD@HOST:PORT/DB`, \
                 `%`-encoded; `&user=` and `&pass=` for `redis+unix://`)",
            );
        }
        if error.to_string().contains("refused to switch database") {
            return Error::input(format!(
                "the store ({}) refused the URL's database number: {error}",
                self.name
            ))
            .with_hint(
                "check the database number (0 to 15 on a Redis with the default \
                 `databases 16`)",
            );
        }
        if error.is_connection_refusal() {
            return unavailable(&self.name, error).with_hint(
                "nothing answers at the store URL's address: start Redis there, or correct the \
                 URL (a running ingest or deliver connects again by itself)",
            );
        }
        match Refusal::of(&error) {
            Some(refusal) => refusal.error(&self.name, &self.keys, &error),
            None => unavailable(&self.name, error),
        }
    }

    /// One claim, its Redis error kept so that [`RedisStore::claim`] can tell NOGROUP.
    async fn claim_once(
        &self,
        consumer: &str,
        max: usize,
        lease: Duration,
    ) -> redis::RedisResult<Vec<Entry>> {
        let max = max.max(1);
        let mut connection = self.connection.clone();
        // XAUTOCLAIM scans the group's pending entries, which with claims
        // running ahead are mostly this consumer's own: every claim paying for
        // that scan cost Redis more than the claim itself. So it runs once per
        // quarter lease (at most a second apart), and at once again while a
        // scan is under way (the cursor is not back at the start).
        let (cursor, autoclaim) = match self.autoclaim.lock() {
            Ok(mut state) => {
                let due = state.0 != "0-0" || Instant::now() >= state.1;
                if due {
                    state.1 = Instant::now() + (lease / 4).min(AUTOCLAIM_EVERY);
                }
                (state.0.clone(), due)
            }
            Err(_) => ("0-0".to_string(), true),
        };
        type Claimed = (String, Vec<(String, u32, Vec<Vec<u8>>)>, Vec<String>);
        let (cursor, claimed, gone): Claimed = self
            .scripts
            .claim
            .key(&self.keys.stream)
            .key(&self.keys.retry)
            .key(&self.keys.attempts)
            .key(&self.keys.leased)
            .key(&self.keys.delivery)
            .key(&self.keys.done)
            .arg(&self.group)
            .arg(consumer)
            .arg(duration_ms(lease))
            .arg(max)
            .arg(cursor)
            .arg(if autoclaim { "1" } else { "0" })
            .arg(&self.keys.redriven)
            .invoke_async(&mut connection)
            .await?;
        if let Ok(mut state) = self.autoclaim.lock() {
            state.0 = cursor;
        }
        if !gone.is_empty() {
            self.notice(Notice::Gone(gone));
        }
        let mut entries: Vec<Entry> = claimed
            .into_iter()
            .map(|(id, attempts, fields)| entry(id, attempts, fields))
            .collect();
        // New entries are read outside the script: they need no atomic step,
        // and carrying a batch of whole entries through Lua's tables and back
        // cost Redis more than everything else a delivery does.
        let wanted = max.saturating_sub(entries.len());
        if wanted > 0 {
            type Read = Option<Vec<(String, Vec<(String, Vec<Vec<u8>>)>)>>;
            let read: Read = redis::cmd("XREADGROUP")
                .arg("GROUP")
                .arg(&self.group)
                .arg(consumer)
                .arg("COUNT")
                .arg(wanted)
                .arg("STREAMS")
                .arg(&self.keys.stream)
                .arg(">")
                .query_async(&mut connection)
                .await?;
            // New to the group: never attempted.
            entries.extend(
                read.into_iter()
                    .flatten()
                    .flat_map(|(_, new)| new)
                    .map(|(id, fields)| entry(id, 0, fields)),
            );
        }
        Ok(entries)
    }

    /// Removes the ids before `keep` from the set of entries done `done`,
    /// a page of `SSCAN` at a time.
    async fn forget_done(
        &self,
        connection: &mut ConnectionManager,
        done: &str,
        keep: (u64, u64),
    ) -> Result<()> {
        let mut cursor = 0u64;
        loop {
            let (next, ids): (u64, Vec<String>) = redis::cmd("SSCAN")
                .arg(done)
                .arg(cursor)
                .arg("COUNT")
                .arg(FORGET_PAGE)
                .query_async(connection)
                .await
                .map_err(|e| self.failed(e))?;
            let trimmed: Vec<&String> = ids.iter().filter(|id| stream_id(id) < keep).collect();
            if !trimmed.is_empty() {
                let () = connection
                    .srem(done, trimmed)
                    .await
                    .map_err(|e| self.failed(e))?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }
}

/// A token no other append call uses (in this process: a counter; across
/// processes: a random start), naming the call's marker key.
fn append_token() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let start = START.get_or_init(|| {
        let mut raw = [0u8; 8];
        // Without the OS's random source, the time and pid tell processes apart.
        match getrandom::fill(&mut raw) {
            Ok(()) => u64::from_le_bytes(raw),
            Err(_) => {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos());
                (nanos as u64) ^ (u64::from(std::process::id()) << 32)
            }
        }
    });
    format!("{start:016x}-{:x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Whether Redis answered that the stream or its consumer group does not exist.
fn no_group(error: &redis::RedisError) -> bool {
    error.code() == Some("NOGROUP")
}

/// An entry's fields (`key`, `event`, ... as `XADD` stored them) as an [`Entry`].
fn entry(id: String, attempts: u32, fields: Vec<Vec<u8>>) -> Entry {
    let mut entry = Entry {
        id,
        key: String::new(),
        event: None,
        message_id: None,
        received_at: String::new(),
        headers: "{}".into(),
        body: Vec::new(),
        secret: String::new(),
        attempts,
    };
    let text = |v: Vec<u8>| String::from_utf8_lossy(&v).into_owned();
    let optional = |v: Vec<u8>| (!v.is_empty()).then(|| String::from_utf8_lossy(&v).into_owned());
    let mut pairs = fields.into_iter();
    while let (Some(name), Some(value)) = (pairs.next(), pairs.next()) {
        match name.as_slice() {
            b"key" => entry.key = text(value),
            b"event" => entry.event = optional(value),
            b"message_id" => entry.message_id = optional(value),
            b"received_at" => entry.received_at = text(value),
            b"headers" => entry.headers = text(value),
            b"body" => entry.body = value,
            b"secret" => entry.secret = text(value),
            _ => {}
        }
    }
    entry
}

impl Store for RedisStore {
    async fn append(&self, entries: Vec<NewEntry>, window: Duration) -> Result<Vec<Appended>> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let mut connection = self.connection.clone();
        let marker = format!("{}{}", self.keys.appended, append_token());
        let invocation = |again: bool| {
            let mut invocation = self.scripts.append.prepare_invoke();
            invocation
                .key(&self.keys.stream)
                .key(&self.keys.stats)
                .key(&marker);
            for entry in &entries {
                invocation.key(format!("{}{}", self.keys.seen, entry.key));
            }
            invocation
                .arg(duration_ms(window))
                .arg(ENTRY_FIELDS)
                .arg(if again { "1" } else { "0" });
            for entry in &entries {
                invocation
                    .arg(&entry.key)
                    .arg(entry.event.as_deref().unwrap_or(""))
                    .arg(entry.message_id.as_deref().unwrap_or(""))
                    .arg(&entry.received_at)
                    .arg(&entry.headers)
                    .arg(&entry.body[..])
                    .arg(entry.secret.name())
                    .arg(entry.headers_base64.as_deref().unwrap_or(""));
            }
            invocation
        };
        let answers: Vec<(i64, String)> =
            match invocation(false).invoke_async(&mut connection).await {
                // The connection was gone (Redis restarted, an idle connection
                // cut): once more, on the new one the manager makes. Safe even if
                // the first call ran and only its answer was lost: the dedupe
                // keys it set make the second find each entry, which it answers
                // as stored (marked as sent again, so it counts nothing twice),
                // so nothing is stored twice. Not after a timeout: that one
                // already took most of the sender's budget.
                Err(e) if (e.is_connection_dropped() || e.is_io_error()) && !e.is_timeout() => {
                    let mut connection = self.connection.clone();
                    invocation(true).invoke_async(&mut connection).await
                }
                answered => answered,
            }
            .map_err(|e| self.failed(e))?;
        if answers.len() != entries.len() {
            return Err(unavailable(
                &self.name,
                "the append script answered for a different number of entries",
            ));
        }
        Ok(answers
            .into_iter()
            .map(|(stored, id)| {
                if stored == 1 {
                    Appended::Stored(id)
                } else {
                    Appended::Duplicate((!id.is_empty()).then_some(id))
                }
            })
            .collect())
    }

    async fn claim(&self, consumer: &str, max: usize, lease: Duration) -> Result<Vec<Entry>> {
        match self.claim_once(consumer, max, lease).await {
            // The group is gone: Redis restarted without its data, or someone
            // destroyed it. Made again from the stream's start, what the
            // stream holds (all of it new to the group) is delivered.
            Err(e) if no_group(&e) => {
                self.create_group().await?;
                self.notice(Notice::GroupMadeAgain {
                    group: self.group.clone(),
                });
                self.claim_once(consumer, max, lease)
                    .await
                    .map_err(|e| self.failed(e))
            }
            claimed => claimed.map_err(|e| self.failed(e)),
        }
    }

    async fn settle(&self, consumer: &str, results: &[Settled]) -> Result<()> {
        if results.is_empty() {
            return Ok(());
        }
        let mut connection = self.connection.clone();
        let failed_at = humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string();
        let mut call = self.scripts.settle.key(&self.keys.stream);
        call.key(&self.keys.retry)
            .key(&self.keys.attempts)
            .key(&self.keys.delivery)
            .key(&self.keys.dead)
            .key(&self.keys.leased)
            .key(&self.keys.done)
            .arg(&self.group)
            .arg(failed_at)
            .arg(&self.keys.redriven)
            .arg(consumer);
        for result in results {
            match result {
                Settled::Delivered { id } => call.arg("delivered").arg(id).arg(0).arg(0).arg(""),
                Settled::Retry {
                    id,
                    attempts,
                    after,
                    ..
                } => call
                    .arg("retry")
                    .arg(id)
                    .arg(attempts)
                    .arg(duration_ms(*after))
                    .arg(""),
                Settled::Dead {
                    id,
                    attempts,
                    error,
                } => call.arg("dead").arg(id).arg(attempts).arg(0).arg(error),
            };
        }
        let _: i64 = call
            .invoke_async(&mut connection)
            .await
            .map_err(|e| self.failed(e))?;
        Ok(())
    }

    async fn stats(&self) -> Result<Stats> {
        let mut connection = self.connection.clone();
        type Counts = (Option<u64>, Option<u64>);
        type Delivery = (Option<u64>, Option<i64>, Option<u64>);
        let ((stored, duplicates), (delivered, dead, lost), retrying): (Counts, Delivery, u64) =
            redis::pipe()
                .cmd("HMGET")
                .arg(&self.keys.stats)
                .arg("stored")
                .arg("duplicates")
                .cmd("HMGET")
                .arg(&self.keys.delivery)
                .arg("delivered")
                .arg("dead")
                .arg("lost")
                // What failed and is not done: the retry set also holds the
                // dead letters put back, which start again from no attempts.
                .hlen(&self.keys.attempts)
                .query_async(&mut connection)
                .await
                .map_err(|e| self.failed(e))?;
        let (stored, delivered) = (stored.unwrap_or(0), delivered.unwrap_or(0));
        let dead = u64::try_from(dead.unwrap_or(0)).unwrap_or(0);
        let lost = lost.unwrap_or(0);
        Ok(Stats {
            stored,
            pending: stored.saturating_sub(delivered + dead + lost),
            retrying,
            dead,
            delivered,
            duplicates: duplicates.unwrap_or(0),
            lost,
        })
    }

    async fn dead(&self, limit: usize) -> Result<Vec<DeadLetter>> {
        let mut connection = self.connection.clone();
        let page: Vec<(String, Vec<Vec<u8>>)> = redis::cmd("XRANGE")
            .arg(&self.keys.dead)
            .arg("-")
            .arg("+")
            .arg("COUNT")
            .arg(limit.max(1))
            .query_async(&mut connection)
            .await
            .map_err(|e| self.failed(e))?;
        Ok(page
            .into_iter()
            .map(|(_, fields)| {
                let text = |v: &[u8]| String::from_utf8_lossy(v).into_owned();
                let mut letter = DeadLetter {
                    id: String::new(),
                    event: None,
                    message_id: None,
                    received_at: String::new(),
                    attempts: 0,
                    error: String::new(),
                    failed_at: String::new(),
                };
                for pair in fields.chunks_exact(2) {
                    let value = &pair[1];
                    match pair[0].as_slice() {
                        b"id" => letter.id = text(value),
                        b"event" if !value.is_empty() => letter.event = Some(text(value)),
                        b"message_id" if !value.is_empty() => letter.message_id = Some(text(value)),
                        b"received_at" => letter.received_at = text(value),
                        b"attempts" => letter.attempts = text(value).parse().unwrap_or(0),
                        b"error" => letter.error = text(value),
                        b"failed_at" => letter.failed_at = text(value),
                        _ => {}
                    }
                }
                letter
            })
            .collect())
    }

    async fn redrive(&self, ids: &[String]) -> Result<Vec<String>> {
        let mut connection = self.connection.clone();
        let (mut from, mut moved) = ("-".to_string(), Vec::new());
        loop {
            let mut call = self.scripts.redrive.key(&self.keys.dead);
            call.key(&self.keys.retry)
                .key(&self.keys.attempts)
                .key(&self.keys.delivery)
                .key(&self.keys.done)
                .arg(&from)
                .arg(REDRIVE_CHUNK)
                .arg(&self.keys.redriven);
            for id in ids {
                call.arg(id);
            }
            let (next, these): (String, Vec<String>) = call
                .invoke_async(&mut connection)
                .await
                .map_err(|e| self.failed(e))?;
            moved.extend(these);
            if next.is_empty() {
                return Ok(moved);
            }
            from = next;
        }
    }

    async fn prune(&self, age: Duration) -> Result<u64> {
        let mut connection = self.connection.clone();
        let exists: bool = connection
            .exists(&self.keys.stream)
            .await
            .map_err(|e| self.failed(e))?;
        if !exists {
            return Ok(0);
        }
        // What must stay is read in the order an entry moves (unread, then
        // pending in a group, then waiting for a retry), so one that moves
        // while this reads is still seen in one place or the next.
        let groups: redis::streams::StreamInfoGroupsReply = connection
            .xinfo_groups(&self.keys.stream)
            .await
            .map_err(|e| self.failed(e))?;
        if groups.groups.is_empty() {
            return Ok(0);
        }
        // This store's group gone (destroyed by hand) though it delivered
        // before: `deliver` makes it again from the stream's start, and what
        // it had not delivered (retries, entries it never read) is known to
        // no group left, so nothing is trimmed until it is back.
        if !groups.groups.iter().any(|g| g.name == self.group) {
            let known: u64 = redis::cmd("EXISTS")
                .arg(&self.keys.delivery)
                .arg(&self.keys.retry)
                .query_async(&mut connection)
                .await
                .map_err(|e| self.failed(e))?;
            if known > 0 {
                return Ok(0);
            }
        }
        // Redis's clock, which made the entry ids.
        let (seconds, micros): (u64, u64) = redis::cmd("TIME")
            .query_async(&mut connection)
            .await
            .map_err(|e| self.failed(e))?;
        let now = seconds.saturating_mul(1000).saturating_add(micros / 1000);
        let age = u64::try_from(age.as_millis()).unwrap_or(u64::MAX);
        let mut keep = (now.saturating_sub(age), 0);
        for group in &groups.groups {
            // What follows the last entry the group read is unread.
            let (ms, seq) = stream_id(&group.last_delivered_id);
            keep = keep.min((ms, seq.saturating_add(1)));
        }
        for group in &groups.groups {
            let pending: redis::streams::StreamPendingReply = connection
                .xpending(&self.keys.stream, &group.name)
                .await
                .map_err(|e| self.failed(e))?;
            if let redis::streams::StreamPendingReply::Data(data) = pending {
                keep = keep.min(stream_id(&data.start_id));
            }
        }
        for group in &groups.groups {
            let retry = Keys::new(&self.keys.stream, &group.name).retry;
            let mut ids = connection
                .zscan::<_, String>(&retry)
                .await
                .map_err(|e| self.failed(e))?;
            while let Some(id) = ids.next_item().await {
                keep = keep.min(stream_id(&id.map_err(|e| self.failed(e))?));
            }
        }
        let trimmed = redis::cmd("XTRIM")
            .arg(&self.keys.stream)
            .arg("MINID")
            .arg(format!("{}-{}", keep.0, keep.1))
            .query_async(&mut connection)
            .await
            .map_err(|e| self.failed(e))?;
        // What the stream no longer holds no group can read again: the
        // groups' sets of entries done forget it.
        for group in &groups.groups {
            let done = Keys::new(&self.keys.stream, &group.name).done;
            self.forget_done(&mut connection, &done, keep).await?;
        }
        Ok(trimmed)
    }

    async fn ping(&self) -> Result<()> {
        let mut connection = self.connection.clone();
        let _: String = connection.ping().await.map_err(|e| self.failed(e))?;
        Ok(())
    }

    async fn probe_write(&self) -> Result<()> {
        // SET, as the append script's: refused at maxmemory, after a failed
        // save (MISCONF) and on a read-only replica, as XADD would be.
        let mut connection = self.connection.clone();
        let () = connection
            .pset_ex(&self.keys.probe, 1, PROBE_EXPIRY_MS)
            .await
            .map_err(|e| self.failed(e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_ids_compare_as_numbers_and_nonsense_as_the_first() {
        assert_eq!(stream_id("1700000000000-12"), (1_700_000_000_000, 12));
        assert!(stream_id("999-0") < stream_id("1000-0"), "not as text");
        assert_eq!(stream_id("17"), (17, 0));
        for nonsense in ["", "-", "a-1", "1-b", "-1"] {
            assert_eq!(stream_id(nonsense), (0, 0), "{nonsense:?}");
        }
    }

    #[test]
    fn fields_become_an_entry() {
        let fields = [
            "key",
            "k",
            "event",
            "",
            "message_id",
            "m1",
            "received_at",
            "t",
            "headers",
            "{}",
            "body",
            "\u{1}raw",
            "secret",
            "previous",
            "extra",
        ];
        let e = entry(
            "1-0".into(),
            2,
            fields.iter().map(|f| f.as_bytes().to_vec()).collect(),
        );
        assert_eq!(
            (e.key.as_str(), e.event, e.message_id.as_deref()),
            ("k", None, Some("m1"))
        );
        assert_eq!(
            (e.body.as_slice(), e.secret.as_str(), e.attempts),
            (&b"\x01raw"[..], "previous", 2)
        );
    }
}
