//! The runner: plays the selected checks in order over one keep-alive
//! connection, sends the control deliveries the negative checks lean on, stops
//! sending once the endpoint is silent, and judges each answer into a [`Check`]
//! with its hint.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::{HeaderName, HeaderValue};
use tokio::sync::watch;

use crate::contract::events::EventKind;
use crate::contract::profile::Profile;
use crate::contract::sample;
use crate::contract::signature;
use crate::error::Result;
use crate::http::sender::{Answer, Client, Endpoint, Failure, FailureKind, Session, describe};
use crate::http::{status_text, stop_requested};
use crate::input::secret::Secret;
use crate::platform::delivery::{self, Delivery, Expect, Problem, SignatureMode, Signer};
use crate::platform::handshake::{self, Probe, Token};
use crate::platform::report::{self, Check, Verdict};
use crate::platform::root_cause::{self, Observed, Ours};
use crate::text;

use super::hints::{advice, forgery_pattern, information};
use super::{Body, Expectation, Finding, OnFinding, Run, Signing, Spec, Test, When, required};

/// Runs `checks` against `endpoint`, in order. An endpoint whose first request
/// cannot even connect is an error (exit 3) and nothing more is sent; a
/// secret that is not text is an input error before anything is sent.
/// Once `stop` is asked for, no further check is sent (each is `skipped`);
/// a second ask cuts the one in flight, which is `skipped` too.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    client: Client,
    endpoint: Arc<Endpoint>,
    profile: Profile,
    secret: &Secret,
    token: Token<'_>,
    header: HeaderName,
    extra: &[(HeaderName, HeaderValue)],
    checks: &[&'static Spec],
    on_finding: &mut OnFinding<'_>,
    mut stop: watch::Receiver<u32>,
) -> Result<Run> {
    let signer = |mode| Signer::new(mode, header.clone(), Some(secret.bytes()), extra);
    let mut extra_headers = hyper::HeaderMap::new();
    for (name, value) in extra {
        extra_headers.append(name.clone(), value.clone());
    }
    // Time is `budget`'s concern; a run without it has each delivery check
    // judge its own answer's time, so that a late 2xx never passes unseen.
    let time_limit = match checks.iter().any(|spec| matches!(spec.test, Test::Budget)) {
        true => Duration::MAX,
        false => client.options().budget,
    };
    let mut runner = Runner {
        time_limit,
        session: Session::new(client, endpoint),
        token,
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
        silence: None,
        last_heard: None,
        timed: Vec::new(),
        handshake_control: None,
        delivery_controls: Vec::new(),
        observed: Observed {
            token: token.kind,
            ..Observed::default()
        },
        last_answered: None,
        dropped_after: Vec::new(),
        extra: extra_headers,
        forgeries: Vec::new(),
    };
    let mut findings = Vec::new();
    let mut interrupted = false;
    for &spec in checks {
        interrupted |= *stop.borrow() > 0;
        let check = if interrupted {
            match spec.test {
                // What was timed before the stop can already show a late
                // answer: a fail is proved, a pass is not.
                Test::Budget => match runner.judged_budget(runner.timed.len()) {
                    (check, true) => Check {
                        sent: "nothing more (interrupted): the correctly signed deliveries \
                               before the stop, timed"
                            .into(),
                        ..check
                    },
                    (_, false) => Check::interrupted(spec.name, spec.required),
                },
                _ => Check::interrupted(spec.name, spec.required),
            }
        } else if runner.silent_in_a_row >= SILENT_LIMIT {
            Check::skipped(spec.name, spec.required, runner.silence())
        } else {
            let playing = async {
                match spec.test {
                    Test::Handshake(probe) => runner.handshake(probe).await,
                    Test::Deliver {
                        body,
                        signing,
                        copies,
                        hint,
                    } => runner.deliver(spec, body, signing, copies, hint).await,
                    Test::Budget => runner.budget().await,
                }
            };
            tokio::select! {
                check = playing => check?,
                () = stop_requested(&mut stop, 2) => {
                    interrupted = true;
                    Check::interrupted(spec.name, spec.required)
                }
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
    let path = runner.session.endpoint().shown_path();
    let ours = Ours {
        secret: secret.source,
        header: &header,
        path: &path,
    };
    Ok(Run {
        root_cause: root_cause::diagnose(&runner.observed, &ours),
        findings,
        interrupted,
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

/// The hint of a refusal whose control, the same body correctly signed, was
/// refused too: it proves nothing (a negative check adds what to fix first).
const REFUSED_CONTROL: &str =
    "a refusal proves nothing while the correctly signed delivery of the same body is refused too";

impl Control {
    /// `got` with this refused control named after it.
    fn beside(&self, got: &mut String) {
        let _ = write!(got, "; proves nothing: {} got {} too", self.name, self.got);
    }
}

struct Runner<'a> {
    /// How late a delivery check's own answer may be: no limit when `budget`
    /// runs (it times every answer), else the budget.
    time_limit: Duration,
    session: Session,
    token: Token<'a>,
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
    /// Requests in a row that got no answer in time, or no connection.
    silent_in_a_row: u32,
    /// How the last of those failed.
    silence: Option<FailureKind>,
    /// The check whose request last got an answer, whatever came after.
    last_heard: Option<&'static str>,
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
    /// Each forgery answered so far, and whether it was accepted (2xx) or
    /// refused (4xx), for the hints of the forgeries after it.
    forgeries: Vec<(Signing, bool)>,
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
        // Sent again on a new connection after the kept-alive one failed:
        // when the new one was answered, the receiver had dropped the old
        // one; when it failed too, the request itself was the trouble (a
        // receiver that crashed on it), which its own failure says.
        if self.session.resent().is_some() && failure.is_none() {
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
            // A receiver that hangs, or that went away part way (it
            // crashed on a delivery): the rest would fail alike.
            Some(f) if f.kind == FailureKind::Timeout || f.kind.is_unreachable() => {
                self.silent_in_a_row += 1;
                self.silence = Some(f.kind);
            }
            Some(_) => self.silent_in_a_row = 0,
            None => {
                self.silent_in_a_row = 0;
                self.last_heard = Some(name);
            }
        }
        Ok(())
    }

    /// Why the checks after [`SILENT_LIMIT`] silent requests are not run.
    fn silence(&self) -> String {
        match self.silence {
            Some(FailureKind::Timeout) | None => {
                format!("not run: the last {SILENT_LIMIT} requests got no answer in time")
            }
            Some(kind) => {
                let since = self
                    .last_heard
                    .map(|name| format!(" after {name} was answered"))
                    .unwrap_or_default();
                format!(
                    "not run: the last {SILENT_LIMIT} requests could not connect ({}){since}: \
                     did the receiver stop? See its log",
                    kind.name()
                )
            }
        }
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
            .await?;
            self.note("handshake.challenge", control.failure.as_ref())?;
            self.handshake_control = Some(control);
        }
        let check =
            handshake::probe(&mut self.session, self.token, probe, None, &self.extra).await?;
        self.note(probe.name(), check.failure.as_ref())?;
        if probe == Probe::Challenge {
            self.observed.handshake = Some((
                check.passed(),
                check.status.and_then(|s| StatusCode::from_u16(s).ok()),
            ));
            self.observed.handshake_body = check.body.clone();
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

    /// Another event's sample whose correctly signed delivery was accepted,
    /// and that delivery, when `body`'s own `control` was not.
    fn accepted_instead(&self, body: Body, control: &Control) -> Option<(Body, Control)> {
        if control.problem.is_none() || !matches!(body, Body::Sample(_)) {
            return None;
        }
        self.delivery_controls
            .iter()
            .find(|(other, c)| matches!(other, Body::Sample(_)) && c.problem.is_none())
            .map(|(other, c)| (*other, c.clone()))
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
        // sent first when no earlier check has sent it; when that one was
        // refused but another event's was accepted (a receiver failing on
        // one body only), the forgery is that event instead, so that it
        // still shows how forgeries are treated.
        let (body, control) = match expectation {
            // A refusal, or upper-case hex's either answer, is read against it.
            Expectation::Refused | Expectation::Either => {
                let control = self.control(body).await?;
                match self.accepted_instead(body, &control) {
                    Some((other, accepted)) => (other, Some(accepted)),
                    None => (body, Some(control)),
                }
            }
            _ => (body, None),
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
        // Time is `budget`'s concern when it runs: then only the answer counts.
        let judged = |result| match expectation {
            Expectation::Accepted => delivery::judge(result, Expect::Accepted, self.time_limit),
            Expectation::Refused | Expectation::Either => {
                match delivery::judge(result, Expect::Refused, Duration::MAX) {
                    Some(Problem::AcceptedForgery(_)) if expectation == Expectation::Either => None,
                    // Whether the path takes POSTs is the control's to tell
                    // (it makes a refused control inconclusive): a 404 to a
                    // forgery is a refusal here.
                    Some(Problem::NotHandled(_)) => None,
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
            Some((_, Problem::AcceptedForgery(_)))
                if let Some(hint) = forgery_pattern(signing, &self.forgeries, &self.header) =>
            {
                Some(hint)
            }
            Some((copy, problem)) => {
                let baseline = self.observed.signed.accepted() > 0;
                let own = hint.filter(|_| baseline || expectation != Expectation::Accepted);
                Some(advice(problem, *copy, own, &self.header, baseline))
            }
            None if expectation == Expectation::Either => {
                Some(information(accepted, &self.observed.forged).into())
            }
            None => None,
        };
        let mut got = got(&results);
        if expectation == Expectation::Either {
            got = format!("{}: {got}", if accepted { "accepted" } else { "refused" });
        }
        let mut result = Verdict::from_passed(problem.is_none());
        // A check for information only learns nothing without an answer.
        if expectation == Expectation::Either && matches!(problem, Some((_, Problem::NoAnswer(_))))
        {
            result = Verdict::Inconclusive;
        }
        let mut hint = hint;
        match expectation {
            Expectation::Accepted => {
                // As a control it counts by its status alone, late or not:
                // the negatives ask whether valid signatures are accepted.
                let control = Control {
                    name: spec.name,
                    reported: true,
                    problem: results
                        .iter()
                        .find_map(|r| delivery::judge(r, Expect::Accepted, Duration::MAX)),
                    got: got.clone(),
                };
                self.delivery_controls.push((body, control));
            }
            Expectation::Refused => {
                let answered = results.iter().find_map(|r| r.as_ref().ok());
                match answered.map(|a| a.status) {
                    Some(status) if status.is_success() => self.forgeries.push((signing, true)),
                    Some(status) if status.is_client_error() => {
                        self.forgeries.push((signing, false))
                    }
                    _ => {}
                }
                let control = control.expect("fetched for a refusal");
                let forgery_accepted = matches!(problem, Some((_, Problem::AcceptedForgery(_))));
                result = result.against_control(control.problem.is_none(), forgery_accepted);
                if result == Verdict::Inconclusive {
                    control.beside(&mut got);
                    // Why the control failed is its own line's hint: not repeated here.
                    let fix = match control.reported {
                        true => format!("fix {} first", control.name),
                        false => "make that one pass first".into(),
                    };
                    hint = Some(format!("{REFUSED_CONTROL}: {fix}"));
                }
            }
            // Refused while the same body correctly signed was refused too:
            // the refusal says nothing about upper-case hex.
            Expectation::Either => {
                let control = control.expect("fetched for information");
                if !accepted && control.problem.is_some() {
                    result = Verdict::Inconclusive;
                    control.beside(&mut got);
                    hint = Some(REFUSED_CONTROL.into());
                }
            }
        }
        let mut sent = format!(
            "POST {}  {}, {}",
            self.session.endpoint().shown_path(),
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
        Ok(self.judged_budget(earlier).0)
    }

    /// `budget`'s verdict on every correctly signed delivery timed so far
    /// (the last `self.timed.len() - earlier` its own), and whether one was
    /// late.
    fn judged_budget(&self, earlier: usize) -> (Check, bool) {
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
            None if self.timed.is_empty() => "no delivery was sent".to_string(),
            None => format!(
                "none of the {} deliveries got a whole answer",
                self.timed.len()
            ),
        };
        if !late.is_empty() {
            got = format!(
                "{} over {}: {}; {got}",
                late.len(),
                humantime::format_duration(budget),
                late.join(", ")
            );
        }
        let check = Check {
            result: Verdict::from_passed(late.is_empty() && !answered.is_empty()),
            sent: match earlier {
                0 => "one correctly signed delivery of each event type, timed".to_string(),
                1 => "one correctly signed delivery of each event type, timed with the one \
                      correctly signed delivery before it"
                    .to_string(),
                n => format!(
                    "one correctly signed delivery of each event type, timed with the {n} \
                     correctly signed deliveries before it"
                ),
            },
            expected: format!("every answer within {}", humantime::format_duration(budget)),
            got,
            hint: problem.map(|p| p.hint(&self.header)),
            latency_ms: answered.last().copied().map(report::millis),
            ..Check::new("budget", true)
        };
        (check, !late.is_empty())
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
