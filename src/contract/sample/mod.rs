//! Sample payloads made ready to send: the [`catalog`] of every sample in both
//! envelopes, `--set PATH=VALUE` edits (dotted paths, values parsed as JSON
//! when they are JSON), and fresh timestamps and message ids for every event,
//! so that a receiver that deduplicates sees new events unless asked
//! otherwise. Pure: the clock and the run's random id prefix come in as
//! arguments.

pub mod catalog;

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::contract::events::EventKind;
use crate::contract::profile::Profile;

/// The fields made fresh in a StartMessaging event, when the sample has them
/// and no edit set them: dotted path, and what goes there.
const FRESH: [(&str, Slot); 3] = [
    ("timestamp", Slot::Timestamp),
    ("data.timestamp", Slot::Timestamp),
    ("data.message_id", Slot::MessageId),
];

/// The fields made fresh in a Meta delivery: each entry's `time`, each
/// message's and status's `id` and `timestamp`, wherever they are.
fn meta_fresh(doc: &Value) -> Vec<(String, Slot)> {
    let mut out = Vec::new();
    let items = |v: &Value| v.as_array().cloned().unwrap_or_default();
    for (e, entry) in items(&doc["entry"]).iter().enumerate() {
        if entry.get("time").is_some() {
            out.push((format!("entry.{e}.time"), Slot::UnixNumber));
        }
        for (c, change) in items(&entry["changes"]).iter().enumerate() {
            for list in ["messages", "statuses"] {
                for (i, item) in items(&change["value"][list]).iter().enumerate() {
                    let at = format!("entry.{e}.changes.{c}.value.{list}.{i}");
                    if item.get("id").is_some() {
                        out.push((format!("{at}.id"), Slot::MessageId));
                    }
                    if item.get("timestamp").is_some() {
                        out.push((format!("{at}.timestamp"), Slot::UnixString));
                    }
                }
            }
        }
    }
    out
}

/// A document to send and which events it holds (several in a Meta batch).
#[derive(Debug, Clone)]
pub struct Template {
    pub profile: Profile,
    pub kinds: Vec<EventKind>,
    pub doc: Value,
}

impl Template {
    /// One event's sample, as `profile` sends it.
    pub fn single(profile: Profile, kind: EventKind, variant: &catalog::Variant) -> Template {
        Template {
            profile,
            kinds: vec![kind],
            doc: catalog::document(profile, kind, variant),
        }
    }

    /// One Meta delivery of `count` updates, taking `kinds` in turn.
    pub fn batch(kinds: &[EventKind], variant: &catalog::Variant, count: usize) -> Template {
        Template {
            profile: Profile::Meta,
            kinds: kinds.iter().copied().cycle().take(count).collect(),
            doc: catalog::batch(kinds, variant, count),
        }
    }
}

/// One `--set PATH=VALUE`.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// Dotted path: `data.status`, `data.text.body`,
    /// `entry.0.changes.0.value.messages.0.text.body`; a number indexes an array.
    pub path: String,
    pub value: Value,
    /// Add the field (and missing parent objects) when the sample lacks it.
    pub create: bool,
    /// Applies to this event only (the shorthands such as `--status`).
    pub only: Option<EventKind>,
}

impl Edit {
    /// Parses `PATH=VALUE`; VALUE is JSON when it parses as JSON, else a string.
    pub fn parse(text: &str) -> Result<Edit, String> {
        let (path, value) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}` is not PATH=VALUE (such as data.status=read)"))?;
        let path = path.trim();
        if path.is_empty() || path.split('.').any(str::is_empty) {
            return Err(format!(
                "`{path}` is not a dotted path (such as data.text.body)"
            ));
        }
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.into()));
        Ok(Edit {
            path: path.to_string(),
            value,
            create: false,
            only: None,
        })
    }

    /// Whether this edit sets `path` or an object that holds it.
    fn covers(&self, path: &str) -> bool {
        path == self.path
            || path
                .strip_prefix(self.path.as_str())
                .is_some_and(|rest| rest.starts_with('.'))
    }
}

/// Why an edit could not be made.
#[derive(Debug, Clone, PartialEq)]
pub enum EditError {
    /// The path is not in the sample(s); `fields` lists the paths that are.
    NotFound {
        path: String,
        events: Vec<EventKind>,
        fields: Vec<String>,
    },
    /// A part of the path holds a value that has no fields.
    NotAContainer { path: String, at: String },
    /// A shorthand for an event that is not being sent.
    EventNotSelected { path: String, event: EventKind },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::NotFound {
                path,
                events,
                fields,
            } => {
                let names: Vec<&str> = events.iter().map(|e| e.name()).collect();
                write!(
                    f,
                    "`{path}` is not a field of the {} sample; its fields are: {}",
                    names.join(" or "),
                    fields.join(", ")
                )
            }
            EditError::NotAContainer { path, at } => {
                write!(
                    f,
                    "cannot set `{path}`: `{at}` holds a value with no fields"
                )
            }
            EditError::EventNotSelected { path, event } => {
                write!(
                    f,
                    "`{path}` is set only on {event}, which is not being sent"
                )
            }
        }
    }
}

/// Sets `edit.path` in `doc`.
pub fn apply(doc: &mut Value, edit: &Edit) -> Result<(), EditError> {
    let not_found = || EditError::NotFound {
        path: edit.path.clone(),
        events: Vec::new(),
        fields: Vec::new(),
    };
    let mut node = doc;
    let mut walked = String::new();
    let mut parts = edit.path.split('.').peekable();
    while let Some(part) = parts.next() {
        let last = parts.peek().is_none();
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(part);
        node = match node {
            Value::Object(map) => {
                if !map.contains_key(part) {
                    if !edit.create {
                        return Err(not_found());
                    }
                    let fresh = if last {
                        Value::Null
                    } else {
                        Value::Object(Map::new())
                    };
                    map.insert(part.to_string(), fresh);
                }
                map.get_mut(part).expect("present or just inserted")
            }
            Value::Array(items) => {
                match part.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                    Some(item) => item,
                    None => return Err(not_found()),
                }
            }
            _ => {
                let at = walked
                    .rsplit_once('.')
                    .map_or("", |(head, _)| head)
                    .to_string();
                return Err(EditError::NotAContainer {
                    path: edit.path.clone(),
                    at,
                });
            }
        };
    }
    *node = edit.value.clone();
    Ok(())
}

/// Every dotted path in a document, parents before their fields, in order.
pub fn paths(doc: &Value) -> Vec<String> {
    fn walk(value: &Value, prefix: &str, out: &mut Vec<String>) {
        let children: Vec<(String, &Value)> = match value {
            Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            _ => return,
        };
        for (key, child) in children {
            let path = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}.{key}")
            };
            out.push(path.clone());
            walk(child, &path, out);
        }
    }
    let mut out = Vec::new();
    walk(doc, "", &mut out);
    out
}

/// A sample with its edits made, rendered once as compact JSON and cut where
/// the fresh values go, so that each event costs a copy and two small writes
/// rather than a clone and a full serialisation (this is the bulk sender's
/// inner loop).
#[derive(Debug, Clone)]
pub struct Sample {
    /// The (first) event it holds.
    pub kind: EventKind,
    /// How many updates it holds (more than one in a Meta batch).
    pub updates: usize,
    pub profile: Profile,
    /// The rendered JSON around the slots: one more piece than slots.
    pieces: Vec<Vec<u8>>,
    slots: Vec<Slot>,
    /// The sample's own `message_id` when it is not made fresh.
    kept_id: Option<String>,
}

/// What goes into a cut in a rendered sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// RFC 3339, as StartMessaging writes it.
    Timestamp,
    /// Unix seconds in a string, as Meta writes a message's time.
    UnixString,
    /// Unix seconds as a number, as Meta writes an entry's time.
    UnixNumber,
    MessageId,
}

impl Sample {
    /// The API document's sample of each event with every edit made.
    pub fn build(kinds: &[EventKind], edits: &[Edit]) -> Result<Vec<Sample>, EditError> {
        let templates = kinds
            .iter()
            .map(|&kind| Template {
                profile: Profile::StartMessaging,
                kinds: vec![kind],
                doc: kind.sample(),
            })
            .collect();
        Sample::build_from(templates, edits)
    }

    /// Each template with every edit made. An edit must fit at least one of
    /// the templates it applies to; templates without its path are left as
    /// they are, so `all --set data.status=failed` works.
    pub fn build_from(
        mut templates: Vec<Template>,
        edits: &[Edit],
    ) -> Result<Vec<Sample>, EditError> {
        let first = |t: &Template| {
            t.kinds
                .first()
                .copied()
                .unwrap_or(EventKind::MessageReceived)
        };
        for edit in edits {
            let targets: Vec<usize> = (0..templates.len())
                .filter(|&i| {
                    edit.only
                        .is_none_or(|only| templates[i].kinds.contains(&only))
                })
                .collect();
            if let (Some(event), true) = (edit.only, targets.is_empty()) {
                return Err(EditError::EventNotSelected {
                    path: edit.path.clone(),
                    event,
                });
            }
            let mut applied = false;
            let mut first_error = None;
            for &i in &targets {
                match apply(&mut templates[i].doc, edit) {
                    Ok(()) => applied = true,
                    Err(EditError::NotFound { .. }) => {}
                    Err(other) => first_error = first_error.or(Some(other)),
                }
            }
            if let Some(err) = first_error {
                return Err(err);
            }
            if !applied {
                let mut fields = Vec::new();
                for &i in &targets {
                    for path in paths(&templates[i].doc) {
                        if !fields.contains(&path) {
                            fields.push(path);
                        }
                    }
                }
                return Err(EditError::NotFound {
                    path: edit.path.clone(),
                    events: targets.iter().map(|&i| first(&templates[i])).collect(),
                    fields,
                });
            }
        }
        Ok(templates
            .into_iter()
            .map(|template| {
                let kinds = template.kinds.clone();
                let fresh = |path: &str| {
                    !edits
                        .iter()
                        .any(|e| e.only.is_none_or(|o| kinds.contains(&o)) && e.covers(path))
                };
                Sample::render(template, fresh)
            })
            .collect())
    }

    /// Renders `doc` with a marker in each fresh field, then cuts at the markers.
    /// A marker holds NUL characters, which JSON text escapes, so it cannot be
    /// mistaken for anything a sample or an edit would plausibly hold.
    fn render(template: Template, fresh: impl Fn(&str) -> bool) -> Sample {
        let Template {
            profile,
            kinds,
            mut doc,
        } = template;
        let fields: Vec<(String, Slot)> = match profile {
            Profile::StartMessaging => FRESH
                .iter()
                .map(|&(path, slot)| (path.to_string(), slot))
                .collect(),
            Profile::Meta => meta_fresh(&doc),
        };
        let pointer = |path: &str| format!("/{}", path.replace('.', "/"));
        let mut kept_id = fields
            .iter()
            .find(|(_, slot)| *slot == Slot::MessageId)
            .and_then(|(path, _)| doc.pointer(&pointer(path)))
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut markers = Vec::new();
        for (path, slot) in fields {
            if let (true, Some(field)) = (fresh(&path), doc.pointer_mut(&pointer(&path))) {
                let marker = format!("\u{0}fresh {}\u{0}", markers.len());
                *field = Value::String(marker.clone());
                markers.push((Value::String(marker).to_string(), slot));
                if slot == Slot::MessageId {
                    kept_id = None;
                }
            }
        }
        let text = String::from_utf8(profile.to_json(&doc)).expect("JSON is UTF-8");
        let mut cuts: Vec<(usize, usize, Slot)> = markers
            .iter()
            .map(|(marker, slot)| {
                let at = text.find(marker.as_str()).expect("each marker is rendered");
                (at, marker.len(), *slot)
            })
            .collect();
        cuts.sort_unstable_by_key(|&(at, _, _)| at);
        let mut pieces = Vec::new();
        let mut from = 0;
        for &(at, len, _) in &cuts {
            pieces.push(text.as_bytes()[from..at].to_vec());
            from = at + len;
        }
        pieces.push(text.as_bytes()[from..].to_vec());
        Sample {
            kind: kinds.first().copied().unwrap_or(EventKind::MessageReceived),
            updates: kinds.len(),
            profile,
            pieces,
            slots: cuts.into_iter().map(|(_, _, slot)| slot).collect(),
            kept_id,
        }
    }

    /// The body for one delivery: compact JSON with the fresh fields set (the
    /// second and later ids of a batch are `message_id` with a suffix).
    /// Returns the body and the (first) message id it carries, if any.
    pub fn body(&self, message_id: &str, now: SystemTime) -> (Vec<u8>, Option<String>) {
        let stamp = humantime::format_rfc3339_seconds(now).to_string();
        let unix = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            .to_string();
        let len: usize = self.pieces.iter().map(Vec::len).sum();
        let mut out = Vec::with_capacity(len + 64 * self.slots.len());
        let mut first_id = None;
        let mut ids = 0;
        for (piece, slot) in self.pieces.iter().zip(&self.slots) {
            out.extend_from_slice(piece);
            match slot {
                Slot::Timestamp => write_string(&mut out, &stamp),
                Slot::UnixString => write_string(&mut out, &unix),
                Slot::UnixNumber => out.extend_from_slice(unix.as_bytes()),
                Slot::MessageId => {
                    let id = self.id(message_id, ids);
                    ids += 1;
                    write_string(&mut out, &id);
                    first_id.get_or_insert(id);
                }
            }
        }
        out.extend_from_slice(self.pieces.last().expect("there is always a last piece"));
        (out, first_id.or_else(|| self.kept_id.clone()))
    }

    /// The `n`th fresh id of a body: StartMessaging's as given, Meta's in
    /// its `wamid.` and base64 shape.
    fn id(&self, message_id: &str, n: usize) -> String {
        let id = match n {
            0 => message_id.to_string(),
            n => format!("{message_id}_{n}"),
        };
        match self.profile {
            Profile::StartMessaging => id,
            Profile::Meta => format!(
                "wamid.{}",
                base64::engine::general_purpose::STANDARD.encode(id)
            ),
        }
    }
}

fn write_string(out: &mut Vec<u8>, text: &str) {
    serde_json::to_writer(out, text).expect("writing to memory cannot fail");
}

/// The `message_id` of the `index`th event of a run: the run's random prefix
/// keeps ids from clashing with an earlier run's.
pub fn message_id(run: &str, index: u64) -> String {
    format!("msg_test_{run}_{index}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn edit(text: &str) -> Edit {
        Edit::parse(text).unwrap()
    }

    fn doc(sample: &Sample) -> Value {
        serde_json::from_slice(&sample.body("msg_x", SystemTime::UNIX_EPOCH).0).unwrap()
    }

    #[test]
    fn values_are_json_when_they_parse_else_strings() {
        let cases = [
            ("data.status=read", json!("read")),
            ("data.n=3", json!(3)),
            ("data.ok=true", json!(true)),
            ("data.x=null", json!(null)),
            ("data.text.body=\"3\"", json!("3")),
            ("a={\"b\":[1]}", json!({"b": [1]})),
            ("data.text.body=a=b", json!("a=b")),
            ("data.text.body=", json!("")),
        ];
        for (text, value) in cases {
            assert_eq!(edit(text).value, value, "{text}");
        }
        for bad in ["no-equals", "=x", "a..b=1", ".a=1", "a.=1"] {
            assert!(Edit::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn apply_sets_existing_paths_only_unless_creating() {
        let mut doc = EventKind::MessageReceived.sample();
        apply(&mut doc, &edit("data.text.body=hello")).unwrap();
        assert_eq!(doc["data"]["text"]["body"], "hello");
        let missing = apply(&mut doc, &edit("data.txt.body=x")).unwrap_err();
        assert!(matches!(missing, EditError::NotFound { .. }));
        let through_string = apply(&mut doc, &edit("data.from.x=1")).unwrap_err();
        assert_eq!(
            through_string,
            EditError::NotAContainer {
                path: "data.from.x".into(),
                at: "data.from".into()
            }
        );
        let mut create = edit("data.extra.deep=1");
        create.create = true;
        apply(&mut doc, &create).unwrap();
        assert_eq!(doc["data"]["extra"]["deep"], 1);

        let mut list = json!({"a": [1, {"b": 2}]});
        apply(&mut list, &edit("a.1.b=3")).unwrap();
        assert_eq!(list, json!({"a": [1, {"b": 3}]}));
        assert!(apply(&mut list, &edit("a.5=1")).is_err());
    }

    /// A JSON pointer to a dotted path whose parts need no escaping.
    fn pointer(path: &str) -> String {
        format!("/{}", path.replace('.', "/"))
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_as_an_edit_or_fails_cleanly(text in "\\PC{0,40}") {
            if let Ok(edit) = Edit::parse(&text) {
                proptest::prop_assert!(!edit.path.is_empty());
                proptest::prop_assert!(!edit.path.split('.').any(str::is_empty));
            }
        }

        #[test]
        fn an_edit_of_a_sample_sets_what_it_names(
            kind in 0..EventKind::ALL.len(),
            pick in proptest::prelude::any::<proptest::sample::Index>(),
            value in "[a-z0-9 ]{0,12}",
        ) {
            let mut doc = EventKind::ALL[kind].sample();
            let fields = paths(&doc);
            let path = &fields[pick.index(fields.len())];
            apply(&mut doc, &edit(&format!("{path}={value}"))).unwrap();
            let set = doc.pointer(&pointer(path)).cloned();
            let expected = serde_json::from_str(&value).unwrap_or(Value::String(value));
            proptest::prop_assert_eq!(set, Some(expected));
        }

        #[test]
        fn any_path_edits_or_fails_cleanly(
            kind in 0..EventKind::ALL.len(),
            parts in proptest::collection::vec("[a-z0-9]{1,6}|data|text|0", 1..5),
            create in proptest::prelude::any::<bool>(),
        ) {
            let mut doc = EventKind::ALL[kind].sample();
            let path = parts.join(".");
            let mut edit = edit(&format!("{path}=1"));
            edit.create = create;
            match apply(&mut doc, &edit) {
                Ok(()) => proptest::prop_assert_eq!(doc.pointer(&pointer(&path)), Some(&json!(1))),
                Err(EditError::NotFound { .. }) => proptest::prop_assert!(!create),
                Err(EditError::NotAContainer { at, .. }) => {
                    proptest::prop_assert!(path.starts_with(&at));
                }
                Err(other) => proptest::prop_assert!(false, "{other}"),
            }
        }
    }

    #[test]
    fn paths_list_every_field_in_order() {
        assert_eq!(
            paths(&EventKind::MessageStatus.sample()),
            [
                "event",
                "timestamp",
                "data",
                "data.message_id",
                "data.status",
                "data.recipient",
                "data.timestamp"
            ]
        );
    }

    #[test]
    fn an_unknown_path_names_the_fields_there_are() {
        let err =
            Sample::build(&[EventKind::MessageStatus], &[edit("data.stauts=read")]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("`data.stauts` is not a field of the message.status sample"));
        assert!(text.contains("data.status, data.recipient"), "{text}");
    }

    #[test]
    fn an_edit_needs_one_sample_that_has_the_path() {
        let kinds = EventKind::ALL;
        let samples = Sample::build(&kinds, &[edit("data.recipient=1")]).unwrap();
        assert_eq!(doc(&samples[1])["data"]["recipient"], 1);
        assert!(doc(&samples[0])["data"].get("recipient").is_none());
        assert!(Sample::build(&kinds, &[edit("data.nope=1")]).is_err());
    }

    #[test]
    fn shorthands_apply_to_their_event_only() {
        let mut status = edit("data.status=read");
        status.only = Some(EventKind::MessageStatus);
        let samples = Sample::build(&EventKind::ALL, &[status.clone()]).unwrap();
        assert_eq!(doc(&samples[1])["data"]["status"], "read");
        assert_eq!(doc(&samples[2])["data"]["status"], "approved");
        let err = Sample::build(&[EventKind::TemplateStatus], &[status]).unwrap_err();
        assert!(matches!(err, EditError::EventNotSelected { .. }));
    }

    #[test]
    fn bodies_get_fresh_timestamps_and_ids_unless_edited() {
        let now = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        let samples = Sample::build(&[EventKind::MessageReceived], &[]).unwrap();
        let (body, id) = samples[0].body("msg_1", now);
        let doc: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(id.as_deref(), Some("msg_1"));
        assert_eq!(doc["data"]["message_id"], "msg_1");
        assert_eq!(doc["timestamp"], "2027-01-15T08:00:00Z");
        assert_eq!(doc["data"]["timestamp"], "2027-01-15T08:00:00Z");
        assert_eq!(doc["data"]["contact"]["name"], "João Silva");
        assert!(!body.contains(&b'\n'), "compact JSON");

        let edits = [edit("data.message_id=fixed"), edit("timestamp=then")];
        let samples = Sample::build(&[EventKind::MessageReceived], &edits).unwrap();
        let (body, id) = samples[0].body("msg_2", now);
        let doc: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(id.as_deref(), Some("fixed"));
        assert_eq!(doc["timestamp"], "then");
        assert_eq!(doc["data"]["timestamp"], "2027-01-15T08:00:00Z");

        let samples = Sample::build(&[EventKind::TemplateStatus], &[]).unwrap();
        let (body, id) = samples[0].body("msg_3", now);
        assert_eq!(id, None);
        assert!(!String::from_utf8(body).unwrap().contains("msg_3"));
    }

    #[test]
    fn replacing_a_parent_keeps_what_the_user_wrote() {
        let samples = Sample::build(
            &[EventKind::MessageStatus],
            &[edit(r#"data={"message_id":"m"}"#)],
        )
        .unwrap();
        let (_, id) = samples[0].body("msg_1", SystemTime::UNIX_EPOCH);
        assert_eq!(id.as_deref(), Some("m"));
    }

    #[test]
    fn a_rendered_sample_equals_the_edited_document_serialised() {
        let now = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        let edits = [
            edit("data.text.body=\"quote \\\" and \\u0000 nul\""),
            edit("timestamp=1"),
        ];
        let sample = &Sample::build(&[EventKind::MessageReceived], &edits).unwrap()[0];
        let mut want = EventKind::MessageReceived.sample();
        for e in &edits {
            apply(&mut want, e).unwrap();
        }
        want["data"]["message_id"] = json!("msg_9");
        want["data"]["timestamp"] = json!("2027-01-15T08:00:00Z");
        assert_eq!(
            sample.body("msg_9", now).0,
            serde_json::to_vec(&want).unwrap()
        );
    }

    #[test]
    fn message_ids_carry_the_run_and_index() {
        assert_eq!(message_id("3f9a1c2e", 7), "msg_test_3f9a1c2e_7");
    }
}
