//! `wm-hooks check`: runs the checks of [`conformance`] against an endpoint
//! and prints a report card (a ✔/✘ line per check as soon as it is done, with
//! what was sent, expected and a hint under a failed one, then a verdict), or
//! one JSON object per check; `--junit FILE` also writes JUnit XML for CI.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::cli::CheckArgs;
use crate::error::{Error, Kind, Outcome, Result};
use crate::output;
use crate::platform::conformance::{self, Finding, Spec};
use crate::platform::handshake::Token;
use crate::platform::report::{Check, Summary, Verdict};

/// How much longer than the budget a late answer is awaited, at least: long
/// enough to tell a slow receiver (which fails `budget` only) from a silent one.
const LATE_MARGIN: Duration = Duration::from_secs(2);

pub fn run(args: CheckArgs) -> Result<Outcome> {
    // The exit code is the verdict, whoever reads stdout.
    output::outlive_stdout();
    let profile = super::profile(&args.endpoint.profile)?;
    let header = super::signature_header(args.signature_header.as_ref(), profile);
    let mut checks = conformance::select(&args.only, &args.skip);
    let selected = !checks.is_empty();
    checks.retain(|spec| conformance::applies(spec, profile));
    if checks.is_empty() && selected {
        return Err(Error::input(format!(
            "--only picks checks that do not run under --profile {}",
            profile.name()
        ))
        .with_hint("`batch` runs only with --profile meta: Meta batches updates, StartMessaging sends one event per delivery"));
    }
    if checks.is_empty() {
        return Err(Error::input("--only and --skip leave no check to run")
            .with_hint("`wm-hooks check --list` names the checks and their groups"));
    }
    if args.list {
        return list(&checks);
    }
    let endpoint = super::handshake_endpoint(&args.endpoint.url)?;
    let headers = super::extra_headers(&args.headers)?;
    super::refuse_signature_in_headers(&headers, &header, "check", "rightly and wrongly")?;
    let secret = super::require_secret_or_saved(&args.endpoint.secret)?;
    super::warn_if_on_command_line(&secret);
    let (token, token_kind) =
        super::handshake_token(&args.endpoint.verify_token, || Ok(secret.clone()))?;
    let endpoint = Arc::new(super::hiding(endpoint, &[&secret, &token]));
    let client = super::client(&args.connection, &[&secret, &token], &endpoint)
        .waiting_at_least(args.connection.timeout + LATE_MARGIN);
    let token = Token {
        value: token.to_text()?,
        kind: token_kind,
    };
    let saved = crate::input::secret::saved_path();
    let mut inputs = super::secret_files(
        &args.endpoint.secret,
        &args.endpoint.verify_token,
        saved.as_deref(),
    );
    inputs.extend(args.headers.iter().filter_map(|h| match h {
        crate::cli::HeaderArg::File(path) => Some((Some(path.as_path()), "-H @FILE")),
        _ => None,
    }));
    super::refuse_output_over_input(args.junit.as_deref(), "--junit", &inputs)?;
    let junit = args.junit.as_deref().map(Junit::create).transpose()?;
    let url = endpoint.shown();
    if !args.json {
        output::println(format_args!("check {url}"))?;
    }
    let json = args.json;
    // JSON lines go out as each check ends; the card waits for the end, so
    // that the root cause comes first.
    let mut show = |finding: &Finding| {
        if json {
            return output::println(finding.check.json());
        }
        Ok(())
    };
    let start = Instant::now();
    let findings = super::block_on_stoppable(
        || output::note("Stopping: finishing the check in flight (Ctrl-C again stops now)"),
        |stop| {
            conformance::run(
                client, endpoint, profile, &secret, token, header, &headers, &checks, &mut show,
                stop,
            )
        },
    );
    let elapsed = start.elapsed();
    let conformance::Run {
        findings,
        root_cause,
        interrupted,
    } = match findings {
        Ok(run) => run,
        Err(err) => {
            if err.kind == Kind::Unreachable {
                if json {
                    super::verify::print_unreachable(&err, &url, elapsed)?;
                }
                if let Some(junit) = junit {
                    junit.write(&junit_xml(&url, &[unreachable_case(&err)], elapsed))?;
                }
            }
            return Err(err);
        }
    };
    let verdict = verdict(&findings, elapsed, interrupted);
    let lines: Vec<Check> = findings.iter().map(|f| f.check.clone()).collect();
    let summary = Summary::of(&lines, &url, elapsed)
        .with_root_cause(root_cause.clone())
        .interrupted(interrupted);
    if json {
        output::println(summary.json())?;
        output::note(verdict);
    } else {
        if let Some(cause) = &root_cause {
            output::println(format_args!("root cause: {}", output::escape(cause)))?;
        }
        let width = checks.iter().map(|spec| spec.name.len()).max().unwrap_or(0);
        for check in &lines {
            for line in super::verify::check_lines(check, width) {
                output::println(line)?;
            }
        }
        output::println(verdict)?;
    }
    if let Some(junit) = junit {
        let cases: Vec<Case> = findings.iter().map(Case::from).collect();
        junit.write(&junit_xml(&url, &cases, elapsed))?;
    }
    if interrupted {
        return Ok(Outcome::Interrupted);
    }
    Ok(Outcome::from_passed(summary.passed()))
}

/// `--list`: each check with what it is for.
fn list(checks: &[&Spec]) -> Result<Outcome> {
    let width = checks.iter().map(|spec| spec.name.len()).max().unwrap_or(0);
    for spec in checks {
        output::println(format_args!("{:<width$}  {}", spec.name, spec.about))?;
    }
    Ok(Outcome::Success)
}

/// The last line: how many required checks passed, which failed, which
/// proved nothing, and how many were not sent (and why: a silent endpoint,
/// or a stop asked for).
fn verdict(findings: &[Finding], elapsed: Duration, interrupted: bool) -> String {
    let required = findings.iter().filter(|f| f.spec.required).count();
    let named = |verdict: Verdict| -> Vec<&str> {
        findings
            .iter()
            .filter(|f| f.spec.required && f.check.result == verdict)
            .map(|f| f.spec.name)
            .collect()
    };
    let not_run = findings
        .iter()
        .filter(|f| f.check.result == Verdict::Skipped)
        .count();
    let mut line = format!(
        "{} of {required} required checks passed in {:.2} s",
        named(Verdict::Pass).len(),
        elapsed.as_secs_f64()
    );
    for (verdict, label) in [
        (Verdict::Fail, "failed"),
        (Verdict::Inconclusive, "inconclusive"),
    ] {
        let names = named(verdict);
        if !names.is_empty() {
            let _ = write!(line, "; {label}: {}", names.join(", "));
        }
    }
    if not_run > 0 {
        let why = match interrupted {
            true => "interrupted",
            false => "the endpoint stopped answering",
        };
        let _ = write!(line, "; {not_run} not run ({why})");
    }
    line
}

/// The report file, created before anything is sent so that a bad path
/// fails at once (exit 2).
struct Junit {
    path: PathBuf,
    file: std::fs::File,
}

impl Junit {
    fn create(path: &Path) -> Result<Junit> {
        let file = crate::input::create(path).map_err(|e| Junit::error(path, &e))?;
        Ok(Junit {
            path: path.to_path_buf(),
            file,
        })
    }

    fn write(mut self, xml: &str) -> Result<()> {
        use std::io::Write;
        self.file
            .write_all(xml.as_bytes())
            .and_then(|()| self.file.flush())
            .map_err(|e| Junit::error(&self.path, &e))
    }

    fn error(path: &Path, err: &std::io::Error) -> Error {
        crate::input::cannot_write(format_args!("the JUnit report {}", path.display()), err)
    }
}

/// One `<testcase>`.
struct Case {
    name: String,
    classname: String,
    time: Duration,
    result: CaseResult,
}

enum CaseResult {
    Passed,
    /// Information for the reader that neither passes nor fails the build.
    Output(String),
    /// Not run, and why.
    Skipped(String),
    /// `<failure>` (the endpoint answered wrongly) or `<error>` (it could not be asked).
    Failure {
        error: bool,
        message: String,
        text: String,
    },
}

impl From<&Finding> for Case {
    fn from(finding: &Finding) -> Case {
        let check = &finding.check;
        let mut text = format!(
            "sent      {}\nexpected  {}\ngot       {}",
            check.sent, check.expected, check.got
        );
        if let Some(hint) = &check.hint {
            let _ = write!(text, "\nhint      {hint}");
        }
        let result = if finding.fails_run() {
            // An inconclusive check fails the build like a failed one, but
            // its message says it proved nothing rather than that it broke.
            let message = match check.result {
                Verdict::Inconclusive => format!("inconclusive: {}", check.got),
                _ => check.got.clone(),
            };
            CaseResult::Failure {
                error: false,
                message,
                text,
            }
        } else if check.result == Verdict::Skipped {
            CaseResult::Skipped(check.got.clone())
        } else if !finding.spec.required {
            CaseResult::Output(text)
        } else {
            CaseResult::Passed
        };
        Case {
            name: finding.spec.name.to_string(),
            classname: format!("wm-hooks.check.{}", finding.spec.group()),
            time: Duration::from_secs_f64(check.latency_ms.unwrap_or(0.0) / 1000.0),
            result,
        }
    }
}

fn unreachable_case(err: &Error) -> Case {
    Case {
        name: "reachable".into(),
        classname: "wm-hooks.check".into(),
        time: Duration::ZERO,
        result: CaseResult::Failure {
            error: true,
            message: err.message.clone(),
            text: err.hint.clone().unwrap_or_default(),
        },
    }
}

/// JUnit XML as Jenkins, GitLab and GitHub's test reporters read it: one
/// suite for the endpoint, one case per check.
fn junit_xml(url: &str, cases: &[Case], elapsed: Duration) -> String {
    let count = |error: bool| {
        cases
            .iter()
            .filter(|c| matches!(c.result, CaseResult::Failure { error: e, .. } if e == error))
            .count()
    };
    let totals = format!(
        r#"tests="{}" failures="{}" errors="{}" time="{:.3}""#,
        cases.len(),
        count(false),
        count(true),
        elapsed.as_secs_f64()
    );
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(xml, r#"<testsuites name="wm-hooks check" {totals}>"#);
    let _ = writeln!(
        xml,
        r#"  <testsuite name="{}" {totals}>"#,
        xml_attr(&format!("wm-hooks check {url}"))
    );
    for case in cases {
        let _ = write!(
            xml,
            r#"    <testcase name="{}" classname="{}" time="{:.3}""#,
            xml_attr(&case.name),
            xml_attr(&case.classname),
            case.time.as_secs_f64()
        );
        match &case.result {
            CaseResult::Passed => xml.push_str("/>\n"),
            CaseResult::Skipped(why) => {
                let _ = writeln!(
                    xml,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    xml_attr(why)
                );
            }
            CaseResult::Output(text) => {
                let _ = writeln!(
                    xml,
                    ">\n      <system-out>{}</system-out>\n    </testcase>",
                    xml_text(text)
                );
            }
            CaseResult::Failure {
                error,
                message,
                text,
            } => {
                let tag = if *error { "error" } else { "failure" };
                let _ = writeln!(
                    xml,
                    ">\n      <{tag} message=\"{}\" type=\"{}\">{}</{tag}>\n    </testcase>",
                    xml_attr(message),
                    xml_attr(&case.name),
                    xml_text(text)
                );
            }
        }
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    xml
}

/// Text fit for XML 1.0 element content.
fn xml_text(text: &str) -> String {
    xml_escape(text, false)
}

/// Text fit for an XML 1.0 attribute value.
fn xml_attr(text: &str) -> String {
    xml_escape(text, true)
}

/// Markup characters become entities; in attribute values line breaks and
/// tabs become character references too (a parser would fold them into
/// spaces); characters XML cannot carry at all, such as ESC, are written out
/// as `\u{1b}`, the way the terminal output shows them.
fn xml_escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            '\n' | '\t' => out.push(c),
            c if c < ' ' || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping() {
        assert_eq!(
            xml_text(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
        );
        assert_eq!(xml_attr("a\nb\tc\r"), "a&#10;b&#9;c&#13;");
        assert_eq!(xml_text("a\nb\tc\r"), "a\nb\tc&#13;");
        assert_eq!(
            xml_text("\u{1b}[2J\u{0}\u{ffff}"),
            "\\u{1b}[2J\\u{0}\\u{ffff}"
        );
        assert_eq!(xml_attr("João 👋 \u{85}"), "João 👋 \u{85}");
    }

    #[test]
    fn junit_counts_failures_and_errors() {
        let case = |name: &str, result| Case {
            name: name.into(),
            classname: "wm-hooks.check.x".into(),
            time: Duration::from_millis(1500),
            result,
        };
        let xml = junit_xml(
            "http://h/p?a=1&b=2",
            &[
                case("ok", CaseResult::Passed),
                case("info", CaseResult::Output("fine".into())),
                case(
                    "bad",
                    CaseResult::Failure {
                        error: false,
                        message: "200 OK, body \"<x>\"".into(),
                        text: "line 1\nline 2".into(),
                    },
                ),
            ],
            Duration::from_millis(2),
        );
        assert!(xml.contains(r#"tests="3" failures="1" errors="0" time="0.002""#));
        assert!(xml.contains(r#"<testsuite name="wm-hooks check http://h/p?a=1&amp;b=2""#));
        assert!(xml.contains(r#"<testcase name="ok" classname="wm-hooks.check.x" time="1.500"/>"#));
        assert!(xml.contains("<system-out>fine</system-out>"));
        assert!(xml.contains(
            "<failure message=\"200 OK, body &quot;&lt;x&gt;&quot;\" type=\"bad\">line 1\nline 2</failure>"
        ));
        assert_eq!(xml.matches("<testcase ").count(), 3);
        assert!(xml.ends_with("</testsuite>\n</testsuites>\n"));
    }
}
