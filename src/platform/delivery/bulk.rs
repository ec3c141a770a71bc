//! The bulk sender `send-test` runs: a [`Plan`] of items from a [`Source`],
//! sent by workers over keep-alive sessions, each result handed to the caller
//! as a [`Report`] and counted into [`Stats`] (latency percentiles included).
//! A stop asked for (see [`stop_requested`]) starts nothing more and cuts the
//! retry waits; a second one cuts the requests in flight.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use tokio::sync::watch;

use super::{Delivery, Expect, Problem, Signer, judge, retry_delay, run_prefix};
use crate::contract::sample::{self, Sample};
use crate::error::{Error, Result};
use crate::http::sender::{Answer, Client, Endpoint, Failure, Session};
use crate::http::stop_requested;
use crate::platform::root_cause::Tally;

/// One body to deliver, with what it is about.
#[derive(Debug, Clone)]
pub struct Item {
    pub body: Bytes,
    /// The (first) update's event type.
    pub event: Option<String>,
    pub message_id: Option<String>,
    /// How many updates the body holds (several in a Meta batch).
    pub updates: usize,
}

impl Item {
    /// A body given as bytes; its event and id are read from it when it is an event.
    pub fn from_body(body: Vec<u8>) -> Item {
        // A batch is named by its first update.
        let updates =
            crate::contract::events::identify(&body).map_or_else(|_| Vec::new(), |ids| ids.updates);
        let count = updates.len();
        let first = updates.into_iter().next();
        Item {
            event: first.as_ref().map(|e| e.event.clone()),
            message_id: first.and_then(|e| e.message_id),
            body: body.into(),
            updates: count,
        }
    }
}

/// Where bodies come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// Samples with fresh timestamps and ids; `run` prefixes the ids.
    Samples { samples: Vec<Sample>, run: String },
    /// Bodies sent byte for byte (a payload file, a replayed record).
    Fixed(Vec<Item>),
}

impl Source {
    /// Samples, with a random prefix for this run's message ids.
    pub fn samples(samples: Vec<Sample>) -> Source {
        Source::Samples {
            samples,
            run: run_prefix(),
        }
    }

    /// How many distinct items one pass yields.
    pub fn len(&self) -> u64 {
        match self {
            Source::Samples { samples, .. } => samples.len() as u64,
            Source::Fixed(items) => items.len() as u64,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `index`th item, cycling through the source; samples are made fresh.
    pub fn item(&self, index: u64, now: SystemTime) -> Item {
        let at = (index % self.len().max(1)) as usize;
        match self {
            Source::Samples { samples, run } => {
                let sample = &samples[at];
                let (body, message_id) = sample.body(&sample::message_id(run, index + 1), now);
                Item {
                    body: body.into(),
                    event: Some(sample.kind.name().to_string()),
                    message_id,
                    updates: sample.updates,
                }
            }
            Source::Fixed(items) => items[at].clone(),
        }
    }
}

/// How many deliveries, how, and how to judge them.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Items to take from the source.
    pub count: u64,
    /// Each item is delivered this many times, byte for byte (same id).
    pub duplicate: u32,
    /// Connections (and deliveries in flight).
    pub concurrency: usize,
    /// Retry failed deliveries on the platform's schedule times this factor.
    pub retry_scale: Option<f64>,
    pub expect: Expect,
}

/// One request and its result, as it happens.
pub struct Report<'a> {
    /// Which item (0-based) and which of its duplicates.
    pub index: u64,
    pub copy: u32,
    /// 1 for the first attempt, 2 for the first retry.
    pub attempt: u32,
    pub item: &'a Item,
    pub delivery: &'a Delivery,
    pub result: &'a std::result::Result<Answer, Failure>,
    pub problem: Option<&'a Problem>,
    /// The wait before the next attempt, when one follows.
    pub retry_in: Option<Duration>,
    /// The last retry failed too: the platform would now mark the webhook failing.
    pub retries_spent: bool,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Requests sent (retries included).
    pub requests: u64,
    pub passed: u64,
    /// Answers by class.
    pub success: u64,
    pub non_success: u64,
    pub too_slow: u64,
    /// Requests with no answer; `unreachable` of them never connected.
    pub errors: u64,
    pub unreachable: u64,
    /// Deliveries whose last attempt failed, and of those, how many spent every retry.
    pub failed_deliveries: u64,
    pub retries_spent: u64,
    /// A stop was asked for before the plan was done: deliveries not sent,
    /// or cut in flight, are in neither `passed` nor `failed_deliveries`.
    pub interrupted: bool,
    pub elapsed: Duration,
    /// Senders run at once, each over its own keep-alive connection.
    pub senders: usize,
    /// Each kind of problem seen: the first example and how often.
    pub problems: Vec<(Problem, u64)>,
    /// The first request that got no answer, to name in an "unreachable" error.
    pub first_failure: Option<Failure>,
    /// Every answer by status, for the root cause.
    pub answers: Tally,
    latencies_us: Vec<u32>,
}

impl Stats {
    fn record(&mut self, result: &std::result::Result<Answer, Failure>, problem: Option<&Problem>) {
        self.requests += 1;
        self.answers.record(result);
        match result {
            Ok(answer) => {
                let micros = answer.latency.as_micros().min(u32::MAX as u128) as u32;
                self.latencies_us.push(micros);
                if answer.status.is_success() {
                    self.success += 1;
                } else {
                    self.non_success += 1;
                }
            }
            Err(failure) => {
                self.errors += 1;
                if failure.kind.is_unreachable() {
                    self.unreachable += 1;
                }
                if self.first_failure.is_none() {
                    self.first_failure = Some(failure.clone());
                }
            }
        }
        match problem {
            None => self.passed += 1,
            Some(problem) => {
                if matches!(problem, Problem::TooSlow { .. }) {
                    self.too_slow += 1;
                }
                self.count_problem(problem.clone(), 1);
            }
        }
    }

    fn count_problem(&mut self, problem: Problem, n: u64) {
        let alike = |(seen, _): &&mut (Problem, u64)| {
            seen.name() == problem.name() && seen.label() == problem.label()
        };
        match self.problems.iter_mut().find(alike) {
            Some((_, count)) => *count += n,
            None => self.problems.push((problem, n)),
        }
    }

    fn merge(&mut self, other: Stats) {
        self.requests += other.requests;
        self.passed += other.passed;
        self.success += other.success;
        self.non_success += other.non_success;
        self.too_slow += other.too_slow;
        self.errors += other.errors;
        self.unreachable += other.unreachable;
        self.failed_deliveries += other.failed_deliveries;
        self.retries_spent += other.retries_spent;
        self.interrupted |= other.interrupted;
        self.first_failure = self.first_failure.take().or(other.first_failure);
        self.answers.merge(other.answers);
        self.latencies_us.extend(other.latencies_us);
        for (problem, n) in other.problems {
            self.count_problem(problem, n);
        }
    }

    /// No request ever reached an HTTP server: the endpoint is unreachable.
    pub fn never_reached(&self) -> bool {
        self.requests > 0 && self.unreachable == self.requests
    }

    /// Deliveries (items times copies) that ended, passed or failed.
    pub fn finished(&self) -> u64 {
        self.passed + self.failed_deliveries
    }

    /// Requests per second over the whole run.
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The latency below which a fraction `p` (0 to 1) of the answers came.
    pub fn percentile(&self, p: f64) -> Option<Duration> {
        let n = self.latencies_us.len();
        if n == 0 {
            return None;
        }
        let rank = ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
        Some(Duration::from_micros(u64::from(self.latencies_us[rank])))
    }

    pub fn max_latency(&self) -> Option<Duration> {
        self.latencies_us
            .last()
            .map(|&us| Duration::from_micros(u64::from(us)))
    }
}

/// Receives each [`Report`]; an error stops the run (stdout closed, say).
pub type OnReport = dyn Fn(&Report) -> Result<()> + Send + Sync;

struct Shared {
    client: Client,
    endpoint: Arc<Endpoint>,
    signer: Signer,
    source: Source,
    plan: Plan,
    on_report: Box<OnReport>,
    stop_asked: watch::Receiver<u32>,
    next: AtomicU64,
    stop: AtomicBool,
    error: std::sync::Mutex<Option<Error>>,
}

/// Delivers `plan.count` items from `source` over `plan.concurrency`
/// keep-alive connections, until `stop` is asked for. Must run inside a
/// tokio runtime.
pub async fn run(
    client: Client,
    endpoint: Arc<Endpoint>,
    signer: Signer,
    source: Source,
    plan: Plan,
    on_report: Box<OnReport>,
    stop: watch::Receiver<u32>,
) -> Result<Stats> {
    let workers = plan.concurrency.clamp(1, plan.count.max(1) as usize);
    let shared = Arc::new(Shared {
        client,
        endpoint,
        signer,
        source,
        plan,
        on_report,
        stop_asked: stop,
        next: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        error: std::sync::Mutex::new(None),
    });
    let start = Instant::now();
    let handles: Vec<_> = (0..workers)
        .map(|_| tokio::spawn(worker(shared.clone())))
        .collect();
    let mut stats = Stats::default();
    for handle in handles {
        stats.merge(handle.await.expect("a delivery worker does not panic"));
    }
    stats.elapsed = start.elapsed();
    stats.senders = workers;
    stats.latencies_us.sort_unstable();
    if let Some(err) = shared.error.lock().expect("not poisoned").take() {
        return Err(err);
    }
    Ok(stats)
}

async fn worker(shared: Arc<Shared>) -> Stats {
    let plan = shared.plan;
    let budget = shared.client.options().budget;
    let mut session = Session::new(shared.client.clone(), shared.endpoint.clone());
    let mut stats = Stats::default();
    let mut stop = shared.stop_asked.clone();
    loop {
        let index = shared.next.fetch_add(1, Ordering::Relaxed);
        if index >= plan.count || shared.stop.load(Ordering::Relaxed) {
            return stats;
        }
        let item = shared.source.item(index, SystemTime::now());
        let delivery = shared.signer.sign(item.body.clone());
        for copy in 0..plan.duplicate {
            if *stop.borrow() > 0 {
                stats.interrupted = true;
                return stats;
            }
            for attempt in 1.. {
                let result = tokio::select! {
                    result = session.send(delivery.request(&shared.endpoint)) => result,
                    () = stop_requested(&mut stop, 2) => {
                        stats.interrupted = true;
                        return stats;
                    }
                };
                let problem = judge(&result, plan.expect, budget);
                let retry_in = match (&problem, plan.retry_scale) {
                    (Some(_), Some(scale)) => retry_delay(attempt as usize - 1, scale),
                    _ => None,
                };
                let retries_spent =
                    problem.is_some() && plan.retry_scale.is_some() && retry_in.is_none();
                stats.record(&result, problem.as_ref());
                let report = Report {
                    index,
                    copy,
                    attempt,
                    item: &item,
                    delivery: &delivery,
                    result: &result,
                    problem: problem.as_ref(),
                    retry_in,
                    retries_spent,
                };
                if let Err(err) = (shared.on_report)(&report) {
                    shared.stop.store(true, Ordering::Relaxed);
                    shared
                        .error
                        .lock()
                        .expect("not poisoned")
                        .get_or_insert(err);
                    return stats;
                }
                let retry = match retry_in {
                    // A stop cuts the wait: the delivery ends failed, as its
                    // last attempt did.
                    Some(wait) => tokio::select! {
                        () = tokio::time::sleep(wait) => true,
                        () = stop_requested(&mut stop, 1) => {
                            stats.interrupted = true;
                            false
                        }
                    },
                    None => false,
                };
                if !retry {
                    if problem.is_some() {
                        stats.failed_deliveries += 1;
                        stats.retries_spent += u64::from(retries_spent);
                    }
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut stats = Stats {
            latencies_us: (1..=100).collect(),
            ..Stats::default()
        };
        stats.latencies_us.sort_unstable();
        assert_eq!(stats.percentile(0.5), Some(Duration::from_micros(50)));
        assert_eq!(stats.percentile(0.99), Some(Duration::from_micros(99)));
        assert_eq!(stats.max_latency(), Some(Duration::from_micros(100)));
        assert_eq!(Stats::default().percentile(0.5), None);
    }

    #[test]
    fn fixed_items_know_their_event() {
        let item =
            Item::from_body(br#"{"event":"message.status","data":{"message_id":"m1"}}"#.to_vec());
        assert_eq!(item.event.as_deref(), Some("message.status"));
        assert_eq!(item.message_id.as_deref(), Some("m1"));
        let item = Item::from_body(b"not json".to_vec());
        assert_eq!((item.event, item.message_id), (None, None));
    }
}
