//! Spots repeated and out-of-order deliveries, as a receiver that deduplicates
//! by `message_id` would see them: the same event, message and status again is
//! a duplicate (the platform retries whatever was not answered 2xx in time), and
//! a status that moves a message backwards (read, then delivered) is out of order.
//!
//! Pure, with bounded memory: it remembers the last `capacity` deliveries and
//! messages as 64-bit keyed hashes, not their text, so 100 000 of each cost a
//! few MiB whatever the ids look like, and a sender cannot aim for collisions.
//!
//! [`store_key`] is the rule `ingest` stores by: the same key from every
//! process on every machine, so that instances behind one load balancer agree.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, RandomState};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::contract::events::{self, EventKind, Identified, Identity};
use crate::contract::profile::Profile;

/// How many deliveries and messages are remembered by default.
pub const DEFAULT_CAPACITY: usize = 100_000;

/// What a delivery is, next to the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// Not seen before (or without a `message_id`).
    New,
    /// The same event, `message_id` and status arrived before.
    Duplicate,
    /// A `message.status` whose status comes before one already seen for its message.
    OutOfOrder,
}

/// The deliveries seen so far.
pub struct Seen {
    keys: RandomState,
    deliveries: Bounded<()>,
    furthest: Bounded<u8>,
}

impl Seen {
    pub fn new(capacity: usize) -> Seen {
        Seen {
            keys: RandomState::new(),
            deliveries: Bounded::new(capacity),
            furthest: Bounded::new(capacity),
        }
    }

    /// Tags one delivery and remembers it.
    pub fn observe(&mut self, delivery: &Identity) -> Tag {
        let Some(id) = delivery.message_id.as_deref() else {
            return Tag::New;
        };
        let status = delivery.status.as_deref();
        let key = self.keys.hash_one((delivery.event.as_str(), id, status));
        if self.deliveries.contains(key) {
            return Tag::Duplicate;
        }
        self.deliveries.insert(key, ());

        if delivery.event != EventKind::MessageStatus.name() {
            return Tag::New;
        }
        let Some(step) = status.and_then(step) else {
            return Tag::New;
        };
        let message = self.keys.hash_one(id);
        match self.furthest.get_mut(message) {
            Some(furthest) if step < *furthest => Tag::OutOfOrder,
            Some(furthest) => {
                *furthest = step;
                Tag::New
            }
            None => {
                self.furthest.insert(message, step);
                Tag::New
            }
        }
    }
}

impl Default for Seen {
    fn default() -> Seen {
        Seen::new(DEFAULT_CAPACITY)
    }
}

/// How far along `sent → delivered → read` a status is. `failed` ends the
/// journey like `read` does: anything but another end after it is backwards.
fn step(status: &str) -> Option<u8> {
    match status {
        "sent" => Some(0),
        "delivered" => Some(1),
        "read" | "failed" => Some(2),
        _ => None,
    }
}

/// A map that forgets its oldest key once it holds `capacity`.
struct Bounded<V> {
    map: HashMap<u64, V>,
    order: VecDeque<u64>,
    capacity: usize,
}

impl<V> Bounded<V> {
    fn new(capacity: usize) -> Self {
        Bounded {
            map: HashMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    fn contains(&self, key: u64) -> bool {
        self.map.contains_key(&key)
    }

    fn get_mut(&mut self, key: u64) -> Option<&mut V> {
        self.map.get_mut(&key)
    }

    fn insert(&mut self, key: u64, value: V) {
        if self.map.insert(key, value).is_some() {
            return;
        }
        self.order.push_back(key);
        if self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.map.remove(&oldest);
            }
        }
    }
}

/// The dedupe key of a stored event: the same delivery again gets the same
/// key. A delivery about a message is its event kind, `message_id` and status
/// (`msg:`); a `template.status` its template name, language and status
/// (`tpl:`); a Meta delivery whose updates all carry a message id, each
/// update's kind, id and status (`msg:`; one update keys as StartMessaging's
/// does); anything else the SHA-256 of its body (`body:`). An empty
/// `message_id` or template name names nothing: such bodies key by their
/// bytes, or every one of them would be a repeat of the first. The parts are
/// hashed (SHA-256, hex), so a key is short whatever a sender puts in them,
/// and the parts are joined with a separator no JSON string can hold raw
/// (U+0000), so two different deliveries never share a key by concatenation.
pub fn store_key(body: &[u8]) -> String {
    store_key_of(events::identify(body).ok().as_ref(), body)
}

/// [`store_key`] for a body whose identity is already known (`identified`
/// is what [`events::identify`] made of `body`), so a receiver that identified
/// it once does not parse it again.
pub fn store_key_of(identified: Option<&Identified>, body: &[u8]) -> String {
    let hashed = |prefix: &str, parts: &[&str]| {
        let mut hash = Sha256::new();
        for part in parts {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        format!("{prefix}:{}", hex::encode(hash.finalize()))
    };
    let Some(identified) = identified else {
        return format!("body:{}", hex::encode(Sha256::digest(body)));
    };
    // A Meta batch is the same delivery again when every update is about the
    // same messages and statuses; one update keys as StartMessaging's would.
    let updates = &identified.updates;
    let named = |u: &Identity| u.message_id.as_deref().is_some_and(|id| !id.is_empty());
    if identified.profile == Profile::Meta && !updates.is_empty() && updates.iter().all(named) {
        let parts: Vec<&str> = updates
            .iter()
            .flat_map(|u| {
                [
                    u.event.as_str(),
                    u.message_id.as_deref().unwrap_or(""),
                    u.status.as_deref().unwrap_or(""),
                ]
            })
            .collect();
        return hashed("msg", &parts);
    }
    if let (Profile::StartMessaging, [identity]) = (identified.profile, updates.as_slice()) {
        if let Some(id) = identity.message_id.as_ref().filter(|id| !id.is_empty()) {
            let status = identity.status.as_deref().unwrap_or("");
            return hashed("msg", &[&identity.event, id, status]);
        }
        if identity.event == EventKind::TemplateStatus.name() {
            if let Some(template) = template_parts(body) {
                let [name, language, status] = template.each_ref().map(String::as_str);
                return hashed("tpl", &[name, language, status]);
            }
        }
    }
    format!("body:{}", hex::encode(Sha256::digest(body)))
}

/// A `template.status` body's name, language and status, when it names its template.
fn template_parts(body: &[u8]) -> Option<[String; 3]> {
    #[derive(Deserialize)]
    struct Wire {
        data: Data,
    }
    #[derive(Deserialize)]
    struct Data {
        template_name: String,
        #[serde(default)]
        language: Option<String>,
        #[serde(default)]
        status: Option<String>,
    }
    let data = serde_json::from_slice::<Wire>(body).ok()?.data;
    if data.template_name.is_empty() {
        return None;
    }
    Some([
        data.template_name,
        data.language.unwrap_or_default(),
        data.status.unwrap_or_default(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(id: &str, status: &str) -> Identity {
        let body = format!(
            r#"{{"event":"message.status","data":{{"message_id":"{id}","status":"{status}"}}}}"#
        );
        events::identify(body.as_bytes()).unwrap().updates.remove(0)
    }

    fn tags(seen: &mut Seen, events: &[Identity]) -> Vec<Tag> {
        events.iter().map(|e| seen.observe(e)).collect()
    }

    #[test]
    fn a_repeated_delivery_is_a_duplicate() {
        let mut seen = Seen::default();
        let sample = events::identify(EventKind::MessageReceived.sample_text().as_bytes())
            .unwrap()
            .updates
            .remove(0);
        let got = tags(
            &mut seen,
            &[
                sample.clone(),
                sample,
                status("m1", "sent"),
                status("m1", "sent"),
                status("m1", "delivered"),
                status("m2", "sent"),
            ],
        );
        use Tag::*;
        assert_eq!(got, [New, Duplicate, New, Duplicate, New, New]);
    }

    #[test]
    fn a_status_that_goes_backwards_is_out_of_order() {
        let mut seen = Seen::default();
        let got = tags(
            &mut seen,
            &[
                status("m", "read"),
                status("m", "delivered"),
                status("m", "sent"),
                status("m", "failed"),
                status("m", "delivered"),
                status("other", "delivered"),
                status("m", "mystery"),
            ],
        );
        use Tag::*;
        // The repeat of `delivered` is a duplicate first: that is the retry's cause.
        assert_eq!(got, [New, OutOfOrder, OutOfOrder, New, Duplicate, New, New]);
    }

    #[test]
    fn only_message_ids_are_tracked_and_only_message_status_has_an_order() {
        let mut seen = Seen::default();
        let template = events::identify(EventKind::TemplateStatus.sample_text().as_bytes())
            .unwrap()
            .updates
            .remove(0);
        for _ in 0..3 {
            assert_eq!(seen.observe(&template), Tag::New);
        }
        let other = |status: &str| {
            let body =
                format!(r#"{{"event":"x.y","data":{{"message_id":"m","status":"{status}"}}}}"#);
            events::identify(body.as_bytes()).unwrap().updates.remove(0)
        };
        assert_eq!(seen.observe(&other("read")), Tag::New);
        assert_eq!(
            seen.observe(&other("sent")),
            Tag::New,
            "no order outside message.status"
        );
        assert_eq!(seen.observe(&other("sent")), Tag::Duplicate);
        assert_eq!(
            seen.observe(&status("m", "read")),
            Tag::New,
            "another event type"
        );
    }

    #[test]
    fn memory_is_bounded_and_the_oldest_is_forgotten() {
        let mut seen = Seen::new(2);
        for id in ["a", "b", "c"] {
            assert_eq!(seen.observe(&status(id, "read")), Tag::New);
        }
        assert!(seen.deliveries.map.len() <= 2 && seen.deliveries.order.len() <= 2);
        assert!(seen.furthest.map.len() <= 2);
        // "a" was forgotten: its repeat and its older status are news again.
        assert_eq!(seen.observe(&status("a", "read")), Tag::New);
        assert_eq!(seen.observe(&status("c", "read")), Tag::Duplicate);
        assert_eq!(seen.observe(&status("c", "sent")), Tag::OutOfOrder);
    }

    #[test]
    fn store_keys_follow_the_rule() {
        let status = |id: &str, status: &str, extra: &str| {
            store_key(format!(
                r#"{{"event":"message.status","timestamp":"{extra}","data":{{"message_id":"{id}","status":"{status}"}}}}"#
            ).as_bytes())
        };
        // A retry differs in its timestamp, not in what it is about.
        assert_eq!(status("m1", "sent", "a"), status("m1", "sent", "b"));
        assert_ne!(status("m1", "sent", "a"), status("m1", "read", "a"));
        assert_ne!(status("m1", "sent", "a"), status("m2", "sent", "a"));
        assert!(status("m1", "sent", "a").starts_with("msg:"));
        let template = |name: &str, language: &str, at: &str| {
            store_key(format!(
                r#"{{"event":"template.status","timestamp":"{at}","data":{{"template_name":"{name}","language":"{language}","status":"APPROVED"}}}}"#
            ).as_bytes())
        };
        assert_eq!(
            template("welcome", "en", "1"),
            template("welcome", "en", "2")
        );
        assert_ne!(
            template("welcome", "en", "1"),
            template("welcome", "pt_BR", "1")
        );
        assert!(template("welcome", "en", "1").starts_with("tpl:"));
        // Parts cannot run into each other.
        assert_ne!(status("ab", "c", "x"), status("a", "bc", "x"));
        assert_eq!(
            store_key(b"not json"),
            "body:7ccfa1fbf3940e6f0c0375d87c0f9235a50514e14cb427bdfaf5077987b26ccf"
        );
        assert_ne!(store_key(b"{}"), store_key(b"{} "));
        let sample = EventKind::MessageReceived.sample_text();
        assert_eq!(
            store_key(sample.as_bytes()),
            store_key(sample.trim().as_bytes())
        );
    }

    #[test]
    fn a_meta_delivery_keys_by_its_updates() {
        let sm = br#"{"event":"message.status","data":{"message_id":"m1","status":"read"}}"#;
        let meta = |statuses: &str| {
            format!(
                r#"{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"field":"messages","value":{{"statuses":[{statuses}]}}}}]}}]}}"#
            )
        };
        let one = meta(r#"{"id":"m1","status":"read"}"#);
        assert_eq!(store_key(one.as_bytes()), store_key(sm));
        let two = meta(r#"{"id":"m1","status":"read"},{"id":"m2","status":"read"}"#);
        let spaced = two.replace(',', ", ");
        assert_eq!(store_key(two.as_bytes()), store_key(spaced.as_bytes()));
        assert_ne!(store_key(two.as_bytes()), store_key(one.as_bytes()));
        let unnamed = meta(r#"{"status":"read"}"#);
        assert!(store_key(unnamed.as_bytes()).starts_with("body:"));
        let empty = meta(r#"{"id":"","status":"read"}"#);
        assert!(store_key(empty.as_bytes()).starts_with("body:"));
    }

    #[test]
    fn an_empty_message_id_or_template_name_keys_by_the_body() {
        for body in [
            r#"{"event":"message.received","data":{"message_id":"","text":"a"}}"#,
            r#"{"event":"template.status","data":{"template_name":"","status":"APPROVED"}}"#,
        ] {
            assert_eq!(
                store_key(body.as_bytes()),
                format!("body:{}", hex::encode(Sha256::digest(body.as_bytes())))
            );
        }
    }
}
