//! The platform's webhook contract as a list of checks, and the runner that
//! plays them against an endpoint: the handshake (through
//! [`handshake::probe`]), correctly and wrongly signed deliveries (through
//! [`delivery`]'s signer and judge), duplicates, bodies a receiver has not seen
//! before, and the answer budget. Each check has a stable name for
//! `--only`/`--skip`, `--json` and JUnit, and ends as a [`Check`] saying what
//! was sent, what was expected, what came back and what to do about it.
//!
//! Checks run one after another over one keep-alive connection, in the order
//! of [`CHECKS`], each judged on its own concern: a delivery check looks at the
//! status only, and `budget` alone at the time (so a slow receiver fails
//! `budget`, not everything). Every request is bounded by the client's give-up
//! time, and once two requests in a row got no answer the remaining checks are
//! not sent, so a hung endpoint costs two timeouts, not twenty. Never prints.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::{HeaderName, HeaderValue};
use serde_json::{Value, json};

use crate::contract::events::EventKind;
use crate::contract::profile::{self, Profile};
use crate::contract::sample::catalog::Variant;
use crate::contract::sample::{self, Edit, Sample, Template};
use crate::contract::signature;
use crate::error::Result;
use crate::http::sender::{Answer, Client, Endpoint, Failure, FailureKind, Session, describe};
use crate::http::{status_text, title_case};
use crate::input::secret::Secret;
use crate::platform::delivery::{self, Delivery, Expect, Problem, SignatureMode, Signer};
use crate::platform::handshake::{self, Probe};
use crate::platform::report::{self, Check, Verdict};
use crate::platform::root_cause::{self, Observed, Ours};
use crate::text;

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
        /// signed body is a signature problem whatever the check.
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

/// Every check, in the order they run.
pub static CHECKS: [Spec; 19] = [
    Spec {
        name: "handshake.challenge",
        required: true,
        about: "the platform's GET with the right token gets 200 and exactly the challenge: \
                without it the webhook cannot be saved",
        test: Test::Handshake(Probe::Challenge),
    },
    Spec {
        name: "handshake.wrong-token",
        required: true,
        about: "a wrong hub.verify_token does not get the challenge back: otherwise anyone \
                could register your endpoint as their webhook",
        test: Test::Handshake(Probe::WrongToken),
    },
    Spec {
        name: "handshake.wrong-mode",
        required: true,
        about: "a hub.mode other than subscribe does not get the challenge back",
        test: Test::Handshake(Probe::WrongMode),
    },
    Spec {
        name: "signature.valid.message-received",
        required: true,
        about: "a correctly signed message.received gets 2xx",
        test: Test::Deliver {
            body: Body::Sample(EventKind::MessageReceived),
            signing: Signing::Valid,
            copies: 1,
            hint: None,
        },
    },
    Spec {
        name: "signature.valid.message-status",
        required: true,
        about: "a correctly signed message.status gets 2xx",
        test: Test::Deliver {
            body: Body::Sample(EventKind::MessageStatus),
            signing: Signing::Valid,
            copies: 1,
            hint: None,
        },
    },
    Spec {
        name: "signature.valid.template-status",
        required: true,
        about: "a correctly signed template.status gets 2xx",
        test: Test::Deliver {
            body: Body::Sample(EventKind::TemplateStatus),
            signing: Signing::Valid,
            copies: 1,
            hint: None,
        },
    },
    Spec {
        name: "signature.missing",
        required: true,
        about: "a delivery without a signature header gets 4xx: skipping the check when the \
                header is absent lets anyone post events",
        test: Test::Deliver {
            body: Body::Sample(EventKind::MessageReceived),
            signing: Signing::Missing,
            copies: 1,
            hint: None,
        },
    },
    Spec {
        name: "signature.wrong-secret",
        required: true,
        about: "a well-formed signature made with another secret gets 4xx",
        test: Test::Deliver {
            body: Body::Sample(EventKind::MessageReceived),
            signing: Signing::WrongSecret,
            copies: 1,
            hint: None,
        },
    },
    Spec {
        name: "signature.tampered-body",
        required: true,
        about: "a correctly signed body with one byte changed afterwards gets 4xx: the HMAC \
                must cover the raw body of this very request",
        test: Test::Deliver {
            body: Body::Sample(EventKind::MessageReceived),
            signing: Signing::Tampered,
            copies: 1,
            hint: Some((
                When::Forgery,
                "the receiver accepted a body changed after signing: compute the HMAC over the raw \
                 bytes of this request's body and compare it with the header",
            )),
        },
    },
    Spec {
        name: "signature.sha1-prefix",
        required: true,
        about: "the right digest behind `sha1=` gets 4xx: a receiver that strips any prefix \
                accepts another algorithm's name",
        test: Test::Deliver {
            body: Body::Sample(EventKind::MessageReceived),
            signing: Signing::Sha1Prefix,
            copies: 1,
            hint: Some((
                When::Forgery,
                "the receiver accepted `sha1=` in front of the digest: require exactly `sha256=` \
                 rather than stripping whatever comes before the `=`",
            )),
        },
    },
    Spec {
        name: "signature.empty",
        required: true,
        about: "`sha256=` with no digest gets 4xx: a comparison that stops at the shorter value \
                accepts it",
        test: Test::Deliver {
            body: Body::Sample(EventKind::MessageReceived),
            signing: Signing::Empty,
            copies: 1,
            hint: Some((
                When::Forgery,
                "the receiver accepted an empty digest: compare the whole 64-digit digest, in \
                 constant time, and refuse a value of another length (401)",
            )),
        },
    },
    Spec {
        name: "signature.uppercase-hex",
        required: false,
        about: "information: whether the right digest in upper-case hex is accepted. The \
                platform sends lower case, so either answer is fine",
        test: Test::Deliver {
            body: Body::Sample(EventKind::MessageReceived),
            signing: Signing::UpperHex,
            copies: 1,
            hint: None,
        },
    },
    Spec {
        name: "idempotency",
        required: true,
        about: "the same message.received delivered three times, byte for byte, gets 2xx each \
                time: the platform may deliver twice, and an error on a repeat starts a retry storm",
        test: Test::Deliver {
            body: Body::Sample(EventKind::MessageReceived),
            signing: Signing::Valid,
            copies: 3,
            hint: Some((
                When::Repeat,
                "the receiver failed on a repeated delivery: deduplicate by data.message_id and \
                 answer 2xx to a repeat; an error makes the platform retry the same event again",
            )),
        },
    },
    Spec {
        name: "tolerance.unknown-event",
        required: true,
        about: "a correctly signed event of a type the platform may add later gets 2xx",
        test: Test::Deliver {
            body: Body::UnknownEvent,
            signing: Signing::Valid,
            copies: 1,
            hint: Some((
                When::BodyRefused,
                "the receiver refused an event type it does not know: answer 2xx and ignore it, \
                 or the platform retries it for hours and then marks the webhook failing",
            )),
        },
    },
    Spec {
        name: "tolerance.unseen-status",
        required: true,
        about: "a status update for a message id the receiver never saw gets 2xx",
        test: Test::Deliver {
            body: Body::UnseenStatus,
            signing: Signing::Valid,
            copies: 1,
            hint: Some((
                When::BodyRefused,
                "the receiver refused a status for a message it does not know (sent from another \
                 system, or before its records began): answer 2xx and ignore it",
            )),
        },
    },
    Spec {
        name: "tolerance.large-body",
        required: true,
        about: "a correctly signed 512 KiB body gets 2xx: body-size limits such as Express's \
                100 KB default refuse it",
        test: Test::Deliver {
            body: Body::Large,
            signing: Signing::Valid,
            copies: 1,
            hint: Some((
                When::TooLarge,
                "the receiver refused a 512 KiB body as too large: raise its body-size limit \
                 (Express's default is 100 KB); the platform does not split events",
            )),
        },
    },
    Spec {
        name: "tolerance.non-ascii",
        required: true,
        about: "a correctly signed text with emoji, accents and \\u escapes gets 2xx: the HMAC \
                must be computed over the raw bytes, not over re-serialised JSON",
        test: Test::Deliver {
            body: Body::NonAscii,
            signing: Signing::Valid,
            copies: 1,
            hint: Some((
                When::SignatureRefused,
                "the receiver refused a body with emoji, accents and \\u escapes: compute the HMAC \
                 over the raw body bytes before parsing, never over re-serialised JSON \
                 (JSON.stringify, json.dumps) or decoded text",
            )),
        },
    },
    Spec {
        name: BATCH_CHECK,
        required: true,
        about: "one delivery holding several entries, changes, messages and statuses (as Meta \
                batches them) gets 2xx (meta profile only)",
        test: Test::Deliver {
            body: Body::Batch,
            signing: Signing::Valid,
            copies: 1,
            hint: Some((
                When::BodyRefused,
                "Meta batches updates: one POST may hold several entries, changes, messages and \
                 statuses, and every update in it must be handled, not only the first \
                 (entry[0].changes[0].value.messages[0] is where popular libraries stop)",
            )),
        },
    },
    Spec {
        name: "budget",
        required: true,
        about: "every correctly signed delivery is answered within the budget (the platform's \
                5 s): slower answers count as failures and are retried",
        test: Test::Budget,
    },
];

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
}

/// Called with each finding as soon as its check is done; an error stops the run.
pub type OnFinding<'a> = dyn FnMut(&Finding) -> Result<()> + 'a;

/// Runs `checks` against `endpoint`, in order. An endpoint whose first request
/// cannot even connect is an error (exit 3) and nothing more is sent; a
/// secret that is not text is an input error before anything is sent.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    client: Client,
    endpoint: Arc<Endpoint>,
    profile: Profile,
    secret: &Secret,
    token: &Secret,
    header: HeaderName,
    extra: &[(HeaderName, HeaderValue)],
    checks: &[&'static Spec],
    on_finding: &mut OnFinding<'_>,
) -> Result<Run> {
    let signer = |mode| Signer::new(mode, header.clone(), Some(secret.bytes()), extra);
    let mut extra_headers = hyper::HeaderMap::new();
    for (name, value) in extra {
        extra_headers.append(name.clone(), value.clone());
    }
    let mut runner = Runner {
        session: Session::new(client, endpoint),
        token: token.to_text()?,
        profile,
        key: secret.bytes(),
        valid: signer(SignatureMode::Valid)?,
        invalid: signer(SignatureMode::Invalid)?,
        missing: signer(SignatureMode::Missing)?,
        header: header.clone(),
        run: delivery::run_prefix(),
        ids: 0,
        requests: 0,
        silent_in_a_row: 0,
        timed: Vec::new(),
        handshake_control: None,
        delivery_controls: Vec::new(),
        observed: Observed::default(),
        last_answered: None,
        dropped_after: Vec::new(),
        extra: extra_headers,
    };
    let mut findings = Vec::new();
    for &spec in checks {
        let ran = runner.silent_in_a_row < SILENT_LIMIT;
        let check = if !ran {
            Check::skipped(
                spec.name,
                spec.required,
                format!("not run: the last {SILENT_LIMIT} requests got no answer in time"),
            )
        } else {
            match spec.test {
                Test::Handshake(probe) => runner.handshake(probe).await?,
                Test::Deliver {
                    body,
                    signing,
                    copies,
                    hint,
                } => runner.deliver(spec, body, signing, copies, hint).await?,
                Test::Budget => runner.budget().await?,
            }
        };
        let mut check = check;
        for earlier in std::mem::take(&mut runner.dropped_after) {
            let _ = write!(
                check.got,
                " (sent again on a new connection: the receiver closed the kept-alive one after \
                 answering {earlier}, without `Connection: close`)"
            );
            check.hint.get_or_insert_with(|| {
                format!(
                    "the receiver dropped its connection after answering {earlier} without \
                     `Connection: close` (servers such as uvicorn do this after a handler error: \
                     see its log for {earlier}); the platform's next delivery on that connection fails"
                )
            });
        }
        let finding = Finding {
            spec,
            check: Check {
                name: spec.name.to_string(),
                required: required(spec, profile),
                ..check
            },
        };
        on_finding(&finding)?;
        findings.push(finding);
    }
    let path = runner.session.endpoint().url().path().to_string();
    let ours = Ours {
        secret: secret.source,
        header: &header,
        path: &path,
    };
    Ok(Run {
        root_cause: root_cause::diagnose(&runner.observed, &ours),
        findings,
    })
}

/// After this many requests in a row got no answer in time, the endpoint is
/// taken as hung and the remaining checks are not sent.
const SILENT_LIMIT: u32 = 2;

/// The name a control delivery goes by when nothing selected sent one.
const CONTROL: &str = "a control delivery";

/// How a control (the valid request a negative check leans on) was answered:
/// the check that sent it, and what was wrong with its answer, if anything.
#[derive(Debug, Clone)]
struct Control {
    name: &'static str,
    /// Sent by a selected check, which has a line of its own.
    reported: bool,
    problem: Option<Problem>,
    got: String,
}

struct Runner<'a> {
    session: Session,
    token: &'a str,
    profile: Profile,
    key: &'a [u8],
    valid: Signer,
    invalid: Signer,
    missing: Signer,
    header: HeaderName,
    /// This run's message-id prefix, and how many ids it has handed out.
    run: String,
    ids: u64,
    requests: u64,
    silent_in_a_row: u32,
    /// Every correctly signed delivery so far, for `budget`: the check that
    /// sent it and the answer's time, or why none came.
    timed: Vec<(&'static str, std::result::Result<Answer, Failure>)>,
    /// `handshake.challenge`'s check, once run.
    handshake_control: Option<Check>,
    /// The last correctly signed delivery of each body, for the negative
    /// checks that send the same body mis-signed.
    delivery_controls: Vec<(Body, Control)>,
    /// Every answer, by kind of request, for the root cause.
    observed: Observed,
    /// The check whose request got the last answer on the connection.
    last_answered: Option<&'static str>,
    /// The checks after whose answer the receiver dropped the connection,
    /// noticed by the current check's requests.
    dropped_after: Vec<&'static str>,
    /// `-H` headers, sent with the handshake's GETs too.
    extra: hyper::HeaderMap,
}

/// What kind of request a delivery is, for the root cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Correctly signed, as the platform signs: also timed for `budget`.
    Signed,
    /// Must be refused.
    Forged,
    /// Either answer is fine.
    Other,
}

impl Runner<'_> {
    /// Counts a request's result: the first one failing to connect ends the
    /// run (exit 3), and answers that never came are counted in a row.
    fn note(&mut self, name: &'static str, failure: Option<&Failure>) -> Result<()> {
        self.requests += 1;
        if self.session.resent().is_some() {
            if let Some(earlier) = self.last_answered {
                self.dropped_after.push(earlier);
            }
        }
        self.last_answered = match failure {
            None => Some(name),
            Some(_) => None,
        };
        match failure {
            Some(f) if self.requests == 1 && f.kind.is_unreachable() => {
                return Err(f.to_error(self.session.endpoint()));
            }
            Some(f) if f.kind == FailureKind::Timeout => self.silent_in_a_row += 1,
            _ => self.silent_in_a_row = 0,
        }
        Ok(())
    }

    async fn handshake(&mut self, probe: Probe) -> Result<Check> {
        if probe != Probe::Challenge && self.handshake_control.is_none() {
            // Not selected: sent anyway, unreported, since the negatives lean on it.
            let control = handshake::probe(
                &mut self.session,
                self.token,
                Probe::Challenge,
                None,
                &self.extra,
            )
            .await;
            self.note("handshake.challenge", control.failure.as_ref())?;
            self.handshake_control = Some(control);
        }
        let check = handshake::probe(&mut self.session, self.token, probe, None, &self.extra).await;
        self.note(probe.name(), check.failure.as_ref())?;
        if probe == Probe::Challenge {
            self.observed.handshake = Some((
                check.passed(),
                check.status.and_then(|s| StatusCode::from_u16(s).ok()),
            ));
        }
        Ok(match &self.handshake_control {
            Some(control) if probe != Probe::Challenge => {
                handshake::against_control(check, control)
            }
            _ => {
                self.handshake_control = Some(check.clone());
                check
            }
        })
    }

    /// How the last correctly signed delivery of `body` was answered; one is
    /// sent (unreported) when no check has sent one yet.
    async fn control(&mut self, body: Body) -> Result<Control> {
        if let Some((_, control)) = self
            .delivery_controls
            .iter()
            .rev()
            .find(|(b, _)| *b == body)
        {
            return Ok(control.clone());
        }
        let delivery = self.delivery(body, Signing::Valid);
        let results = self.send(CONTROL, &delivery, 1, Kind::Signed).await?;
        let control = Control {
            name: "a correctly signed delivery of the same body",
            reported: false,
            problem: delivery::judge(&results[0], Expect::Accepted, Duration::MAX),
            got: got(&results),
        };
        self.delivery_controls.push((body, control.clone()));
        Ok(control)
    }

    fn next_id(&mut self) -> String {
        self.ids += 1;
        sample::message_id(&self.run, self.ids)
    }

    fn delivery(&mut self, body: Body, signing: Signing) -> Delivery {
        let body = Bytes::from(body.render(self.profile, &self.next_id(), SystemTime::now()));
        let with_value = |delivery: Delivery, value: String| {
            let mut delivery = delivery;
            let value = HeaderValue::from_str(&value).expect("sha and hex digits are header-safe");
            delivery.headers.insert(self.header.clone(), value);
            delivery
        };
        let digest = || *signature::sign(self.key, &body).as_bytes();
        match signing {
            Signing::Valid => self.valid.sign(body),
            Signing::Missing => self.missing.sign(body),
            Signing::WrongSecret => self.invalid.sign(body),
            Signing::Tampered => self
                .valid
                .sign(body)
                .tampered()
                .expect("every body has digits: its timestamps"),
            Signing::Sha1Prefix => {
                let value = format!("sha1={}", hex::encode(digest()));
                with_value(self.valid.sign(body), value)
            }
            Signing::Empty => with_value(self.valid.sign(body), signature::PREFIX.into()),
            Signing::UpperHex => {
                let value = format!("{}{}", signature::PREFIX, hex::encode_upper(digest()));
                with_value(self.valid.sign(body), value)
            }
        }
    }

    /// Sends `delivery` up to `copies` times, stopping at the first request
    /// without an answer; correctly signed ones are kept for `budget` (but
    /// for an unreported control).
    async fn send(
        &mut self,
        name: &'static str,
        delivery: &Delivery,
        copies: u32,
        kind: Kind,
    ) -> Result<Vec<std::result::Result<Answer, Failure>>> {
        let mut results = Vec::new();
        for _ in 0..copies {
            let request = delivery.request(self.session.endpoint());
            let result = self.session.send(request).await;
            self.note(name, result.as_ref().err())?;
            match kind {
                Kind::Signed => {
                    self.observed.signed.record(&result);
                    if name != CONTROL {
                        self.timed.push((name, result.clone()));
                    }
                }
                Kind::Forged => self.observed.forged.record(&result),
                Kind::Other => {}
            }
            let answered = result.is_ok();
            results.push(result);
            if !answered {
                break;
            }
        }
        Ok(results)
    }

    async fn deliver(
        &mut self,
        spec: &'static Spec,
        body: Body,
        signing: Signing,
        copies: u32,
        hint: Option<(When, &'static str)>,
    ) -> Result<Check> {
        let expectation = signing.expectation();
        // A refusal is judged against the valid delivery of the same body,
        // sent first when no earlier check has sent it.
        let control = match expectation {
            Expectation::Refused => Some(self.control(body).await?),
            _ => None,
        };
        let delivery = self.delivery(body, signing);
        let results = self
            .send(
                spec.name,
                &delivery,
                copies,
                match expectation {
                    Expectation::Accepted => Kind::Signed,
                    Expectation::Refused => Kind::Forged,
                    Expectation::Either => Kind::Other,
                },
            )
            .await?;
        // Time is `budget`'s concern: here only the answer counts.
        let judged = |result| match expectation {
            Expectation::Accepted => delivery::judge(result, Expect::Accepted, Duration::MAX),
            Expectation::Refused | Expectation::Either => {
                match delivery::judge(result, Expect::Refused, Duration::MAX) {
                    Some(Problem::AcceptedForgery(_)) if expectation == Expectation::Either => None,
                    problem => problem,
                }
            }
        };
        // The first wrong answer, and which copy got it.
        let problem = results
            .iter()
            .enumerate()
            .find_map(|(copy, result)| judged(result).map(|p| (copy, p)));
        let accepted = results
            .iter()
            .any(|r| r.as_ref().is_ok_and(|a| a.status.is_success()));
        let hint = match &problem {
            // A check's own hint needs a baseline: while no correctly signed
            // delivery is accepted, the answer says nothing about this body.
            Some((copy, problem)) => {
                let baseline = self.observed.signed.accepted() > 0;
                let own = hint.filter(|_| baseline || expectation != Expectation::Accepted);
                Some(advice(problem, *copy, own, &self.header))
            }
            None if expectation == Expectation::Either => Some(information(accepted).into()),
            None => None,
        };
        let mut got = got(&results);
        if expectation == Expectation::Either {
            got = format!("{}: {got}", if accepted { "accepted" } else { "refused" });
        }
        let mut result = Verdict::from_passed(problem.is_none());
        let mut hint = hint;
        match expectation {
            Expectation::Accepted => {
                let control = Control {
                    name: spec.name,
                    reported: true,
                    problem: problem.as_ref().map(|(_, p)| p.clone()),
                    got: got.clone(),
                };
                self.delivery_controls.push((body, control));
            }
            Expectation::Refused => {
                let control = control.expect("fetched for a refusal");
                result = result.against_control(control.problem.is_none());
                if result == Verdict::Inconclusive {
                    let _ = write!(
                        got,
                        "; proves nothing: {} got {} too",
                        control.name, control.got
                    );
                    // Why the control failed is its own line's hint: not repeated here.
                    let fix = match control.reported {
                        true => format!("fix {} first", control.name),
                        false => "make that one pass first".into(),
                    };
                    hint = Some(format!(
                        "a refusal proves nothing while the correctly signed delivery of the same \
                         body is refused too: {fix}"
                    ));
                }
            }
            Expectation::Either => {}
        }
        let mut sent = format!(
            "POST {}  {}, {}",
            self.session.endpoint().url().path(),
            body.shown(),
            signing.shown(&self.header)
        );
        if copies > 1 {
            let _ = write!(sent, ", {copies} times byte for byte");
        }
        let expected = match expectation {
            Expectation::Accepted if copies > 1 => "2xx each time".to_string(),
            Expectation::Accepted => "2xx".into(),
            Expectation::Refused => "4xx (401)".into(),
            Expectation::Either => "2xx or 4xx".into(),
        };
        Ok(Check {
            result,
            sent,
            expected,
            got,
            hint,
            latency_ms: slowest(&results).map(report::millis),
            failure: results.iter().find_map(|r| r.as_ref().err().cloned()),
            status: results
                .iter()
                .filter_map(|r| r.as_ref().ok())
                .find(|a| !a.status.is_success())
                .or_else(|| results.iter().find_map(|r| r.as_ref().ok()))
                .map(|a| a.status.as_u16()),
            ..Check::new(spec.name, spec.required)
        })
    }

    /// One correctly signed delivery of each event, then every correctly
    /// signed delivery of the run timed against the budget.
    async fn budget(&mut self) -> Result<Check> {
        let earlier = self.timed.len();
        for kind in EventKind::ALL {
            let delivery = self.delivery(Body::Sample(kind), Signing::Valid);
            self.send("budget", &delivery, 1, Kind::Signed).await?;
            if self.silent_in_a_row >= SILENT_LIMIT {
                break;
            }
        }
        let budget = self.session.client().options().budget;
        let mut answered: Vec<Duration> = Vec::new();
        let mut late = Vec::new();
        let mut problem = None;
        for (name, result) in &self.timed {
            let too_late = match result {
                Ok(answer) => {
                    answered.push(answer.latency);
                    (answer.latency > budget).then_some(Problem::TooSlow {
                        status: answer.status,
                        budget,
                    })
                }
                Err(failure) => (failure.kind == FailureKind::Timeout)
                    .then_some(Problem::NoAnswer(FailureKind::Timeout)),
            };
            if let Some(too_late) = too_late {
                late.push(match result {
                    Ok(answer) => format!("{name} {}", text::latency(answer.latency)),
                    Err(_) => format!("{name} no answer"),
                });
                problem.get_or_insert(too_late);
            }
        }
        answered.sort_unstable();
        let mut got = match answered.last() {
            Some(max) => format!(
                "p50 {}, max {} over {} deliveries",
                text::latency(answered[(answered.len() - 1) / 2]),
                text::latency(*max),
                answered.len()
            ),
            None => "no delivery was answered".to_string(),
        };
        if !late.is_empty() {
            got = format!(
                "{} over {}: {}; {got}",
                late.len(),
                humantime::format_duration(budget),
                late.join(", ")
            );
        }
        Ok(Check {
            result: Verdict::from_passed(late.is_empty() && !answered.is_empty()),
            sent: format!(
                "one correctly signed delivery of each event type, timed with the {earlier} \
                 correctly signed deliveries before it"
            ),
            expected: format!("every answer within {}", humantime::format_duration(budget)),
            got,
            hint: problem.map(|p| p.hint(&self.header)),
            latency_ms: answered.last().copied().map(report::millis),
            ..Check::new("budget", true)
        })
    }
}

/// The hint for a wrong answer: the check's own when the answer shows the
/// mistake the check is about (for copies, a repeat refused after the first
/// was accepted), else the one the answer's status calls for.
fn advice(
    problem: &Problem,
    copy: usize,
    hint: Option<(When, &str)>,
    header: &HeaderName,
) -> String {
    match hint {
        Some((when, hint)) if when.shown_by(problem, copy) => hint.to_string(),
        _ => problem.hint(header),
    }
}

/// What `signature.uppercase-hex`'s answer tells.
fn information(accepted: bool) -> &'static str {
    if accepted {
        "information only: the receiver decodes the hex before comparing, so either case works; \
         the platform sends lower case"
    } else {
        "information only: the platform sends lower-case hex, so refusing upper case is fine; \
         decoding the hex before comparing would accept either"
    }
}

fn slowest(results: &[std::result::Result<Answer, Failure>]) -> Option<Duration> {
    results
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|a| a.latency))
        .max()
}

/// What came back: one answer described, or for copies their statuses and the
/// first one that was not 2xx described.
fn got(results: &[std::result::Result<Answer, Failure>]) -> String {
    if let [only] = results {
        return describe(only);
    }
    let statuses: Vec<String> = results
        .iter()
        .map(|r| match r {
            Ok(answer) => status_text(answer.status),
            Err(failure) => format!("no answer ({})", failure.kind.name()),
        })
        .collect();
    let mut text = statuses.join(", ");
    let wrong = results
        .iter()
        .position(|r| !r.as_ref().is_ok_and(|a| a.status.is_success()));
    if let Some(at) = wrong {
        let _ = write!(text, "; copy {}: {}", at + 1, describe(&results[at]));
    }
    text
}

impl Body {
    /// The body, compact JSON with a fresh `message_id` and timestamps, in
    /// `profile`'s envelope.
    fn render(self, profile: Profile, message_id: &str, now: SystemTime) -> Vec<u8> {
        if profile == Profile::Meta {
            return self.render_meta(message_id, now);
        }
        let edit = |path: &str, value: Value, create: bool| Edit {
            path: path.into(),
            value,
            create,
            only: None,
        };
        // A text spliced in after rendering: serde_json would not write it as given.
        let placeholder = || edit("data.text.body", json!(PLACEHOLDER), false);
        let (kind, edits) = match self {
            Body::Sample(kind) => (kind, vec![]),
            Body::UnknownEvent => (
                EventKind::MessageReceived,
                vec![
                    edit("event", json!(UNKNOWN_EVENT), false),
                    edit(
                        "data.reaction",
                        json!({"emoji": "👍", "message_id": "msg_abc123"}),
                        true,
                    ),
                ],
            ),
            Body::UnseenStatus => (
                EventKind::MessageStatus,
                vec![edit("data.status", json!("read"), false)],
            ),
            Body::Large | Body::NonAscii => (EventKind::MessageReceived, vec![placeholder()]),
            Body::Batch => unreachable!("a batch is Meta's"),
        };
        let sample = Sample::build(&[kind], &edits)
            .expect("the checks' edits fit the samples")
            .remove(0);
        let (body, _) = sample.body(message_id, now);
        let text = match self {
            Body::NonAscii => NON_ASCII_TEXT.to_string(),
            Body::Large => {
                let room = LARGE_BODY - (body.len() - json!(PLACEHOLDER).to_string().len()) - 2;
                let filler = "a long message, ".chars().cycle().take(room);
                format!("\"{}\"", filler.collect::<String>())
            }
            _ => return body,
        };
        splice(
            &body,
            json!(PLACEHOLDER).to_string().as_bytes(),
            text.as_bytes(),
        )
    }

    /// [`Body::render`] in Meta's envelope, serialised as Meta does (non-ASCII
    /// as `\uXXXX`).
    fn render_meta(self, message_id: &str, now: SystemTime) -> Vec<u8> {
        const TEXT: &str = "entry.0.changes.0.value.messages.0.text.body";
        let variant = Variant::default();
        let single = |kind| Template::single(Profile::Meta, kind, &variant);
        let edit = |path: &str, value: Value| Edit {
            path: path.into(),
            value,
            create: false,
            only: None,
        };
        let (template, edits) = match self {
            Body::Sample(kind) => (single(kind), vec![]),
            Body::UnknownEvent => {
                let mut template = single(EventKind::MessageReceived);
                template.doc["entry"][0]["changes"] = json!([{
                    "value": {"phone_number": "15550783881", "event": "VERIFIED_ACCOUNT"},
                    "field": META_UNKNOWN_FIELD,
                }]);
                (template, vec![])
            }
            Body::UnseenStatus => (
                Template::single(
                    Profile::Meta,
                    EventKind::MessageStatus,
                    &variant.with_status("read").expect("read is a status"),
                ),
                vec![],
            ),
            Body::Large | Body::NonAscii => (
                single(EventKind::MessageReceived),
                vec![edit(TEXT, json!(PLACEHOLDER))],
            ),
            Body::Batch => (Template::batch(&EventKind::ALL, &variant, BATCH), vec![]),
        };
        let sample = Sample::build_from(vec![template], &edits)
            .expect("the checks' edits fit the samples")
            .remove(0);
        let (body, _) = sample.body(message_id, now);
        let text = match self {
            // As Meta sends it: the escapes of the non-ASCII characters.
            Body::NonAscii => {
                String::from_utf8(profile::escape_non_ascii(NON_ASCII_TEXT.as_bytes()))
                    .expect("escaped text is ASCII")
            }
            Body::Large => {
                let room = LARGE_BODY - (body.len() - json!(PLACEHOLDER).to_string().len()) - 2;
                let filler = "a long message, ".chars().cycle().take(room);
                format!("\"{}\"", filler.collect::<String>())
            }
            _ => return body,
        };
        splice(
            &body,
            json!(PLACEHOLDER).to_string().as_bytes(),
            text.as_bytes(),
        )
    }

    /// What the body is, for the report.
    fn shown(self) -> String {
        match self {
            Body::Sample(kind) => kind.name().to_string(),
            Body::UnknownEvent => format!("an undocumented event ({UNKNOWN_EVENT})"),
            Body::UnseenStatus => "message.status `read` for a message id never sent".into(),
            Body::Large => format!("message.received of {} KiB", LARGE_BODY / 1024),
            Body::NonAscii => "message.received with emoji, accents and \\u escapes".into(),
            Body::Batch => format!(
                "one Meta delivery of {BATCH} updates (messages, statuses, templates) in 2 entries"
            ),
        }
    }
}

/// The Meta change field of `tolerance.unknown-event`.
const META_UNKNOWN_FIELD: &str = "account_update";

/// The event type of `tolerance.unknown-event`.
const UNKNOWN_EVENT: &str = "message.reaction";

/// Marks where [`Body::render`] splices a text in; NUL characters cannot
/// clash with anything a sample holds.
const PLACEHOLDER: &str = "\u{0}text\u{0}";

/// `body` with the first `from` replaced by `to`.
fn splice(body: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = body
        .windows(from.len())
        .position(|w| w == from)
        .expect("the placeholder is in the rendered body");
    [&body[..at], to, &body[at + from.len()..]].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(body: Body) -> Vec<u8> {
        body.render(
            Profile::StartMessaging,
            "msg_test_x_1",
            SystemTime::UNIX_EPOCH,
        )
    }

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

    #[test]
    fn bodies_are_events_with_the_fresh_id() {
        for body in [
            Body::Sample(EventKind::MessageReceived),
            Body::UnknownEvent,
            Body::UnseenStatus,
            Body::Large,
            Body::NonAscii,
        ] {
            let doc: Value = serde_json::from_slice(&render(body)).unwrap();
            assert_eq!(doc["data"]["message_id"], "msg_test_x_1", "{body:?}");
            assert_eq!(doc["timestamp"], "1970-01-01T00:00:00Z");
        }
        let unknown: Value = serde_json::from_slice(&render(Body::UnknownEvent)).unwrap();
        assert_eq!(unknown["event"], "message.reaction");
        assert_eq!(unknown["data"]["reaction"]["emoji"], "👍");
        let status: Value = serde_json::from_slice(&render(Body::UnseenStatus)).unwrap();
        assert_eq!(status["data"]["status"], "read");
    }

    #[test]
    fn hints_come_from_the_answer() {
        let header = HeaderName::from_static("x-signature-256");
        let refused = |code| Problem::NotAccepted(hyper::StatusCode::from_u16(code).unwrap());
        let hint_of = |name: &str, problem: &Problem, copy| {
            let spec = CHECKS.iter().find(|s| s.name == name).unwrap();
            let Test::Deliver { hint, .. } = spec.test else {
                panic!("{name} delivers")
            };
            advice(problem, copy, hint, &header)
        };
        let unknown = "tolerance.unknown-event";
        assert!(hint_of(unknown, &refused(400), 0).contains("answer 2xx and ignore it"));
        assert!(hint_of(unknown, &refused(401), 0).contains("same secret"));
        assert!(hint_of(unknown, &refused(500), 0).contains("see its log"));
        let large = "tolerance.large-body";
        assert!(hint_of(large, &refused(413), 0).contains("body-size limit"));
        assert!(hint_of(large, &refused(500), 0).contains("see its log"));
        assert!(!hint_of(large, &refused(500), 0).contains("size"));
        assert!(hint_of("idempotency", &refused(500), 1).contains("deduplicate"));
        assert!(hint_of("idempotency", &refused(401), 0).contains("same secret"));
        assert!(hint_of("tolerance.non-ascii", &refused(401), 0).contains("raw body bytes"));
        let late = Problem::NoAnswer(FailureKind::Timeout);
        assert!(hint_of(large, &late, 0).contains("answer 2xx first"));
    }

    #[test]
    fn the_large_body_is_exactly_512_kib() {
        let body = render(Body::Large);
        assert_eq!(body.len(), LARGE_BODY);
        let doc: Value = serde_json::from_slice(&body).unwrap();
        assert!(
            doc["data"]["text"]["body"]
                .as_str()
                .unwrap()
                .starts_with("a long message, ")
        );
    }

    #[test]
    fn the_non_ascii_text_is_sent_as_written() {
        let body = render(Body::NonAscii);
        let text = String::from_utf8(body.clone()).unwrap();
        assert!(
            text.contains(r#"\u00e4\u00f6\u00fc \ud83d\ude00"#),
            "{text}"
        );
        assert!(text.contains("João! Grüße") && text.contains("👋🏽"));
        let doc: Value = serde_json::from_slice(&body).unwrap();
        let decoded = doc["data"]["text"]["body"].as_str().unwrap();
        assert!(decoded.contains("äöü 😀 \"quoted\" a/b"), "{decoded}");
        assert_ne!(
            serde_json::to_vec(&doc).unwrap(),
            body,
            "re-serialising changes the bytes"
        );
    }
}
