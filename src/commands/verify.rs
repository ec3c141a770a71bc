//! `wm-hooks verify`: runs the platform's handshake (and the negative probes)
//! through [`handshake::check`] and prints the checks as a ✔/✘ table, with
//! what was sent, what was expected and a hint under each failed one.
//! Ctrl-C or SIGTERM lets the probe in flight finish (a second one cuts it),
//! reports what ran with the rest `skipped`, and exits 130, as `check` does.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::cli::VerifyArgs;
use crate::error::{Error, Kind, Outcome, Result};
use crate::input::secret::Source;
use crate::output;
use crate::platform::handshake::{self, Report, TokenKind};
use crate::platform::report::{Check, Summary, Verdict};
use crate::platform::root_cause;

pub fn run(args: VerifyArgs) -> Result<Outcome> {
    // The exit code is the verdict, whoever reads stdout.
    output::outlive_stdout();
    let endpoint = super::handshake_endpoint(&args.endpoint.url)?;
    let profile = super::profile(&args.endpoint.profile)?;
    let (token, kind) = super::handshake_token(&args.endpoint.verify_token, || {
        super::secret_as_token(&args.endpoint.secret)
    })?;
    let endpoint = super::hiding(endpoint, &[&token]);
    let client = super::client(&args.connection, &[&token], &endpoint);
    let origin = token.source;
    let token = handshake::Token {
        value: token.to_text()?,
        kind,
    };
    let options = handshake::Options {
        challenge: args.challenge,
        negative: !args.no_negative,
    };
    let start = Instant::now();
    let checked = super::block_on_stoppable(
        || output::note("Stopping: finishing the check in flight (Ctrl-C again stops now)"),
        |stop| handshake::check(&client, &endpoint, token, &options, stop),
    );
    let mut report = match checked {
        Ok(report) => report,
        Err(err) => {
            if args.json && err.kind == Kind::Unreachable {
                print_unreachable(&err, &endpoint.shown(), start.elapsed())?;
            }
            return Err(err);
        }
    };
    // Meta always sends hub.mode=subscribe: ignoring the mode is no fault there.
    if !profile.mode_matters() {
        for check in &mut report.checks {
            if check.name == "handshake.wrong-mode" {
                check.required = false;
            }
        }
    }
    if kind == TokenKind::Secret {
        name_our_secret(&mut report, origin);
    }
    if args.json {
        for check in &report.checks {
            output::println(check.json())?;
        }
        let summary = Summary::of(&report.checks, &report.url, start.elapsed())
            .interrupted(report.interrupted);
        output::println(summary.json())?;
    } else {
        for line in report_lines(&report) {
            output::println(line)?;
        }
    }
    if report.interrupted {
        return Ok(Outcome::Interrupted);
    }
    Ok(Outcome::from_passed(report.passed()))
}

/// A 401 or 403 to the right token is most often an endpoint with another
/// secret (a `wm-hooks listen` restarted with a new one): the hint then says
/// where ours came from, as `check`'s root cause does.
fn name_our_secret(report: &mut Report, origin: Source) {
    let refused = report.checks.iter_mut().find(|c| {
        c.name == "handshake.challenge"
            && c.result == Verdict::Fail
            && matches!(c.status, Some(401 | 403))
    });
    if let Some(check) = refused {
        let note = root_cause::where_ours_came_from(origin);
        check.hint = Some(match check.hint.take() {
            Some(hint) => format!("{hint} {note}"),
            None => note,
        });
    }
}

/// `--json`'s lines for an endpoint that could not be reached at all: its
/// one failed line and the summary, so that a script reading stdout still
/// gets the summary it waits for (the error line goes to stderr, exit 3).
pub(super) fn print_unreachable(err: &Error, url: &str, elapsed: Duration) -> Result<()> {
    let line = Check::unreachable(err);
    output::println(line.json())?;
    output::println(Summary::of(std::slice::from_ref(&line), url, elapsed).json())
}

/// The report as the lines of a ✔/✘ table: a heading, one line per check
/// (with what was sent and expected under a failed one, and its hint), and a
/// count. `configure --verify-first` shows the same lines.
pub(super) fn report_lines(report: &Report) -> Vec<String> {
    let mut lines = vec![format!("verify {}", report.url)];
    let run: Vec<&Check> = report
        .checks
        .iter()
        .filter(|c| c.result != Verdict::Skipped)
        .collect();
    let width = run.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for check in &run {
        lines.extend(check_lines(check, width));
    }
    let passed = run.iter().filter(|c| c.passed()).count();
    let mut count = format!("{passed} of {} checks passed", run.len());
    let skipped: Vec<&Check> = report
        .checks
        .iter()
        .filter(|c| c.result == Verdict::Skipped)
        .collect();
    if let Some(first) = skipped.first() {
        let why = match report.interrupted {
            true => "interrupted",
            false => first.got.strip_prefix("not sent: ").unwrap_or(&first.got),
        };
        let names: Vec<&str> = skipped.iter().map(|c| c.name.as_str()).collect();
        let _ = write!(count, "; not sent ({why}): {}", names.join(", "));
    }
    lines.push(count);
    lines
}

/// One check's lines: ✔/✘, the name padded to `width`, what came back and its
/// latency; what was sent and expected under a failed one (that sent
/// anything); its hint. `check` prints its card with the same lines.
pub(super) fn check_lines(check: &Check, width: usize) -> Vec<String> {
    let latency = check
        .latency_ms
        .map(|ms| {
            format!(
                "  ({})",
                output::latency(Duration::from_secs_f64(ms / 1000.0))
            )
        })
        .unwrap_or_default();
    let mut lines = vec![format!(
        "{} {:<width$}  {}{latency}",
        output::verdict_mark(check.result),
        check.name,
        output::escape(&check.got)
    )];
    if !check.passed() && !check.sent.is_empty() {
        lines.push(format!("    sent      {}", output::escape(&check.sent)));
        lines.push(format!("    expected  {}", output::escape(&check.expected)));
    }
    if let Some(hint) = &check.hint {
        lines.push(format!("    hint: {}", output::escape(hint)));
    }
    lines
}
