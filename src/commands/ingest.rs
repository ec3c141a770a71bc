//! `wm-hooks ingest`: listen's receiver ([`server`], the same handshake,
//! signature check, limits and timeouts) with a front-end that stores instead
//! of showing. Each verified POST becomes a [`NewEntry`] and is appended to the
//! store; its [`server::Ack`] is `done` only once the store acknowledged it
//! (committed, or answered the XADD), so a 2xx is never sent for an event the
//! store does not hold. A store error fails the ack: the sender gets 503 with
//! Retry-After and sends it again.
//!
//! Verified POSTs are stored in batches: every one waiting goes to the store in
//! one call (one script call in Redis; in SQLite, one call of the transaction
//! the store keeps open while calls come), as many calls at once as the store
//! takes ([`Opened::calls_at_once`]).
//! Everything else the receiver hands on (handshakes, bad signatures) needs
//! nothing kept and is acknowledged at once.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use super::listen::{self, GRACE, QUEUE};
use super::store_watch::{self, Outage, Seen};
use super::{Signals, Stop};
use crate::cli::IngestArgs;
use crate::contract::dedup::store_key_of;
use crate::contract::record::{headers_base64_json, headers_json};
use crate::error::{Error, Kind, Outcome, Result};
use crate::http::metrics::Metrics;
use crate::http::server::{
    self, Exchange, Handoff, Outcome as Answered, Report, ServerStats, UNAVAILABLE,
};
use crate::input::secret::{self, Source};
use crate::output;
use crate::store::{self, Appended, NewEntry, Opened, SecretUsed, Store, StoreUrl};

/// The environment variable of `--previous-secret`.
pub const PREVIOUS_SECRET_ENV: &str = "WM_HOOKS_PREVIOUS_SECRET";

pub fn run(args: IngestArgs) -> Result<Outcome> {
    let secret = super::require_secret(&args.receiver.secret)?;
    let previous = secret::load_from(
        secret::Flag {
            value: args.previous_secret.as_deref(),
            name: "--previous-secret",
        },
        args.previous_secret_file.as_deref(),
        PREVIOUS_SECRET_ENV,
    )?;
    let url = super::store_url(args.store.as_ref(), "--store")?;
    let config = server::Config {
        addr: SocketAddr::new(listen::host(&args.receiver.host)?, args.receiver.port),
        path: {
            listen::check_path(&args.receiver.path)?;
            args.receiver.path.clone()
        },
        verify_token: super::load_verify_token(&args.receiver.verify_token)?
            .unwrap_or_else(|| secret.clone()),
        secret,
        previous_secret: previous,
        signature_header: super::signature_header(
            args.receiver.signature_header.as_ref(),
            super::profile(&args.receiver.profile)?,
        ),
        max_body: args.receiver.max_body,
        read_timeout: args.receiver.read_timeout,
        max_connections: usize::try_from(args.receiver.max_connections).unwrap_or(usize::MAX),
        // Every verified POST is answered 200 (once stored), whatever its body.
        respond_status: Some(hyper::StatusCode::OK),
        respond_delay: None,
        forward: None,
        tls: match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => Some(crate::http::tls::acceptor(cert, key)?),
            _ => None,
        },
        grace: GRACE,
    };
    super::block_on(ingest(args, config, url))
}

async fn ingest(args: IngestArgs, config: server::Config, url: StoreUrl) -> Result<Outcome> {
    let signals = Signals::install()?;
    // Inside the runtime: the Redis client's connection task needs one.
    let store = Arc::new(store::open(&url, store::redis::DEFAULT_GROUP)?);
    let server = server::bind(config).await?;
    // Before the banner: a URL the store refuses (its database number, its
    // password) is refused for good, and 503 until then would be 503 forever.
    let store_down = match store.ping().await {
        Err(error) if error.kind == Kind::Input => return Err(error),
        answered => answered.err(),
    };
    let addr = server.local_addr();
    let scheme = if server.config().tls.is_some() {
        "https"
    } else {
        "http"
    };
    output::eprintln(format_args!(
        "Listening on {scheme}://{addr}{}",
        server.config().path
    ));
    // Bound before the banner, which shows the address it got.
    let metrics_listener = match args.metrics {
        Some(asked) => {
            let listener = crate::http::metrics::bind(asked).await?;
            let shown = listener.local_addr().unwrap_or(asked);
            Some((listener, shown))
        }
        None => None,
    };
    let metrics_shown = metrics_listener.as_ref().map(|&(_, shown)| shown);
    banner(&args, server.config(), &url, metrics_shown);
    let metrics = Arc::new(Metrics::default());
    let metrics_task = match metrics_listener {
        Some((listener, _)) => {
            let (health, watched) = (Arc::clone(&store), Arc::clone(&metrics));
            let healthy = move || {
                let (store, metrics) = (Arc::clone(&health), Arc::clone(&watched));
                // A write, not a ping, and the appends' own outcome: a store
                // that answers but refuses writes (a full disk, a Redis at
                // its maxmemory) answers every POST 503.
                async move { !metrics.writes_failing() && store.probe_write().await.is_ok() }
            };
            Some(tokio::spawn(crate::http::metrics::serve(
                listener,
                Arc::clone(&metrics),
                healthy,
                server.config().read_timeout,
            )))
        }
        None => None,
    };
    if let Some(error) = store_down {
        output::error(&error);
        output::warn("answering 503 until the store answers");
    } else {
        store.prepare_ingest().await;
        for notice in store.notices() {
            store_watch::warn(&notice);
        }
    }

    let stop: Stop = Arc::new(watch::Sender::new(0));
    let (handoffs, queue) = mpsc::channel(QUEUE);
    let front = FrontEnd {
        store,
        metrics,
        window: args.dedupe_window,
        json: args.json,
        tally: Tally::default(),
        outage: Outage::default(),
        stop: Arc::clone(&stop),
    };
    let front = tokio::spawn(front.run(queue));
    let signals = signals.watch(Arc::clone(&stop), listen::stopping);
    let stats = server.run(handoffs, stop.subscribe()).await;
    signals.abort();
    if let Some(task) = metrics_task {
        task.abort();
    }
    let front = front
        .await
        .map_err(|e| Error::failed(format!("the store task failed: {e}")))?;
    output::note(summary(&front.tally, &stats));
    match front.failure {
        Some(error) => Err(error.stopping_a_receiver()),
        None => Ok(Outcome::Success),
    }
}

fn banner(args: &IngestArgs, config: &server::Config, url: &StoreUrl, metrics: Option<SocketAddr>) {
    output::note(format_args!(
        "Storing verified events in {url}; a repeat within {} is answered 200 and not stored",
        crate::text::readable_duration(args.dedupe_window)
    ));
    let named = |source: Source| match source {
        Source::Flag => "--secret",
        Source::File => "--secret-file",
        _ => secret::ENV,
    };
    output::note(format_args!(
        "Webhook secret: {} (from {})",
        config.secret.masked(),
        named(config.secret.source)
    ));
    super::warn_if_on_command_line(&config.secret);
    if let Some(previous) = &config.previous_secret {
        output::note(format_args!(
            "Also accepting the previous secret {} during the rotation",
            previous.masked()
        ));
        let names = ("--previous-secret", PREVIOUS_SECRET_ENV);
        super::warn_if_odd_value(previous, "the secret", "the HMAC key", names);
        if previous.bytes() == config.secret.bytes() {
            output::warn(
                "the previous secret is the current one: no other secret is accepted during the rotation",
            );
        }
        if previous.source == Source::Flag {
            super::warn_visible(
                "--previous-secret",
                &format!("{PREVIOUS_SECRET_ENV} or --previous-secret-file"),
            );
        }
    }
    if let Some(warning) = listen::exposure(config.addr.ip()) {
        output::warn(warning);
    }
    if let Some(shown) = metrics {
        output::note(format_args!(
            "Metrics on http://{shown}/metrics, health on http://{shown}/healthz"
        ));
    }
    output::note("Press Ctrl-C to stop.");
}

/// Takes the receiver's handoffs, stores the verified ones, acknowledges.
struct FrontEnd {
    store: Arc<Opened>,
    metrics: Arc<Metrics>,
    window: Duration,
    json: bool,
    tally: Tally,
    /// The store's errors, each shown once while it fails.
    outage: Outage,
    stop: Stop,
}

/// What the front-end leaves behind.
struct Finished {
    tally: Tally,
    failure: Option<Error>,
}

/// A request and what the store made of it (`None`: nothing to store).
type Stored = (Box<Exchange>, Option<Result<Appended>>);

/// A verified POST waiting for its batch.
struct Waiting {
    exchange: Box<Exchange>,
    entry: NewEntry,
    ack: server::Ack,
}

/// Verified POSTs stored in one call at most.
const MAX_BATCH: usize = 256;

/// A batch's requests and what the store made of each.
type Batch = Vec<Stored>;

impl FrontEnd {
    async fn run(mut self, mut queue: mpsc::Receiver<Handoff>) -> Finished {
        let mut appends: JoinSet<Batch> = JoinSet::new();
        let mut waiting: Vec<Waiting> = Vec::new();
        let mut failure = None;
        let mut line = Vec::with_capacity(2048);
        let mut closed = false;
        let mut done: Vec<Stored> = Vec::new();
        let at_once = self.store.calls_at_once();
        loop {
            tokio::select! {
                handoff = queue.recv(), if !closed => match handoff {
                    Some(handoff) => self.take(handoff, &mut waiting, &mut done),
                    None => closed = true,
                },
                Some(joined) = appends.join_next(), if !appends.is_empty() => {
                    if let Ok(stored) = joined {
                        done.extend(stored);
                    }
                }
            }
            // The runtime has one thread, so the queue now holds all that waits:
            // drain it, so that each call below carries as much as it can
            // (SQLite gathers calls into one transaction too: `Gather`, store/sqlite/worker.rs).
            while !closed {
                match queue.try_recv() {
                    Ok(handoff) => self.take(handoff, &mut waiting, &mut done),
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => closed = true,
                }
            }
            while !waiting.is_empty() && appends.len() < at_once {
                let batch: Vec<Waiting> = waiting.drain(..waiting.len().min(MAX_BATCH)).collect();
                appends.spawn(self.store_batch(batch));
            }
            for (exchange, stored) in done.drain(..) {
                if let Err(error) = self.show(&exchange, stored, &mut line) {
                    // stdout is gone (`ingest --json | head`): stop, as listen does.
                    failure.get_or_insert(error);
                    self.stop.send_modify(|asked| *asked = (*asked).max(1));
                }
            }
            if closed && waiting.is_empty() && appends.is_empty() {
                break;
            }
        }
        Finished {
            tally: self.tally,
            failure,
        }
    }

    /// Queues a verified POST for the next batch; anything else is done at once.
    fn take(&mut self, handoff: Handoff, waiting: &mut Vec<Waiting>, done: &mut Vec<Stored>) {
        let Handoff { report, ack } = handoff;
        let exchange = match report {
            Report::Request(exchange) => exchange,
            Report::Malformed { .. } => {
                self.tally.malformed += 1;
                ack.done();
                return;
            }
        };
        match new_entry(&exchange) {
            Some(entry) => {
                self.metrics.in_flight(1);
                waiting.push(Waiting {
                    exchange,
                    entry,
                    ack,
                });
            }
            None => {
                ack.done();
                done.push((exchange, None));
            }
        }
    }

    /// Stores a batch in one call and acknowledges each request: done when the
    /// store holds its entry, failed (503) when the call failed.
    fn store_batch(&self, batch: Vec<Waiting>) -> impl Future<Output = Batch> + use<> {
        let store = Arc::clone(&self.store);
        let metrics = Arc::clone(&self.metrics);
        let window = self.window;
        async move {
            let n = i64::try_from(batch.len()).unwrap_or(i64::MAX);
            let mut entries = Vec::with_capacity(batch.len());
            let mut held = Vec::with_capacity(batch.len());
            for Waiting {
                exchange,
                entry,
                ack,
            } in batch
            {
                entries.push(entry);
                held.push((exchange, ack));
            }
            let started = std::time::Instant::now();
            let appended = store.append(entries, window).await;
            metrics.store_write(started.elapsed());
            metrics.write_ended(appended.is_ok());
            metrics.in_flight(-n);
            // Only what the store holds is answered 2xx.
            match appended {
                Ok(appended) => held
                    .into_iter()
                    .zip(appended)
                    .map(|((exchange, ack), appended)| {
                        ack.done();
                        (exchange, Some(Ok(appended)))
                    })
                    .collect(),
                Err(error) => held
                    .into_iter()
                    .map(|(exchange, ack)| {
                        ack.failed();
                        (exchange, Some(Err(error.clone())))
                    })
                    .collect(),
            }
        }
    }

    fn show(
        &mut self,
        exchange: &Exchange,
        stored: Option<Result<Appended>>,
        line: &mut Vec<u8>,
    ) -> Result<()> {
        self.tally.requests += 1;
        let mut status = exchange.status;
        let mut entry: Option<(&str, bool)> = None;
        match &stored {
            None => match &exchange.outcome {
                Answered::Rejected(_) => self.tally.invalid += 1,
                Answered::Handshake(_) => self.tally.handshakes += 1,
                _ => self.tally.other += 1,
            },
            Some(Ok(appended)) => {
                if self.outage.answered() {
                    output::note("The store answers again");
                }
                match appended {
                    Appended::Stored(id) => {
                        self.tally.stored += 1;
                        self.metrics.event(
                            exchange
                                .event()
                                .and_then(|e| e.first())
                                .map(|e| e.event.as_str()),
                        );
                        entry = Some((id, false));
                    }
                    Appended::Duplicate(id) => {
                        self.tally.duplicates += 1;
                        self.metrics.duplicate();
                        entry = Some((id.as_deref().unwrap_or(""), true));
                    }
                }
            }
            Some(Err(error)) => {
                self.tally.unavailable += 1;
                self.metrics.store_error();
                status = UNAVAILABLE;
                let seen = self.outage.failed(error);
                if seen != Seen::Again {
                    output::error(error);
                }
                if seen == Seen::First {
                    output::warn("answering 503 until the store answers again");
                }
            }
        }
        self.metrics.answered(status.as_u16());
        if !self.json {
            return Ok(());
        }
        line.clear();
        let mut record = exchange.record();
        record.status = status.as_u16();
        record.write_line(line);
        // The record's own fields, then the store's: `entry_id` (null when not
        // stored) and `duplicate`.
        line.truncate(line.len().saturating_sub(2));
        let (id, duplicate) = entry.map_or((None, false), |(id, dup)| (Some(id), dup));
        let extra = serde_json::json!({ "entry_id": id, "duplicate": duplicate });
        let extra = extra.to_string();
        line.push(b',');
        line.extend_from_slice(&extra.as_bytes()[1..]);
        line.push(b'\n');
        output::print_bytes(line)
    }
}

/// The entry for a verified POST; `None` for every other request.
fn new_entry(exchange: &Exchange) -> Option<NewEntry> {
    let Answered::Verified {
        event,
        previous_secret,
        ..
    } = &exchange.outcome
    else {
        return None;
    };
    let body = exchange.body.clone()?;
    // A Meta batch is named by its first update.
    let identity = event.as_ref().ok().and_then(|ids| ids.first());
    Some(NewEntry {
        key: store_key_of(event.as_ref().ok(), &body),
        event: identity.map(|i| i.event.clone()),
        message_id: identity.and_then(|i| i.message_id.clone()),
        received_at: humantime::format_rfc3339_millis(exchange.received_at).to_string(),
        headers: headers_json(&exchange.headers),
        headers_base64: headers_base64_json(&exchange.headers),
        body,
        secret: if *previous_secret {
            SecretUsed::Previous
        } else {
            SecretUsed::Current
        },
    })
}

#[derive(Debug, Default)]
struct Tally {
    requests: u64,
    stored: u64,
    duplicates: u64,
    unavailable: u64,
    invalid: u64,
    handshakes: u64,
    other: u64,
    malformed: u64,
}

fn summary(tally: &Tally, stats: &ServerStats) -> String {
    let n = output::plural;
    let mut line = format!(
        "Stopped after {}: {} stored, {}, {} answered 503 (store failed), {}, {}",
        n(tally.requests, "request", "requests"),
        tally.stored,
        n(tally.duplicates, "duplicate", "duplicates"),
        tally.unavailable,
        n(tally.invalid, "invalid signature", "invalid signatures"),
        n(tally.handshakes, "handshake", "handshakes")
    );
    let others = tally.other + tally.malformed;
    if others > 0 {
        line.push_str(&format!(", {others} other"));
    }
    if stats.evicted > 0 {
        line.push_str(&format!(
            ", {} closed at the limit",
            n(stats.evicted, "idle connection", "idle connections")
        ));
    }
    if stats.refused > 0 {
        line.push_str(&format!(
            ", {} at the limit (all busy)",
            n(stats.refused, "connection refused", "connections refused")
        ));
    }
    line
}
