//! The event model: the three events the platform sends as values, the names
//! and one-line summaries of [`EventKind`] (which `cli` offers as flag values),
//! and what tells deliveries apart ([`Identity`]). Each envelope a platform wraps
//! them in has its own module: [`startmessaging`] (the API document's).
//!
//! Parsing is tolerant on purpose: unknown fields are ignored, missing fields are
//! `None`, and an event type this version does not know becomes [`Event::Unknown`]
//! rather than an error, because the platform may add events before we do.

use serde::Deserialize;
use serde_json::Value;

pub mod startmessaging;

pub use startmessaging::{Envelope, from_envelope, identify, parse};

/// The event types the platform documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    MessageReceived,
    MessageStatus,
    TemplateStatus,
}

impl EventKind {
    pub const ALL: [EventKind; 3] = [
        EventKind::MessageReceived,
        EventKind::MessageStatus,
        EventKind::TemplateStatus,
    ];

    /// The name on the wire, as in the `event` field.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::MessageReceived => "message.received",
            EventKind::MessageStatus => "message.status",
            EventKind::TemplateStatus => "template.status",
        }
    }

    pub fn from_name(name: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// One line for `wm-hooks events` and for the flag values in `--help`.
    pub fn summary(self) -> &'static str {
        match self {
            EventKind::MessageReceived => "an incoming message from a WhatsApp user",
            EventKind::MessageStatus => "a sent message became sent, delivered, read or failed",
            EventKind::TemplateStatus => "a message template was approved or rejected",
        }
    }

    /// The API document's example for this event, as its exact text.
    pub fn sample_text(self) -> &'static str {
        match self {
            EventKind::MessageReceived => startmessaging::SAMPLE_MESSAGE_RECEIVED,
            EventKind::MessageStatus => startmessaging::SAMPLE_MESSAGE_STATUS,
            EventKind::TemplateStatus => startmessaging::SAMPLE_TEMPLATE_STATUS,
        }
    }

    /// The sample as a JSON value, fields in the document's order.
    pub fn sample(self) -> Value {
        serde_json::from_str(self.sample_text()).expect("samples are valid JSON")
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The statuses of `message.status`, in the order a message moves through them.
pub const STATUSES: [&str; 4] = ["sent", "delivered", "read", "failed"];

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct MessageReceived {
    pub message_id: Option<String>,
    pub from: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub text: Option<Text>,
    pub timestamp: Option<String>,
    pub contact: Option<Contact>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Text {
    pub body: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Contact {
    pub name: Option<String>,
    pub wa_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct MessageStatus {
    pub message_id: Option<String>,
    pub status: Option<String>,
    pub recipient: Option<String>,
    pub timestamp: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct TemplateStatus {
    pub template_name: Option<String>,
    pub status: Option<String>,
    pub language: Option<String>,
}

/// A parsed event body.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    MessageReceived(MessageReceived),
    MessageStatus(MessageStatus),
    TemplateStatus(TemplateStatus),
    /// Any other `event` value, or a known one whose `data` has the wrong shape.
    Unknown {
        event: String,
        data: Value,
    },
}

impl Event {
    /// The `event` field as sent.
    pub fn name(&self) -> &str {
        match self {
            Event::MessageReceived(_) => EventKind::MessageReceived.name(),
            Event::MessageStatus(_) => EventKind::MessageStatus.name(),
            Event::TemplateStatus(_) => EventKind::TemplateStatus.name(),
            Event::Unknown { event, .. } => event,
        }
    }

    /// The `message_id` this event is about, if it has one.
    pub fn message_id(&self) -> Option<&str> {
        match self {
            Event::MessageReceived(m) => m.message_id.as_deref(),
            Event::MessageStatus(s) => s.message_id.as_deref(),
            Event::TemplateStatus(_) | Event::Unknown { .. } => None,
        }
    }
}

/// What tells deliveries apart: the event type, and the `message_id` and
/// `status` in its data when they are strings (whatever the type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub event: String,
    pub message_id: Option<String>,
    pub status: Option<String>,
}

/// Bodies for the differential tests of [`identify`] and [`parse`]: JSON-like
/// text built from the envelope's keys and the pieces that tell a full read
/// from a skim (lone surrogates, out-of-range numbers, bad UTF-8, duplicate
/// keys, deep nesting), and now and then a byte changed or raw bytes.
#[cfg(test)]
pub(crate) fn bodies() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    let piece = prop_oneof![
        "[a-z .]{0,3}",
        Just("\\ud800".to_string()),
        Just("\\udc00".to_string()),
        Just("\\ud83d\\udc4b".to_string()),
        Just("\\u00e9".to_string()),
        Just("\\\"".to_string()),
        Just("\\x".to_string()),
        Just("é👋".to_string()),
        Just("\u{2028}".to_string()),
    ];
    let string = prop::collection::vec(piece, 0..4).prop_map(|p| format!("\"{}\"", p.concat()));
    let key = prop_oneof![
        Just("\"event\"".to_string()),
        Just("\"data\"".to_string()),
        Just("\"timestamp\"".to_string()),
        Just("\"message_id\"".to_string()),
        Just("\"status\"".to_string()),
        Just("\"\\u0065vent\"".to_string()),
        string.clone(),
    ];
    let leaf = prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        Just("1e400".to_string()),
        Just("-0.5e-3".to_string()),
        Just("18446744073709551616".to_string()),
        "-?[0-9]{1,3}",
        Just("\"message.received\"".to_string()),
        Just("\"message.status\"".to_string()),
        string,
    ];
    let value = leaf.prop_recursive(4, 32, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((key.clone(), inner), 0..5).prop_map(|pairs| {
                let pairs: Vec<String> =
                    pairs.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
                format!("{{{}}}", pairs.join(","))
            }),
        ]
    });
    let envelope = (value.clone(), value.clone(), value)
        .prop_map(|(event, data, other)| {
            format!("{{\"event\":{event},\"data\":{data},\"x\":{other}}}").into_bytes()
        })
        .boxed();
    let named = (value_named(), any::<bool>())
        .prop_map(|(data, first)| {
            let event = "\"event\":\"message.status\"";
            if first {
                format!("{{{event},\"data\":{data}}}").into_bytes()
            } else {
                format!("{{\"data\":{data},{event}}}").into_bytes()
            }
        })
        .boxed();
    let mutated = (
        prop_oneof![envelope.clone(), named.clone()],
        any::<prop::sample::Index>(),
        any::<u8>(),
    )
        .prop_map(|(mut body, at, byte)| {
            if !body.is_empty() {
                let i = at.index(body.len());
                body[i] = byte;
            }
            body
        });
    prop_oneof![
        3 => envelope,
        3 => named,
        2 => mutated,
        1 => prop::collection::vec(any::<u8>(), 0..64),
    ]
}

/// A `data` object with the keys identities are made of.
#[cfg(test)]
fn value_named() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let text = prop_oneof![
        Just("\"m1\"".to_string()),
        Just("\"read\"".to_string()),
        Just("\"\\ud800\"".to_string()),
        Just("7".to_string()),
        Just("{\"status\":\"no\"}".to_string()),
        Just("1e400".to_string()),
    ];
    let key = prop_oneof![
        Just("message_id"),
        Just("status"),
        Just("text"),
        Just("mess\\u0061ge_id"),
    ];
    prop::collection::vec((key, text), 0..5).prop_map(|pairs| {
        let pairs: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("\"{k}\":{v}"))
            .collect();
        format!("{{{}}}", pairs.join(","))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_name(kind.name()), Some(kind));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The receiver's read and the display's read agree on every body:
        /// both refuse it, or both accept it as the same event.
        #[test]
        fn identify_and_parse_agree(body in bodies()) {
            match (identify(&body), parse(&body)) {
                (Err(_), Err(_)) => {}
                (Ok(id), Ok(event)) => {
                    prop_assert_eq!(&id.event, event.name());
                    if let Some(message_id) = event.message_id() {
                        prop_assert_eq!(id.message_id.as_deref(), Some(message_id));
                    }
                }
                (id, event) => prop_assert!(
                    false,
                    "identify {:?} but parse {:?} for {:?}",
                    id.map(|_| "accepts"),
                    event.map(|_| "accepts"),
                    String::from_utf8_lossy(&body)
                ),
            }
        }
    }
}
