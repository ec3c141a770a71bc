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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_name(kind.name()), Some(kind));
        }
    }
}
