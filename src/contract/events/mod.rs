//! The event model: the three events the platform sends as values, the names
//! and one-line summaries of [`EventKind`] (which `cli` offers as flag values),
//! and what tells deliveries apart ([`Identity`]). Each envelope a platform wraps
//! them in has its own module: [`startmessaging`] (the API document's, one event
//! per delivery) and [`meta`] (the WhatsApp Cloud API's, one or more updates per
//! delivery). [`parse`] and [`identify`] recognise either by itself.
//!
//! Parsing is tolerant on purpose: unknown fields are ignored, missing fields are
//! `None`, and an event type this version does not know becomes [`Event::Unknown`]
//! rather than an error, because the platform may add events before we do.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::Value;

use crate::contract::profile::Profile;

pub mod meta;
pub mod startmessaging;

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
            EventKind::MessageStatus => {
                "a sent message became sent, delivered, read, played or failed"
            }
            EventKind::TemplateStatus => {
                "a message template was approved, rejected, paused or disabled"
            }
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

/// The statuses of `message.status`, in the order a message moves through
/// them (`played` is for voice messages).
pub const STATUSES: [&str; 5] = ["sent", "delivered", "read", "played", "failed"];

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct MessageReceived {
    pub message_id: Option<String>,
    pub from: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub timestamp: Option<String>,
    pub contact: Option<Contact>,
    /// What the message carries, under the key its type names (boxed: it is
    /// most of the event's size).
    #[serde(flatten)]
    pub content: Box<Content>,
}

/// A message's content: the object beside `type` named after it (`"type":
/// "image", "image": {...}`), in both envelopes.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Content {
    pub text: Option<Text>,
    pub image: Option<Media>,
    pub video: Option<Media>,
    pub audio: Option<Media>,
    pub document: Option<Media>,
    pub sticker: Option<Media>,
    pub location: Option<Location>,
    pub contacts: Option<Vec<SharedContact>>,
    pub reaction: Option<Reaction>,
    pub button: Option<Button>,
    pub interactive: Option<Interactive>,
    pub order: Option<Order>,
    pub system: Option<System>,
    /// The message this one answers (a button reply, a quoted message).
    pub context: Option<Context>,
    /// Why an `unsupported` message could not be delivered.
    pub errors: Option<Vec<ErrorInfo>>,
}

impl Content {
    /// The media object and its kind, for the media types.
    pub fn media(&self) -> Option<(&'static str, &Media)> {
        [
            ("image", &self.image),
            ("video", &self.video),
            ("audio", &self.audio),
            ("document", &self.document),
            ("sticker", &self.sticker),
        ]
        .into_iter()
        .find_map(|(kind, media)| media.as_ref().map(|m| (kind, m)))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Text {
    pub body: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Media {
    pub id: Option<String>,
    pub mime_type: Option<String>,
    pub sha256: Option<String>,
    pub caption: Option<String>,
    pub filename: Option<String>,
    /// An audio message recorded as a voice note.
    pub voice: Option<bool>,
    pub animated: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Location {
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub name: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct SharedContact {
    pub name: Option<ContactName>,
    pub phones: Option<Vec<Value>>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ContactName {
    pub formatted_name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Reaction {
    pub message_id: Option<String>,
    pub emoji: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Button {
    pub payload: Option<String>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Interactive {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub button_reply: Option<Reply>,
    pub list_reply: Option<Reply>,
    pub nfm_reply: Option<FlowReply>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Reply {
    pub id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct FlowReply {
    pub name: Option<String>,
    pub body: Option<String>,
    pub response_json: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Order {
    pub catalog_id: Option<String>,
    pub text: Option<String>,
    pub product_items: Option<Vec<Value>>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct System {
    pub body: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub wa_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Context {
    pub from: Option<String>,
    pub id: Option<String>,
}

/// One entry of an `errors` array (a failed status, an unsupported message).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ErrorInfo {
    pub code: Option<i64>,
    pub title: Option<String>,
    pub message: Option<String>,
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
    /// Why a `failed` message failed.
    pub errors: Option<Vec<ErrorInfo>>,
    pub conversation: Option<Value>,
    pub pricing: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct TemplateStatus {
    pub template_name: Option<String>,
    pub status: Option<String>,
    pub language: Option<String>,
    /// Why it was rejected, paused or disabled.
    pub reason: Option<String>,
}

/// A parsed event body.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    MessageReceived(MessageReceived),
    MessageStatus(MessageStatus),
    TemplateStatus(TemplateStatus),
    /// Any other `event` value (or Meta `field`), or a known one whose data
    /// has the wrong shape.
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

    /// Builds the event of kind `name` from its data, or [`Event::Unknown`].
    fn typed(name: &str, data: Value) -> Event {
        fn typed<T: serde::de::DeserializeOwned>(data: &Value) -> Option<T> {
            typed_object(data)
        }
        let known = match EventKind::from_name(name) {
            Some(EventKind::MessageReceived) => typed(&data).map(Event::MessageReceived),
            Some(EventKind::MessageStatus) => typed(&data).map(Event::MessageStatus),
            Some(EventKind::TemplateStatus) => typed(&data).map(Event::TemplateStatus),
            None => None,
        };
        known.unwrap_or(Event::Unknown {
            event: name.to_string(),
            data,
        })
    }
}

/// `data` as a `T`, read only from an object: serde would also fill a struct
/// from an array, by position, which [`identify`] (reading keys) does not.
fn typed_object<T: serde::de::DeserializeOwned>(data: &Value) -> Option<T> {
    data.is_object()
        .then(|| T::deserialize(data).ok())
        .flatten()
}

/// What tells updates apart: the event type, and the message id and status it
/// carries when they are strings (whatever the type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub event: String,
    pub message_id: Option<String>,
    pub status: Option<String>,
}

/// One update of a delivery: the event, and its identity as read from the raw
/// data (so that it is exactly what [`identify`] reads).
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub event: Event,
    pub identity: Identity,
}

/// A parsed delivery: its envelope and its updates, in order (one for
/// StartMessaging; any number, even none, for Meta).
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub profile: Profile,
    pub updates: Vec<Update>,
}

impl Delivery {
    /// What [`identify`] reads from the same body.
    pub fn identified(&self) -> Identified {
        Identified {
            profile: self.profile,
            updates: self.updates.iter().map(|u| u.identity.clone()).collect(),
        }
    }
}

/// A delivery's envelope and the identity of each update, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identified {
    pub profile: Profile,
    pub updates: Vec<Identity>,
}

impl Identified {
    /// The first update, which names the delivery in a record line.
    pub fn first(&self) -> Option<&Identity> {
        self.updates.first()
    }
}

/// The object `"object"` holds in every Meta WhatsApp delivery.
pub const META_OBJECT: &str = "whatsapp_business_account";

/// The outer keys both envelopes use. Parsing both the same way, with a
/// derived struct, makes the same bodies fail in [`parse`] and [`identify`]
/// (a repeated key among these, a `timestamp` that is not a string).
#[derive(Deserialize)]
struct Outer {
    #[serde(default)]
    event: Option<String>,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    data: Value,
    #[serde(default)]
    object: Value,
    #[serde(default)]
    entry: Value,
}

/// Why a body is neither envelope.
fn not_an_event() -> serde_json::Error {
    serde::de::Error::custom(
        "not a WhatsApp event: no string `event` (StartMessaging) and no \
         `object: whatsapp_business_account` with an `entry` array (Meta)",
    )
}

/// Parses a body into its updates. Fails when the body is neither a JSON
/// object with a string `event` (StartMessaging) nor one with `object:
/// whatsapp_business_account` and an `entry` array (Meta).
pub fn parse(body: &[u8]) -> Result<Delivery, serde_json::Error> {
    let outer: Outer = serde_json::from_slice(body)?;
    let _ = outer.timestamp;
    if let Some(event) = outer.event {
        return Ok(Delivery {
            profile: Profile::StartMessaging,
            updates: vec![startmessaging::update(event, outer.data)],
        });
    }
    match (&outer.object, &outer.entry) {
        (Value::String(object), Value::Array(entries)) if object == META_OBJECT => Ok(Delivery {
            profile: Profile::Meta,
            updates: meta::updates(entries),
        }),
        _ => Err(not_an_event()),
    }
}

/// Reads a body's [`Identified`] in one pass that builds no event: what a
/// receiver under load needs to answer, record and deduplicate. Refuses
/// exactly the bodies [`parse`] refuses, and reads the same identities.
pub fn identify(body: &[u8]) -> Result<Identified, serde_json::Error> {
    #[derive(Deserialize)]
    struct Wire<'a> {
        #[serde(default)]
        event: Option<String>,
        // A string as in `Outer`, so that the same bodies fail here;
        // borrowed, since it is only checked.
        #[serde(default, borrow, rename = "timestamp")]
        _timestamp: Option<Cow<'a, str>>,
        #[serde(default)]
        data: startmessaging::Lenient,
        #[serde(default)]
        object: startmessaging::Lenient,
        #[serde(default)]
        entry: meta::Entries,
    }
    // Unknown outer keys are skipped unchecked here as in `Outer`; inside
    // `data` and `entry`, `Checked` reads what it skips as `Value` would.
    let wire: Wire<'_> = serde_json::from_slice(body)?;
    if let Some(event) = wire.event {
        return Ok(Identified {
            profile: Profile::StartMessaging,
            updates: vec![Identity {
                event,
                message_id: wire.data.message_id,
                status: wire.data.status,
            }],
        });
    }
    match (wire.object.text.as_deref(), wire.entry.0) {
        (Some(META_OBJECT), Some(updates)) => Ok(Identified {
            profile: Profile::Meta,
            updates,
        }),
        _ => Err(not_an_event()),
    }
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
    use serde_json::json;

    #[test]
    fn names_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_name(kind.name()), Some(kind));
        }
    }

    fn agree(body: &[u8]) {
        let parsed = parse(body).map(|d| d.identified());
        let identified = identify(body);
        let shown = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
        match (parsed, identified) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{shown}"),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("parse {a:?} but identify {b:?}: {shown}"),
        }
    }

    #[test]
    fn a_meta_batch_is_every_update_in_order() {
        let body = json!({"object": META_OBJECT, "entry": [
            {"id": "1", "changes": [
                {"value": {"statuses": [{"id": "s1", "status": "read"}],
                           "messages": [{"id": "m1", "type": "text", "text": {"body": "hi"}, "from": "55"},
                                        {"id": "m2", "type": "image", "image": {"id": "9"}}],
                           "contacts": [{"profile": {"name": "Ana"}, "wa_id": "55"}]},
                 "field": "messages"},
                {"field": "account_update", "value": {"x": 1}},
                {"value": {"event": "REJECTED", "message_template_name": "t", "reason": "INVALID_FORMAT"},
                 "field": "message_template_status_update"},
                {"value": {"messages": [{"id": "ignored"}]}},
            ]},
            "not an entry",
            {"changes": {"not": "a list"}},
            {"changes": [{"field": "messages", "value": {"statuses": [{"id": 5, "status": "sent"}]}}]},
        ]});
        let bytes = serde_json::to_vec(&body).unwrap();
        agree(&bytes);
        let delivery = parse(&bytes).unwrap();
        assert_eq!(delivery.profile, Profile::Meta);
        let ids: Vec<(&str, Option<&str>, Option<&str>)> = delivery
            .updates
            .iter()
            .map(|u| {
                (
                    u.identity.event.as_str(),
                    u.identity.message_id.as_deref(),
                    u.identity.status.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            ids,
            [
                ("message.received", Some("m1"), None),
                ("message.received", Some("m2"), None),
                ("message.status", Some("s1"), Some("read")),
                ("account_update", None, None),
                ("template.status", None, Some("REJECTED")),
                ("message.status", None, Some("sent")),
            ]
        );
        let Event::MessageReceived(m) = &delivery.updates[0].event else {
            panic!()
        };
        assert_eq!(m.contact.as_ref().unwrap().name.as_deref(), Some("Ana"));
        let Event::TemplateStatus(t) = &delivery.updates[4].event else {
            panic!()
        };
        assert_eq!(t.reason.as_deref(), Some("INVALID_FORMAT"));
        assert!(
            matches!(delivery.updates[5].event, Event::Unknown { .. }),
            "an id that is not a string"
        );
    }

    #[test]
    fn only_a_whatsapp_object_with_an_entry_list_is_meta() {
        for body in [
            r#"{"object":"page","entry":[]}"#,
            r#"{"object":"whatsapp_business_account"}"#,
            r#"{"object":"whatsapp_business_account","entry":{}}"#,
            r#"{"object":"whatsapp_business_account","entry":[],"entry":[]}"#,
            r#"{"entry":[]}"#,
        ] {
            assert!(parse(body.as_bytes()).is_err(), "{body}");
            agree(body.as_bytes());
        }
        let empty = br#"{"object":"whatsapp_business_account","entry":[]}"#;
        assert_eq!(identify(empty).unwrap().updates, []);
        agree(empty);
        let both = br#"{"event":"message.status","object":"whatsapp_business_account","entry":[]}"#;
        assert_eq!(identify(both).unwrap().profile, Profile::StartMessaging);
    }

    /// JSON built from the keys both envelopes use, so that random trees reach
    /// every branch of both readers.
    fn json_value() -> impl Strategy<Value = Value> {
        let key = prop::sample::select(vec![
            "event",
            "data",
            "timestamp",
            "object",
            "entry",
            "changes",
            "field",
            "value",
            "messages",
            "statuses",
            "id",
            "status",
            "message_id",
            "contacts",
            "x",
        ]);
        let text = prop::sample::select(vec![
            "whatsapp_business_account",
            "messages",
            "message_template_status_update",
            "message.received",
            "read",
            "m1",
            "é\u{1}",
            "",
        ]);
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            text.prop_map(Value::from),
        ];
        leaf.prop_recursive(6, 64, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((key.clone(), inner), 0..5).prop_map(|pairs| {
                    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The receiver's read and the display's read agree on every body:
        /// both refuse it, or both find the same updates with the same
        /// identities.
        #[test]
        fn identify_and_parse_agree(body in bodies()) {
            agree(&body);
        }

        #[test]
        fn identify_and_parse_agree_on_json(value in json_value()) {
            agree(&serde_json::to_vec(&value).unwrap());
        }

        #[test]
        fn identify_and_parse_agree_on_broken_bytes(
            cut in 0usize..400,
            insert in any::<u8>(),
            which in 0usize..3,
        ) {
            let sample = [
                EventKind::MessageStatus.sample_text().as_bytes().to_vec(),
                serde_json::to_vec(&json!({"object": META_OBJECT, "entry": [{"changes": [
                    {"value": {"statuses": [{"id": "s", "status": "read"}]}, "field": "messages"}
                ]}]})).unwrap(),
                br#"{"event":"e","data":{"status":"a","status":"b"},"entry":[1]}"#.to_vec(),
            ][which].clone();
            let at = cut.min(sample.len());
            let mut body = sample.clone();
            body.insert(at, insert);
            agree(&body);
            agree(&sample[..at]);
        }
    }
}
