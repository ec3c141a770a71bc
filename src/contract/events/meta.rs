//! Meta's WhatsApp Cloud API envelope: `{"object": "whatsapp_business_account",
//! "entry": [{"id", "changes": [{"field", "value"}]}]}`. A `messages` change's
//! value holds `messages` and `statuses` arrays (with `contacts` and
//! `metadata` beside them); a `message_template_status_update` change is one
//! template update; any other field is an update of a kind we do not model.
//! One delivery may carry several entries, changes, messages and statuses:
//! `updates` returns every one of them, messages before statuses within a
//! change, and `Entries` reads the same identities in the one-pass read.
//!
//! The shapes follow Meta's webhook reference. A message maps onto the same
//! [`MessageReceived`] as StartMessaging's (`id` is its `message_id`, the
//! contact comes from `value.contacts`), a status onto [`MessageStatus`]
//! (`recipient_id` is its `recipient`), a template update onto
//! [`TemplateStatus`] (`event` is its `status`).

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};

use super::startmessaging::Checked;
use serde_json::Value;

use super::{
    Contact, Content, ErrorInfo, Event, EventKind, Identity, MessageReceived, MessageStatus,
    TemplateStatus, Update,
};

/// The change field that carries messages and statuses.
pub const MESSAGES_FIELD: &str = "messages";
/// The change field that carries template status updates.
pub const TEMPLATE_FIELD: &str = "message_template_status_update";

/// Every update of a delivery's `entry` array, in order.
pub(super) fn updates(entries: &[Value]) -> Vec<Update> {
    let mut out = Vec::new();
    for entry in entries {
        let Some(changes) = entry.get("changes").and_then(Value::as_array) else {
            continue;
        };
        for change in changes {
            let Some(field) = change.get("field").and_then(Value::as_str) else {
                continue;
            };
            let value = change.get("value").cloned().unwrap_or(Value::Null);
            change_updates(field, value, &mut out);
        }
    }
    out
}

fn change_updates(field: &str, value: Value, out: &mut Vec<Update>) {
    let text = |item: &Value, key: &str| item.get(key).and_then(Value::as_str).map(str::to_string);
    match field {
        MESSAGES_FIELD => {
            let contacts = value.get("contacts");
            for message in value
                .get("messages")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push(Update {
                    identity: Identity {
                        event: EventKind::MessageReceived.name().into(),
                        message_id: text(message, "id"),
                        status: None,
                    },
                    event: message_event(message, contacts),
                });
            }
            for status in value
                .get("statuses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push(Update {
                    identity: Identity {
                        event: EventKind::MessageStatus.name().into(),
                        message_id: text(status, "id"),
                        status: text(status, "status"),
                    },
                    event: status_event(status),
                });
            }
        }
        TEMPLATE_FIELD => out.push(Update {
            identity: Identity {
                event: EventKind::TemplateStatus.name().into(),
                message_id: None,
                status: text(&value, "event"),
            },
            event: template_event(value),
        }),
        other => out.push(Update {
            identity: Identity {
                event: other.to_string(),
                message_id: None,
                status: None,
            },
            event: Event::Unknown {
                event: other.to_string(),
                data: value,
            },
        }),
    }
}

fn unknown(kind: EventKind, data: &Value) -> Event {
    Event::Unknown {
        event: kind.name().to_string(),
        data: data.clone(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Message {
    id: Option<String>,
    from: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    timestamp: Option<String>,
    #[serde(flatten)]
    content: Box<Content>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WaContact {
    profile: Option<Profile>,
    wa_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Profile {
    name: Option<String>,
}

fn message_event(message: &Value, contacts: Option<&Value>) -> Event {
    let Some(m) = super::typed_object::<Message>(message) else {
        return unknown(EventKind::MessageReceived, message);
    };
    let contacts: Vec<WaContact> = contacts
        .and_then(|c| Vec::<WaContact>::deserialize(c).ok())
        .unwrap_or_default();
    // The sender's contact; a lone contact is the sender's in every payload
    // Meta documents.
    let contact = contacts
        .iter()
        .position(|c| c.wa_id.is_some() && c.wa_id == m.from)
        .or((contacts.len() == 1).then_some(0))
        .map(|at| Contact {
            name: contacts[at].profile.as_ref().and_then(|p| p.name.clone()),
            wa_id: contacts[at].wa_id.clone(),
        });
    Event::MessageReceived(MessageReceived {
        message_id: m.id,
        from: m.from,
        kind: m.kind,
        timestamp: m.timestamp,
        contact,
        content: m.content,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Status {
    id: Option<String>,
    status: Option<String>,
    timestamp: Option<String>,
    recipient_id: Option<String>,
    errors: Option<Vec<ErrorInfo>>,
    conversation: Option<Value>,
    pricing: Option<Value>,
}

fn status_event(status: &Value) -> Event {
    match super::typed_object::<Status>(status) {
        Some(s) => Event::MessageStatus(MessageStatus {
            message_id: s.id,
            status: s.status,
            recipient: s.recipient_id,
            timestamp: s.timestamp,
            errors: s.errors,
            conversation: s.conversation,
            pricing: s.pricing,
        }),
        None => unknown(EventKind::MessageStatus, status),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Template {
    event: Option<String>,
    message_template_name: Option<String>,
    message_template_language: Option<String>,
    reason: Option<String>,
}

fn template_event(value: Value) -> Event {
    match super::typed_object::<Template>(&value) {
        Some(t) => Event::TemplateStatus(TemplateStatus {
            template_name: t.message_template_name,
            status: t.event,
            language: t.message_template_language,
            reason: t.reason,
        }),
        None => unknown(EventKind::TemplateStatus, &value),
    }
}

/// The visitor methods for the JSON values a lenient reader reads past:
/// each yields `$value`.
macro_rules! scalars {
    ($value:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
}

/// The `entry` value read in one pass: every update's identity when it is an
/// array (`None` for anything else, which [`super::identify`] refuses), and
/// nothing built but the identities.
#[derive(Default)]
pub(super) struct Entries(pub(super) Option<Vec<Identity>>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let List(entries) = List::<Found<EntryKeys>>::deserialize(deserializer)?;
        Ok(Entries(entries.map(|entries| {
            entries.into_iter().flat_map(|Found(e)| e.0).collect()
        })))
    }
}

/// Any JSON value read as a list: `Some` of its items when it is an array.
struct List<T>(Option<Vec<T>>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<T>()? {
                    items.push(item);
                }
                Ok(List(Some(items)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<List<T>, A::Error> {
                while map.next_entry::<Checked, Checked>()?.is_some() {}
                Ok(List(None))
            }
            scalars!(List(None));
        }
        deserializer.deserialize_any(V(PhantomData))
    }
}

/// One kind of object the one-pass read looks into: the keys it reads (the
/// rest are read past), and where their values go.
trait Object: Default {
    type Key: for<'de> Deserialize<'de>;
    /// Reads `key`'s value; a repeated key overwrites, as in a parsed `Value`.
    fn read<'de, A: MapAccess<'de>>(&mut self, key: Self::Key, map: &mut A)
    -> Result<(), A::Error>;
}

/// Any JSON value read as a `T`: its keys when it is an object, else nothing.
struct Found<T>(T);

impl<'de, T: Object> Deserialize<'de> for Found<T> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Object> Visitor<'de> for V<T> {
            type Value = Found<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found<T>, A::Error> {
                let mut object = T::default();
                while let Some(key) = map.next_key::<T::Key>()? {
                    object.read(key, &mut map)?;
                }
                Ok(Found(object))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Found<T>, A::Error> {
                while seq.next_element::<Checked>()?.is_some() {}
                Ok(Found(T::default()))
            }
            scalars!(Found(T::default()));
        }
        deserializer.deserialize_any(V(PhantomData))
    }
}

/// A string's text, or nothing for any other value.
fn text<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<String>, A::Error> {
    Ok(map.next_value::<super::startmessaging::Lenient>()?.text)
}

fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<Checked>().map(|_| ())
}

/// An entry: the identities of its `changes`.
#[derive(Default)]
struct EntryKeys(Vec<Identity>);

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum EntryKey {
    Changes,
    #[serde(other)]
    Other,
}

impl Object for EntryKeys {
    type Key = EntryKey;
    fn read<'de, A: MapAccess<'de>>(&mut self, key: EntryKey, map: &mut A) -> Result<(), A::Error> {
        match key {
            EntryKey::Changes => {
                let List(changes) = map.next_value::<List<Found<ChangeKeys>>>()?;
                self.0 = changes
                    .into_iter()
                    .flatten()
                    .flat_map(|Found(change)| change.identities())
                    .collect();
                Ok(())
            }
            EntryKey::Other => skip(map),
        }
    }
}

/// A change: its `field`, and what its `value` holds, combined once both are
/// read (Meta writes `value` first).
#[derive(Default)]
struct ChangeKeys {
    field: Option<String>,
    value: ValueKeys,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum ChangeKey {
    Field,
    Value,
    #[serde(other)]
    Other,
}

impl Object for ChangeKeys {
    type Key = ChangeKey;
    fn read<'de, A: MapAccess<'de>>(
        &mut self,
        key: ChangeKey,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            ChangeKey::Field => self.field = text(map)?,
            ChangeKey::Value => self.value = map.next_value::<Found<ValueKeys>>()?.0,
            ChangeKey::Other => skip(map)?,
        }
        Ok(())
    }
}

impl ChangeKeys {
    /// The same identities, in the same order, as [`updates`] builds.
    fn identities(self) -> Vec<Identity> {
        let Some(field) = self.field else {
            return Vec::new();
        };
        let identity = |kind: EventKind, message_id, status| Identity {
            event: kind.name().to_string(),
            message_id,
            status,
        };
        match field.as_str() {
            MESSAGES_FIELD => {
                let ValueKeys {
                    messages, statuses, ..
                } = self.value;
                let messages = messages
                    .into_iter()
                    .flatten()
                    .map(|Found(m)| identity(EventKind::MessageReceived, m.id, None));
                let statuses = statuses
                    .into_iter()
                    .flatten()
                    .map(|Found(s)| identity(EventKind::MessageStatus, s.id, s.status));
                messages.chain(statuses).collect()
            }
            TEMPLATE_FIELD => vec![identity(EventKind::TemplateStatus, None, self.value.event)],
            _ => vec![Identity {
                event: field,
                message_id: None,
                status: None,
            }],
        }
    }
}

/// A change's value: its `messages` and `statuses`, and a template update's
/// `event`.
#[derive(Default)]
struct ValueKeys {
    messages: Option<Vec<Found<ItemKeys>>>,
    statuses: Option<Vec<Found<ItemKeys>>>,
    event: Option<String>,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum ValueKey {
    Messages,
    Statuses,
    Event,
    #[serde(other)]
    Other,
}

impl Object for ValueKeys {
    type Key = ValueKey;
    fn read<'de, A: MapAccess<'de>>(&mut self, key: ValueKey, map: &mut A) -> Result<(), A::Error> {
        match key {
            ValueKey::Messages => self.messages = map.next_value::<List<Found<ItemKeys>>>()?.0,
            ValueKey::Statuses => self.statuses = map.next_value::<List<Found<ItemKeys>>>()?.0,
            ValueKey::Event => self.event = text(map)?,
            ValueKey::Other => skip(map)?,
        }
        Ok(())
    }
}

/// A message or a status: its `id` and `status`.
#[derive(Default)]
struct ItemKeys {
    id: Option<String>,
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum ItemKey {
    Id,
    Status,
    #[serde(other)]
    Other,
}

impl Object for ItemKeys {
    type Key = ItemKey;
    fn read<'de, A: MapAccess<'de>>(&mut self, key: ItemKey, map: &mut A) -> Result<(), A::Error> {
        match key {
            ItemKey::Id => self.id = text(map)?,
            ItemKey::Status => self.status = text(map)?,
            ItemKey::Other => skip(map)?,
        }
        Ok(())
    }
}
