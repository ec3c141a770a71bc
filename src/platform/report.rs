//! The one report format of `verify`, `check` and `send-test`: a [`Check`]
//! per check or delivery, with a [`Verdict`] that is `pass` only when the
//! answer proved it, and a [`Summary`] that closes the run. `--json` writes
//! each as one line through [`Check::json`] and [`Summary::json`], so the three
//! commands cannot drift apart; the README's "Reports" section documents the
//! fields. Never prints.
//!
//! The rule for negative checks lives here too ([`Verdict::against_control`]):
//! a "must be refused" check proves something only when the valid delivery of
//! the same shape was accepted, else it is `inconclusive`.

use std::time::Duration;

use serde::Serialize;

use crate::http::sender::Failure;

/// What one check or delivery showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The answer proved it.
    Pass,
    /// The answer was wrong.
    Fail,
    /// The answer proves nothing, right or wrong, because the control it
    /// leans on (the valid delivery or handshake) was refused or not answered
    /// either. Not passed.
    Inconclusive,
    /// Not sent (deselected, or the endpoint had stopped answering).
    Skipped,
}

impl Verdict {
    pub fn from_passed(passed: bool) -> Verdict {
        if passed { Verdict::Pass } else { Verdict::Fail }
    }

    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Inconclusive => "inconclusive",
            Verdict::Skipped => "skipped",
        }
    }

    /// A negative check's verdict given whether its control was accepted and
    /// whether the wrong request itself was accepted (a forgery answered 2xx,
    /// the challenge echoed for a wrong token): that fails whatever the control
    /// did. Any other answer (a refusal, a 5xx, none) tells something about the
    /// wrong request only when the valid one was accepted.
    pub fn against_control(self, control_accepted: bool, wrong_accepted: bool) -> Verdict {
        match self {
            Verdict::Fail if wrong_accepted => Verdict::Fail,
            Verdict::Pass | Verdict::Fail if !control_accepted => Verdict::Inconclusive,
            other => other,
        }
    }
}

/// Whether a line is a check (`verify`, `check`) or a delivery (`send-test`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineType {
    Check,
    Delivery,
}

/// The name of [`Check::unreachable`]'s line.
pub const UNREACHABLE: &str = "reachable";

/// One check or delivery and its verdict.
#[derive(Debug, Clone)]
pub struct Check {
    pub kind: LineType,
    /// Dotted, the same in every command (`handshake.challenge`).
    pub name: String,
    pub result: Verdict,
    /// A required line that is not `pass` (nor `skipped`) fails the run.
    pub required: bool,
    /// The request, with any secret replaced by a placeholder.
    pub sent: String,
    pub expected: String,
    /// What came back: the status and the start of the body, or why nothing
    /// did. Text from the network, unescaped.
    pub got: String,
    pub hint: Option<String>,
    pub latency_ms: Option<f64>,
    /// Why no answer came, when none did.
    pub failure: Option<Failure>,
    /// The answer's status (of the first answer that was wrong, for copies),
    /// for the root-cause diagnosis; not a field of its own on the line.
    pub status: Option<u16>,
    /// The start of that answer's body, for the root-cause diagnosis too.
    pub body: Option<String>,
    /// `send-test`'s fields about the delivery.
    pub delivery: Option<DeliveryFields>,
}

/// The fields only a `send-test` delivery line has.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryFields {
    pub url: String,
    pub event: Option<String>,
    pub message_id: Option<String>,
    /// 1-based: which copy of a duplicated delivery, which attempt of a retried one.
    pub copy: u32,
    pub attempt: u32,
    pub status: Option<u16>,
    /// The problem's stable name (`not-accepted`, `too-slow`, `timeout`...).
    pub problem: Option<&'static str>,
    pub retry_in_ms: Option<f64>,
}

impl Check {
    /// A check line with nothing filled in but its name and whether it is required.
    pub fn new(name: impl Into<String>, required: bool) -> Check {
        Check {
            kind: LineType::Check,
            name: name.into(),
            result: Verdict::Skipped,
            required,
            sent: String::new(),
            expected: String::new(),
            got: String::new(),
            hint: None,
            latency_ms: None,
            failure: None,
            status: None,
            body: None,
            delivery: None,
        }
    }

    /// A check that was not sent, and why.
    pub fn skipped(name: impl Into<String>, required: bool, why: impl Into<String>) -> Check {
        Check {
            got: why.into(),
            ..Check::new(name, required)
        }
    }

    /// A check that a stop (Ctrl-C, SIGTERM) kept from running, or cut in flight.
    pub fn interrupted(name: impl Into<String>, required: bool) -> Check {
        Check::skipped(name, required, "not run: interrupted (Ctrl-C or SIGTERM)")
    }

    /// The one line of a run that ended before any check: the endpoint could
    /// not be reached (`reachable`, as in JUnit), so `--json` still ends with a
    /// summary.
    pub fn unreachable(error: &crate::error::Error) -> Check {
        Check {
            result: Verdict::Fail,
            expected: "a connection".into(),
            got: error.message.clone(),
            hint: error.hint.clone(),
            ..Check::new(UNREACHABLE, true)
        }
    }

    pub fn passed(&self) -> bool {
        self.result == Verdict::Pass
    }

    /// A required check that did not pass and was run: this fails the run.
    pub fn fails_run(&self) -> bool {
        self.required && matches!(self.result, Verdict::Fail | Verdict::Inconclusive)
    }

    /// The line `--json` prints.
    pub fn json(&self) -> String {
        #[derive(Serialize)]
        struct Line<'a> {
            #[serde(rename = "type")]
            kind: LineType,
            name: &'a str,
            result: Verdict,
            /// Kept for one version: `result == "pass"`.
            passed: bool,
            required: bool,
            latency_ms: Option<f64>,
            sent: &'a str,
            expected: &'a str,
            got: &'a str,
            hint: Option<&'a str>,
            #[serde(flatten)]
            delivery: Option<&'a DeliveryFields>,
        }
        serde_json::to_string(&Line {
            kind: self.kind,
            name: &self.name,
            result: self.result,
            passed: self.passed(),
            required: self.required,
            latency_ms: self.latency_ms.map(round_ms),
            sent: &self.sent,
            expected: &self.expected,
            got: &self.got,
            hint: self.hint.as_deref(),
            delivery: self.delivery.as_ref(),
        })
        .expect("a report line serialises")
    }
}

/// Milliseconds rounded to 0.01, as every report shows them.
pub fn round_ms(ms: f64) -> f64 {
    (ms * 100.0).round() / 100.0
}

/// A duration in milliseconds, unrounded.
pub fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// The last line of a run: the overall verdict, the counts, and the root
/// cause when the pattern of answers shows one.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    #[serde(rename = "type")]
    kind: &'static str,
    /// `pass` or `fail`; `inconclusive` for a passing run cut short.
    pub result: Verdict,
    pub passed: u64,
    pub failed: u64,
    pub inconclusive: u64,
    pub skipped: u64,
    pub root_cause: Option<String>,
    /// Present (`true`) only when Ctrl-C or SIGTERM cut the run short: the
    /// `skipped` lines were not run, and `result` is `inconclusive` unless
    /// what ran failed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    pub url: String,
    pub elapsed_ms: f64,
}

impl Summary {
    /// Counts `checks`; the run fails when a required one failed or was inconclusive.
    pub fn of(checks: &[Check], url: &str, elapsed: Duration) -> Summary {
        let count = |verdict| checks.iter().filter(|c| c.result == verdict).count() as u64;
        Summary::new(
            !checks.iter().any(Check::fails_run),
            [
                count(Verdict::Pass),
                count(Verdict::Fail),
                count(Verdict::Inconclusive),
                count(Verdict::Skipped),
            ],
            url,
            elapsed,
        )
    }

    /// From counts made elsewhere (`send-test` counts deliveries, not attempts):
    /// passed, failed, inconclusive, skipped.
    pub fn new(passed: bool, counts: [u64; 4], url: &str, elapsed: Duration) -> Summary {
        let [passed_n, failed, inconclusive, skipped] = counts;
        Summary {
            kind: "summary",
            result: Verdict::from_passed(passed),
            passed: passed_n,
            failed,
            inconclusive,
            skipped,
            root_cause: None,
            interrupted: false,
            url: url.to_string(),
            elapsed_ms: round_ms(millis(elapsed)),
        }
    }

    pub fn with_root_cause(mut self, root_cause: Option<String>) -> Summary {
        self.root_cause = root_cause;
        self
    }

    /// A run cut short proved nothing about what it did not run: its
    /// `result` is `inconclusive` unless what ran failed already.
    pub fn interrupted(mut self, interrupted: bool) -> Summary {
        self.interrupted = interrupted;
        if interrupted && self.result == Verdict::Pass {
            self.result = Verdict::Inconclusive;
        }
        self
    }

    pub fn passed(&self) -> bool {
        self.result == Verdict::Pass
    }

    /// The line `--json` prints last.
    pub fn json(&self) -> String {
        serde_json::to_string(self).expect("a summary serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn a_refusal_proves_nothing_without_an_accepted_control() {
        assert_eq!(Verdict::Pass.against_control(true, false), Verdict::Pass);
        assert_eq!(
            Verdict::Pass.against_control(false, false),
            Verdict::Inconclusive
        );
        assert_eq!(Verdict::Fail.against_control(false, true), Verdict::Fail);
        assert_eq!(Verdict::Fail.against_control(true, false), Verdict::Fail);
        assert_eq!(
            Verdict::Fail.against_control(false, false),
            Verdict::Inconclusive,
            "no answer to a forgery while the valid delivery got none either"
        );
        assert_eq!(
            Verdict::Skipped.against_control(false, false),
            Verdict::Skipped
        );
    }

    #[test]
    fn lines_have_every_field_in_order() {
        let mut check = Check::new("signature.missing", true);
        check.result = Verdict::Inconclusive;
        check.latency_ms = Some(2.5111869999999996);
        let line: Value = serde_json::from_str(&check.json()).unwrap();
        let keys: Vec<&str> = line
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "type",
                "name",
                "result",
                "passed",
                "required",
                "latency_ms",
                "sent",
                "expected",
                "got",
                "hint"
            ]
        );
        assert_eq!(line["latency_ms"], 2.51);
        assert_eq!(line["result"], "inconclusive");
        assert_eq!(line["passed"], false);
        assert_eq!(line["hint"], Value::Null);
        assert!(check.fails_run());
    }

    #[test]
    fn a_run_cut_short_is_not_a_pass() {
        let mut checks = vec![Check::new("a", true), Check::new("b", true)];
        checks[0].result = Verdict::Pass;
        checks[1].result = Verdict::Skipped;
        let cut = Summary::of(&checks, "http://x/", Duration::ZERO).interrupted(true);
        assert_eq!(cut.result, Verdict::Inconclusive);
        assert!(!cut.passed());
        checks[0].result = Verdict::Fail;
        let cut = Summary::of(&checks, "http://x/", Duration::ZERO).interrupted(true);
        assert_eq!(cut.result, Verdict::Fail, "a failure stays a failure");
        let whole = Summary::of(&checks[..1], "http://x/", Duration::ZERO).interrupted(false);
        assert_eq!(whole.result, Verdict::Fail);
    }

    #[test]
    fn the_summary_fails_on_a_required_inconclusive() {
        let mut checks = vec![Check::new("a", true), Check::new("b", false)];
        checks[0].result = Verdict::Pass;
        checks[1].result = Verdict::Fail;
        let summary = Summary::of(&checks, "http://x/", Duration::from_micros(1234));
        assert!(
            summary.passed(),
            "an optional failure does not fail the run"
        );
        checks[0].result = Verdict::Inconclusive;
        let summary =
            Summary::of(&checks, "http://x/", Duration::ZERO).with_root_cause(Some("why".into()));
        let line: Value = serde_json::from_str(&summary.json()).unwrap();
        assert_eq!(line["type"], "summary");
        assert_eq!(line["result"], "fail");
        assert_eq!(
            (
                &line["passed"],
                &line["failed"],
                &line["inconclusive"],
                &line["skipped"]
            ),
            (&0.into(), &1.into(), &1.into(), &0.into())
        );
        assert_eq!(line["root_cause"], "why");
    }
}
