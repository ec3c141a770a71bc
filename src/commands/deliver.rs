//! `wm-hooks deliver`: claims stored events, POSTs each to the app its route
//! names (re-signed, [`Connections::send`]), and tells the store how it went:
//! delivered on a 2xx, retried on the schedule otherwise, a dead letter after
//! the last wait. At most `--concurrency` attempts are in flight (as many
//! again are claimed ahead, so no attempt waits for a claim), and their
//! results reach the store in batches ([`Settler`]); each claimed
//! entry is leased for `--claim-after`, so what a killed `deliver` held is
//! delivered by another (or by itself, restarted) once the lease runs out.
//!
//! The first stderr line is `Delivering from STORE`; on a terminal a status
//! line follows (delivered/s, pending, retrying, dead); `--json` prints one
//! line per attempt on stdout. A stop (SIGINT, SIGTERM, through `Signals`)
//! claims nothing more, lets the attempts in flight finish and be
//! acknowledged, then prints a summary; a second one stops now: the attempts
//! in flight are abandoned, not settled, so the store still holds them
//! leased, and they are claimed again once the lease runs out (at least once).

use std::collections::VecDeque;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::header::HeaderName;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use super::listen::FORWARD_SECRET_ENV;
use super::store_watch::{self, Outage, Seen};
use super::{Signals, Stop};
use crate::cli::DeliverArgs;
use crate::contract::events::EventKind;
use crate::contract::redact;
use crate::error::{Error, Outcome, Result};
use crate::http::stop_requested;
use crate::input::secret::{self, Secret, Source};
use crate::output;
use crate::platform::relay::{Attempted, Connections, Outgoing, Route, RouteProblem, Schedule};
use crate::store::settler::Settler;
use crate::store::{self, Entry, Settled, Store};

/// How long to wait before asking again after a claim found nothing.
const IDLE_POLL: Duration = Duration::from_millis(100);
/// How long to wait after the store failed before asking it again.
const STORE_BACKOFF: Duration = Duration::from_secs(1);
/// How often the status line is redrawn.
const STATUS_EVERY: Duration = Duration::from_millis(500);

/// Everything an attempt needs, shared by every attempt.
struct Plan {
    routes: Vec<Route>,
    secret: Secret,
    signature_header: HeaderName,
    schedule: Schedule,
    scale: f64,
    connections: Connections,
}

pub fn run(args: DeliverArgs) -> Result<Outcome> {
    check_routes(&args.to)?;
    check_lease(args.claim_after, args.timeout)?;
    let url = super::store_url(args.from.as_ref(), "--from")?;
    let secret = signing_secret(&args)?;
    super::require_existing_store(&url, "--from")?;
    let connections = Connections::new(&args.to, args.timeout)?;
    let consumer = args
        .consumer
        .clone()
        .unwrap_or_else(|| format!("{}-{}", hostname(), std::process::id()));
    let plan = Plan {
        routes: args.to.clone(),
        secret,
        signature_header: args.signature_header.clone(),
        schedule: args.retry_schedule.clone(),
        scale: args.retry_scale,
        connections,
    };
    super::block_on(deliver(args, url, consumer, plan))
}

/// `--to` as given: known event types, each routed once (exit 2 otherwise).
fn check_routes(routes: &[Route]) -> Result<()> {
    match Route::check(routes) {
        Ok(()) => Ok(()),
        Err(RouteProblem::UnknownEvent(name)) => {
            let known: Vec<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
            Err(Error::input(format!(
                "--to {}=URL: `{}` is not an event type",
                output::escape(&name),
                output::escape(&name)
            ))
            .with_hint(format!(
                "route by {} (`wm-hooks events` lists them; under --profile meta, messages, \
                 statuses and template updates are stored as these too); other events go \
                 to the --to URL given without EVENT=",
                known.join(", ")
            )))
        }
        Err(RouteProblem::Twice(event)) => Err(Error::input(format!(
            "--to given twice for {}",
            event
                .as_deref()
                .map_or("every event".into(), output::escape)
        ))
        .with_hint(
            "give one --to URL for every event, and at most one EVENT=URL for each event type",
        )),
    }
}

/// `--claim-after` must outlast an attempt (`--timeout`): a lease that ran out
/// while the app was still answering would let this process, or another,
/// claim the entry again and send it twice at once.
fn check_lease(claim_after: Duration, timeout: Duration) -> Result<()> {
    if claim_after > timeout {
        return Ok(());
    }
    let show = |d: Duration| humantime::format_duration(d).to_string();
    Err(Error::input(format!(
        "--claim-after {} is not longer than --timeout {}: an attempt still waiting for the \
         app would be claimed again and sent twice",
        show(claim_after),
        show(timeout)
    ))
    .with_hint(format!(
        "give --claim-after longer than --timeout, such as --claim-after {} (the defaults are \
         60s and 10s)",
        show(timeout * 2)
    )))
}

/// `--forward-secret(-file)` or WM_HOOKS_FORWARD_SECRET, else the webhook secret.
fn signing_secret(args: &DeliverArgs) -> Result<Secret> {
    let own = super::load_forward_secret(
        args.forward_secret.as_deref(),
        args.forward_secret_file.as_deref(),
    )?;
    if own.as_ref().is_some_and(|s| s.source == Source::Flag) {
        super::warn_visible(
            "--forward-secret",
            &format!("{FORWARD_SECRET_ENV} or --forward-secret-file"),
        );
    }
    match own {
        Some(secret) => Ok(secret),
        None => {
            let secret = super::require_secret(&args.secret).map_err(|e| {
                e.with_hint(format!(
                    "deliver signs with the webhook secret ({}) or with {FORWARD_SECRET_ENV}",
                    secret::ENV
                ))
            })?;
            super::warn_if_on_command_line(&secret);
            Ok(secret)
        }
    }
}

fn hostname() -> String {
    let mut buffer = [0u8; 256];
    // SAFETY: gethostname writes at most the given length into the buffer.
    let ok = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) } == 0;
    let end = buffer.iter().position(|&b| b == 0).unwrap_or(buffer.len());
    match std::str::from_utf8(&buffer[..end]) {
        Ok(name) if ok && !name.is_empty() => name.to_string(),
        _ => "deliver".to_string(),
    }
}

/// A claim under way: how many entries it asked for, and when (their
/// leases run from then).
struct Claiming {
    asked: usize,
    at: Instant,
    task: JoinHandle<Result<Vec<Entry>>>,
}

/// What became of one attempt, for the output.
#[derive(Serialize)]
struct Report {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    event: Option<String>,
    message_id: Option<String>,
    to: Option<String>,
    attempt: u32,
    status: Option<u16>,
    latency_ms: Option<f64>,
    result: Result_,
    error: Option<String>,
    retry_in_ms: Option<u64>,
    /// The store failed to record the result: the entry will be delivered again.
    #[serde(skip)]
    store_error: Option<Error>,
    /// No route takes the event: nothing was sent, it is a dead letter at once.
    #[serde(skip)]
    unrouted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Result_ {
    Delivered,
    Retrying,
    Dead,
    /// Cut by a second stop before the app answered: the store was told
    /// nothing, and the entry is claimed again once its lease runs out.
    Abandoned,
}

async fn deliver(
    args: DeliverArgs,
    url: store::StoreUrl,
    consumer: String,
    plan: Plan,
) -> Result<Outcome> {
    let signals = Signals::install()?;
    let store = Arc::new(store::open(&url, &args.group)?);
    store.ping().await?;
    store.prepare_delivery().await?;
    output::eprintln(format_args!("Delivering from {url}"));
    for route in &plan.routes {
        output::note(format_args!(
            "  {} → {}",
            route.event.as_deref().unwrap_or("every event"),
            output::escape(&redact::url(&route.url))
        ));
    }
    output::note(format_args!(
        "As consumer {} ({} at once). Press Ctrl-C to stop.",
        output::escape(&consumer),
        args.concurrency
    ));

    // The stops asked for (1 to finish what is in flight, 2 to stop now),
    // and how many of them this loop has acted on.
    let stop: Stop = Arc::new(watch::Sender::new(0));
    // The loop says what a stop does: it knows what is in flight.
    let signals = signals.watch(Arc::clone(&stop), || {});
    let mut asked = stop.subscribe();
    let mut acted = 0;
    let plan = Arc::new(plan);
    let settler = Arc::new(Settler::start(Arc::clone(&store), consumer.clone()));
    let status = status_line(args.json);
    let concurrency = args.concurrency as usize;
    // Entries are claimed ahead, up to three times the concurrency held, so
    // that a finished attempt's slot is filled at once, not after a claim's
    // round trip: each claim asks for the concurrency at least, and the
    // concurrency's worth still ready lasts until the claim is answered.
    let hold = concurrency * 3;
    let mut tally = Tally::default();
    let mut in_flight: JoinSet<Report> = JoinSet::new();
    // Claimed entries not yet attempted, each with when its lease runs out.
    let mut ready: VecDeque<(Instant, Entry)> = VecDeque::new();
    let mut claiming: Option<Claiming> = None;
    let mut next_claim = Instant::now();
    let mut next_status = Instant::now();
    // The store's errors, each warned of once while it fails.
    let mut outage = Outage::default();
    let started = Instant::now();
    loop {
        while in_flight.len() < concurrency {
            let Some((lease_ends, entry)) = ready.pop_front() else {
                break;
            };
            // A lease that would run out before the app's answer is left to
            // run out: the entry is claimed again then, and never attempted
            // twice at once (it waited here behind slow attempts).
            if lease_ends < Instant::now() + args.timeout {
                continue;
            }
            let (plan, settler) = (Arc::clone(&plan), Arc::clone(&settler));
            // Boxed: the attempt's state is large, and the runtime would
            // otherwise copy all of it into every task it spawns.
            in_flight.spawn(Box::pin(attempt(settler, plan, entry, stop.subscribe())));
        }
        // What was claimed before the stop is attempted too: left alone, it
        // would wait out its lease before another consumer could have it.
        // Each attempt ends within --timeout, and then its store call within
        // the store's own timeout: this wait is bounded.
        let stopping = acted > 0;
        if stopping && ready.is_empty() && claiming.is_none() && in_flight.is_empty() {
            break;
        }
        let held = in_flight.len() + ready.len();
        // Claim in batches (the concurrency at least, or nothing held): one
        // claim per finished attempt would cost the store a call each.
        let want = hold - held;
        let worth_it = want >= concurrency || held == 0;
        if !stopping && claiming.is_none() && worth_it && Instant::now() >= next_claim {
            let (store, consumer, lease) = (Arc::clone(&store), consumer.clone(), args.claim_after);
            let claim = tokio::spawn(async move { store.claim(&consumer, want, lease).await });
            claiming = Some(Claiming {
                asked: want,
                at: Instant::now(),
                task: claim,
            });
        }
        if !status.is_hidden() && acted < 2 && Instant::now() >= next_status {
            next_status = Instant::now() + STATUS_EVERY;
            if let Ok(stats) = store.stats().await {
                let rate = tally.delivered as f64 / started.elapsed().as_secs_f64().max(0.001);
                status.set_message(format!(
                    "delivered {} ({rate:.0}/s) · pending {} · retrying {} · dead {}",
                    tally.delivered, stats.pending, stats.retrying, stats.dead
                ));
            }
        }
        let wait = next_claim
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1));
        tokio::select! {
            Some(joined) = in_flight.join_next(), if !in_flight.is_empty() => {
                if let Ok(report) = joined {
                    show(&report, &mut tally, args.json, &status)?;
                }
            }
            claimed = async { (&mut claiming.as_mut().expect("a claim under way").task).await },
                if claiming.is_some() => {
                let (asked, lease_ends) = claiming
                    .take()
                    .map_or((0, Instant::now()), |c| (c.asked, c.at + args.claim_after));
                match claimed.unwrap_or_else(|e| Err(Error::failed(format!("the claim failed: {e}")))) {
                    Ok(entries) => {
                        if outage.answered() {
                            status.suspend(|| output::note("The store answers again"));
                        }
                        for notice in store.notices() {
                            status.suspend(|| store_watch::warn(&notice));
                        }
                        if entries.len() < asked {
                            next_claim = Instant::now() + IDLE_POLL;
                        }
                        ready.extend(entries.into_iter().map(|e| (lease_ends, e)));
                    }
                    Err(error) => {
                        if outage.failed(&error) != Seen::Again {
                            status.suspend(|| {
                                output::warn_with_hint(
                                    format_args!("{error}; trying again"),
                                    error.hint.as_deref(),
                                )
                            });
                        }
                        next_claim = Instant::now() + STORE_BACKOFF;
                    }
                }
            }
            () = tokio::time::sleep(wait.min(STATUS_EVERY)) => {}
            () = stop_requested(&mut asked, acted + 1), if acted < 2 => {}
        }
        let now_asked = (*asked.borrow()).min(2);
        if now_asked > acted {
            acted = now_asked;
            let lease = humantime::format_duration(args.claim_after);
            if acted == 1 {
                let left = (in_flight.len() + ready.len()) as u64;
                status.suspend(|| {
                    output::note(format_args!(
                        "Stopping: finishing {} in flight (Ctrl-C again stops now: \
                         what is in flight is then claimed again after --claim-after {lease})",
                        output::plural(left, "attempt", "attempts")
                    ))
                });
            } else {
                // The attempts in flight end themselves (see [`attempt`]);
                // what was claimed and not attempted is left to its lease, as
                // is what a claim under way brings.
                ready.clear();
                if let Some(claim) = claiming.take() {
                    claim.task.abort();
                }
                // No count: the attempts may have seen the stop first and
                // ended already; the summary counts them.
                status.suspend(|| {
                    output::note(format_args!(
                        "Stopping now: the attempts in flight are abandoned, not settled; \
                         what this deliver held is claimed again after --claim-after {lease}"
                    ))
                });
            }
        }
    }
    signals.abort();
    status.finish_and_clear();
    output::note(tally.summary());
    Ok(Outcome::Success)
}

/// One attempt at one entry, and the store told how it went; unless a stop
/// now is asked for (the second) before the app answers: the attempt is then
/// abandoned, and the store told nothing.
async fn attempt(
    settler: Arc<Settler>,
    plan: Arc<Plan>,
    entry: Entry,
    mut stop: watch::Receiver<u32>,
) -> Report {
    let number = entry.attempts + 1;
    let mut report = Report {
        kind: "attempt",
        id: entry.id.clone(),
        event: entry.event.clone(),
        message_id: entry.message_id.clone(),
        to: None,
        attempt: number,
        status: None,
        latency_ms: None,
        result: Result_::Dead,
        error: None,
        retry_in_ms: None,
        store_error: None,
        unrouted: false,
    };
    let Some(route) = Route::pick(&plan.routes, entry.event.as_deref()) else {
        let error = format!(
            "no --to route takes {} events",
            entry.event.as_deref().unwrap_or("unrecognised")
        );
        let dead = Settled::Dead {
            id: entry.id.clone(),
            attempts: entry.attempts,
            error: error.clone(),
        };
        report.store_error = settler.settle(dead).await.err();
        report.error = Some(error);
        // Nothing was sent: the line counts the attempts made, as the dead letter does.
        report.attempt = entry.attempts;
        report.unrouted = true;
        return report;
    };
    report.to = Some(redact::url(&route.url));
    let content_type = entry.content_type();
    let sent = plan.connections.send(Outgoing {
        route,
        signature_header: &plan.signature_header,
        secret: &plan.secret,
        id: &entry.id,
        attempt: number,
        content_type: content_type.as_deref(),
        body: entry.body,
    });
    let attempted: Attempted = tokio::select! {
        attempted = sent => attempted,
        () = stop_requested(&mut stop, 2) => {
            report.result = Result_::Abandoned;
            report.error = Some(ABANDONED.to_string());
            return report;
        }
    };
    report.status = attempted.answer.as_ref().ok().map(|s| s.as_u16());
    report.latency_ms = Some((attempted.latency.as_secs_f64() * 100_000.0).round() / 100.0);
    report.error = attempted.error();
    let id = entry.id;
    let result = match (&report.error, plan.schedule.after(number, plan.scale)) {
        (None, _) => {
            report.result = Result_::Delivered;
            Settled::Delivered { id }
        }
        (Some(error), Some(after)) => {
            report.result = Result_::Retrying;
            report.retry_in_ms = Some(u64::try_from(after.as_millis()).unwrap_or(u64::MAX));
            Settled::Retry {
                id,
                attempts: number,
                after,
                error: error.clone(),
            }
        }
        (Some(error), None) => {
            report.result = Result_::Dead;
            Settled::Dead {
                id,
                attempts: number,
                error: error.clone(),
            }
        }
    };
    report.store_error = settler.settle(result).await.err();
    report
}

/// Why an attempt was abandoned.
const ABANDONED: &str = "stopped before the app answered";

/// What this run did, for the summary: the attempts made and how each
/// ended, and apart from them the events no route takes, which were sent
/// nowhere.
#[derive(Default)]
struct Tally {
    attempts: u64,
    delivered: u64,
    retrying: u64,
    dead: u64,
    abandoned: u64,
    unrouted: u64,
}

impl Tally {
    fn count(&mut self, report: &Report) {
        if report.unrouted {
            self.unrouted += 1;
            return;
        }
        self.attempts += 1;
        match report.result {
            Result_::Delivered => self.delivered += 1,
            Result_::Retrying => self.retrying += 1,
            Result_::Dead => self.dead += 1,
            Result_::Abandoned => self.abandoned += 1,
        }
    }

    /// `Stopped after 3 attempts: 2 delivered, 1 retry scheduled, 0 dead`,
    /// `, 1 abandoned in flight` after a stop now, and `; 2 events no route
    /// takes, dead-lettered` when there were any.
    fn summary(&self) -> String {
        let mut line = format!(
            "Stopped after {}: {} delivered, {}, {} dead",
            output::plural(self.attempts, "attempt", "attempts"),
            self.delivered,
            // Attempts that failed and asked for another: some may have been
            // made (and delivered) within this run already.
            output::plural(self.retrying, "retry scheduled", "retries scheduled"),
            self.dead
        );
        if self.abandoned > 0 {
            line += &format!(", {} abandoned in flight", self.abandoned);
        }
        if self.unrouted > 0 {
            line += &format!(
                "; {} no route takes, dead-lettered",
                output::plural(self.unrouted, "event", "events")
            );
        }
        line
    }
}

fn show(report: &Report, tally: &mut Tally, json: bool, status: &ProgressBar) -> Result<()> {
    tally.count(report);
    if let Some(error) = &report.store_error {
        status.suspend(|| {
            output::warn(format_args!(
                "entry {}: {error}; it will be delivered again",
                output::escape(&report.id)
            ))
        });
    }
    if json {
        output::println(serde_json::to_string(report).expect("reports serialise"))?;
    } else if output::verbose() > 0
        || !matches!(report.result, Result_::Delivered | Result_::Abandoned)
    {
        // Abandoned attempts are counted in the summary: a stop now may cut
        // a thousand of them.
        let what = match (report.result, &report.error) {
            (Result_::Delivered, _) => "delivered".to_string(),
            (Result_::Abandoned, _) => format!("abandoned: {ABANDONED}"),
            (Result_::Retrying, Some(e)) => format!(
                "{}; retry in {}",
                output::escape(e),
                humantime::format_duration(Duration::from_millis(report.retry_in_ms.unwrap_or(0)))
            ),
            (_, error) => format!(
                "dead letter: {}",
                output::escape(error.as_deref().unwrap_or(""))
            ),
        };
        status.suspend(|| {
            output::note(format_args!(
                "{} {} attempt {}: {what}",
                output::escape(&report.id),
                output::escape(report.event.as_deref().unwrap_or("-")),
                report.attempt
            ))
        });
    }
    Ok(())
}

/// The live status line on a terminal; hidden elsewhere, under -q and with --json.
fn status_line(json: bool) -> ProgressBar {
    if json || output::quiet() || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("a valid template"));
    bar.enable_steady_tick(Duration::from_millis(250));
    bar
}
