//! The pretty blocks `listen` prints: one per request, a head line with the
//! time (UTC), the status answered, what arrived and the signature verdict,
//! then a few indented lines about the event ([`super::event_lines`]).
//! Coloured by kind and readable without colour; everything that came from
//! the network goes through [`output::escape`] first. Builds strings; the
//! terminal thread writes them.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use colored::{ColoredString, Colorize};
use hyper::StatusCode;
use hyper::header::HeaderName;

use crate::cli::ListenArgs;
use crate::contract::dedup::Tag;
use crate::contract::diagnosis;
use crate::contract::events::{self, Event};
use crate::contract::redact::Redactor;
use crate::http::server::{
    self, Exchange, Fault, ForwardError, Forwarded, Handshake, Outcome, Refusal, Report,
};
use crate::http::title_case;
use crate::input::secret::Secret;
use crate::output;
use crate::platform::handshake::TokenKind;

use super::event_lines::{details, field, kind, not_an_event};

/// Bodies larger than this are not searched for near-miss signatures: the
/// search recomputes HMACs over variants of the body.
const DIAGNOSIS_LIMIT: usize = 64 * 1024;

/// What the blocks need to know about the listener.
pub struct Style {
    verbose: bool,
    /// The signature header's name.
    header: HeaderName,
    path: String,
    secret: Secret,
    /// What `hub.verify_token` must be.
    token: TokenKind,
    max_body: u64,
    read_timeout: Duration,
    forward: Option<(String, Duration)>,
    /// What `-v` never shows of a request: the secret and the verify token.
    hide: Redactor,
}

impl Style {
    pub fn new(args: &ListenArgs, config: &server::Config) -> Style {
        Style {
            verbose: output::verbose() > 0,
            header: config.signature_header.clone(),
            path: config.path.clone(),
            secret: config.secret.clone(),
            token: super::banner::token_kind(config),
            max_body: config.max_body,
            read_timeout: config.read_timeout,
            forward: config
                .forward
                .as_ref()
                .map(|f| (super::shown_url(&f.url), args.forward_timeout)),
            hide: Redactor::new([config.secret.bytes(), config.verify_token.bytes()]),
        }
    }
}

/// The block for one report.
/// The block for one report; `tags` has one per update of a verified event.
pub fn block(style: &Style, report: &Report, tags: &[Tag]) -> String {
    match report {
        Report::Request(exchange) => request(style, exchange, tags),
        Report::Malformed { at, peer, error } => {
            let mut out = String::new();
            let what = if error.is_parse_too_large() {
                "a request head over 64 KiB or with over 100 header fields (answered 431)"
                    .to_string()
            } else {
                format!("something that is not HTTP/1.1 ({error})")
            };
            let _ = writeln!(
                out,
                "{}  {}  {}",
                clock(*at),
                "---".red().bold(),
                format!("✘ {peer} sent {what}").red()
            );
            if !error.is_parse_too_large() {
                line(
                    &mut out,
                    hint("was it an https:// URL, or a client that is not speaking HTTP/1.1?"),
                );
            }
            out
        }
    }
}

/// The notice printed where blocks were dropped.
pub fn dropped(n: u64) -> String {
    format!(
        "{}\n",
        format!("… {n} more not shown here: the terminal did not keep up").yellow()
    )
}

fn request(style: &Style, x: &Exchange, tags: &[Tag]) -> String {
    let mut out = String::new();
    let head_tagged = |out: &mut String, what: String, verdict: ColoredString, tag: Tag| {
        let _ = write!(
            out,
            "{}  {}  {what}  {verdict}",
            clock(x.received_at),
            status(x.status)
        );
        match tag {
            Tag::New => {}
            Tag::Duplicate => {
                let _ = write!(out, "  {}", "[duplicate]".yellow().bold());
            }
            Tag::OutOfOrder => {
                let _ = write!(out, "  {}", "[out of order]".magenta().bold());
            }
        }
        out.push('\n');
    };
    let head = |out: &mut String, what: String, verdict: ColoredString| {
        head_tagged(out, what, verdict, Tag::New)
    };
    let request_line = format!("{} {}", x.method, output::escape(&style.hide.text(&x.path)));
    match &x.outcome {
        Outcome::Verified { event, forward, .. } => {
            let valid = "✔ signature valid".green();
            let body = x.body.as_deref().unwrap_or_default();
            match event {
                Ok(identified) => {
                    // The receiver only identified the updates; build them here,
                    // off the answering thread. (Only data nested past
                    // serde_json's depth limit can fail now, and then each
                    // update's type is still known.)
                    let updates: Vec<Event> = match events::parse(body) {
                        Ok(delivery) => delivery.updates.into_iter().map(|u| u.event).collect(),
                        Err(_) => identified
                            .updates
                            .iter()
                            .map(|id| Event::Unknown {
                                event: id.event.clone(),
                                data: serde_json::Value::Null,
                            })
                            .collect(),
                    };
                    let n = updates.len();
                    if n == 0 {
                        head(&mut out, "an empty Meta delivery".into(), valid.clone());
                        line(&mut out, "no entry holds a change".dimmed().to_string());
                    }
                    for (i, event) in updates.iter().enumerate() {
                        let what = match n {
                            1 => kind(event),
                            n => format!("{}  {}", kind(event), format!("{}/{n}", i + 1).dimmed()),
                        };
                        let tag = tags.get(i).copied().unwrap_or(Tag::New);
                        head_tagged(&mut out, what, valid.clone(), tag);
                        for detail in details(event, style.verbose) {
                            line(&mut out, detail);
                        }
                    }
                }
                Err(_) => {
                    let verdict = "✔ signature valid, not a WhatsApp event".green();
                    head(&mut out, request_line, verdict);
                    line(&mut out, not_an_event(body).dimmed().to_string());
                }
            }
            if let Some(forwarded) = forward {
                line(&mut out, forward_line(style, forwarded));
                if let Err(ForwardError::BadStatus(code)) = &forwarded.answer {
                    let why = match code {
                        101 => "101 Switching Protocols tries to upgrade the connection",
                        100..=199 => "a 1xx is an interim answer, never a final one",
                        _ => "HTTP defines statuses 100 to 599 only",
                    };
                    line(
                        &mut out,
                        hint(&format!("{why}; a webhook is answered 2xx, 4xx or 5xx")),
                    );
                }
            }
        }
        Outcome::Rejected(fault) => {
            let verdict = match fault {
                Fault::Missing => "✘ signature missing",
                _ => "✘ signature invalid",
            };
            let why = fault.describe(&style.header);
            head(
                &mut out,
                request_line,
                format!("{verdict}: {why}").red().bold(),
            );
            for text in near_misses(style, x, fault) {
                line(&mut out, hint(&output::escape(&text)));
            }
        }
        Outcome::Handshake(handshake) => {
            let (verdict, ok) = handshake_verdict(handshake, style.token);
            let verdict = if ok {
                verdict.green()
            } else {
                verdict.red().bold()
            };
            head(&mut out, "GET handshake".to_string(), verdict);
        }
        Outcome::Unread(refusal) => {
            let why = match refusal {
                Refusal::TooLarge { declared: Some(n) } => format!(
                    "✘ a body of {n} bytes is over the {} byte limit (--max-body)",
                    style.max_body
                ),
                Refusal::TooLarge { declared: None } => format!(
                    "✘ the body grew past the {} byte limit (--max-body)",
                    style.max_body
                ),
                Refusal::Timeout => format!(
                    "✘ the body did not arrive within {} (--read-timeout)",
                    humantime::format_duration(style.read_timeout)
                ),
                Refusal::Broken(why) => format!("✘ the body broke off: {}", output::escape(why)),
            };
            head(&mut out, request_line, why.red().bold());
        }
        Outcome::WrongPath => {
            head(&mut out, request_line, "✘ nothing here".red().bold());
            line(&mut out, hint(&format!("webhooks go to {}", style.path)));
        }
        Outcome::WrongMethod => {
            let why = "✘ method not allowed: GET is the handshake, POST an event";
            head(&mut out, request_line, why.red().bold());
        }
    }
    if style.verbose {
        verbose(&mut out, x, style);
    }
    out
}

/// `10:30:00.123Z`: the time of day in UTC, to the millisecond.
fn clock(at: SystemTime) -> ColoredString {
    let stamp = humantime::format_rfc3339_millis(at).to_string();
    stamp.get(11..).unwrap_or(&stamp).to_string().dimmed()
}

fn status(status: StatusCode) -> ColoredString {
    let code = status.as_u16().to_string();
    if status.is_success() {
        code.green().bold()
    } else {
        code.red().bold()
    }
}

fn handshake_verdict(handshake: &Handshake, token: TokenKind) -> (String, bool) {
    match handshake {
        Handshake::Accepted { challenge } => (
            format!(
                "✔ token matches; challenge {:?} echoed",
                field(challenge, false)
            ),
            true,
        ),
        Handshake::WrongMode(None) => ("✘ refused: no hub.mode in the query".into(), false),
        Handshake::WrongMode(Some(mode)) => (
            format!(
                "✘ refused: hub.mode is {:?}, not \"subscribe\"",
                field(mode, false)
            ),
            false,
        ),
        Handshake::WrongToken { given: true } => (
            format!("✘ refused: hub.verify_token is not the {}", token.name()),
            false,
        ),
        Handshake::WrongToken { given: false } => {
            ("✘ refused: no hub.verify_token in the query".into(), false)
        }
        Handshake::NoChallenge => ("✘ no hub.challenge to echo".into(), false),
        Handshake::ChallengeNotText => (
            "✘ hub.challenge does not decode to UTF-8 text, so it cannot be echoed exactly".into(),
            false,
        ),
        Handshake::ChallengeTooLong(n) => (
            format!(
                "✘ hub.challenge has {n} bytes, more than {}",
                server::MAX_CHALLENGE
            ),
            false,
        ),
    }
}

fn forward_line(style: &Style, forwarded: &Forwarded) -> String {
    let (url, timeout) = style
        .forward
        .as_ref()
        .map_or(("the app", Duration::ZERO), |(url, t)| (url.as_str(), *t));
    match &forwarded.answer {
        Ok(answer) => format!(
            "↪ forwarded to {url}: {} in {}",
            status(*answer),
            output::latency(forwarded.latency)
        ),
        Err(ForwardError::Timeout) => format!(
            "✘ forwarded to {url}: no answer within {} (answered 504)",
            humantime::format_duration(timeout)
        )
        .red()
        .to_string(),
        Err(ForwardError::Failed(why)) => format!(
            "✘ could not forward to {url}: {} (answered 502)",
            output::escape(why)
        )
        .red()
        .to_string(),
        Err(ForwardError::BadStatus(code)) => format!(
            "✘ forwarded to {url}: the app answered {code}, which is not a final status \
             (answered 502)"
        )
        .red()
        .to_string(),
    }
}

/// Near-miss hints for a refused signature: which small change to the body,
/// secret or header would have matched (never the valid signature itself).
fn near_misses(style: &Style, x: &Exchange, fault: &Fault) -> Vec<String> {
    let body = x.body.as_deref().filter(|b| b.len() <= DIAGNOSIS_LIMIT);
    let secret = style.secret.bytes();
    match fault {
        Fault::Mismatch(signature) => body.map_or_else(Vec::new, |body| {
            diagnosis::mismatch(secret, body, signature)
        }),
        Fault::Malformed(error) => {
            let value = x.headers.get(&style.header).map(|v| v.as_bytes());
            diagnosis::malformed_bytes(error, value.unwrap_or_default(), secret, body)
        }
        Fault::Missing => x
            .headers
            .keys()
            .filter(|name| name.as_str().contains("signature"))
            .map(|name| {
                format!(
                    "the request carries {}: is that where the sender signs? (--signature-header)",
                    title_case(name)
                )
            })
            .collect(),
        Fault::Repeated(_) => Vec::new(),
    }
}

/// `-v`: every header, then the body, pretty-printed when it is JSON; as
/// everywhere, credentials masked and the secret and verify token hidden
/// (a sender that put one in a header or body is shown it was seen).
fn verbose(out: &mut String, x: &Exchange, style: &Style) {
    line(out, "headers:".dimmed().to_string());
    let secret = String::from_utf8_lossy(style.secret.bytes());
    for (name, value) in &x.headers {
        let (shown, _) = crate::commands::shown_value(name, value, Some(&secret));
        let _ = writeln!(
            out,
            "      {}: {}",
            name.as_str().dimmed(),
            output::escape(&style.hide.text(&shown))
        );
    }
    let Some(body) = &x.body else {
        return;
    };
    line(
        out,
        format!("body ({} bytes):", body.len()).dimmed().to_string(),
    );
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(json) => {
            let pretty = serde_json::to_string_pretty(&json).unwrap_or_default();
            for text in pretty.lines() {
                let _ = writeln!(out, "      {}", output::escape(&style.hide.text(text)));
            }
        }
        Err(_) => {
            let _ = writeln!(
                out,
                "      {}",
                output::escape_bytes(&style.hide.bytes(body))
            );
        }
    }
}

fn line(out: &mut String, text: impl std::fmt::Display) {
    let _ = writeln!(out, "    {text}");
}

fn hint(text: &str) -> String {
    format!("{} {text}", "hint:".cyan().bold())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::listen::event_lines::FIELD;
    use hyper::header::HeaderValue;

    use crate::contract::events::EventKind;
    use crate::input::secret::Source;

    fn style() -> Style {
        Style {
            verbose: false,
            header: HeaderName::from_static("x-signature-256"),
            path: "/webhooks/whatsapp".into(),
            secret: Secret::new("s3cret", Source::Flag).unwrap(),
            token: TokenKind::Secret,
            max_body: 1024,
            read_timeout: Duration::from_secs(10),
            forward: None,
            hide: Redactor::new([&b"s3cret"[..]]),
        }
    }

    fn verified(body: &[u8]) -> Exchange {
        let event = events::identify(body).map_err(|e| e.to_string());
        Exchange::example(
            body,
            Outcome::Verified {
                event,
                forward: None,
                previous_secret: false,
            },
        )
    }

    fn shown(x: &Exchange, tag: Tag) -> String {
        colored::control::set_override(false);
        request(&style(), x, &[tag])
    }

    #[test]
    fn a_refused_token_is_named_as_what_it_should_be() {
        let wrong = Handshake::WrongToken { given: true };
        for (token, name) in [
            (TokenKind::Secret, "secret"),
            (TokenKind::VerifyToken, "verify token"),
        ] {
            let (verdict, ok) = handshake_verdict(&wrong, token);
            assert_eq!(
                verdict,
                format!("✘ refused: hub.verify_token is not the {name}")
            );
            assert!(!ok);
        }
    }

    #[test]
    fn each_kind_shows_what_matters() {
        let unknown = br#"{"event":"x.y","data":{"a":1}}"#;
        let cases: [(&[u8], Tag, &[&str]); 4] = [
            (
                EventKind::MessageReceived.sample_text().as_bytes(),
                Tag::New,
                &[
                    "10:30:00.123Z  200  message.received  ✔ signature valid\n",
                    "from João Silva (5511999999999)  msg_incoming_123",
                    "text: Hi, I need help with my order",
                ],
            ),
            (
                EventKind::MessageStatus.sample_text().as_bytes(),
                Tag::Duplicate,
                &[
                    "message.status  ✔ signature valid  [duplicate]\n",
                    "msg_abc123 → delivered  to 5511999999999",
                ],
            ),
            (
                EventKind::TemplateStatus.sample_text().as_bytes(),
                Tag::New,
                &["order_shipped (en) → approved"],
            ),
            (
                unknown,
                Tag::OutOfOrder,
                &["x.y  ✔ signature valid  [out of order]", r#"data: {"a":1}"#],
            ),
        ];
        for (body, tag, says) in cases {
            let text = shown(&verified(body), tag);
            for part in says {
                assert!(text.contains(part), "{part:?} in:\n{text}");
            }
        }
    }

    #[test]
    fn escapes_from_the_payload_never_reach_the_terminal() {
        let body = "{\"event\":\"message.received\",\"data\":{\"text\":{\"body\":\"\\u001b[2Jgone\\u202e\"},\"from\":\"\\u001b]0;x\\u0007\"}}";
        let text = shown(&verified(body.as_bytes()), Tag::New);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'),
            "{text:?}"
        );
        assert!(text.contains("\\u{1b}[2Jgone\\u{202e}"));
    }

    #[test]
    fn refusals_say_which_and_why() {
        let body = b"{\"event\":\"x\"}\n";
        let signed = crate::contract::signature::sign(b"s3cret", &body[..body.len() - 1]);
        let mismatch = Exchange::example(body, Outcome::Rejected(Fault::Mismatch(signed)));
        let text = shown(&mismatch, Tag::New);
        assert!(text.contains("POST /webhooks/whatsapp  ✘ signature invalid: the signature does not match the body"), "{text}");
        assert!(
            text.contains("hint: the signature matches the payload"),
            "{text}"
        );

        let mut missing = Exchange::example(body, Outcome::Rejected(Fault::Missing));
        missing
            .headers
            .insert("x-hub-signature-256", HeaderValue::from_static("sha256=00"));
        let text = shown(&missing, Tag::New);
        assert!(
            text.contains("✘ signature missing: no X-Signature-256 header"),
            "{text}"
        );
        assert!(text.contains("the request carries X-Hub-Signature-256"));

        let wrong_path = Exchange::example(b"", Outcome::WrongPath);
        assert!(shown(&wrong_path, Tag::New).contains("hint: webhooks go to /webhooks/whatsapp"));
        let large = Exchange::example(
            b"",
            Outcome::Unread(Refusal::TooLarge {
                declared: Some(5000),
            }),
        );
        assert!(
            shown(&large, Tag::New).contains("a body of 5000 bytes is over the 1024 byte limit")
        );
    }

    #[test]
    fn long_fields_are_cut_unless_verbose() {
        let long = "x".repeat(FIELD + 50);
        assert_eq!(field(&long, false).chars().count(), FIELD + 1);
        assert_eq!(field(&long, true), long);
        let mut x = verified(EventKind::TemplateStatus.sample_text().as_bytes());
        x.headers.insert("x-evil", HeaderValue::from_static("a"));
        let mut verbose_style = style();
        verbose_style.verbose = true;
        colored::control::set_override(false);
        let text = request(&verbose_style, &x, &[Tag::New]);
        assert!(text.contains("      x-evil: a"));
        assert!(text.contains("body ("), "{text}");
        assert!(
            text.contains("        \"template_name\": \"order_shipped\","),
            "{text}"
        );
    }

    #[test]
    fn verbose_masks_credentials_and_hides_the_secret() {
        let mut x = verified(b"{\"note\":\"the key is s3cret\"}");
        x.headers.insert(
            "authorization",
            HeaderValue::from_static("Basic YWxpY2U6aHVudGVyMg=="),
        );
        x.headers
            .insert("x-copy", HeaderValue::from_static("s3cret"));
        let mut verbose_style = style();
        verbose_style.verbose = true;
        colored::control::set_override(false);
        let text = request(&verbose_style, &x, &[Tag::New]);
        assert!(text.contains("authorization: Basic ****"), "{text}");
        assert!(!text.contains("YWxpY2U6aHVudGVyMg"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("x-copy: ****"), "{text}");
        assert!(text.contains("the key is ****"), "{text}");
    }
}
