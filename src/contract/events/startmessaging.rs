//! The StartMessaging envelope, `{"event", "timestamp", "data"}`: the API
//! document's three examples as samples, its one update in the event model,
//! and the lenient reader [`super::identify`] reads its `data` with.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{Event, Identity, Update};

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

/// The one update of a StartMessaging delivery: the event built from its
/// `data`, and the identity read from that data as [`super::identify`] reads it.
pub(super) fn update(event: String, data: Value) -> Update {
    let text = |key: &str| data.get(key).and_then(Value::as_str).map(str::to_string);
    let identity = Identity {
        event: event.clone(),
        message_id: text("message_id"),
        status: text("status"),
    };
    Update {
        event: Event::typed(&event, data),
        identity,
    }
}

/// Any JSON value, read leniently: a string's text, or an object's
/// `message_id` and `status` strings; everything else is read past unbuilt,
/// but checked as [`Value`] would check it.
#[derive(Default)]
pub(super) struct Lenient {
    pub(super) text: Option<String>,
    pub(super) message_id: Option<String>,
    pub(super) status: Option<String>,
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
/// [`super::parse`]) and numbers converted (so `1e400` is one). `IgnoredAny` skips
/// both unchecked, and so used to accept bodies [`super::parse`] refuses.
pub(super) struct Checked;

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

#[cfg(test)]
mod tests {
    use super::super::{EventKind, Identity, identify, parse};
    use super::*;

    /// The one event of a StartMessaging body.
    fn event(body: &[u8]) -> Event {
        let mut delivery = parse(body).unwrap();
        assert_eq!(delivery.updates.len(), 1);
        delivery.updates.remove(0).event
    }

    fn identity(body: &[u8]) -> Identity {
        identify(body).unwrap().updates.remove(0)
    }

    #[test]
    fn every_sample_parses_as_its_kind() {
        for kind in EventKind::ALL {
            let event = event(kind.sample_text().as_bytes());
            assert_eq!(event.name(), kind.name());
            assert!(!matches!(event, Event::Unknown { .. }), "{kind}");
        }
    }

    #[test]
    fn sample_fields_are_read() {
        let Event::MessageReceived(m) = event(SAMPLE_MESSAGE_RECEIVED.as_bytes()) else {
            panic!("not message.received");
        };
        assert_eq!(m.contact.unwrap().name.as_deref(), Some("João Silva"));
        assert_eq!(
            m.content.text.unwrap().body.as_deref(),
            Some("Hi, I need help with my order")
        );
        assert_eq!(
            event(SAMPLE_MESSAGE_STATUS.as_bytes()).message_id(),
            Some("msg_abc123")
        );
    }

    #[test]
    fn tolerant_of_unknown_fields_types_and_shapes() {
        let extra = br#"{"event":"message.status","data":{"status":"read","new":1},"x":[]}"#;
        let Event::MessageStatus(s) = event(extra) else {
            panic!()
        };
        assert_eq!(s.status.as_deref(), Some("read"));
        assert_eq!(s.message_id, None);

        let unknown = event(br#"{"event":"account.update","data":{"a":1}}"#);
        assert_eq!(unknown.name(), "account.update");
        assert!(matches!(unknown, Event::Unknown { .. }));

        let wrong_shape = event(br#"{"event":"message.status","data":{"status":7}}"#);
        assert!(matches!(wrong_shape, Event::Unknown { .. }));
        // Not by position: an array is no message, whatever serde allows.
        let by_position = event(br#"{"event":"message.received","data":["m1"]}"#);
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
            br#"{"object":"whatsapp_business_account","entry":[{"x":"\ud800"}]}"#,
            br#"{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"n":1e400}}]}]}"#,
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
        let id = identity(EventKind::MessageStatus.sample_text().as_bytes());
        assert_eq!(
            (
                id.event.as_str(),
                id.message_id.as_deref(),
                id.status.as_deref()
            ),
            ("message.status", Some("msg_abc123"), Some("delivered"))
        );
        let id = identity(EventKind::MessageReceived.sample_text().as_bytes());
        assert_eq!(
            (id.message_id.as_deref(), id.status),
            (Some("msg_incoming_123"), None)
        );
        let loose =
            br#"{"data":{"message_id":"m\u00e9","status":7,"x":{"status":"no"}},"event":"y"}"#;
        let id = identity(loose);
        assert_eq!((id.message_id.as_deref(), id.status), (Some("mé"), None));
        let escaped = br#"{"event":"e.x","timestamp":"2026-01-15"}"#;
        assert_eq!(identity(escaped).event, "e.x");
        for data in ["null", "[1,{\"a\":2}]", "\"text\"", "true", "-1.5e3", "{}"] {
            let body = format!(r#"{{"event":"e","data":{data}}}"#);
            let id = identity(body.as_bytes());
            assert_eq!((id.message_id, id.status), (None, None), "{data}");
        }
    }
}
