//! The StartMessaging envelope, `{"event", "timestamp", "data"}`: the API
//! document's three examples as samples, [`parse`] into the event model, and
//! [`identify`], the one-pass read a receiver under load needs.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{Event, EventKind, Identity};

pub(super) const SAMPLE_MESSAGE_RECEIVED: &str = r#"{
  "event": "message.received",
  "timestamp": "2026-01-15T10:30:00Z",
  "data": {
    "message_id": "msg_incoming_123",
    "from": "5511999999999",
    "type": "text",
    "text": { "body": "Hi, I need help with my order" },
    "timestamp": "2026-01-15T10:30:00Z",
    "contact": {
      "name": "João Silva",
      "wa_id": "5511999999999"
    }
  }
}"#;

pub(super) const SAMPLE_MESSAGE_STATUS: &str = r#"{
  "event": "message.status",
  "timestamp": "2026-01-15T10:30:05Z",
  "data": {
    "message_id": "msg_abc123",
    "status": "delivered",
    "recipient": "5511999999999",
    "timestamp": "2026-01-15T10:30:05Z"
  }
}"#;

pub(super) const SAMPLE_TEMPLATE_STATUS: &str = r#"{
  "event": "template.status",
  "timestamp": "2026-01-15T12:00:00Z",
  "data": {
    "template_name": "order_shipped",
    "status": "approved",
    "language": "en"
  }
}"#;

/// The outer shape every event shares.
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope {
    pub event: String,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub data: Value,
}

/// Parses a body into an event. Fails only when the body is not a JSON object
/// with a string `event` field.
pub fn parse(body: &[u8]) -> Result<Event, serde_json::Error> {
    let envelope: Envelope = serde_json::from_slice(body)?;
    Ok(from_envelope(envelope))
}

/// Reads a body's [`Identity`] in one pass that builds no event: what a
/// receiver under load needs to answer, record and deduplicate. Refuses exactly
/// the bodies [`parse`] refuses (anything but a JSON object with a string
/// `event`, and any JSON `parse` cannot read, such as a lone surrogate `\ud800`
/// or a number out of range inside `data`), and finds the [`identity`] of the
/// envelope `parse` reads; a differential test holds the two together.
pub fn identify(body: &[u8]) -> Result<Identity, serde_json::Error> {
    #[derive(Deserialize)]
    struct Wire<'a> {
        event: String,
        // A string as in `Envelope`, so that the same bodies fail here;
        // borrowed, since it is only checked.
        #[serde(default, borrow, rename = "timestamp")]
        _timestamp: Option<Cow<'a, str>>,
        #[serde(default)]
        data: Lenient,
    }
    let wire: Wire<'_> = serde_json::from_slice(body)?;
    Ok(Identity {
        event: wire.event,
        message_id: wire.data.message_id,
        status: wire.data.status,
    })
}

/// The identity of an envelope: its event type, and the `message_id` and
/// `status` of its data when they are strings.
pub fn identity(envelope: &Envelope) -> Identity {
    let text = |key: &str| {
        envelope
            .data
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    Identity {
        event: envelope.event.clone(),
        message_id: text("message_id"),
        status: text("status"),
    }
}

/// Any JSON value, read leniently: a string's text, or an object's
/// `message_id` and `status` strings; everything else is read past unbuilt,
/// but checked as [`Value`] would check it.
#[derive(Default)]
struct Lenient {
    text: Option<String>,
    message_id: Option<String>,
    status: Option<String>,
}

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor)
    }
}

struct LenientVisitor;

impl<'de> Visitor<'de> for LenientVisitor {
    type Value = Lenient;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Lenient, E> {
        Ok(Lenient {
            text: Some(text.to_owned()),
            ..Lenient::default()
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Lenient, A::Error> {
        #[derive(Deserialize)]
        #[serde(field_identifier, rename_all = "snake_case")]
        enum Field {
            MessageId,
            Status,
            #[serde(other)]
            Other,
        }
        let mut found = Lenient::default();
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::MessageId => found.message_id = map.next_value::<Lenient>()?.text,
                Field::Status => found.status = map.next_value::<Lenient>()?.text,
                Field::Other => {
                    map.next_value::<Checked>()?;
                }
            }
        }
        Ok(found)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Lenient, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Lenient::default())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Lenient, E> {
        Ok(Lenient::default())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Lenient, E> {
        Ok(Lenient::default())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Lenient, E> {
        Ok(Lenient::default())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Lenient, E> {
        Ok(Lenient::default())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Lenient, E> {
        Ok(Lenient::default())
    }
}

/// Any JSON value, read and dropped, but read as [`Value`] reads it: strings
/// decoded (so a lone surrogate or bad UTF-8 is an error, as it is for
/// [`parse`]) and numbers converted (so `1e400` is one). `IgnoredAny` skips
/// both unchecked, and so used to accept bodies [`parse`] refuses.
struct Checked;

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CheckedVisitor)
    }
}

struct CheckedVisitor;

impl<'de> Visitor<'de> for CheckedVisitor {
    type Value = Checked;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
        while map.next_entry::<Checked, Checked>()?.is_some() {}
        Ok(Checked)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Checked, E> {
        Ok(Checked)
    }
}

pub fn from_envelope(envelope: Envelope) -> Event {
    // An object only: serde would also fill a struct from an array, by
    // position, which `identify` (reading keys) does not.
    fn typed<T: serde::de::DeserializeOwned>(data: &Value) -> Option<T> {
        data.is_object()
            .then(|| T::deserialize(data).ok())
            .flatten()
    }
    let known = match EventKind::from_name(&envelope.event) {
        Some(EventKind::MessageReceived) => typed(&envelope.data).map(Event::MessageReceived),
        Some(EventKind::MessageStatus) => typed(&envelope.data).map(Event::MessageStatus),
        Some(EventKind::TemplateStatus) => typed(&envelope.data).map(Event::TemplateStatus),
        None => None,
    };
    known.unwrap_or(Event::Unknown {
        event: envelope.event,
        data: envelope.data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// `identify` finds the identity of the very envelope `parse` reads.
        #[test]
        fn identify_is_the_identity_of_the_parsed_envelope(body in super::super::bodies()) {
            let read: Result<Envelope, _> = serde_json::from_slice(&body);
            prop_assert_eq!(
                identify(&body).ok(),
                read.ok().map(|envelope| identity(&envelope)),
                "{:?}",
                String::from_utf8_lossy(&body)
            );
        }
    }

    #[test]
    fn every_sample_parses_as_its_kind() {
        for kind in EventKind::ALL {
            let event = parse(kind.sample_text().as_bytes()).unwrap();
            assert_eq!(event.name(), kind.name());
            assert!(!matches!(event, Event::Unknown { .. }), "{kind}");
        }
    }

    #[test]
    fn sample_fields_are_read() {
        let Event::MessageReceived(m) = parse(SAMPLE_MESSAGE_RECEIVED.as_bytes()).unwrap() else {
            panic!("not message.received");
        };
        assert_eq!(m.contact.unwrap().name.as_deref(), Some("João Silva"));
        assert_eq!(
            m.text.unwrap().body.as_deref(),
            Some("Hi, I need help with my order")
        );
        let event = parse(SAMPLE_MESSAGE_STATUS.as_bytes()).unwrap();
        assert_eq!(event.message_id(), Some("msg_abc123"));
    }

    #[test]
    fn tolerant_of_unknown_fields_types_and_shapes() {
        let extra = br#"{"event":"message.status","data":{"status":"read","new":1},"x":[]}"#;
        let Event::MessageStatus(s) = parse(extra).unwrap() else {
            panic!()
        };
        assert_eq!(s.status.as_deref(), Some("read"));
        assert_eq!(s.message_id, None);

        let unknown = parse(br#"{"event":"account.update","data":{"a":1}}"#).unwrap();
        assert_eq!(unknown.name(), "account.update");
        assert!(matches!(unknown, Event::Unknown { .. }));

        let wrong_shape = parse(br#"{"event":"message.status","data":{"status":7}}"#).unwrap();
        assert!(matches!(wrong_shape, Event::Unknown { .. }));
        // Not by position: an array is no message, whatever serde allows.
        let by_position = parse(br#"{"event":"message.received","data":["m1"]}"#).unwrap();
        assert!(matches!(by_position, Event::Unknown { .. }));
    }

    #[test]
    fn rejects_what_is_not_an_event() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        for body in [
            &b"not json"[..],
            b"[]",
            b"{}",
            b"{\"event\":3}",
            b"\xff\xfe",
            b"{\"event\":\"e\",\"timestamp\":5}",
            b"{\"event\":\"e\",\"data\":{},\"data\":{}}",
            b"{\"event\":\"e\",\"data\":{\"status\":\"a\"}",
            // What only a full read of `data` finds: `parse` and `identify` agree.
            br#"{"event":"message.received","data":{"text":"\ud800"}}"#,
            br#"{"event":"e","data":{"n":1e400}}"#,
            br#"{"event":"e","data":[{"k":"\udc00"}]}"#,
            b"{\"event\":\"e\",\"data\":{\"t\":\"\xff\"}}",
            // Deep nesting is an error, not a crash.
            deep.as_bytes(),
        ] {
            let shown = String::from_utf8_lossy(&body[..body.len().min(40)]);
            assert!(parse(body).is_err(), "{shown}");
            assert!(identify(body).is_err(), "identify refuses it too: {shown}");
        }
    }

    #[test]
    fn identify_reads_the_keys_leniently() {
        let id = identify(EventKind::MessageStatus.sample_text().as_bytes()).unwrap();
        assert_eq!(
            (
                id.event.as_str(),
                id.message_id.as_deref(),
                id.status.as_deref()
            ),
            ("message.status", Some("msg_abc123"), Some("delivered"))
        );
        let id = identify(EventKind::MessageReceived.sample_text().as_bytes()).unwrap();
        assert_eq!(
            (id.message_id.as_deref(), id.status),
            (Some("msg_incoming_123"), None)
        );
        let loose =
            br#"{"data":{"message_id":"m\u00e9","status":7,"x":{"status":"no"}},"event":"y"}"#;
        let id = identify(loose).unwrap();
        assert_eq!((id.message_id.as_deref(), id.status), (Some("mé"), None));
        let escaped = br#"{"event":"e.x","timestamp":"2026-01-15"}"#;
        assert_eq!(identify(escaped).unwrap().event, "e.x");
        for data in ["null", "[1,{\"a\":2}]", "\"text\"", "true", "-1.5e3", "{}"] {
            let body = format!(r#"{{"event":"e","data":{data}}}"#);
            let id = identify(body.as_bytes()).unwrap();
            assert_eq!((id.message_id, id.status), (None, None), "{data}");
        }
    }
}
