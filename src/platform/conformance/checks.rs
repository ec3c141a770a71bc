//! The list of checks `check` runs, in their order: each one's stable name,
//! whether it decides the exit code, what it sends and the hint for the
//! mistake it is about.

use crate::contract::events::EventKind;
use crate::platform::handshake::Probe;

use super::{BATCH_CHECK, Body, Signing, Spec, Test, When};

/// Every check, in the order they run. The forgeries run from the plainest
/// to the finest, and those of another length than a signature (missing,
/// empty) before `sha1=`, so that a forgery's hint knows how the earlier ones
/// were answered: a receiver that checks nothing, one whose compare fails
/// open on another length, and one that strips the prefix each get their own.
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
