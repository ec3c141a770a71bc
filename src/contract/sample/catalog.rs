//! Every sample the tool can send, in both envelopes: each message type (with
//! the three interactive replies), each message status, each template update.
//! The StartMessaging shapes follow the API document's pattern (`"type":
//! "image", "image": {...}` beside `type`, as it shows for `text`), which is an
//! inference for every type but `text`; the Meta shapes follow Meta's webhook
//! reference. Ids are shaped like real ones, and the defaults (a text, a
//! `delivered` status, an approved template) in the StartMessaging envelope
//! are the API document's own examples.

use serde_json::{Map, Value, json};

use crate::contract::events::EventKind;
use crate::contract::events::meta::{MESSAGES_FIELD, TEMPLATE_FIELD};
use crate::contract::events::{META_OBJECT, STATUSES};
use crate::contract::profile::Profile;

/// What a `message.received` sample carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MessageType {
    #[default]
    Text,
    Image,
    Video,
    Audio,
    Document,
    Sticker,
    Location,
    Contacts,
    Reaction,
    Button,
    Interactive,
    Order,
    System,
    Unsupported,
}

impl MessageType {
    pub const ALL: [MessageType; 14] = [
        MessageType::Text,
        MessageType::Image,
        MessageType::Video,
        MessageType::Audio,
        MessageType::Document,
        MessageType::Sticker,
        MessageType::Location,
        MessageType::Contacts,
        MessageType::Reaction,
        MessageType::Button,
        MessageType::Interactive,
        MessageType::Order,
        MessageType::System,
        MessageType::Unsupported,
    ];

    /// The `type` on the wire.
    pub fn name(self) -> &'static str {
        match self {
            MessageType::Text => "text",
            MessageType::Image => "image",
            MessageType::Video => "video",
            MessageType::Audio => "audio",
            MessageType::Document => "document",
            MessageType::Sticker => "sticker",
            MessageType::Location => "location",
            MessageType::Contacts => "contacts",
            MessageType::Reaction => "reaction",
            MessageType::Button => "button",
            MessageType::Interactive => "interactive",
            MessageType::Order => "order",
            MessageType::System => "system",
            MessageType::Unsupported => "unsupported",
        }
    }

    pub fn summary(self) -> &'static str {
        match self {
            MessageType::Text => "a text message",
            MessageType::Image => "a photo with a caption",
            MessageType::Video => "a video with a caption",
            MessageType::Audio => "a voice note (audio with voice: true)",
            MessageType::Document => "a PDF with a file name and a caption",
            MessageType::Sticker => "a WebP sticker",
            MessageType::Location => "a shared location with a name and an address",
            MessageType::Contacts => "a shared contact card",
            MessageType::Reaction => "an emoji reaction to an earlier message",
            MessageType::Button => "a tap on a template's quick-reply button",
            MessageType::Interactive => "a reply to an interactive message (--reply)",
            MessageType::Order => "an order from the catalogue",
            MessageType::System => "a system notice: the user changed number",
            MessageType::Unsupported => "a message type the platform cannot deliver",
        }
    }
}

/// Which reply an `interactive` message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Reply {
    #[default]
    Button,
    List,
    Flow,
}

impl Reply {
    pub const ALL: [Reply; 3] = [Reply::Button, Reply::List, Reply::Flow];

    pub fn name(self) -> &'static str {
        match self {
            Reply::Button => "button",
            Reply::List => "list",
            Reply::Flow => "flow",
        }
    }

    pub fn summary(self) -> &'static str {
        match self {
            Reply::Button => "a reply button (button_reply)",
            Reply::List => "a list row (list_reply)",
            Reply::Flow => "a completed WhatsApp Flow (nfm_reply)",
        }
    }
}

/// Which template update a `template.status` sample is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TemplateUpdate {
    #[default]
    Approved,
    Rejected,
    Paused,
    Disabled,
}

impl TemplateUpdate {
    pub const ALL: [TemplateUpdate; 4] = [
        TemplateUpdate::Approved,
        TemplateUpdate::Rejected,
        TemplateUpdate::Paused,
        TemplateUpdate::Disabled,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TemplateUpdate::Approved => "approved",
            TemplateUpdate::Rejected => "rejected",
            TemplateUpdate::Paused => "paused",
            TemplateUpdate::Disabled => "disabled",
        }
    }

    pub fn summary(self) -> &'static str {
        match self {
            TemplateUpdate::Approved => "the template may be sent",
            TemplateUpdate::Rejected => "review rejected it, with a reason",
            TemplateUpdate::Paused => "paused for low quality ratings",
            TemplateUpdate::Disabled => "disabled after repeated pauses",
        }
    }
}

/// Which sample of each event: the message type, the interactive reply, the
/// message status (one of [`STATUSES`]) and the template update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Variant {
    pub message: MessageType,
    pub reply: Reply,
    pub status: &'static str,
    pub template: TemplateUpdate,
}

impl Default for Variant {
    fn default() -> Variant {
        Variant {
            message: MessageType::Text,
            reply: Reply::Button,
            status: "delivered",
            template: TemplateUpdate::Approved,
        }
    }
}

impl Variant {
    /// The variant with `status` when it is one of [`STATUSES`].
    pub fn with_status(self, status: &str) -> Option<Variant> {
        let status = STATUSES.into_iter().find(|s| *s == status)?;
        Some(Variant { status, ..self })
    }
}

/// The business's number and ids, and the user's.
const DISPLAY_NUMBER: &str = "15550783881";
const PHONE_NUMBER_ID: &str = "106540352242922";
const WABA_ID: &str = "102290129340398";
const USER: &str = "5511999999999";
const USER_NAME: &str = "João Silva";
/// A message id of Meta's shape (`wamid.` and base64), for a message the user
/// sent and for one the business sent.
const WAMID_IN: &str = "wamid.HBgNNTUxMTk5OTk5OTk5ORUCABIYFjNFQjBDMEQ2RkQ3NjlCNEY5RDQzAA==";
const WAMID_OUT: &str = "wamid.HBgNNTUxMTk5OTk5OTk5ORUCABEYEjdGMjg4QzI5NjE1RUQ4RDEwNwA=";
/// 2026-01-15T10:30:00Z and five seconds later, as Meta writes them.
const UNIX_RECEIVED: &str = "1768473000";
const UNIX_STATUS: &str = "1768473005";

/// One delivery holding one update of `kind`, as `profile` sends it.
pub fn document(profile: Profile, kind: EventKind, variant: &Variant) -> Value {
    match profile {
        Profile::StartMessaging => startmessaging(kind, variant),
        Profile::Meta => batch(&[kind], variant, 1),
    }
}

/// One Meta delivery holding `count` updates, taking `kinds` in turn: the
/// messages in one change, the statuses in a second change of the same entry,
/// the template updates as changes of a second entry, so that a receiver that
/// reads only the first entry, change or array item misses some.
pub fn batch(kinds: &[EventKind], variant: &Variant, count: usize) -> Value {
    let (mut messages, mut statuses, mut templates) = (Vec::new(), Vec::new(), Vec::new());
    for kind in kinds.iter().cycle().take(count) {
        match kind {
            EventKind::MessageReceived => messages.push(meta_message(variant)),
            EventKind::MessageStatus => statuses.push(meta_status(variant.status)),
            EventKind::TemplateStatus => templates.push(json!({
                "value": meta_template(variant.template),
                "field": TEMPLATE_FIELD,
            })),
        }
    }
    let metadata = json!({
        "display_phone_number": DISPLAY_NUMBER,
        "phone_number_id": PHONE_NUMBER_ID,
    });
    let mut changes = Vec::new();
    if !messages.is_empty() {
        changes.push(json!({
            "value": {
                "messaging_product": "whatsapp",
                "metadata": metadata,
                "contacts": [{"profile": {"name": USER_NAME}, "wa_id": USER}],
                "messages": messages,
            },
            "field": MESSAGES_FIELD,
        }));
    }
    if !statuses.is_empty() {
        changes.push(json!({
            "value": {
                "messaging_product": "whatsapp",
                "metadata": metadata,
                "statuses": statuses,
            },
            "field": MESSAGES_FIELD,
        }));
    }
    let mut entries = Vec::new();
    if !changes.is_empty() {
        entries.push(json!({"id": WABA_ID, "changes": changes}));
    }
    if !templates.is_empty() {
        entries.push(json!({"id": WABA_ID, "time": 1768478400, "changes": templates}));
    }
    json!({"object": META_OBJECT, "entry": entries})
}

fn startmessaging(kind: EventKind, variant: &Variant) -> Value {
    let data = match kind {
        EventKind::MessageReceived if variant.message == MessageType::Text => return kind.sample(),
        EventKind::MessageStatus if variant.status == "delivered" => return kind.sample(),
        EventKind::TemplateStatus if variant.template == TemplateUpdate::Approved => {
            return kind.sample();
        }
        EventKind::MessageReceived => {
            let mut data = Map::new();
            data.insert("message_id".into(), json!("msg_incoming_123"));
            data.insert("from".into(), json!(USER));
            data.insert("type".into(), json!(variant.message.name()));
            data.extend(content(variant.message, variant.reply, "msg_abc123"));
            data.insert("timestamp".into(), json!("2026-01-15T10:30:00Z"));
            data.insert("contact".into(), json!({"name": USER_NAME, "wa_id": USER}));
            Value::Object(data)
        }
        EventKind::MessageStatus => {
            let mut data = json!({
                "message_id": "msg_abc123",
                "status": variant.status,
                "recipient": USER,
                "timestamp": "2026-01-15T10:30:05Z",
            });
            if variant.status == "failed" {
                data["errors"] = json!([failure()]);
            }
            data
        }
        EventKind::TemplateStatus => {
            let t = variant.template;
            let mut data = json!({
                "template_name": "order_shipped",
                "status": t.name(),
                "language": "en",
            });
            if let Some(reason) = template_reason(t) {
                data["reason"] = json!(reason);
            }
            data
        }
    };
    let stamp = match kind {
        EventKind::MessageReceived => "2026-01-15T10:30:00Z",
        EventKind::MessageStatus => "2026-01-15T10:30:05Z",
        EventKind::TemplateStatus => "2026-01-15T12:00:00Z",
    };
    json!({"event": kind.name(), "timestamp": stamp, "data": data})
}

/// Why a template was turned down, in StartMessaging's words (by inference).
fn template_reason(t: TemplateUpdate) -> Option<&'static str> {
    match t {
        TemplateUpdate::Approved => None,
        TemplateUpdate::Rejected => Some("INVALID_FORMAT"),
        TemplateUpdate::Paused => Some("Paused for 3 hours: recipients reported it as spam"),
        TemplateUpdate::Disabled => Some("Disabled after being paused twice for low quality"),
    }
}

fn meta_message(variant: &Variant) -> Value {
    let mut message = Map::new();
    message.insert("from".into(), json!(USER));
    message.insert("id".into(), json!(WAMID_IN));
    message.insert("timestamp".into(), json!(UNIX_RECEIVED));
    message.insert("type".into(), json!(variant.message.name()));
    message.extend(content(variant.message, variant.reply, WAMID_OUT));
    Value::Object(message)
}

fn meta_status(status: &str) -> Value {
    let mut item = json!({
        "id": WAMID_OUT,
        "status": status,
        "timestamp": UNIX_STATUS,
        "recipient_id": USER,
    });
    let conversation = |extra: Option<&str>| {
        let mut c =
            json!({"id": "d1c8b2e4f6a1b3c5d7e9f1a3b5c7d9e1", "origin": {"type": "service"}});
        if let Some(expires) = extra {
            c["expiration_timestamp"] = json!(expires);
        }
        c
    };
    let pricing = json!({"billable": true, "pricing_model": "CBP", "category": "service"});
    match status {
        "sent" => {
            item["conversation"] = conversation(Some("1768559400"));
            item["pricing"] = pricing;
        }
        "delivered" => {
            item["conversation"] = conversation(None);
            item["pricing"] = pricing;
        }
        "failed" => item["errors"] = json!([failure()]),
        _ => {}
    }
    item
}

/// The error a `failed` status carries: the 24-hour window closed.
fn failure() -> Value {
    json!({
        "code": 131047,
        "title": "Re-engagement message",
        "message": "Re-engagement message",
        "error_data": {
            "details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."
        },
        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
    })
}

fn meta_template(t: TemplateUpdate) -> Value {
    let mut value = json!({
        "event": t.name().to_ascii_uppercase(),
        "message_template_id": 1_189_054_376_204_917_u64,
        "message_template_name": "order_shipped",
        "message_template_language": "en_US",
        "reason": match t {
            TemplateUpdate::Approved => json!("NONE"),
            TemplateUpdate::Rejected => json!("INVALID_FORMAT"),
            TemplateUpdate::Paused | TemplateUpdate::Disabled => Value::Null,
        },
    });
    match t {
        TemplateUpdate::Paused => {
            value["other_info"] = json!({
                "title": "FIRST_PAUSE",
                "description": "Your message template has been paused for 3 hours until Jan 15, 2026 at 3:00 PM UTC because it continued to have issues."
            });
        }
        TemplateUpdate::Disabled => {
            value["disable_info"] = json!({"disable_date": "2026-01-15"});
        }
        _ => {}
    }
    value
}

/// The fields beside `type` for a message of type `t`; `earlier` is the id of
/// the business's message a reaction or a reply refers to.
fn content(t: MessageType, reply: Reply, earlier: &str) -> Map<String, Value> {
    let context = json!({"from": DISPLAY_NUMBER, "id": earlier});
    let fields = match t {
        MessageType::Text => json!({"text": {"body": "Hi, I need help with my order"}}),
        MessageType::Image => json!({"image": {
            "caption": "The package arrived damaged",
            "mime_type": "image/jpeg",
            "sha256": "u0n2ZCqYQ6GMkSo7zP0Lq4tJHU5mQKbOe7fyQZ3Xv1s=",
            "id": "1479537139650973"
        }}),
        MessageType::Video => json!({"video": {
            "caption": "Unboxing: the lid is cracked",
            "mime_type": "video/mp4",
            "sha256": "1hX2mN4vYpQ0wZr8kT6sJ3aLbC9dE5fG7hI1jK2lM3n=",
            "id": "1046584173562879"
        }}),
        MessageType::Audio => json!({"audio": {
            "mime_type": "audio/ogg; codecs=opus",
            "sha256": "7Jd0xQwP2sXcVb9NmL3kH5gF1dS8aZ4xC6vB0nM2qW=",
            "id": "908154327781436",
            "voice": true
        }}),
        MessageType::Document => json!({"document": {
            "caption": "My invoice",
            "filename": "invoice-2026-0115.pdf",
            "mime_type": "application/pdf",
            "sha256": "Qm9vT2tTaGEyNTZEaWdlc3RPZkFQREZGaWxlMTIzNA==",
            "id": "1123587259312405"
        }}),
        MessageType::Sticker => json!({"sticker": {
            "mime_type": "image/webp",
            "sha256": "Xy3tP0oQ9wE8rT7yU6iO5pA4sD3fG2hJ1kL0zX9cV8=",
            "id": "754826410147290",
            "animated": false
        }}),
        MessageType::Location => json!({"location": {
            "latitude": -23.561414,
            "longitude": -46.655881,
            "name": "Avenida Paulista",
            "address": "Av. Paulista, 1578 - Bela Vista, São Paulo - SP, 01310-200"
        }}),
        MessageType::Contacts => json!({"contacts": [{
            "name": {"formatted_name": "Maria Souza", "first_name": "Maria", "last_name": "Souza"},
            "phones": [{"phone": "+55 11 98888-7777", "wa_id": "5511988887777", "type": "CELL"}]
        }]}),
        MessageType::Reaction => json!({"reaction": {"message_id": earlier, "emoji": "👍"}}),
        MessageType::Button => json!({
            "context": context,
            "button": {"payload": "track_order", "text": "Track my order"}
        }),
        MessageType::Interactive => {
            let interactive = match reply {
                Reply::Button => json!({
                    "type": "button_reply",
                    "button_reply": {"id": "confirm_delivery", "title": "Yes, confirm"}
                }),
                Reply::List => json!({
                    "type": "list_reply",
                    "list_reply": {"id": "slot_0900", "title": "9:00 – 10:00", "description": "Tomorrow morning"}
                }),
                Reply::Flow => json!({
                    "type": "nfm_reply",
                    "nfm_reply": {
                        "name": "flow",
                        "body": "Sent",
                        "response_json": "{\"flow_token\":\"flow_7c1d2e\",\"delivery_date\":\"2026-01-20\"}"
                    }
                }),
            };
            json!({"context": context, "interactive": interactive})
        }
        MessageType::Order => json!({"order": {
            "catalog_id": "1573829403829481",
            "text": "Two of these, please",
            "product_items": [
                {"product_retailer_id": "SKU-1001", "quantity": 2, "item_price": 49.9, "currency": "BRL"},
                {"product_retailer_id": "SKU-2040", "quantity": 1, "item_price": 129.0, "currency": "BRL"}
            ]
        }}),
        MessageType::System => json!({"system": {
            "body": "User João Silva changed from 5511999999999 to 5511977777777",
            "wa_id": "5511977777777",
            "type": "user_changed_number"
        }}),
        MessageType::Unsupported => json!({"errors": [{
            "code": 131051,
            "title": "Message type unknown",
            "message": "Message type unknown",
            "error_data": {"details": "Message type is currently not supported."}
        }]}),
    };
    match fields {
        Value::Object(map) => map,
        _ => unreachable!("every content is an object"),
    }
}

/// Every variant worth showing: each message type (each reply of
/// `interactive`), each status, each template update.
pub fn every_variant() -> Vec<(EventKind, Variant)> {
    let base = Variant::default();
    let mut out = Vec::new();
    for message in MessageType::ALL {
        let replies: &[Reply] = if message == MessageType::Interactive {
            &Reply::ALL
        } else {
            &[Reply::Button]
        };
        for &reply in replies {
            out.push((
                EventKind::MessageReceived,
                Variant {
                    message,
                    reply,
                    ..base
                },
            ));
        }
    }
    for status in STATUSES {
        out.push((EventKind::MessageStatus, Variant { status, ..base }));
    }
    for template in TemplateUpdate::ALL {
        out.push((EventKind::TemplateStatus, Variant { template, ..base }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::events::{self, Event};

    #[test]
    fn every_sample_of_every_profile_parses_and_is_identified() {
        for profile in Profile::ALL {
            for (kind, variant) in every_variant() {
                let doc = document(profile, kind, &variant);
                let body = profile.to_json(&doc);
                let delivery = events::parse(&body).unwrap();
                let what = format!("{profile} {kind} {variant:?}");
                assert_eq!(delivery.profile, profile, "{what}");
                assert_eq!(delivery.updates.len(), 1, "{what}");
                let update = &delivery.updates[0];
                assert_eq!(update.event.name(), kind.name(), "{what}");
                assert!(!matches!(update.event, Event::Unknown { .. }), "{what}");
                let identified = events::identify(&body).unwrap();
                assert_eq!(identified, delivery.identified(), "{what}");
                assert_eq!(identified.updates[0].event, kind.name());
                if kind != EventKind::TemplateStatus {
                    assert!(identified.updates[0].message_id.is_some(), "{what}");
                }
                match &update.event {
                    Event::MessageReceived(m) => {
                        assert_eq!(m.kind.as_deref(), Some(variant.message.name()));
                        assert_eq!(
                            m.contact.as_ref().and_then(|c| c.name.as_deref()),
                            Some(USER_NAME),
                            "{what}"
                        );
                    }
                    Event::MessageStatus(s) => {
                        assert_eq!(s.status.as_deref(), Some(variant.status));
                        assert_eq!(s.errors.is_some(), variant.status == "failed", "{what}");
                    }
                    Event::TemplateStatus(t) => assert_eq!(
                        t.status.as_deref().map(str::to_ascii_lowercase).as_deref(),
                        Some(variant.template.name())
                    ),
                    Event::Unknown { .. } => unreachable!(),
                }
            }
        }
    }

    #[test]
    fn the_defaults_are_the_documents_examples() {
        for kind in EventKind::ALL {
            let doc = document(Profile::StartMessaging, kind, &Variant::default());
            assert_eq!(doc, kind.sample());
        }
    }

    #[test]
    fn a_batch_spreads_its_updates_over_entries_changes_and_arrays() {
        let doc = batch(&EventKind::ALL, &Variant::default(), 7);
        let body = Profile::Meta.to_json(&doc);
        let names: Vec<String> = events::identify(&body)
            .unwrap()
            .updates
            .into_iter()
            .map(|u| u.event)
            .collect();
        assert_eq!(
            names,
            [
                "message.received",
                "message.received",
                "message.received",
                "message.status",
                "message.status",
                "template.status",
                "template.status"
            ]
        );
        assert_eq!(doc["entry"].as_array().unwrap().len(), 2);
        assert_eq!(doc["entry"][0]["changes"].as_array().unwrap().len(), 2);
        let text = String::from_utf8(body).unwrap();
        assert!(text.contains(r#""name":"Jo\u00e3o Silva""#), "{text}");
        assert!(text.is_ascii());
    }
}
