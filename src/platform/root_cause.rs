//! The one cause a pattern of answers shows, said once before the details:
//! every correctly signed delivery refused with 401/403 (another secret when
//! the handshake's token, the secret, was refused too; the signature not
//! seen when the answer says it is missing or malformed; else another secret
//! or another header, which the answers alone cannot tell apart),
//! with 400/422 while signatures are clearly checked (the event shape, or a
//! signature header of another name that the answer names), the same 4xx to
//! every delivery whatever its signature (something required is missing:
//! for a 401/403, only when the answer shows it, since a receiver with
//! another secret refuses every signature alike too),
//! 404/405 to every POST (wrong path or method), or 5xx to all of them.
//! `check` and `send-test` tally what came back in [`Observed`] and ask
//! [`diagnose`]. Pure; never prints.

use hyper::StatusCode;
use hyper::header::HeaderName;

use crate::http::sender::{Answer, Failure};
use crate::http::{status_text, title_case};
use crate::input::secret::Source;
use crate::platform::handshake::TokenKind;

/// The answers of one kind of request: how many came, by status, with the
/// start of the first body for each status.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub total: u64,
    pub unanswered: u64,
    /// Each status seen, how often, and the first answer's body preview.
    pub by_status: Vec<(StatusCode, u64, String)>,
}

impl Tally {
    pub fn record(&mut self, result: &Result<Answer, Failure>) {
        self.total += 1;
        match result {
            Ok(answer) => self.add(answer.status, 1, || answer.preview()),
            Err(_) => self.unanswered += 1,
        }
    }

    fn add(&mut self, status: StatusCode, n: u64, body: impl FnOnce() -> String) {
        match self.by_status.iter_mut().find(|(s, _, _)| *s == status) {
            Some((_, count, _)) => *count += n,
            None => self.by_status.push((status, n, body())),
        }
    }

    pub fn merge(&mut self, other: Tally) {
        self.total += other.total;
        self.unanswered += other.unanswered;
        for (status, n, body) in other.by_status {
            self.add(status, n, || body);
        }
    }

    /// How many got a 2xx.
    pub fn accepted(&self) -> u64 {
        self.by_status
            .iter()
            .filter(|(s, _, _)| s.is_success())
            .map(|(_, n, _)| n)
            .sum()
    }

    /// The one status every request got, with its first body; `None` when
    /// there were none, some got no answer, or the statuses differ.
    fn single(&self) -> Option<(StatusCode, &str)> {
        match self.by_status.as_slice() {
            [(status, _, body)] if self.unanswered == 0 => Some((*status, body.as_str())),
            _ => None,
        }
    }

    /// Every request was answered, and every status is in `statuses`.
    fn all_in(&self, statuses: &[u16]) -> bool {
        self.total > 0
            && self.unanswered == 0
            && self
                .by_status
                .iter()
                .all(|(s, _, _)| statuses.contains(&s.as_u16()))
    }

    /// The statuses seen, as `401 Unauthorized` or `401 Unauthorized and 403 Forbidden`.
    fn statuses(&self) -> String {
        let names: Vec<String> = self
            .by_status
            .iter()
            .map(|(s, _, _)| status_text(*s))
            .collect();
        names.join(" and ")
    }

    fn bodies(&self) -> impl Iterator<Item = &str> {
        self.by_status.iter().map(|(_, _, body)| body.as_str())
    }
}

/// What came back during a run.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// Correctly signed deliveries.
    pub signed: Tally,
    /// Deliveries that must be refused (missing or wrong signatures).
    pub forged: Tally,
    /// The handshake with the right token: whether it passed, and its status.
    pub handshake: Option<(bool, Option<StatusCode>)>,
    /// The start of the handshake's answer body, when one came.
    pub handshake_body: Option<String>,
    /// What the handshake's token was: only the secret's says anything about
    /// the secret.
    pub token: TokenKind,
}

/// What the diagnosis needs to know about our side of the exchange.
#[derive(Debug, Clone)]
pub struct Ours<'a> {
    pub secret: Source,
    pub header: &'a HeaderName,
    /// The URL's path, for a 404.
    pub path: &'a str,
}

/// Where our secret came from, and the usual reason an endpoint has another
/// (`verify` adds it to a refused handshake's hint).
pub fn where_ours_came_from(secret: Source) -> String {
    format!(
        "Ours came from {}; a `wm-hooks listen` restarted with another secret (--new-secret, \
         --secret, or on another machine) no longer has the one it printed before",
        secret.origin()
    )
}

/// The root cause the answers show, in one or two sentences, when they show one.
pub fn diagnose(observed: &Observed, ours: &Ours) -> Option<String> {
    let signed = &observed.signed;
    if signed.total == 0 || signed.unanswered > 0 {
        return None;
    }
    let header = title_case(ours.header);
    let named = signed
        .bodies()
        .chain(observed.forged.bodies())
        .find_map(|body| signature_header_in(body, ours.header));
    let handshake_passed = observed.handshake.is_some_and(|(passed, _)| passed);
    let forged = &observed.forged;
    // Accepted with every kind of forgery sent (two or more): nothing is checked.
    if forged.total >= 2 && forged.unanswered == 0 && forged.accepted() == forged.total {
        return Some(format!(
            "the endpoint accepted every delivery, forged or not ({} forgeries, each answered \
             2xx): it checks no signature, so anyone who finds the URL can send it events; \
             compare {header} with the HMAC-SHA256 of the raw body and answer 401 when they differ",
            forged.total
        ));
    }
    // A signature header the answer names beats every other reading.
    if let Some(theirs) = named.filter(|_| signed.all_in(&[400, 401, 403, 422])) {
        return Some(other_header(signed, &theirs, &header));
    }
    if let Some((status, body)) = refused_before_the_signature(observed) {
        let says = its_answer_says(Some(body));
        let add = match header_in(body) {
            Some(name) => format!("its answer names {name}: `-H '{name}: VALUE'` sends it"),
            None => "if it needs a header the platform does not send, `-H 'NAME: VALUE'` \
                     adds one"
                .into(),
        };
        return Some(format!(
            "every delivery got {} whatever its signature: the endpoint refuses them before it \
             checks the signature{says}; {add}",
            status_text(status)
        ));
    }
    if signed.all_in(&[401, 403]) {
        let same_secret = observed.token == TokenKind::Secret;
        // An answer saying the signature is missing or malformed shows that
        // the endpoint did not get the one we sent: no secret is in question.
        if let Some(body) = signed.bodies().find(|body| finds_no_signature(body)) {
            return Some(format!(
                "the endpoint does not see the signature we send in {header}: every correctly \
                 signed delivery got {} and its answer says {body:?}: does it read the signature \
                 from another header, or does something on the way drop or change {header}?",
                signed.statuses()
            ));
        }
        if handshake_passed && same_secret {
            return Some(format!(
                "every correctly signed delivery got {} while the handshake with the same secret \
                 passed: the endpoint checks the signature in another way than the platform signs \
                 (another header than {header}? an HMAC over the parsed and re-serialised body?)",
                signed.statuses()
            ));
        }
        // Only a handshake refused its token, when that token is the secret,
        // or an answer saying the signature it read does not match, singles
        // out the secret: else a receiver reading the signature from another
        // header answers alike.
        return Some(match observed.handshake {
            Some((false, Some(status))) if same_secret && matches!(status.as_u16(), 401 | 403) => {
                format!(
                    "the endpoint uses a different secret: every correctly signed delivery got \
                     {}, and the handshake's right token got {}. {}",
                    signed.statuses(),
                    status_text(status),
                    where_ours_came_from(ours.secret)
                )
            }
            _ if signed.bodies().any(says_it_does_not_match) => format!(
                "the endpoint uses a different secret: every correctly signed delivery got {} and \
                 its answer says the signature it read does not match (or it computes the HMAC \
                 over other bytes than the raw body). {}",
                signed.statuses(),
                where_ours_came_from(ours.secret)
            ),
            _ => format!(
                "every correctly signed delivery got {}: the endpoint uses another secret, or \
                 reads the signature from another header than {header} (`--signature-header \
                 NAME` sends it in another). {}",
                signed.statuses(),
                where_ours_came_from(ours.secret)
            ),
        });
    }
    if signed.all_in(&[400, 422]) {
        let forged_refused = observed.forged.all_in(&[401, 403]);
        let body = signed.bodies().find(|b| !b.trim().is_empty());
        if forged_refused || body.is_some_and(names_a_field) {
            let says = body
                .map(|b| format!(": its answer says {b:?}"))
                .unwrap_or_default();
            return Some(format!(
                "the endpoint rejects the StartMessaging event shape: every correctly signed \
                 delivery got {}{}{says}",
                signed.statuses(),
                if forged_refused {
                    " although the signatures are checked"
                } else {
                    ""
                }
            ));
        }
    }
    if signed.all_in(&[404, 405]) {
        let statuses = signed.statuses();
        return Some(if handshake_passed {
            format!(
                "the handshake passes but every POST got {statuses}: the endpoint answers GET at \
                 this URL but not POST (events on another path, or another method allowed?)"
            )
        } else {
            format!(
                "every POST got {statuses}: nothing takes POST at {}: check the URL's path",
                ours.path
            )
        });
    }
    if signed.all_in(&(500..600).collect::<Vec<u16>>()) {
        let statuses = signed.statuses();
        let says = its_answer_says(signed.bodies().find(|b| !b.trim().is_empty()));
        return Some(if signed.all_in(&[503]) {
            format!(
                "every correctly signed delivery got {statuses}{says}: the receiver is up but \
                 takes no events now: overloaded, or what it stores them in is down (`wm-hooks \
                 ingest` answers so while its store fails); the platform retries, see its log"
            )
        } else if signed.all_in(&[502, 504]) {
            format!(
                "every correctly signed delivery got {statuses}{says}: a gateway in front (a \
                 proxy, or `wm-hooks listen --forward-to`) could not get an answer from the app \
                 behind it: is the app running, and answering within the gateway's time?"
            )
        } else {
            format!(
                "every correctly signed delivery got {statuses}{says}: the receiver fails on \
                 every event; see its log"
            )
        });
    }
    None
}

/// The one 4xx (and body) every POST got, signed or not, when that shows
/// the endpoint refusing before it looks at the signature. For a 401 or 403
/// the same answer is also what a receiver with another secret gives every
/// signature, so it counts only when the answer shows more: the handshake's
/// GET (which carries no signature) got it too, or the answer asks for a
/// credential and does not speak of the signature.
fn refused_before_the_signature(observed: &Observed) -> Option<(StatusCode, &str)> {
    let (status, body) = observed.signed.single()?;
    let (forged, forged_body) = observed.forged.single()?;
    if status != forged || !status.is_client_error() || matches!(status.as_u16(), 404 | 405) {
        return None;
    }
    if !matches!(status.as_u16(), 401 | 403) {
        return Some((status, body));
    }
    let nonempty = !body.trim().is_empty() && body == forged_body;
    let handshake_too = observed.handshake == Some((false, Some(status)))
        && observed.handshake_body.as_deref() == Some(body);
    (nonempty && (handshake_too || asks_for_a_credential(body))).then_some((status, body))
}

/// Whether an answer asks for a credential (an API key, a token, a header)
/// without speaking of a signature.
fn asks_for_a_credential(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    let credential = [
        "api key",
        "api-key",
        "api_key",
        "apikey",
        "authorization",
        "bearer",
        "credential",
        "token",
    ]
    .iter()
    .any(|word| lower.contains(word));
    let signature = ["signature", "hmac", "digest"]
        .iter()
        .any(|word| lower.contains(word));
    (credential || header_in(body).is_some()) && !signature
}

fn other_header(signed: &Tally, theirs: &str, ours: &str) -> String {
    format!(
        "the endpoint reads the signature from another header: every correctly signed delivery \
         got {} and its answer names {theirs}, while we send {ours}; run with \
         `--signature-header {theirs}`",
        signed.statuses()
    )
}

/// A signature header named in an answer body (`x-hub-signature-256`, or
/// `x_hub_signature_256` as Python names the parameter), title-cased, when
/// it is not `ours`.
fn signature_header_in(body: &str, ours: &HeaderName) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let is_part = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    for (at, _) in lower.match_indices("signature") {
        let start = lower[..at]
            .rfind(|c: char| !is_part(c))
            .map_or(0, |i| i + 1);
        let end = lower[at..]
            .find(|c: char| !is_part(c))
            .map_or(lower.len(), |i| at + i);
        let name = lower[start..end].replace('_', "-");
        if !name.starts_with("x-") || name == ours.as_str() {
            continue;
        }
        if let Ok(name) = HeaderName::from_bytes(name.as_bytes()) {
            return Some(title_case(&name));
        }
    }
    None
}

/// A header name (`x-...`) that an answer body mentions, title-cased.
fn header_in(body: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let is_part = |c: char| c.is_ascii_alphanumeric() || c == '-';
    lower.match_indices("x-").find_map(|(at, _)| {
        let starts_word = lower[..at].chars().next_back().is_none_or(|c| !is_part(c));
        let end = lower[at..]
            .find(|c: char| !is_part(c))
            .map_or(lower.len(), |i| at + i);
        let name = HeaderName::from_bytes(&lower.as_bytes()[at..end]).ok();
        name.filter(|_| starts_word && end > at + 2)
            .map(|n| title_case(&n))
    })
}

/// ` (its answer says "…")` for a body with something in it, else nothing.
fn its_answer_says(body: Option<&str>) -> String {
    match body.filter(|b| !b.trim().is_empty()) {
        Some(body) => format!(" (its answer says {body:?})"),
        None => String::new(),
    }
}

/// What an answer body says about the signature it looked for, when it
/// says one thing only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Said {
    /// Missing or malformed (as `listen` and most receivers word it): the
    /// endpoint did not get the well-formed signature we sent.
    NotFound,
    /// Read, and it does not match: a well-formed one was where it looks.
    NoMatch,
}

fn said_of_the_signature(body: &str) -> Option<Said> {
    let lower = body.to_ascii_lowercase();
    let any = |words: &[&str]| words.iter().any(|word| lower.contains(word));
    let about_the_signature = any(&["signature", "hmac", "sha256", "digest"]);
    let not_found = any(&[
        "missing",
        "no signature",
        "no x-",
        "without",
        "not present",
        "absent",
        "not found",
        "empty",
        "malformed",
        "does not start with",
        "doesn't start with",
        "prefix",
        "hex digits",
        "not hex",
    ]);
    let no_match = any(&["not match", "n't match", "mismatch"]);
    // Words that would say either: "invalid", "bad", "wrong" signature.
    let vague = any(&["invalid", "wrong", "incorrect", "bad", "match"]);
    match (about_the_signature, not_found, no_match) {
        (true, true, false) if !vague => Some(Said::NotFound),
        (true, false, true) => Some(Said::NoMatch),
        _ => None,
    }
}

fn finds_no_signature(body: &str) -> bool {
    said_of_the_signature(body) == Some(Said::NotFound)
}

fn says_it_does_not_match(body: &str) -> bool {
    said_of_the_signature(body) == Some(Said::NoMatch)
}

/// Whether an answer reads like a validation error about a field.
fn names_a_field(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    [
        "field", "required", "missing", "invalid", "expected", "\"loc\"",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(answers: &[(u16, &str)]) -> Tally {
        let mut tally = Tally::default();
        for (status, body) in answers {
            tally.add(StatusCode::from_u16(*status).unwrap(), 1, || {
                body.to_string()
            });
            tally.total += 1;
        }
        tally
    }

    fn diagnosed(
        signed: &[(u16, &str)],
        forged: &[(u16, &str)],
        handshake: Option<(bool, u16)>,
    ) -> String {
        let observed = Observed {
            signed: tally(signed),
            forged: tally(forged),
            handshake: handshake.map(|(p, s)| (p, StatusCode::from_u16(s).ok())),
            handshake_body: None,
            token: TokenKind::Secret,
        };
        diagnosed_from(&observed)
    }

    /// The diagnosis of `observed`, our secret from the environment and our
    /// header X-Signature-256.
    fn diagnosed_from(observed: &Observed) -> String {
        let header = HeaderName::from_static("x-signature-256");
        let ours = Ours {
            secret: Source::Env,
            header: &header,
            path: "/hook",
        };
        diagnose(observed, &ours).unwrap_or_default()
    }

    #[test]
    fn another_secret_names_where_ours_came_from() {
        let text = diagnosed(
            &[(401, "bad"), (401, "bad")],
            &[(401, "bad")],
            Some((false, 403)),
        );
        assert!(text.starts_with("the endpoint uses a different secret: every correctly signed delivery got 401 Unauthorized, and the handshake's right token got 403 Forbidden. Ours came from WM_HOOKS_SECRET"), "{text}");
        assert!(text.contains("restarted with another secret"), "{text}");
        let text = diagnosed(&[(401, "")], &[(401, "")], Some((true, 200)));
        assert!(
            text.contains("while the handshake with the same secret passed"),
            "{text}"
        );
    }

    #[test]
    fn a_handshake_with_a_verify_token_of_its_own_says_nothing_of_the_secret() {
        let header = HeaderName::from_static("x-hub-signature-256");
        let ours = Ours {
            secret: Source::Env,
            header: &header,
            path: "/hook",
        };
        for handshake in [(true, 200), (false, 403)] {
            let observed = Observed {
                signed: tally(&[(401, "")]),
                forged: tally(&[(401, "")]),
                handshake: Some((handshake.0, StatusCode::from_u16(handshake.1).ok())),
                handshake_body: None,
                token: TokenKind::VerifyToken,
            };
            let text = diagnose(&observed, &ours).unwrap_or_default();
            assert!(
                text.starts_with("every correctly signed delivery got 401 Unauthorized: the endpoint uses another secret, or reads the signature from another header than X-Hub-Signature-256 (`--signature-header NAME` sends it in another). Ours came from"),
                "{handshake:?}: {text}"
            );
        }
    }

    #[test]
    fn without_a_handshake_another_secret_and_another_header_are_both_named() {
        // send-test, or check --skip handshake: nothing tells the two apart.
        for body in ["bad signature", "", "missing or invalid signature"] {
            let text = diagnosed(&[(401, body), (401, body)], &[(401, body)], None);
            assert!(
                text.starts_with("every correctly signed delivery got 401 Unauthorized: the endpoint uses another secret, or reads the signature from another header than X-Signature-256"),
                "{body:?}: {text}"
            );
            assert!(!text.contains("different secret"), "{text}");
            assert!(text.contains("Ours came from WM_HOOKS_SECRET"), "{text}");
        }
    }

    #[test]
    fn an_answer_saying_the_signature_is_missing_or_malformed_is_not_another_secret() {
        let body = "Unauthorized: the signature does not start with `sha256=`";
        // Even with the handshake's right token refused, the answer names the problem.
        for handshake in [None, Some((false, 403)), Some((true, 200))] {
            let text = diagnosed(&[(401, body)], &[(401, body)], handshake);
            assert_eq!(
                text,
                "the endpoint does not see the signature we send in X-Signature-256: every \
                 correctly signed delivery got 401 Unauthorized and its answer says \
                 \"Unauthorized: the signature does not start with `sha256=`\": does it read the \
                 signature from another header, or does something on the way drop or change \
                 X-Signature-256?",
                "{handshake:?}"
            );
        }
        let ours = "Unauthorized: no X-Signature-256 header";
        let text = diagnosed(&[(401, ours)], &[(401, ours)], None);
        assert!(text.starts_with("the endpoint does not see"), "{text}");
    }

    #[test]
    fn answers_that_find_no_signature() {
        for body in [
            "Unauthorized: the signature does not start with `sha256=`",
            "Unauthorized: the signature has 3 hex digits after `sha256=`, not 64",
            "Unauthorized: the signature is empty",
            "no x-signature-256 header",
            "Missing signature",
            "HMAC header not found",
            "malformed signature",
        ] {
            assert!(finds_no_signature(body), "{body:?}");
        }
        for body in [
            "",
            "bad signature",
            "Unauthorized: the signature does not match the body",
            "missing or invalid signature",
            "missing api key",
            "wrong signature",
        ] {
            assert!(!finds_no_signature(body), "{body:?}");
        }
        for body in [
            "Unauthorized: the signature does not match the body",
            "HMAC mismatch",
            "signature doesn't match",
        ] {
            assert!(says_it_does_not_match(body), "{body:?}");
        }
        for body in [
            "bad signature",
            "",
            "missing signature or mismatch",
            "no match",
        ] {
            assert!(!says_it_does_not_match(body), "{body:?}");
        }
    }

    #[test]
    fn an_answer_saying_the_signature_read_does_not_match_is_another_secret() {
        let body = "Unauthorized: the signature does not match the body";
        let text = diagnosed(&[(401, body)], &[(401, body)], None);
        assert!(
            text.starts_with("the endpoint uses a different secret: every correctly signed delivery got 401 Unauthorized and its answer says the signature it read does not match (or it computes the HMAC over other bytes than the raw body). Ours came from WM_HOOKS_SECRET"),
            "{text}"
        );
    }

    #[test]
    fn a_gateway_refusing_everything_is_not_another_secret() {
        // Its answer asks for a key and says nothing of a signature.
        let key = "missing api key";
        let text = diagnosed(&[(401, key)], &[(401, key)], Some((true, 200)));
        assert!(
            text.starts_with("every delivery got 401 Unauthorized whatever its signature"),
            "{text}"
        );
        assert!(text.contains("-H 'NAME: VALUE'"), "{text}");
        let text = diagnosed(
            &[(403, "X-Api-Key required")],
            &[(403, "X-Api-Key required")],
            None,
        );
        assert!(text.contains("its answer names X-Api-Key"), "{text}");
        // The handshake's GET, which carries no signature, got the same answer.
        let mut observed = Observed {
            signed: tally(&[(401, "no")]),
            forged: tally(&[(401, "no")]),
            handshake: Some((false, StatusCode::from_u16(401).ok())),
            handshake_body: Some("no".into()),
            token: TokenKind::Secret,
        };
        let text = diagnosed_from(&observed);
        assert!(text.contains("whatever its signature"), "{text}");
        // A refusal that speaks of the signature, or says nothing, or a
        // handshake refused otherwise: another secret, as before.
        observed.handshake_body = Some("forbidden".into());
        let text = diagnosed_from(&observed);
        assert!(
            text.starts_with("the endpoint uses a different secret"),
            "{text}"
        );
        for body in ["invalid signature token", ""] {
            let text = diagnosed(&[(401, body)], &[(401, body)], Some((false, 401)));
            assert!(
                text.starts_with("the endpoint uses a different secret"),
                "{body:?}: {text}"
            );
        }
    }

    #[test]
    fn a_named_header_beats_everything() {
        let pywa = r#"{"detail":[{"type":"missing","loc":["header","x-hub-signature-256"],"msg":"Field required"}]}"#;
        let text = diagnosed(&[(422, pywa)], &[(422, pywa)], Some((true, 200)));
        assert!(text.contains("names X-Hub-Signature-256, while we send X-Signature-256; run with `--signature-header X-Hub-Signature-256`"), "{text}");
        let text = diagnosed(&[(401, "x_hub_signature_256 is wrong")], &[], None);
        assert!(text.contains("names X-Hub-Signature-256"), "{text}");
        let ours = diagnosed(
            &[(400, "x-signature-256 header: field required")],
            &[(401, "")],
            None,
        );
        assert!(ours.contains("event shape"), "{ours}");
    }

    #[test]
    fn other_patterns() {
        let shape = diagnosed(&[(400, "unknown field `event`")], &[(401, "")], None);
        assert!(
            shape.starts_with("the endpoint rejects the StartMessaging event shape"),
            "{shape}"
        );
        let before = diagnosed(&[(400, "no")], &[(400, "no")], None);
        assert!(before.contains("whatever its signature"), "{before}");
        assert!(before.contains("-H 'NAME: VALUE'"), "{before}");
        let path = diagnosed(&[(404, "")], &[(404, "")], Some((true, 200)));
        assert!(
            path.starts_with("the handshake passes but every POST got 404 Not Found"),
            "{path}"
        );
        let path = diagnosed(&[(405, "")], &[], None);
        assert!(path.contains("nothing takes POST at /hook"), "{path}");
        let failing = diagnosed(&[(500, ""), (502, "")], &[(401, "")], None);
        assert!(
            failing.contains("500 Internal Server Error and 502 Bad Gateway"),
            "{failing}"
        );
        assert!(failing.contains("fails on every event"), "{failing}");
        // The 5xx that say which part failed: a store down, a gateway.
        let busy = diagnosed(&[(503, "the store is down")], &[(401, "")], None);
        assert!(
            busy.contains("(its answer says \"the store is down\")"),
            "{busy}"
        );
        assert!(busy.contains("what it stores them in is down"), "{busy}");
        assert!(!busy.contains("fails on every event"), "{busy}");
        let gateway = diagnosed(&[(504, ""), (502, "")], &[(401, "")], None);
        assert!(gateway.contains("a gateway in front"), "{gateway}");
        assert!(gateway.contains("is the app running"), "{gateway}");
        assert_eq!(diagnosed(&[(200, ""), (401, "")], &[(401, "")], None), "");
        let open = diagnosed(&[(200, "")], &[(200, ""), (204, "")], None);
        assert!(
            open.starts_with("the endpoint accepted every delivery, forged or not (2 forgeries"),
            "{open}"
        );
        // One forgery accepted among those refused is the check's hint, not a root cause.
        assert_eq!(diagnosed(&[(200, "")], &[(200, ""), (401, "")], None), "");
        assert_eq!(diagnosed(&[], &[], None), "");
    }
}
