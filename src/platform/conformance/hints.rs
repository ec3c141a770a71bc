//! The hints of the delivery checks: what to do about a wrong answer, read
//! from the answer and, for an accepted forgery, from how the forgeries
//! before it were answered; and what `signature.uppercase-hex`'s answer tells.

use hyper::StatusCode;
use hyper::header::HeaderName;

use crate::http::status_text;
use crate::platform::delivery::Problem;
use crate::platform::root_cause::Tally;

use super::{Signing, When};

/// The hint for a correctly signed delivery refused with 401/403 after others
/// were accepted with the same secret and header: the receiver's HMAC covers
/// other bytes than it received for some bodies.
fn signature_refused_for_this_body(header: &HeaderName, status: StatusCode) -> String {
    format!(
        "the receiver accepted other correctly signed deliveries, so it has the secret and reads \
         the {} header, yet refused this one with {}: its HMAC covers other bytes than it received \
         for this body (re-serialised JSON, decoded text, a body cut short: compute it over the raw \
         body bytes before parsing), or it refuses something else in this body that way, which the \
         platform retries",
        crate::http::title_case(header),
        status_text(status)
    )
}

/// The hint for a wrong answer: the check's own when the answer shows the
/// mistake the check is about (for copies, a repeat refused after the first
/// was accepted), else the one the answer's status calls for, knowing whether
/// other correctly signed deliveries were accepted (`signed_accepted`).
pub(super) fn advice(
    problem: &Problem,
    copy: usize,
    hint: Option<(When, &str)>,
    header: &HeaderName,
    signed_accepted: bool,
) -> String {
    match (hint, problem) {
        (Some((when, hint)), _) if when.shown_by(problem, copy) => hint.to_string(),
        // Other correctly signed deliveries got through: the secret and the
        // header are not in question, this body is.
        (_, Problem::NotAccepted(status))
            if signed_accepted && matches!(status.as_u16(), 401 | 403) =>
        {
            signature_refused_for_this_body(header, *status)
        }
        _ => problem.hint(header),
    }
}

/// The hint for an accepted forgery when the forgeries answered before it
/// (`earlier`: each, and whether it was accepted) show a cause of their own,
/// which its own hint would miss: a receiver that accepted a signature made
/// with another secret checks nothing (or only that a signature is there); one
/// that accepted values of another length than a signature while refusing a
/// wrong one of the right length has a compare that fails open on the length.
/// `None` when the check's own hint says what the answers show.
pub(super) fn forgery_pattern(
    signing: Signing,
    earlier: &[(Signing, bool)],
    header: &HeaderName,
) -> Option<String> {
    let header = crate::http::title_case(header);
    let was = |which: Signing, accepted: bool| earlier.contains(&(which, accepted));
    if !matches!(
        signing,
        Signing::Tampered | Signing::Empty | Signing::Sha1Prefix
    ) {
        return None;
    }
    let fix = format!(
        "compute the HMAC-SHA256 of the raw body with the secret, compare it with {header} in \
         constant time, and answer 401 when they differ"
    );
    if was(Signing::WrongSecret, true) {
        let what = match was(Signing::Missing, false) {
            true => format!(
                "it checks only that {header} is there, not what it holds (a missing one was \
                 refused)"
            ),
            false => {
                "it checks no signature at all, so this forgery shows no mistake of its own".into()
            }
        };
        return Some(format!(
            "the receiver accepted a signature made with another secret too \
             (signature.wrong-secret): {what}: {fix}"
        ));
    }
    let other_length = |s: Signing| match s {
        Signing::Missing => Some("no signature (signature.missing)"),
        Signing::Empty => Some("an empty digest (signature.empty)"),
        Signing::Sha1Prefix => Some("`sha1=` in front of the digest (signature.sha1-prefix)"),
        _ => None,
    };
    let shown = other_length(signing)?;
    let mut accepted: Vec<&str> = vec![shown];
    accepted.extend(
        earlier
            .iter()
            .filter(|(s, accepted)| *accepted && *s != signing)
            .filter_map(|(s, _)| other_length(*s)),
    );
    if let [first @ .., last] = &accepted[..]
        && accepted.len() > 1
        && was(Signing::WrongSecret, false)
    {
        return Some(format!(
            "the receiver accepted {} and {last}, values of another length than a signature, \
             but refused a wrong signature of the right length (signature.wrong-secret): its \
             compare fails open when the lengths differ (an error from the compare, such as \
             Node's crypto.timingSafeEqual on buffers of other lengths, caught and taken as a \
             match?): refuse anything but `sha256=` and 64 hex digits with 401 before comparing, \
             and treat an error in the check as a refusal",
            first.join(", ")
        ));
    }
    // Values of another length accepted, and no wrong signature of the
    // right length sent yet: a compare that fails open, or none at all.
    if let [first @ .., last] = &accepted[..]
        && accepted.len() > 1
    {
        return Some(format!(
            "the receiver accepted {} and {last}, values of another length than a signature: \
             its compare fails open when the lengths differ, or it checks no signature at all \
             (signature.wrong-secret tells which): refuse anything but `sha256=` and 64 hex \
             digits with 401 before comparing",
            first.join(", ")
        ));
    }
    // `sha1=` alone accepted: a stripped prefix once an empty digest was
    // refused (a compare failing open would take it); before, the checks
    // not yet run tell it from the other causes.
    if signing != Signing::Sha1Prefix || was(Signing::Empty, false) {
        return None;
    }
    Some(match was(Signing::WrongSecret, false) {
        true => "the receiver accepted `sha1=` in front of the digest: it strips whatever comes \
                 before the `=`, or its compare fails open on a value of another length \
                 (signature.empty tells which): require exactly `sha256=` and 64 hex digits"
            .to_string(),
        false => "the receiver accepted `sha1=` in front of the digest: it strips whatever comes \
                  before the `=`, its compare fails open on a value of another length, or it \
                  checks no signature (signature.empty and signature.wrong-secret tell which): \
                  require exactly `sha256=` and 64 hex digits"
            .to_string(),
    })
}

/// What `signature.uppercase-hex`'s answer tells, given how the forgeries
/// sent before it were answered: an acceptance shows the hex decoded before
/// comparing only when forgeries were sent and refused.
pub(super) fn information(accepted: bool, forged: &Tally) -> &'static str {
    if accepted && forged.accepted() > 0 {
        "information only: accepted, but so were forged signatures (see the signature checks), \
         so this shows nothing about how the hex is compared"
    } else if accepted && forged.total == 0 {
        "information only: accepted; whether signatures are checked at all is for the other \
         signature checks to show; the platform sends lower case"
    } else if accepted {
        "information only: the receiver decodes the hex before comparing, so either case works; \
         the platform sends lower case"
    } else {
        "information only: the platform sends lower-case hex, so refusing upper case is fine; \
         decoding the hex before comparing would accept either"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::sender::FailureKind;
    use crate::platform::conformance::{CHECKS, Test};

    #[test]
    fn hints_come_from_the_answer() {
        let header = HeaderName::from_static("x-signature-256");
        let refused = |code| Problem::NotAccepted(hyper::StatusCode::from_u16(code).unwrap());
        let hint_of = |name: &str, problem: &Problem, copy| {
            let spec = CHECKS.iter().find(|s| s.name == name).unwrap();
            let Test::Deliver { hint, .. } = spec.test else {
                panic!("{name} delivers")
            };
            advice(problem, copy, hint, &header, false)
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
    fn a_forgery_hint_names_what_the_earlier_forgeries_show() {
        use Signing::*;
        let header = HeaderName::from_static("x-signature-256");
        let hint = |signing, earlier: &[(Signing, bool)]| {
            forgery_pattern(signing, earlier, &header).unwrap_or_default()
        };
        // Everything accepted: it checks nothing.
        let all = [(Missing, true), (WrongSecret, true), (Tampered, true)];
        for signing in [Tampered, Empty, Sha1Prefix] {
            let text = hint(signing, &all);
            assert!(text.contains("it checks no signature at all"), "{text}");
        }
        // Only a missing one refused: it checks presence only.
        let text = hint(Empty, &[(Missing, false), (WrongSecret, true)]);
        assert!(
            text.contains("it checks only that X-Signature-256 is there"),
            "{text}"
        );
        // Values of another length accepted, the right length refused.
        let lenient = [(Missing, true), (WrongSecret, false), (Tampered, false)];
        let text = hint(Empty, &lenient);
        assert!(
            text.starts_with(
                "the receiver accepted an empty digest (signature.empty) and no signature \
                 (signature.missing), values of another length"
            ) && text.contains("fails open when the lengths differ"),
            "{text}"
        );
        let mut both = lenient.to_vec();
        both.push((Empty, true));
        let text = hint(Sha1Prefix, &both);
        assert!(
            text.starts_with(
                "the receiver accepted `sha1=` in front of the digest (signature.sha1-prefix), no \
                 signature (signature.missing) and an empty digest (signature.empty), values"
            ),
            "{text}"
        );
        // Only `sha1=` accepted, the others refused: its own hint (a stripped
        // prefix); an empty digest alone, or a tampered body: theirs.
        let strict = [
            (Missing, false),
            (WrongSecret, false),
            (Tampered, false),
            (Empty, false),
        ];
        assert_eq!(forgery_pattern(Sha1Prefix, &strict, &header), None);
        assert_eq!(forgery_pattern(Empty, &strict[..3], &header), None);
        assert_eq!(forgery_pattern(Tampered, &lenient[..2], &header), None);
        // Not known whether values of another length are refused: each
        // cause the checks run leave, and the checks that would tell.
        let text = hint(Sha1Prefix, &[]);
        assert!(
            text.contains("its compare fails open")
                && text.contains("or it checks no signature")
                && text.contains("(signature.empty and signature.wrong-secret tell which)"),
            "{text}"
        );
        let text = hint(Sha1Prefix, &strict[..3]);
        assert!(text.contains("(signature.empty tells which)"), "{text}");
        assert!(!text.contains("checks no signature"), "{text}");
        // `--only`: what ran counts. An empty digest or no signature also
        // accepted rules a stripped prefix out; a wrong secret refused, a
        // receiver checking nothing.
        for ran in [(Empty, true), (Missing, true)] {
            let text = hint(Sha1Prefix, &[ran]);
            assert!(
                text.contains("values of another length")
                    && text.contains("(signature.wrong-secret tells which)")
                    && !text.contains("strips"),
                "{ran:?}: {text}"
            );
        }
        let text = hint(Sha1Prefix, &[(WrongSecret, false)]);
        assert!(text.contains("(signature.empty tells which)"), "{text}");
        assert_eq!(
            forgery_pattern(Sha1Prefix, &[(Empty, false)], &header),
            None
        );
        // The plain forgeries keep the hint their answer calls for.
        assert_eq!(forgery_pattern(Missing, &all, &header), None);
        assert_eq!(forgery_pattern(WrongSecret, &all, &header), None);
    }
}
