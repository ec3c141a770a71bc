//! `wm-hooks send-test`: plays the platform against an endpoint. Builds the
//! bodies (samples with edits, a payload file, or the POSTs of a record file),
//! hands them to [`delivery::run`], and prints a line per request, or under
//! `--count` a progress bar and a summary; then hints for what went wrong.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use hyper::header::{self, HeaderName};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{EventChoice, SendTestArgs};
use crate::contract::events::EventKind;
use crate::contract::profile::Profile;
use crate::contract::record;
use crate::contract::sample::{Edit, EditError, Sample, Template};
use crate::error::{Error, Outcome, Result};
use crate::http::sender::{Endpoint, describe};
use crate::http::{status_text, title_case};
use crate::input::payload::{MAX_HELD, Payload};
use crate::input::record_file;
use crate::input::secret::Secret;
use crate::output;
use crate::platform::delivery::{
    self, Expect, Item, Plan, RETRY_SCHEDULE, Report, SignatureMode, Signer, Source, Stats,
};
use crate::platform::report::{self, Check, DeliveryFields, LineType, Summary, Verdict};
use crate::platform::root_cause::{self, Observed, Ours};

/// The most requests one run makes (before retries): each costs four bytes of
/// latency record.
const MAX_DELIVERIES: u64 = 10_000_000;

pub fn run(args: SendTestArgs) -> Result<Outcome> {
    // The exit code is the verdict, whoever reads stdout.
    output::outlive_stdout();
    let endpoint = Endpoint::parse(&args.to)?;
    let profile = super::profile(&args.profile)?;
    let header = super::signature_header(args.signature_header.as_ref(), profile);
    if args.retry && args.signature != SignatureMode::Valid {
        return Err(Error::input("--retry needs a valid signature")
            .with_hint("the platform retries only its own deliveries, which are always signed"));
    }
    let secret = match args.signature {
        SignatureMode::Valid => Some(super::require_secret_or_saved(&args.secret)?),
        SignatureMode::Invalid | SignatureMode::Missing => super::secret_or_saved(&args.secret)?,
    };
    if let Some(secret) = &secret {
        super::warn_if_on_command_line(secret);
    }
    let secrets: Vec<&Secret> = secret.iter().collect();
    let endpoint = Arc::new(super::hiding(endpoint, &secrets));
    let source = source(&args, profile)?;
    let headers = super::extra_headers(&args.headers)?;
    super::refuse_signature_in_headers(
        &headers,
        &header,
        "send-test",
        "as --signature says (valid, invalid or missing)",
    )?;
    let signer = Signer::new(
        args.signature,
        header.clone(),
        secret.as_ref().map(Secret::bytes),
        &headers,
    )?;
    let count = args.count.unwrap_or_else(|| source.len());
    let concurrency = u64::from(args.concurrency);
    if concurrency > count {
        // One connection per event at most: say so rather than ignore the flag.
        output::warn(format_args!(
            "--concurrency {concurrency}: only {} to send, so {}; --count N sends more",
            output::plural(count, "event", "events"),
            output::plural(count, "connection", "connections"),
        ));
    }
    let deliveries = count * u64::from(args.duplicate);
    if deliveries > MAX_DELIVERIES {
        return Err(Error::input(format!(
            "{count} events × {} copies is more than {MAX_DELIVERIES} deliveries",
            args.duplicate
        )));
    }
    if args.dry_run {
        return dry_run(
            &endpoint,
            &signer,
            &source,
            count,
            args.duplicate,
            secret.as_ref(),
            args.connection.insecure,
        );
    }
    let client = super::client(&args.connection, &secrets, &endpoint);
    let plan = Plan {
        count,
        duplicate: args.duplicate,
        concurrency: args.concurrency.into(),
        retry_scale: args.retry.then_some(args.retry_scale),
        expect: args.signature.into(),
    };
    let bulk = args.count.is_some();
    let bar = progress_bar(bulk && !args.json, deliveries);
    let printer = Printer {
        url: endpoint.shown(),
        path: endpoint.shown_path(),
        header: header.clone(),
        mode: args.signature,
        budget: args.connection.timeout,
        json: args.json,
        bulk,
        duplicate: args.duplicate,
        expect: plan.expect,
        bar: bar.clone(),
    };
    let stopping_bar = bar.clone();
    let stats = super::block_on_stoppable(
        move || {
            stopping_bar.suspend(|| {
                output::note(
                    "Stopping: sending nothing more, finishing the requests in flight \
                     (Ctrl-C again stops now)",
                )
            })
        },
        |stop| {
            delivery::run(
                client,
                endpoint.clone(),
                signer,
                source,
                plan,
                Box::new(move |report| printer.report(report)),
                stop,
            )
        },
    );
    bar.finish_and_clear();
    let stats = stats?;
    let root_cause = root_cause(&stats, &args, &header, &endpoint, secret.as_ref());
    if args.json {
        let summary = Summary::new(
            stats.failed_deliveries == 0 && !stats.never_reached(),
            [
                stats.passed,
                stats.failed_deliveries,
                0,
                deliveries - stats.finished(),
            ],
            &endpoint.shown(),
            stats.elapsed,
        )
        .with_root_cause(root_cause.clone())
        .interrupted(stats.interrupted);
        output::println(summary.json())?;
    }
    conclude(
        &stats,
        &args,
        &header,
        &endpoint,
        deliveries,
        root_cause.as_deref(),
    )
}

/// The one cause that every delivery failing alike shows, if any: only
/// correctly signed deliveries that all failed say something about the receiver.
fn root_cause(
    stats: &Stats,
    args: &SendTestArgs,
    header: &HeaderName,
    endpoint: &Endpoint,
    secret: Option<&Secret>,
) -> Option<String> {
    let secret = secret?;
    if args.signature != SignatureMode::Valid || stats.passed > 0 || stats.failed_deliveries == 0 {
        return None;
    }
    let observed = Observed {
        signed: stats.answers.clone(),
        ..Observed::default()
    };
    let path = endpoint.shown_path();
    let ours = Ours {
        secret: secret.source,
        header,
        path: &path,
    };
    root_cause::diagnose(&observed, &ours)
}

/// The summary, the verdict and the hints, and the outcome they add up to.
fn conclude(
    stats: &Stats,
    args: &SendTestArgs,
    header: &HeaderName,
    endpoint: &Endpoint,
    deliveries: u64,
    root_cause: Option<&str>,
) -> Result<Outcome> {
    // Under --json, stdout carries only the JSON lines.
    let line = |text: String| {
        if args.json {
            output::note(text);
            Ok(())
        } else {
            output::println(text)
        }
    };
    let bulk = args.count.is_some();
    if let Some(cause) = root_cause {
        line(format!("root cause: {}", output::escape(cause)))?;
    }
    if bulk {
        summarize(stats, line)?;
    }
    if bulk || deliveries > 1 {
        verdict(stats, deliveries, line)?;
    }
    if stats.retries_spent > 0 {
        line(format!(
            "{} the 5th retry failed too: the platform would now mark the webhook as failing and email an alert",
            output::mark(false)
        ))?;
    }
    if stats.interrupted {
        // What ran is shown above; what did not is counted, and the hints
        // still say what the answers showed.
        line(format!(
            "interrupted: {} of {} not sent or cut in flight",
            deliveries - stats.finished(),
            output::plural(deliveries, "delivery", "deliveries"),
        ))?;
        hints(stats, header);
        return Ok(Outcome::Interrupted);
    }
    if stats.never_reached() {
        let failure = stats
            .first_failure
            .as_ref()
            .expect("an unreachable run saw a failure");
        return Err(failure.to_error(endpoint));
    }
    hints(stats, header);
    if args.signature != SignatureMode::Valid && stats.failed_deliveries == 0 {
        // A refusal is all this run saw: a receiver that refuses everything
        // (another secret, say) refuses these too.
        output::hint(
            "no correctly signed delivery went with these, so a receiver that refuses everything \
             passes too: `wm-hooks check` sends both and tells them apart",
        );
    }
    Ok(Outcome::from_passed(stats.failed_deliveries == 0))
}

/// One hint for each kind of problem seen.
fn hints(stats: &Stats, header: &HeaderName) {
    let mut hints: Vec<String> = Vec::new();
    for (problem, _) in &stats.problems {
        let hint = problem.hint(header);
        if !hints.contains(&hint) {
            output::hint(&hint);
            hints.push(hint);
        }
    }
}

/// The bodies to send, from the flags.
fn source(args: &SendTestArgs, profile: Profile) -> Result<Source> {
    if let Some(path) = &args.replay {
        return replay(path);
    }
    if !args.payload_file.is_empty() || args.payload_dir.is_some() {
        return payloads(&args.payload_file, args.payload_dir.as_deref());
    }
    let mut kinds = Vec::new();
    for choice in &args.events {
        match choice {
            EventChoice::One(kind) => kinds.push(*kind),
            EventChoice::All => kinds.extend(EventKind::ALL),
        }
    }
    if kinds.is_empty() {
        kinds.push(EventKind::MessageReceived);
    }
    let variant = super::variant(&args.sample)?;
    super::variant_fits(&args.sample, &kinds, |kind| {
        format!("add {kind} to the events")
    })?;
    let templates = match args.batch {
        Some(_) if profile != Profile::Meta => {
            return Err(Error::input("--batch needs --profile meta")
                .with_hint("StartMessaging sends one event per delivery; Meta batches updates"));
        }
        Some(n) => vec![Template::batch(&kinds, &variant, n as usize)],
        None => kinds
            .iter()
            .map(|&kind| Template::single(profile, kind, &variant))
            .collect(),
    };
    let mut edits: Vec<Edit> = args.set.iter().chain(&args.set_new).cloned().collect();
    if let Some(text) = &args.text {
        edits.push(Edit {
            path: match profile {
                Profile::StartMessaging => "data.text.body",
                Profile::Meta => "entry.0.changes.0.value.messages.0.text.body",
            }
            .into(),
            value: text.as_str().into(),
            create: false,
            only: Some(EventKind::MessageReceived),
        });
    }
    let samples = Sample::build_from(templates, &edits).map_err(|err| {
        let hint = match &err {
            EditError::NotFound { .. } => "--set-new PATH=VALUE adds a field the sample lacks",
            EditError::NotAContainer { .. } => "set the parent field to a JSON object instead",
            EditError::EventNotSelected { event, .. } => {
                return Error::input(err.to_string())
                    .with_hint(format!("add {event} to the events to send"));
            }
        };
        Error::input(err.to_string()).with_hint(hint)
    })?;
    Ok(Source::samples(samples))
}

/// The bodies of `--payload-file` (each one delivery, in order), then of
/// every `*.json` in `--payload-dir`, in name order.
fn payloads(files: &[PathBuf], dir: Option<&Path>) -> Result<Source> {
    if files.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Err(Error::input("--payload-file - (stdin) can be given once"));
    }
    let mut paths = files.to_vec();
    if let Some(dir) = dir {
        paths.extend(json_files(dir)?);
    }
    let mut items = Vec::new();
    for path in &paths {
        let body = Payload::from_arg(Some(path)).read_all()?;
        if body.is_empty() {
            output::warn(format_args!(
                "{} is empty; webhook deliveries always have a body",
                path.display()
            ));
        }
        items.push(Item::from_body(body));
    }
    Ok(Source::Fixed(items))
}

/// The `*.json` files in `dir`, sorted by name.
fn json_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let cannot = |e: std::io::Error| {
        Error::input(format!("cannot read the directory {}: {e}", dir.display()))
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(cannot)? {
        let path = entry.map_err(cannot)?.path();
        if path.extension().is_some_and(|e| e == "json") && path.is_file() {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Err(Error::input(format!(
            "{} holds no *.json files",
            dir.display()
        )));
    }
    paths.sort();
    Ok(paths)
}

/// The bodies of the POSTs in a record file, in order.
fn replay(path: &Path) -> Result<Source> {
    let mut items = Vec::new();
    for line in record_file::lines(path)? {
        let (number, line) = line?;
        if line.trim().is_empty() {
            continue;
        }
        let at = || format!("{} line {number}", path.display());
        let record = record::parse_line(&line).map_err(|e| {
            Error::input(format!("{} is not a record: {e}", at())).with_hint(format!(
                "record files are written by `wm-hooks listen --record FILE`; to send a body \
                 as it is, use --payload-file {}",
                path.display()
            ))
        })?;
        if record.method != "POST" {
            continue;
        }
        let body = record
            .body_bytes()
            .map_err(|e| Error::input(format!("{} {e}", at())))?;
        if body.len() as u64 > MAX_HELD {
            return Err(Error::input(format!(
                "{} has a body larger than {} MiB, the most a payload may be",
                at(),
                MAX_HELD >> 20
            )));
        }
        items.push(Item::from_body(body));
    }
    if items.is_empty() {
        return Err(Error::input(format!(
            "{} has no POST requests to replay",
            path.display()
        )));
    }
    Ok(Source::Fixed(items))
}

fn progress_bar(wanted: bool, len: u64) -> ProgressBar {
    use std::io::IsTerminal;
    if !wanted || output::quiet() || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} events  {rate}  {elapsed}")
            .expect("the template is valid")
            // indicatif's {per_sec} prints `1,198.3899/s`; whole events read better.
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{}", rate(state.per_sec()));
                },
            ),
    );
    bar
}

/// An answer's body as the lines a terminal shows: split at each newline (a
/// CRLF's CR too), the final newline most bodies end with dropped, each line
/// escaped. Never empty.
fn body_lines(body: &[u8]) -> Vec<String> {
    let body = body
        .strip_suffix(b"\n")
        .map(|b| b.strip_suffix(b"\r").unwrap_or(b))
        .unwrap_or(body);
    body.split(|&b| b == b'\n')
        .map(|line| output::escape_bytes(line.strip_suffix(b"\r").unwrap_or(line)))
        .collect()
}

/// A progress bar's rate: whole events per second.
fn rate(per_sec: f64) -> String {
    format!("{per_sec:.0}/s")
}

/// Turns each report into output; runs on the sender's task, so it is cheap
/// under `--count`.
struct Printer {
    url: String,
    path: String,
    header: HeaderName,
    mode: SignatureMode,
    budget: std::time::Duration,
    json: bool,
    bulk: bool,
    duplicate: u32,
    expect: Expect,
    bar: ProgressBar,
}

impl Printer {
    fn report(&self, r: &Report) -> Result<()> {
        if r.retry_in.is_none() {
            self.bar.inc(1);
        }
        if self.json {
            return output::println(self.json_line(r));
        }
        if self.bulk {
            return Ok(());
        }
        let mut line = format!("{} POST {}  ", output::mark(r.problem.is_none()), self.url);
        match r.result {
            Ok(answer) => {
                let _ = write!(
                    line,
                    "{}  {}",
                    status_text(answer.status),
                    output::latency(answer.latency)
                );
            }
            Err(failure) => {
                let _ = write!(
                    line,
                    "{}  {}",
                    describe(r.result),
                    output::latency(failure.latency)
                );
            }
        }
        for part in [&r.item.event, &r.item.message_id].into_iter().flatten() {
            line.push_str("  ");
            line.push_str(&output::escape(part));
        }
        let mut notes = Vec::new();
        if r.item.updates > 1 {
            notes.push(format!("{} updates in one delivery", r.item.updates));
        }
        if self.duplicate > 1 {
            notes.push(format!("copy {} of {}", r.copy + 1, self.duplicate));
        }
        if r.attempt > 1 {
            notes.push(format!("retry {}", r.attempt - 1));
        }
        match r.problem {
            Some(delivery::Problem::TooSlow { budget, .. }) => {
                notes.push(format!(
                    "over the {} budget",
                    humantime::format_duration(*budget)
                ));
            }
            None if self.expect == Expect::Refused => notes.push("refused, as it should be".into()),
            _ => {}
        }
        if !notes.is_empty() {
            let _ = write!(line, "  ({})", notes.join(", "));
        }
        output::println(line)?;
        if let Ok(answer) = r.result {
            if answer.body_len > 0 {
                let cut = if answer.is_cut() { "…" } else { "" };
                let lines = body_lines(&answer.shown_head());
                let last = lines.len() - 1;
                for (n, text) in lines.iter().enumerate() {
                    let label = if n == 0 { "  body: " } else { "        " };
                    let cut = if n == last { cut } else { "" };
                    output::println(format_args!("{label}{text}{cut}"))?;
                }
            }
        }
        if let Some(wait) = r.retry_in {
            let retry = r.attempt as usize;
            output::println(format_args!(
                "  retry {retry} of {} in {} (the platform waits {})",
                RETRY_SCHEDULE.len(),
                humantime::format_duration(wait),
                humantime::format_duration(RETRY_SCHEDULE[retry - 1]),
            ))?;
        }
        Ok(())
    }

    /// The delivery as a report line, in the format `check` and `verify` use.
    fn json_line(&self, r: &Report) -> String {
        // As in `verify` and `check`: a time only for an answer that came back.
        let latency = r.result.as_ref().ok().map(|answer| answer.latency);
        let header = title_case(&self.header);
        let signed = match self.mode {
            SignatureMode::Valid => format!("{header}: sha256=<HMAC of the body with the secret>"),
            SignatureMode::Invalid => format!("{header}: sha256=<HMAC with another secret>"),
            SignatureMode::Missing => format!("no {header} header"),
        };
        let event = r.item.event.as_deref().unwrap_or("a payload");
        let what = match r.item.updates {
            0 | 1 => event.to_string(),
            n => format!("{event} and {} more updates in one delivery", n - 1),
        };
        let budget = humantime::format_duration(self.budget);
        let check = Check {
            kind: LineType::Delivery,
            result: Verdict::from_passed(r.problem.is_none()),
            sent: format!("POST {}  {what}, {signed}", self.path),
            expected: match self.expect {
                Expect::Accepted => format!("2xx within {budget}"),
                Expect::Refused => format!("4xx (401) within {budget}"),
            },
            got: describe(r.result),
            hint: r.problem.map(|p| p.hint(&self.header)),
            latency_ms: latency.map(report::millis),
            delivery: Some(DeliveryFields {
                url: self.url.clone(),
                event: r.item.event.clone(),
                message_id: r.item.message_id.clone(),
                copy: r.copy + 1,
                attempt: r.attempt,
                status: r.result.as_ref().ok().map(|a| a.status.as_u16()),
                problem: r.problem.map(|p| p.name()),
                retry_in_ms: r.retry_in.map(|d| report::round_ms(report::millis(d))),
            }),
            ..Check::new(r.item.event.as_deref().unwrap_or("payload"), true)
        };
        check.json()
    }
}

fn summarize(stats: &Stats, line: impl Fn(String) -> Result<()>) -> Result<()> {
    // A rate of refusals is no throughput: said beside it.
    let unanswered = match stats.errors {
        0 => String::new(),
        n => format!(" ({n} of them got no answer)"),
    };
    line(format!(
        "sent {} in {:.2} s over {}: {:.0} events/s{unanswered}",
        output::plural(stats.requests, "request", "requests"),
        stats.elapsed.as_secs_f64(),
        output::plural(stats.senders as u64, "connection", "connections"),
        stats.rate()
    ))?;
    line(format!(
        "2xx {}  non-2xx {}  too slow {}  errors {}",
        stats.success, stats.non_success, stats.too_slow, stats.errors
    ))?;
    if let (Some(p50), Some(p99), Some(max)) = (
        stats.percentile(0.5),
        stats.percentile(0.99),
        stats.max_latency(),
    ) {
        line(format!(
            "latency p50 {}  p99 {}  max {}",
            output::latency(p50),
            output::latency(p99),
            output::latency(max)
        ))?;
    }
    Ok(())
}

fn verdict(stats: &Stats, deliveries: u64, line: impl Fn(String) -> Result<()>) -> Result<()> {
    if stats.failed_deliveries == 0 {
        return line(format!(
            "{} all {deliveries} deliveries passed",
            output::mark(true)
        ));
    }
    line(format!(
        "{} {} of {deliveries} deliveries failed",
        output::mark(false),
        stats.failed_deliveries
    ))?;
    for (problem, n) in &stats.problems {
        line(format!("  {} ×{n}", problem.label()))?;
    }
    Ok(())
}

/// Prints each request that would be sent and an equivalent curl command.
fn dry_run(
    endpoint: &Endpoint,
    signer: &Signer,
    source: &Source,
    count: u64,
    duplicate: u32,
    secret: Option<&Secret>,
    insecure: bool,
) -> Result<Outcome> {
    let secret_text = secret.map(|s| String::from_utf8_lossy(s.bytes()).into_owned());
    let mut masked = false;
    for index in 0..count {
        let item = source.item(index, SystemTime::now());
        let request = signer.sign(item.body.clone()).request(endpoint);
        if index > 0 {
            output::println("")?;
        }
        output::println(format_args!("POST {}", endpoint.shown()))?;
        // curl checks certificates as the platform does; -k matches --insecure.
        let mut curl = format!(
            "curl -sS {}-X POST {}",
            if insecure { "-k " } else { "" },
            shell_quote(endpoint.shown().as_bytes())
        );
        masked |= endpoint.url().password().is_some()
            || endpoint.shown() != crate::contract::redact::url(endpoint.url());
        for (name, value) in request.headers() {
            let (shown, hidden) = super::shown_value(name, value, secret_text.as_deref());
            masked |= hidden;
            let header = format!("{}: {shown}", title_case(name));
            output::println(output::escape(&header))?;
            if name != header::HOST {
                let _ = write!(curl, " -H {}", shell_quote(header.as_bytes()));
            }
        }
        output::println("")?;
        for body_line in item.body.split(|&b| b == b'\n') {
            output::println(output::escape_bytes(body_line))?;
        }
        output::println("")?;
        let _ = write!(curl, " --data-binary {}", shell_quote(&item.body));
        output::println(curl)?;
        if duplicate > 1 {
            output::note(format_args!("(sent {duplicate} times, byte for byte)"));
        }
    }
    if masked {
        output::hint(
            "values that look like credentials are masked: put them back in the curl command",
        );
    }
    output::note("dry run: nothing was sent");
    Ok(Outcome::Success)
}

/// Quotes bytes for a POSIX shell: single quotes when the bytes are text a
/// terminal shows safely, else bash's `$'…'` with `\xNN` escapes, so the
/// command reproduces the exact bytes and prints no control characters.
fn shell_quote(bytes: &[u8]) -> String {
    let safe_text = std::str::from_utf8(bytes).ok().filter(|text| {
        text.split(['\n', '\t'])
            .all(|part| matches!(output::escape(part), std::borrow::Cow::Borrowed(_)))
    });
    if let Some(text) = safe_text {
        return format!("'{}'", text.replace('\'', r"'\''"));
    }
    let mut out = String::from("$'");
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\'' => out.push_str("\\'"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_bodies_show_as_lines() {
        assert_eq!(body_lines(b"ok\n"), ["ok"]);
        assert_eq!(body_lines(b"ok\r\n"), ["ok"]);
        assert_eq!(body_lines(b"a\nb\r\nc"), ["a", "b", "c"]);
        assert_eq!(body_lines(b"a\n\n"), ["a", ""]);
        assert_eq!(body_lines(b"\x1b[2J\tx\n"), ["\\u{1b}[2J\\tx"]);
        assert_eq!(body_lines(b"\n"), [""]);
    }

    #[test]
    fn the_summary_counts_connections() {
        let first_line = |senders| {
            let mut stats = Stats::default();
            stats.senders = senders;
            let lines = std::cell::RefCell::new(Vec::new());
            summarize(&stats, |line| {
                lines.borrow_mut().push(line);
                Ok(())
            })
            .unwrap();
            lines.into_inner().remove(0)
        };
        assert!(first_line(1).contains(" s over 1 connection: "));
        assert!(first_line(2).contains(" s over 2 connections: "));
    }

    #[test]
    fn the_progress_rate_is_whole_events() {
        assert_eq!(rate(1198.3899), "1198/s");
        assert_eq!(rate(0.4), "0/s");
    }

    #[test]
    fn shell_quoting_keeps_bytes_and_terminals_safe() {
        assert_eq!(shell_quote(b"{\"a\":\"b\"}"), "'{\"a\":\"b\"}'");
        assert_eq!(shell_quote(b"it's"), r"'it'\''s'");
        assert_eq!(shell_quote("João\n".as_bytes()), "'João\n'");
        assert_eq!(shell_quote(b"a\x1b[2Jb"), r"$'a\x1b[2Jb'");
        assert_eq!(shell_quote(b"\xff'\\"), r"$'\xff\'\\'");
    }
}
