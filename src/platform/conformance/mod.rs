//! The platform's webhook contract as a list of checks, and the runner that
//! plays them against an endpoint: the handshake (through
//! [`handshake::probe`](crate::platform::handshake::probe)), correctly and
//! wrongly signed deliveries (through [`delivery`](crate::platform::delivery)'s
//! signer and judge), duplicates, bodies a receiver has not seen before, and
//! the answer budget. Each check has a stable name for
//! `--only`/`--skip`, `--json` and JUnit, and ends as a [`Check`] saying what
//! was sent, what was expected, what came back and what to do about it.
//!
//! Checks run one after another over one keep-alive connection, in the order
//! of [`CHECKS`], each judged on its own concern: a delivery check looks at the
//! status only, and `budget` alone at the time (so a slow receiver fails
//! `budget`, not everything); in a run without `budget` (`--only`, `--skip`)
//! each delivery check judges its own answer's time too, so that no late 2xx
//! passes. Every request is bounded by the client's give-up
//! time, and once two requests in a row got no answer the remaining checks are
//! not sent, so a hung endpoint costs two timeouts, not twenty. Never prints.
//!
//! This file holds what a check is and which ones run (`--only`, `--skip`,
//! the profile); `checks.rs` holds the list itself, `runner.rs` plays it, and
//! `body.rs` renders what each delivery carries.

use hyper::header::HeaderName;

use crate::contract::events::EventKind;
use crate::contract::profile::Profile;
use crate::error::Result;
use crate::http::title_case;
use crate::platform::delivery::Problem;
use crate::platform::handshake::Probe;
use crate::platform::report::Check;

/// One check: a stable name, whether it decides the exit code, and what it does.
#[derive(Debug)]
pub struct Spec {
    /// Dotted: the part before the first dot is its group.
    pub name: &'static str,
    /// A failed required check fails the run; the others are information.
    pub required: bool,
    /// What it sends and why that matters, in one sentence.
    pub about: &'static str,
    test: Test,
}

impl Spec {
    /// `handshake` for `handshake.challenge`; a name without a dot is its own group.
    pub fn group(&self) -> &'static str {
        self.name.split('.').next().unwrap_or(self.name)
    }
}

#[derive(Debug, Clone, Copy)]
enum Test {
    Handshake(Probe),
    Deliver {
        body: Body,
        signing: Signing,
        /// Sent this many times, byte for byte.
        copies: u32,
        /// What to do when the answer is wrong in the way this check is
        /// about, and the answer shows it; other answers get the hint their
        /// own status calls for ([`Problem::hint`]): a 401 on a correctly
        /// signed body is a signature problem whatever the check. An accepted
        /// forgery's hint gives way to the cause the earlier forgeries show
        /// (no check at all, a compare failing open on another length).
        hint: Option<(When, &'static str)>,
    },
    Budget,
}

/// Which wrong answers a check's own hint is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    /// A forgery accepted.
    Forgery,
    /// A repeat refused (any non-2xx) after the first copy was accepted.
    Repeat,
    /// A correctly signed body refused as content: 400, 404, 409, 415, 422.
    BodyRefused,
    /// 413: a body-size limit.
    TooLarge,
    /// 401 or 403 to a correctly signed body.
    SignatureRefused,
}

impl When {
    fn shown_by(self, problem: &Problem, copy: usize) -> bool {
        match (self, problem) {
            (When::Forgery, Problem::AcceptedForgery(_)) => true,
            (When::Repeat, Problem::NotAccepted(_)) => copy > 0,
            (When::BodyRefused, Problem::NotAccepted(s)) => {
                matches!(s.as_u16(), 400 | 404 | 409 | 415 | 422)
            }
            (When::TooLarge, Problem::NotAccepted(s)) => s.as_u16() == 413,
            (When::SignatureRefused, Problem::NotAccepted(s)) => matches!(s.as_u16(), 401 | 403),
            _ => false,
        }
    }
}

/// What a delivery carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    /// The API document's sample for this event, with a fresh id and time.
    Sample(EventKind),
    /// An event type the platform has not documented (yet).
    UnknownEvent,
    /// A `read` status for a message id the receiver never saw.
    UnseenStatus,
    /// A `message.received` of exactly [`LARGE_BODY`] bytes.
    Large,
    /// A `message.received` whose text is [`NON_ASCII_TEXT`].
    NonAscii,
    /// One Meta delivery of [`BATCH`] updates over two entries, changes and
    /// arrays (the `meta` profile only).
    Batch,
}

/// How many updates `batch` packs into its one delivery.
pub const BATCH: usize = 5;

/// The check only the `meta` profile runs: StartMessaging sends one event
/// per delivery.
const BATCH_CHECK: &str = "batch";
/// The check that is information only under `meta`: Meta always sends
/// `hub.mode=subscribe`, so a receiver may ignore the mode there.
const WRONG_MODE_CHECK: &str = "handshake.wrong-mode";

/// Whether `spec` runs under `profile`.
pub fn applies(spec: &Spec, profile: Profile) -> bool {
    spec.name != BATCH_CHECK || profile == Profile::Meta
}

/// Whether `spec` decides the exit code under `profile`.
pub fn required(spec: &Spec, profile: Profile) -> bool {
    spec.required && !(profile == Profile::Meta && spec.name == WRONG_MODE_CHECK)
}

/// How a delivery is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signing {
    /// As the platform signs: `sha256=` and the lower-case hex HMAC.
    Valid,
    /// No signature header.
    Missing,
    /// A well-formed signature made with another key.
    WrongSecret,
    /// Signed, then one body byte changed.
    Tampered,
    /// The right digest behind `sha1=`.
    Sha1Prefix,
    /// `sha256=` and no digest.
    Empty,
    /// The right digest in upper-case hex.
    UpperHex,
}

/// How a delivery should be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expectation {
    Accepted,
    Refused,
    /// Either is fine; which one it was is information.
    Either,
}

impl Signing {
    fn expectation(self) -> Expectation {
        match self {
            Signing::Valid => Expectation::Accepted,
            Signing::UpperHex => Expectation::Either,
            _ => Expectation::Refused,
        }
    }

    /// What the signature header carried, for the report.
    fn shown(self, header: &HeaderName) -> String {
        let header = title_case(header);
        match self {
            Signing::Valid => format!("{header}: sha256=<HMAC of the body with the secret>"),
            Signing::Missing => format!("no {header} header"),
            Signing::WrongSecret => format!("{header}: sha256=<HMAC with another secret>"),
            Signing::Tampered => {
                format!("{header}: sha256=<HMAC with the secret>, then one body byte changed")
            }
            Signing::Sha1Prefix => format!("{header}: sha1=<the right digest>"),
            Signing::Empty => format!("{header}: sha256="),
            Signing::UpperHex => format!("{header}: sha256=<the right digest in upper-case hex>"),
        }
    }
}

/// The size of `tolerance.large-body`'s body: 512 KiB.
pub const LARGE_BODY: usize = 512 * 1024;

/// The message text of `tolerance.non-ascii`, as JSON text: accents and emoji
/// as raw UTF-8, and the same kind of characters as `\u` escapes (a surrogate
/// pair among them) and an escaped slash. A receiver that verifies a
/// re-serialised body rather than the raw bytes fails here, since no JSON
/// library writes these bytes back as they came.
pub const NON_ASCII_TEXT: &str =
    r#""Olá, João! Grüße aus Köln, ça va? 👋🏽 ☕ \u00e4\u00f6\u00fc \ud83d\ude00 \"quoted\" a\/b""#;

mod body;
mod checks;
mod hints;
mod runner;

pub use checks::CHECKS;
pub use runner::run;

/// Whether `selector` picks the check `name`: the name itself, or a group
/// prefix ending at a dot (`signature` and `signature.valid` pick
/// `signature.valid.message-status`).
pub fn matches(selector: &str, name: &str) -> bool {
    name.strip_prefix(selector)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// Every word `--only` and `--skip` accept, with what it selects: each group
/// (before its members) and each check.
pub fn selectors() -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for spec in &CHECKS {
        let dots = spec.name.match_indices('.').map(|(at, _)| at);
        for group in dots.map(|at| &spec.name[..at]) {
            if !out.iter().any(|(seen, _)| *seen == group) {
                out.push((group, format!("every {group}.* check")));
            }
        }
        out.push((spec.name, spec.about.to_string()));
    }
    out
}

/// The checks `only` (all when empty) picks and `skip` does not, in run order.
pub fn select(only: &[String], skip: &[String]) -> Vec<&'static Spec> {
    let picked = |list: &[String], spec: &Spec| list.iter().any(|s| matches(s, spec.name));
    CHECKS
        .iter()
        .filter(|spec| only.is_empty() || picked(only, spec))
        .filter(|spec| !picked(skip, spec))
        .collect()
}

/// One check's result.
#[derive(Debug, Clone)]
pub struct Finding {
    pub spec: &'static Spec,
    /// Named after the spec; `skipped` when nothing was sent because the
    /// endpoint had stopped answering.
    pub check: Check,
}

impl Finding {
    /// A required check that did not pass: this fails the run.
    pub fn fails_run(&self) -> bool {
        self.check.fails_run()
    }
}

/// Every finding, and the one root cause their answers show, if any.
#[derive(Debug, Clone)]
pub struct Run {
    pub findings: Vec<Finding>,
    pub root_cause: Option<String>,
    /// A stop was asked for: the checks it kept from running are `skipped`.
    pub interrupted: bool,
}

/// Called with each finding as soon as its check is done; an error stops the run.
pub type OnFinding<'a> = dyn FnMut(&Finding) -> Result<()> + 'a;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_dotted_words() {
        for (i, spec) in CHECKS.iter().enumerate() {
            assert!(
                spec.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b)),
                "{}",
                spec.name
            );
            assert!(CHECKS[..i].iter().all(|other| other.name != spec.name));
        }
        assert_eq!(
            CHECKS.iter().filter(|s| !s.required).count(),
            1,
            "only the upper-case hex check is information"
        );
        assert_eq!(
            CHECKS.last().unwrap().name,
            "budget",
            "budget times the rest"
        );
    }

    #[test]
    fn selectors_are_groups_and_names() {
        assert!(matches("signature", "signature.valid.message-status"));
        assert!(matches("signature.valid", "signature.valid.message-status"));
        assert!(matches("budget", "budget"));
        assert!(!matches("signature.val", "signature.valid.message-status"));
        assert!(!matches("handshake.challenge.x", "handshake.challenge"));
        let words: Vec<&str> = selectors().into_iter().map(|(w, _)| w).collect();
        assert_eq!(
            &words[..6],
            [
                "handshake",
                "handshake.challenge",
                "handshake.wrong-token",
                "handshake.wrong-mode",
                "signature",
                "signature.valid"
            ]
        );
        assert!(words.contains(&"tolerance") && words.contains(&"idempotency"));
        assert_eq!(words.len(), CHECKS.len() + 4);
    }

    #[test]
    fn selection_keeps_the_run_order() {
        let names = |only: &[&str], skip: &[&str]| -> Vec<&str> {
            let own = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
            select(&own(only), &own(skip))
                .iter()
                .map(|s| s.name)
                .collect()
        };
        assert_eq!(names(&[], &[]).len(), CHECKS.len());
        assert_eq!(
            names(&["budget", "handshake.challenge"], &[]),
            ["handshake.challenge", "budget"]
        );
        assert_eq!(
            names(&["signature.valid"], &["signature.valid.template-status"]),
            [
                "signature.valid.message-received",
                "signature.valid.message-status"
            ]
        );
        assert_eq!(
            names(&[], &["signature", "tolerance", "handshake"]),
            ["idempotency", "batch", "budget"]
        );
        assert!(names(&["budget"], &["budget"]).is_empty());
        let batch = CHECKS.iter().find(|s| s.name == "batch").unwrap();
        assert!(applies(batch, Profile::Meta) && !applies(batch, Profile::StartMessaging));
        let mode = CHECKS
            .iter()
            .find(|s| s.name == "handshake.wrong-mode")
            .unwrap();
        assert!(required(mode, Profile::StartMessaging) && !required(mode, Profile::Meta));
    }
}
