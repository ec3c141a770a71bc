//! The lines a pretty block shows about an event: its kind, the fields that
//! matter for each kind of message and status, cut to [`FIELD`] characters
//! unless verbose. Everything from the payload goes through
//! [`output::escape`].

use colored::Colorize;

use crate::contract::events::{Content, ErrorInfo, Event};
use crate::output;

/// Characters of a payload field shown before it is cut (whole under -v).
pub(super) const FIELD: usize = 200;

/// The event's name, coloured by its kind.
pub(super) fn kind(event: &Event) -> String {
    let name = output::escape(event.name()).into_owned();
    match event {
        Event::MessageReceived(_) => name.cyan().bold(),
        Event::MessageStatus(_) => name.blue().bold(),
        Event::TemplateStatus(_) => name.magenta().bold(),
        Event::Unknown { .. } => name.bold(),
    }
    .to_string()
}

/// Escaped, and cut to [`FIELD`] characters unless everything was asked for.
pub(super) fn field(text: &str, whole: bool) -> String {
    let escaped = output::escape(text);
    if whole || escaped.chars().count() <= FIELD {
        return escaped.into_owned();
    }
    let cut: String = escaped.chars().take(FIELD).collect();
    format!("{cut}…")
}

pub(super) fn details(event: &Event, whole: bool) -> Vec<String> {
    let shown = |text: Option<&String>, missing: &str| match text {
        Some(text) => field(text, whole),
        None => missing.dimmed().to_string(),
    };
    match event {
        Event::MessageReceived(m) => {
            let contact = m.contact.as_ref();
            let name = contact.and_then(|c| c.name.as_ref());
            let number = m.from.as_ref().or(contact.and_then(|c| c.wa_id.as_ref()));
            let from = match (name, number) {
                (Some(name), Some(number)) => {
                    format!("{} ({})", field(name, whole).bold(), field(number, whole))
                }
                (Some(name), None) => field(name, whole).bold().to_string(),
                (None, number) => shown(number, "an unknown sender"),
            };
            let kind = shown(m.kind.as_ref(), "message");
            let mut lines = vec![format!("from {from}  {}", id(m.message_id.as_ref()))];
            lines.push(content(&kind, &m.content, whole));
            lines
        }
        Event::MessageStatus(s) => {
            let to = s
                .recipient
                .as_ref()
                .map_or(String::new(), |r| format!("  to {}", field(r, whole)));
            let mut lines = vec![format!(
                "{} → {}{to}",
                shown(s.message_id.as_ref(), "(no message_id)"),
                message_status(s.status.as_deref(), whole)
            )];
            for error in s.errors.iter().flatten() {
                lines.push(error_line(error, whole));
            }
            lines
        }
        Event::TemplateStatus(t) => {
            let language = t
                .language
                .as_ref()
                .map_or(String::new(), |l| format!(" ({})", field(l, whole)));
            let reason = t
                .reason
                .as_ref()
                .filter(|r| r.as_str() != "NONE")
                .map_or(String::new(), |r| format!(": {}", field(r, whole)));
            vec![format!(
                "{}{language} → {}{reason}",
                shown(t.template_name.as_ref(), "(no template_name)"),
                template_status(t.status.as_deref(), whole)
            )]
        }
        Event::Unknown { data, .. } => {
            let compact = serde_json::to_string(data).unwrap_or_default();
            vec![format!(
                "{} {}",
                "unknown event type; data:".dimmed(),
                field(&compact, whole)
            )]
        }
    }
}

/// The essentials of a message's content, after its type.
fn content(kind: &str, c: &Content, whole: bool) -> String {
    let f = |text: &Option<String>| text.as_deref().map(|t| field(t, whole));
    let join =
        |parts: Vec<Option<String>>| parts.into_iter().flatten().collect::<Vec<_>>().join("  ");
    if let Some(text) = c.text.as_ref().and_then(|t| t.body.as_ref()) {
        return format!("{kind}: {}", field(text, whole));
    }
    if let Some((_, m)) = c.media() {
        let voice = (m.voice == Some(true)).then(|| "voice note".to_string());
        let caption = m
            .caption
            .as_deref()
            .map(|t| format!("{:?}", field(t, whole)));
        let parts = join(vec![
            voice,
            caption,
            f(&m.filename),
            f(&m.mime_type),
            m.id.as_deref()
                .map(|id| format!("media id {}", field(id, whole))),
        ]);
        return format!("{kind}: {parts}");
    }
    if let Some(l) = &c.location {
        let at = match (l.latitude, l.longitude) {
            (Some(lat), Some(lng)) => Some(format!("{lat}, {lng}")),
            _ => None,
        };
        return format!("{kind}: {}", join(vec![f(&l.name), at, f(&l.address)]));
    }
    if let Some(r) = &c.reaction {
        let emoji = r
            .emoji
            .as_deref()
            .map_or("(removed)".to_string(), |e| field(e, whole));
        let to = r
            .message_id
            .as_deref()
            .map_or(String::new(), |id| format!(" to {}", field(id, whole)));
        return format!("{kind}: {emoji}{to}");
    }
    if let Some(i) = &c.interactive {
        let reply = i.button_reply.as_ref().or(i.list_reply.as_ref());
        if let Some(r) = reply {
            return format!(
                "{kind} ({}): {}  id {}",
                f(&i.kind).unwrap_or_default(),
                f(&r.title).unwrap_or_default(),
                f(&r.id).unwrap_or_default()
            );
        }
        if let Some(flow) = &i.nfm_reply {
            return format!(
                "{kind} (nfm_reply): {}  {}",
                f(&flow.name).unwrap_or_default(),
                f(&flow.response_json).unwrap_or_default()
            );
        }
    }
    if let Some(b) = &c.button {
        return format!(
            "{kind}: {}  payload {}",
            f(&b.text).unwrap_or_default(),
            f(&b.payload).unwrap_or_default()
        );
    }
    if let Some(contacts) = &c.contacts {
        let names: Vec<String> = contacts
            .iter()
            .filter_map(|c| c.name.as_ref().and_then(|n| n.formatted_name.as_deref()))
            .map(|n| field(n, whole))
            .collect();
        return format!("{kind}: {}", names.join(", "));
    }
    if let Some(o) = &c.order {
        let items = o.product_items.as_ref().map_or(0, Vec::len);
        let text = o
            .text
            .as_deref()
            .map_or(String::new(), |t| format!("  {:?}", field(t, whole)));
        let items = output::plural(items as u64, "item", "items");
        return format!("{kind}: {items}{text}");
    }
    if let Some(system) = &c.system {
        return format!("{kind}: {}", f(&system.body).unwrap_or_default());
    }
    if let Some(errors) = &c.errors {
        let shown: Vec<String> = errors.iter().map(|e| error_line(e, whole)).collect();
        return format!("{kind}: {}", shown.join("; "));
    }
    format!("{kind} (no content shown)")
}

/// `✘ 131047 Re-engagement message`.
fn error_line(error: &ErrorInfo, whole: bool) -> String {
    let code = error.code.map_or(String::new(), |c| format!("{c} "));
    let title = error
        .title
        .as_deref()
        .or(error.message.as_deref())
        .map_or(String::new(), |t| field(t, whole));
    format!("✘ {code}{title}").red().to_string()
}

/// What a correctly signed body that is no event looks like: its size and,
/// when it is a JSON object, its top-level keys.
pub(super) fn not_an_event(body: &[u8]) -> String {
    let size = output::plural(body.len() as u64, "byte", "bytes");
    if body.is_empty() {
        return "an empty body".into();
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(map)) => {
            let keys: Vec<String> = map.keys().take(12).map(|k| field(k, false)).collect();
            let more = if map.len() > 12 { ", …" } else { "" };
            format!("{size}, a JSON object with keys: {}{more}", keys.join(", "))
        }
        Ok(_) => format!("{size} of JSON that is not an object"),
        Err(_) if std::str::from_utf8(body).is_ok() => format!("{size} of text that is not JSON"),
        Err(_) => format!("{size} that are not UTF-8 text"),
    }
}

fn id(message_id: Option<&String>) -> String {
    message_id.map_or(String::new(), |id| output::escape(id).dimmed().to_string())
}

/// Each status its own colour, so a glance tells them apart.
fn message_status(status: Option<&str>, whole: bool) -> String {
    let Some(status) = status else {
        return "(no status)".dimmed().to_string();
    };
    let text = field(status, whole);
    match status {
        "sent" => text.yellow().bold(),
        "delivered" => text.cyan().bold(),
        "read" => text.green().bold(),
        "failed" => text.red().bold(),
        _ => text.bold(),
    }
    .to_string()
}

fn template_status(status: Option<&str>, whole: bool) -> String {
    let Some(status) = status else {
        return "(no status)".dimmed().to_string();
    };
    let text = field(status, whole);
    match status.to_ascii_lowercase().as_str() {
        "approved" => text.green().bold(),
        "rejected" => text.red().bold(),
        _ => text.yellow().bold(),
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::events;

    #[test]
    fn an_order_counts_its_items() {
        let order = |n: usize| Content {
            order: Some(events::Order {
                product_items: Some(vec![serde_json::Value::Null; n]),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(content("order", &order(1), false), "order: 1 item");
        assert_eq!(content("order", &order(2), false), "order: 2 items");
        assert_eq!(content("order", &order(0), false), "order: 0 items");
    }
}
