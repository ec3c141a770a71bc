//! What each check's delivery carries, rendered: the API document's samples
//! with a fresh message id and time, the unknown event, the unseen status, the
//! 512 KiB and the non-ASCII bodies, and Meta's batch, in either envelope.

use std::time::SystemTime;

use serde_json::{Value, json};

use crate::contract::events::EventKind;
use crate::contract::profile::{self, Profile};
use crate::contract::sample::catalog::Variant;
use crate::contract::sample::{Edit, Sample, Template};

use super::{BATCH, Body, LARGE_BODY, NON_ASCII_TEXT};

impl Body {
    /// The body, compact JSON with a fresh `message_id` and timestamps, in
    /// `profile`'s envelope.
    pub(super) fn render(self, profile: Profile, message_id: &str, now: SystemTime) -> Vec<u8> {
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
        self.fill(body, || NON_ASCII_TEXT.to_string())
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
        // As Meta sends it: the escapes of the non-ASCII characters.
        self.fill(body, || {
            String::from_utf8(profile::escape_non_ascii(NON_ASCII_TEXT.as_bytes()))
                .expect("escaped text is ASCII")
        })
    }

    /// Puts the text in place of the placeholder of a [`Body::Large`] or
    /// [`Body::NonAscii`] body (`non_ascii`: that text, already serialised
    /// as the envelope does); any other body is returned as it is.
    fn fill(self, body: Vec<u8>, non_ascii: impl FnOnce() -> String) -> Vec<u8> {
        let placeholder = json!(PLACEHOLDER).to_string();
        let text = match self {
            Body::NonAscii => non_ascii(),
            Body::Large => {
                let room = LARGE_BODY - (body.len() - placeholder.len()) - 2;
                let filler = "a long message, ".chars().cycle().take(room);
                format!("\"{}\"", filler.collect::<String>())
            }
            _ => return body,
        };
        splice(&body, placeholder.as_bytes(), text.as_bytes())
    }

    /// What the body is, for the report.
    pub(super) fn shown(self) -> String {
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
