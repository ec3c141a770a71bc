//! `wm-hooks listen`: turns the flags into a [`server::Config`], prints the
//! banner, runs the receiver until Ctrl-C or SIGTERM, shows and records every
//! request it hands on, and prints a summary at the end.
//!
//! Two paths leave the receiver's channel, built for different promises. Record
//! lines (`--json`, `--record`) are written by a task on the receiver's own
//! runtime, a batch (every request waiting) in one write, and are never
//! dropped: a request is acknowledged to the receiver, and so answered, only
//! once its line is written whole; a failed write answers 503 and stops the
//! listener. A writer that cannot keep up slows the answers instead; one that
//! takes nothing for `recorder::STALL` (a FIFO nobody reads) fails as a write
//! does, so the receiver never hangs on its record. Pretty
//! blocks go to a terminal thread through a small queue that drops (and
//! counts) blocks when it is full, so a slow or paused terminal never delays a
//! sender.
//!
//! `banner.rs` prints what follows the first line, `pretty.rs` renders the
//! blocks, `recorder.rs` writes the record lines.

mod banner;
mod event_lines;
mod pretty;
mod recorder;

pub(super) use banner::exposure;
use banner::{banner, shown_url};

use std::fs::File;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self as std_mpsc, SyncSender, TrySendError};
use std::time::Duration;

use colored::Colorize;
use hyper::StatusCode;
use tokio::sync::{mpsc, watch};

use super::{Signals, Stop};
use crate::cli::ListenArgs;
use crate::contract::dedup::{Seen, Tag};
use crate::contract::profile::Profile;
use crate::error::{Error, Outcome, Result};
use crate::http::server::{
    self, Exchange, Forward, Handled, Handoff, Outcome as Answered, Report, ServerStats,
};
use crate::input::secret::{self, Secret};
use crate::output;

/// The environment variable `--forward-to` reads its own secret from.
pub const FORWARD_SECRET_ENV: &str = "WM_HOOKS_FORWARD_SECRET";
/// Requests handed on and not yet recorded; at most one per open connection
/// waits here, so this only bounds a burst.
pub(super) const QUEUE: usize = 1024;
/// Pretty blocks waiting for the terminal; more are dropped and counted.
const TERMINAL_QUEUE: usize = 256;
/// How long a stop waits for requests in flight.
pub(super) const GRACE: Duration = Duration::from_secs(5);
/// How long the summary waits for the terminal to take the last blocks.
const TERMINAL_DRAIN: Duration = Duration::from_secs(2);

pub fn run(args: ListenArgs) -> Result<Outcome> {
    let profile = super::profile(&args.receiver.profile)?;
    let (secret, origin) = session_secret(&args)?;
    let config = config(&args, profile, secret)?;
    let saved = secret::saved_path();
    let mut inputs = super::secret_files(
        &args.receiver.secret,
        &args.receiver.verify_token,
        saved.as_deref(),
    );
    inputs.push((
        args.forward_secret.forward_secret_file.as_deref(),
        "--forward-secret-file",
    ));
    super::refuse_output_over_input(args.record.as_deref(), "--record", &inputs)?;
    let record = args.record.as_deref().map(recorder::open).transpose()?;
    super::block_on(listen(args, profile, config, record, origin))
}

/// Where this session's secret came from, for the banner.
enum Origin {
    /// A flag, a file or WM_HOOKS_SECRET.
    Given,
    /// The one saved by an earlier run, at this path.
    Saved(PathBuf),
    /// Made now; saved at this path, unless there was nowhere to save it.
    Generated(Option<PathBuf>),
}

/// The secret given, else the one saved by an earlier run (unless
/// `--new-secret`), else a new one, saved for the next run and the senders.
/// A secret that cannot be saved still serves this session, with a warning.
fn session_secret(args: &ListenArgs) -> Result<(Secret, Origin)> {
    if let Some(given) = super::load_secret(&args.receiver.secret)? {
        return Ok((given, Origin::Given));
    }
    let Some(path) = secret::saved_path() else {
        output::warn("neither HOME nor XDG_STATE_HOME is set: the generated secret is not saved");
        return Ok((Secret::generate(), Origin::Generated(None)));
    };
    if !args.new_secret {
        if let Some(saved) = secret::load_saved(&path)? {
            super::warn_if_readable_by_others(&path);
            super::warn_if_odd(&saved);
            return Ok((saved, Origin::Saved(path)));
        }
    }
    let fresh = Secret::generate();
    match secret::save(&fresh, &path) {
        Ok(()) => Ok((fresh, Origin::Generated(Some(path)))),
        Err(err) => {
            output::warn(format_args!("{}; it serves this session only", err.message));
            Ok((fresh, Origin::Generated(None)))
        }
    }
}

async fn listen(
    args: ListenArgs,
    profile: Profile,
    config: server::Config,
    record: Option<(File, u64)>,
    origin: Origin,
) -> Result<Outcome> {
    let signals = Signals::install()?;
    let asked_connections = config.max_connections;
    let server = server::bind(config).await?;
    let config = server.config();
    let url = format!("http://{}{}", server.local_addr(), config.path);
    output::eprintln(format_args!("Listening on {url}"));
    banner(
        &args,
        profile,
        config,
        server.local_addr(),
        &origin,
        asked_connections,
    );

    let stop: Stop = Arc::new(watch::Sender::new(0));
    let printer = if args.json {
        None
    } else {
        Some(Printer::start(
            pretty::Style::new(&args, config),
            Arc::clone(&stop),
        )?)
    };
    let record = match (record, args.record.as_deref()) {
        (Some((file, cut)), Some(path)) => {
            if cut > 0 {
                output::warn(format_args!(
                    "the record file {} ended in a partial line ({}) from an interrupted \
                     write; removed it, so the file holds whole JSON lines only",
                    path.display(),
                    output::plural(cut, "byte", "bytes")
                ));
            }
            Some((file, path))
        }
        _ => None,
    };
    let recorder = recorder::Recorder::new(args.json, record)?;
    let (reports, queue) = mpsc::channel(QUEUE);
    let consumer = Consumer {
        seen: Seen::default(),
        tally: Tally::default(),
        recorder,
        printer,
        stop: Arc::clone(&stop),
    };
    let consumer = tokio::spawn(consumer.run(queue));
    let signals = signals.watch(Arc::clone(&stop), stopping);

    let stats = server.run(reports, stop.subscribe()).await;
    signals.abort();
    let consumer = consumer
        .await
        .map_err(|e| Error::failed(format!("the output task failed: {e}")))?;
    let dropped = consumer.printer.map_or(0, Printer::finish);
    let failure = consumer.recorder.finish();
    for line in summary(&consumer.tally, &stats, dropped) {
        output::note(line);
    }
    match failure {
        Some(error) => Err(error.stopping_a_receiver()),
        None => Ok(Outcome::Success),
    }
}

/// The flags, checked, as the receiver's configuration.
fn config(args: &ListenArgs, profile: Profile, secret: Secret) -> Result<server::Config> {
    let ip = host(&args.receiver.host)?;
    check_path(&args.receiver.path)?;
    let forward = match &args.forward_to {
        Some(url) => Some(forward(url, args, &secret)?),
        None => None,
    };
    Ok(server::Config {
        addr: SocketAddr::new(ip, args.receiver.port),
        path: args.receiver.path.clone(),
        verify_token: super::load_verify_token(&args.receiver.verify_token)?
            .unwrap_or_else(|| secret.clone()),
        secret,
        previous_secret: None,
        signature_header: super::signature_header(args.receiver.signature_header.as_ref(), profile),
        max_body: args.receiver.max_body,
        read_timeout: args.receiver.read_timeout,
        max_connections: usize::try_from(args.receiver.max_connections).unwrap_or(usize::MAX),
        respond_status: args
            .respond_status
            .and_then(|code| StatusCode::from_u16(code).ok()),
        respond_delay: args.respond_delay,
        forward,
        tls: None,
        grace: GRACE,
    })
}

/// `--host`: an IP address (v6 with or without brackets) or `localhost`.
pub(super) fn host(text: &str) -> Result<IpAddr> {
    if text.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    text.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .map_err(|_| {
            Error::input(format!("--host {text:?} is not an IP address"))
                .with_hint("use 127.0.0.1 (this machine only), ::1, or 0.0.0.0 (every interface)")
        })
}

pub(super) fn check_path(path: &str) -> Result<()> {
    let bad = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#');
    if path.starts_with('/') && !path.contains(bad) {
        return Ok(());
    }
    Err(Error::input(format!(
        "--path {:?} is not a URL path",
        output::escape(path)
    ))
    .with_hint("a path starts with / and has no spaces, ? or #, such as /webhooks/whatsapp"))
}

fn forward(url: &str, args: &ListenArgs, secret: &Secret) -> Result<Forward> {
    let hint = "give your app's whole URL, such as http://127.0.0.1:3000/webhooks/whatsapp";
    let parsed = reqwest::Url::parse(url).map_err(|e| {
        Error::input(format!("--forward-to {url:?} is not a URL: {e}")).with_hint(hint)
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::input(format!(
            "--forward-to {url:?} is not an http:// or https:// URL"
        ))
        .with_hint(hint));
    }
    let own = &args.forward_secret;
    let secret = super::load_forward_secret(
        own.forward_secret.as_deref(),
        own.forward_secret_file.as_deref(),
    )?
    .unwrap_or_else(|| secret.clone());
    let client = crate::http::client::builder()
        .timeout(args.forward_timeout)
        .build()
        .map_err(|e| Error::failed(format!("cannot set up the HTTP client: {e}")))?;
    Ok(Forward {
        url: parsed,
        secret,
        client,
    })
}

/// What the first Ctrl-C or SIGTERM says to a receiver's person.
pub(super) fn stopping() {
    output::note(format_args!(
        "Stopping: finishing the requests in flight (up to {}s; Ctrl-C again stops now)",
        GRACE.as_secs()
    ));
}

/// Takes every report off the queue: tags it, counts it, records it, and
/// passes it to the terminal.
struct Consumer {
    seen: Seen,
    tally: Tally,
    recorder: recorder::Recorder,
    printer: Option<Printer>,
    stop: Stop,
}

impl Consumer {
    async fn run(mut self, mut queue: mpsc::Receiver<Handoff>) -> Consumer {
        let mut batch = Vec::new();
        while let Some(handoff) = queue.recv().await {
            batch.push(handoff);
            // The runtime has one thread: while this drains, nothing is added,
            // so the loop ends, and one write carries the whole batch.
            while let Ok(handoff) = queue.try_recv() {
                batch.push(handoff);
            }
            self.take(&mut batch).await;
            if self.recorder.failed() {
                self.stop.send_modify(|asked| *asked = (*asked).max(1));
            }
        }
        self
    }

    /// Records a batch, acknowledges each request (done when its line is
    /// written whole), then counts and shows them as answered.
    async fn take(&mut self, batch: &mut Vec<Handoff>) {
        for handoff in batch.iter() {
            if let Report::Request(exchange) = &handoff.report {
                self.recorder.add(exchange);
            }
        }
        let mut kept = self.recorder.commit().await;
        for Handoff { mut report, ack } in batch.drain(..) {
            let tags = match &mut report {
                Report::Request(exchange) => {
                    let handled = if kept > 0 {
                        kept -= 1;
                        Handled::Done
                    } else {
                        exchange.status = server::UNAVAILABLE;
                        Handled::Failed
                    };
                    ack.send(handled);
                    // One tag per update: a batch may repeat an earlier delivery's.
                    let tags: Vec<Tag> = match (handled, exchange.event()) {
                        (Handled::Done, Some(ids)) => {
                            ids.updates.iter().map(|id| self.seen.observe(id)).collect()
                        }
                        _ => Vec::new(),
                    };
                    self.tally.count(exchange, &tags);
                    if handled == Handled::Failed {
                        self.tally.unrecorded += 1;
                    }
                    tags
                }
                Report::Malformed { .. } => {
                    self.tally.malformed += 1;
                    Vec::new()
                }
            };
            if let Some(printer) = &mut self.printer {
                printer.show(report, tags);
            }
        }
    }
}

/// What the terminal thread is given: a report, its tag, and how many blocks
/// were dropped just before it.
struct Shown {
    report: Report,
    /// One per update.
    tags: Vec<Tag>,
    dropped_before: u64,
}

/// The terminal thread and its drop-when-full queue.
struct Printer {
    queue: SyncSender<Shown>,
    done: std_mpsc::Receiver<()>,
    dropped: u64,
    dropped_since: u64,
}

impl Printer {
    fn start(style: pretty::Style, stop: Stop) -> Result<Printer> {
        let (queue, blocks) = std_mpsc::sync_channel::<Shown>(TERMINAL_QUEUE);
        let (finished, done) = std_mpsc::channel();
        std::thread::Builder::new()
            .name("terminal".into())
            .spawn(move || {
                for shown in blocks {
                    let mut text = String::new();
                    if shown.dropped_before > 0 {
                        text.push_str(&pretty::dropped(shown.dropped_before));
                    }
                    text.push_str(&pretty::block(&style, &shown.report, &shown.tags));
                    if output::print_bytes(text.as_bytes()).is_err() {
                        // The reader went away (`listen | head`): stop listening too,
                        // and say why, or the summary would seem to come from nowhere.
                        if *stop.borrow() == 0 {
                            output::note(format_args!(
                                "Stopping: stdout was closed (its reader exited); finishing the requests in flight (up to {}s)",
                                GRACE.as_secs()
                            ));
                        }
                        stop.send_modify(|asked| *asked = (*asked).max(1));
                        break;
                    }
                }
                let _ = finished.send(());
            })
            .map_err(|e| Error::failed(format!("cannot start the output thread: {e}")))?;
        Ok(Printer {
            queue,
            done,
            dropped: 0,
            dropped_since: 0,
        })
    }

    fn show(&mut self, report: Report, tags: Vec<Tag>) {
        let shown = Shown {
            report,
            tags,
            dropped_before: self.dropped_since,
        };
        match self.queue.try_send(shown) {
            Ok(()) => self.dropped_since = 0,
            Err(TrySendError::Full(_)) => {
                self.dropped += 1;
                self.dropped_since += 1;
            }
            Err(TrySendError::Disconnected(_)) => {}
        }
    }

    /// Lets the terminal take what is queued (for a bounded time); the number
    /// of blocks dropped.
    fn finish(self) -> u64 {
        let Printer {
            queue,
            done,
            dropped,
            ..
        } = self;
        drop(queue);
        let _ = done.recv_timeout(TERMINAL_DRAIN);
        dropped
    }
}

/// Counts for the summary.
#[derive(Debug, Default)]
struct Tally {
    requests: u64,
    valid: u64,
    invalid: u64,
    missing: u64,
    duplicates: u64,
    out_of_order: u64,
    not_events: u64,
    handshakes: u64,
    handshakes_passed: u64,
    unread: u64,
    wrong_path: u64,
    wrong_method: u64,
    malformed: u64,
    forward_failures: u64,
    /// Answered 503: their line could not be written.
    unrecorded: u64,
    /// Verified events per type, in order of first arrival; bounded, since a
    /// sender picks the names.
    kinds: Vec<(String, u64)>,
    other_kinds: u64,
}

/// Distinct event types counted by name; any more are counted together.
const MAX_KINDS: usize = 16;

impl Tally {
    fn count(&mut self, exchange: &Exchange, tags: &[Tag]) {
        self.requests += 1;
        match &exchange.outcome {
            Answered::Verified { event, forward, .. } => {
                self.valid += 1;
                match event {
                    Ok(ids) => {
                        for id in &ids.updates {
                            self.count_kind(&id.event);
                        }
                    }
                    Err(_) => self.not_events += 1,
                }
                if forward.as_ref().is_some_and(|f| f.answer.is_err()) {
                    self.forward_failures += 1;
                }
            }
            Answered::Rejected(fault) => {
                self.invalid += 1;
                if *fault == server::Fault::Missing {
                    self.missing += 1;
                }
            }
            Answered::Handshake(handshake) => {
                self.handshakes += 1;
                if handshake.status().is_success() {
                    self.handshakes_passed += 1;
                }
            }
            Answered::Unread(_) => self.unread += 1,
            Answered::WrongPath => self.wrong_path += 1,
            Answered::WrongMethod => self.wrong_method += 1,
        }
        for tag in tags {
            match tag {
                Tag::New => {}
                Tag::Duplicate => self.duplicates += 1,
                Tag::OutOfOrder => self.out_of_order += 1,
            }
        }
    }

    fn count_kind(&mut self, name: &str) {
        if let Some((_, n)) = self.kinds.iter_mut().find(|(kind, _)| kind == name) {
            *n += 1;
        } else if self.kinds.len() < MAX_KINDS {
            self.kinds.push((name.to_string(), 1));
        } else {
            self.other_kinds += 1;
        }
    }
}

/// The summary printed at the end.
fn summary(tally: &Tally, stats: &ServerStats, dropped: u64) -> Vec<String> {
    let mut lines = vec![format!(
        "{} {}: {} valid, {} invalid ({} without a signature), {}, {} out of order",
        "Stopped after".bold(),
        output::plural(tally.requests, "request", "requests"),
        tally.valid,
        tally.invalid,
        tally.missing,
        output::plural(tally.duplicates, "duplicate", "duplicates"),
        tally.out_of_order,
    )];
    let mut rows: Vec<(String, String)> = tally
        .kinds
        .iter()
        .map(|(kind, n)| (output::escape(kind).into_owned(), n.to_string()))
        .collect();
    if tally.other_kinds > 0 {
        rows.push(("other event types".into(), tally.other_kinds.to_string()));
    }
    if tally.not_events > 0 {
        rows.push(("not an event".into(), tally.not_events.to_string()));
    }
    if tally.handshakes > 0 {
        rows.push((
            "handshakes".into(),
            format!("{} ({} passed)", tally.handshakes, tally.handshakes_passed),
        ));
    }
    let others = [
        (tally.wrong_path, "wrong path"),
        (tally.wrong_method, "wrong method"),
        (
            tally.unread,
            "body refused (too large, too slow or broken off)",
        ),
        (tally.malformed, "not HTTP"),
        (tally.forward_failures, "forwarding failed"),
        (tally.unrecorded, "answered 503: not recorded"),
        (stats.evicted, "idle connections closed at the limit"),
        (stats.refused, "connections refused at the limit (all busy)"),
        (stats.abandoned, "connections cut at shutdown"),
    ];
    for (n, what) in others {
        if n > 0 {
            rows.push((what.to_string(), n.to_string()));
        }
    }
    let width = rows
        .iter()
        .map(|(name, _)| name.chars().count())
        .max()
        .unwrap_or(0);
    lines.extend(
        rows.into_iter()
            .map(|(name, n)| format!("  {name:<width$}  {n}")),
    );
    if dropped > 0 {
        lines.push(format!(
            "  {} not shown: the terminal did not keep up (the record, if any, has them all)",
            output::plural(dropped, "block", "blocks")
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use std::net::Ipv6Addr;

    use super::*;

    #[test]
    fn hosts_parse() {
        assert_eq!(host("localhost").unwrap(), IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(host("::1").unwrap(), IpAddr::V6(Ipv6Addr::LOCALHOST));
        assert_eq!(host("[::1]").unwrap(), IpAddr::V6(Ipv6Addr::LOCALHOST));
        assert_eq!(host("0.0.0.0").unwrap(), IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        assert!(host("example.com").is_err() && host("").is_err());
    }

    #[test]
    fn paths_are_checked() {
        assert!(check_path("/webhooks/whatsapp").is_ok());
        assert!(check_path("/").is_ok());
        for bad in ["webhooks", "/a b", "/a?b", "/a#b", "/a\nb", ""] {
            assert!(check_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn kinds_are_bounded_and_summary_counts() {
        let mut tally = Tally::default();
        for i in 0..MAX_KINDS + 3 {
            tally.count_kind(&format!("kind.{i}"));
        }
        tally.count_kind("kind.0");
        assert_eq!(tally.kinds.len(), MAX_KINDS);
        assert_eq!(tally.kinds[0].1, 2);
        assert_eq!(tally.other_kinds, 3);
        tally.requests = 3;
        tally.duplicates = 1;
        let lines = summary(&tally, &ServerStats::default(), 2);
        assert!(lines[0].contains("3 requests: 0 valid"), "{}", lines[0]);
        assert!(lines[0].contains("1 duplicate,"));
        assert!(
            lines
                .iter()
                .any(|l| l.contains("other event types") && l.ends_with('3'))
        );
        assert!(lines.last().unwrap().contains("2 blocks not shown"));
    }
}
