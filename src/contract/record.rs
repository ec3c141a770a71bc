//! The record format of CLI.md: one JSON object per line, written by
//! `listen --json` / `--record` and read back by `send-test --replay`.
//! Pure: turns requests into lines and lines into bodies; no I/O.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};

/// What the receiver concluded about a request's signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Valid,
    Invalid,
    Missing,
    /// Not checked: a GET handshake, or a request refused before its body was read.
    Unchecked,
}

/// One recorded request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// RFC 3339 UTC with milliseconds.
    pub received_at: String,
    pub method: String,
    /// The path alone: the handshake's query carries the secret and is never recorded.
    pub path: String,
    /// Header names in lower case; repeated headers joined with `, `; bytes
    /// that are not UTF-8 replaced (U+FFFD), their header then also in
    /// [`Record::headers_base64`].
    pub headers: BTreeMap<String, String>,
    /// The exact bytes of each header whose value is not UTF-8 (joined as in
    /// `headers`), base64: so that a replaced byte is never mistaken for a
    /// U+FFFD that was sent. Absent when every value is UTF-8.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers_base64: BTreeMap<String, String>,
    /// The raw body when it is UTF-8, exactly as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The raw body, base64, when it is not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
    pub signature: Verdict,
    pub event: Option<String>,
    pub status: u16,
}

impl Record {
    /// Stores the body in `body` when it is UTF-8, else in `body_base64`.
    pub fn set_body(&mut self, bytes: &[u8]) {
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                self.body = Some(text.to_string());
                self.body_base64 = None;
            }
            Err(_) => {
                self.body = None;
                self.body_base64 = Some(STANDARD.encode(bytes));
            }
        }
    }

    /// The body bytes exactly as received (empty when none was recorded).
    pub fn body_bytes(&self) -> Result<Vec<u8>, BodyError> {
        match (&self.body, &self.body_base64) {
            (Some(_), Some(_)) => Err(BodyError::Both),
            (Some(text), None) => Ok(text.as_bytes().to_vec()),
            (None, Some(encoded)) => STANDARD.decode(encoded).map_err(BodyError::Base64),
            (None, None) => Ok(Vec::new()),
        }
    }

    /// The record as one line of JSON, without the newline.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("a record always serialises")
    }
}

/// Why a record's body cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// A record holds its body as text or as base64, never both: which one
    /// was received could not be told.
    #[error("has both body and body_base64, and a record has one or the other")]
    Both,
    #[error("has a body_base64 that is not base64: {0}")]
    Base64(base64::DecodeError),
}

/// A record borrowed from a request as it was received. `listen` writes its
/// lines from these without building a [`Record`], whose owned strings and map
/// cost more than the rest of a request; the line is the one the same `Record`
/// would give (a test holds the two together).
pub struct Borrowed<'a> {
    pub received_at: SystemTime,
    pub method: &'a str,
    pub path: &'a str,
    pub headers: &'a HeaderMap,
    pub body: Option<&'a [u8]>,
    pub signature: Verdict,
    pub event: Option<&'a str>,
    pub status: u16,
}

impl Borrowed<'_> {
    /// Appends the record as one line of JSON, and the newline.
    pub fn write_line(&self, out: &mut Vec<u8>) {
        serde_json::to_writer(&mut *out, self).expect("a record always serialises");
        out.push(b'\n');
    }
}

impl Serialize for Borrowed<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut record = serializer.serialize_struct("Record", 9)?;
        record.serialize_field(
            "received_at",
            &AsText(humantime::format_rfc3339_millis(self.received_at)),
        )?;
        record.serialize_field("method", self.method)?;
        record.serialize_field("path", self.path)?;
        record.serialize_field("headers", &Headers(self.headers))?;
        if any_not_text(self.headers.values()) {
            record.serialize_field("headers_base64", &NotText(self.headers))?;
        }
        match self.body.map(std::str::from_utf8) {
            Some(Ok(text)) => record.serialize_field("body", text)?,
            Some(Err(_)) => {
                let bytes = self.body.unwrap_or_default();
                record.serialize_field("body_base64", &STANDARD.encode(bytes))?
            }
            None => {}
        }
        record.serialize_field("signature", &self.signature)?;
        record.serialize_field("event", &self.event)?;
        record.serialize_field("status", &self.status)?;
        record.end()
    }
}

/// Serialises through `Display`, without an intermediate `String`.
struct AsText<T>(T);

impl<T: Display> Serialize for AsText<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// Headers as [`Record::headers`] holds them: names sorted, repeated values
/// joined with `, `, bytes that are not UTF-8 replaced.
struct Headers<'a>(&'a HeaderMap);

impl Serialize for Headers<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut names: Vec<&HeaderName> = self.0.keys().collect();
        names.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
        let mut map = serializer.serialize_map(Some(names.len()))?;
        for name in names {
            let mut values = self.0.get_all(name).iter();
            let first = values.next().map(|v| String::from_utf8_lossy(v.as_bytes()));
            let mut joined = first.unwrap_or_default();
            for value in values {
                let joined = joined.to_mut();
                joined.push_str(", ");
                joined.push_str(&String::from_utf8_lossy(value.as_bytes()));
            }
            map.serialize_entry(name.as_str(), &joined)?;
        }
        map.end()
    }
}

/// [`Record::headers_base64`]: each header with a value that is not UTF-8,
/// its values' exact bytes joined with `, `, in base64.
struct NotText<'a>(&'a HeaderMap);

impl Serialize for NotText<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut names: Vec<&HeaderName> = self
            .0
            .keys()
            .filter(|name| any_not_text(self.0.get_all(*name)))
            .collect();
        names.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
        let mut map = serializer.serialize_map(Some(names.len()))?;
        for name in names {
            let values: Vec<&[u8]> = self.0.get_all(name).iter().map(|v| v.as_bytes()).collect();
            map.serialize_entry(name.as_str(), &STANDARD.encode(values.join(&b", "[..])))?;
        }
        map.end()
    }
}

/// Whether any of `values` is not UTF-8 (and so goes in `headers_base64` too).
fn any_not_text<'a>(values: impl IntoIterator<Item = &'a HeaderValue>) -> bool {
    values
        .into_iter()
        .any(|v| std::str::from_utf8(v.as_bytes()).is_err())
}

/// Headers as the record writes them: a JSON object, names in lower case,
/// repeated headers joined with `, ` (what `ingest` stores beside a body).
pub fn headers_json(headers: &HeaderMap) -> String {
    serde_json::to_string(&Headers(headers)).expect("headers always serialise")
}

/// The exact bytes of the headers whose value is not UTF-8, as the record's
/// `headers_base64` holds them (a JSON object, base64 values), for storing
/// beside [`headers_json`]; `None` when every value is UTF-8.
pub fn headers_base64_json(headers: &HeaderMap) -> Option<String> {
    any_not_text(headers.values())
        .then(|| serde_json::to_string(&NotText(headers)).expect("headers always serialise"))
}

/// Parses one line of a record file.
pub fn parse_line(line: &str) -> Result<Record, serde_json::Error> {
    serde_json::from_str(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The record line reader takes any line without panicking, and a
        /// line it reads gives its body back (or a decoding error).
        #[test]
        fn any_line_is_read_or_refused(
            line in "\\PC{0,64}",
            body in "\\PC{0,16}",
            base64 in "[A-Za-z0-9+/=]{0,12}",
            status in proptest::num::u16::ANY,
        ) {
            let _ = parse_line(&line);
            let built = format!(
                r#"{{"received_at":"x","method":"POST","path":"/","headers":{{}},"body":{},"body_base64":"{base64}","signature":"valid","event":null,"status":{status}}}"#,
                serde_json::Value::String(body.clone())
            );
            let record = parse_line(&built).unwrap();
            proptest::prop_assert!(matches!(record.body_bytes(), Err(BodyError::Both)));
            let without_base64 = built.replacen(r#""body_base64":"#, r#""other":"#, 1);
            let record = parse_line(&without_base64).unwrap();
            proptest::prop_assert_eq!(record.body_bytes().unwrap(), body.into_bytes());
            let without_text = built.replacen(r#""body":"#, r#""other":"#, 1);
            if let Ok(record) = parse_line(&without_text) {
                let _ = record.body_bytes();
            }
        }
    }

    fn record() -> Record {
        Record {
            received_at: "2026-01-15T10:30:00.123Z".into(),
            method: "POST".into(),
            path: "/webhooks/whatsapp".into(),
            headers: BTreeMap::from([("content-type".into(), "application/json".into())]),
            headers_base64: BTreeMap::new(),
            body: None,
            body_base64: None,
            signature: Verdict::Valid,
            event: Some("message.received".into()),
            status: 200,
        }
    }

    #[test]
    fn utf8_bodies_round_trip_byte_for_byte() {
        let body = "{\"text\":\"Jo\\u00e3o 👋 \\n\"}\n";
        let mut r = record();
        r.set_body(body.as_bytes());
        let line = r.to_line();
        assert!(!line.contains('\n'), "one line");
        assert!(line.contains(r#""signature":"valid""#));
        let back = parse_line(&line).unwrap();
        assert_eq!(back.body_bytes().unwrap(), body.as_bytes());
        assert_eq!(back, r);
    }

    #[test]
    fn binary_bodies_go_to_base64() {
        let body = [0u8, 0xff, 0xfe, b'{'];
        let mut r = record();
        r.set_body(&body);
        let line = r.to_line();
        assert!(line.contains("body_base64") && !line.contains(r#""body":"#));
        assert_eq!(parse_line(&line).unwrap().body_bytes().unwrap(), body);
    }

    #[test]
    fn borrowed_lines_are_the_lines_of_records() {
        use hyper::header::HeaderValue;
        let mut headers = HeaderMap::new();
        headers.append("x-b", HeaderValue::from_static("2"));
        headers.append("content-type", HeaderValue::from_static("application/json"));
        headers.append("x-b", HeaderValue::from_static("3"));
        headers.append("x-raw", HeaderValue::from_bytes(b"a\xffb").unwrap());
        headers.append("x-raw", HeaderValue::from_bytes(b"\xfe").unwrap());
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_768_473_000_123);
        let bodies: [Option<&[u8]>; 4] = [
            Some(b"{\"t\":\"Jo\\u00e3o \xf0\x9f\x91\x8b \\n\\\"\"}\n"),
            Some(b"\x00\xff\xfe{"),
            Some(b""),
            None,
        ];
        for (body, event) in bodies
            .into_iter()
            .zip([Some("message.received"), None, None, None])
        {
            let borrowed = Borrowed {
                received_at: at,
                method: "POST",
                path: "/webhooks/whatsapp",
                headers: &headers,
                body,
                signature: Verdict::Invalid,
                event,
                status: 401,
            };
            let mut line = Vec::new();
            borrowed.write_line(&mut line);
            let mut owned = Record {
                received_at: "2026-01-15T10:30:00.123Z".into(),
                method: "POST".into(),
                path: "/webhooks/whatsapp".into(),
                headers: BTreeMap::from([
                    ("content-type".into(), "application/json".into()),
                    ("x-b".into(), "2, 3".into()),
                    ("x-raw".into(), "a\u{fffd}b, \u{fffd}".into()),
                ]),
                headers_base64: BTreeMap::from([(
                    "x-raw".into(),
                    STANDARD.encode(b"a\xffb, \xfe"),
                )]),
                body: None,
                body_base64: None,
                signature: Verdict::Invalid,
                event: event.map(String::from),
                status: 401,
            };
            if let Some(body) = body {
                owned.set_body(body);
            }
            assert_eq!(String::from_utf8(line).unwrap(), owned.to_line() + "\n");
        }
    }

    #[test]
    fn a_header_that_is_not_utf8_keeps_its_bytes_in_base64() {
        let mut r = record();
        let line = r.to_line();
        assert!(!line.contains("headers_base64"), "absent when all is text");
        r.headers.insert("x-raw".into(), "caf\u{fffd}".into());
        r.headers_base64
            .insert("x-raw".into(), STANDARD.encode(b"caf\xe9"));
        let line = r.to_line();
        assert!(
            line.contains(r#""headers_base64":{"x-raw":"Y2Fm6Q=="}"#),
            "{line}"
        );
        assert_eq!(parse_line(&line).unwrap(), r);
    }

    #[test]
    fn stored_headers_keep_the_bytes_that_are_not_utf8_beside_them() {
        use hyper::header::HeaderValue;
        let mut headers = HeaderMap::new();
        headers.insert("x-text", HeaderValue::from_str("café").unwrap());
        assert_eq!(headers_base64_json(&headers), None);
        headers.append("x-raw", HeaderValue::from_bytes(b"caf\xe9").unwrap());
        headers.append("x-raw", HeaderValue::from_static("ok"));
        assert_eq!(
            headers_json(&headers),
            "{\"x-raw\":\"caf\u{fffd}, ok\",\"x-text\":\"café\"}"
        );
        assert_eq!(
            headers_base64_json(&headers).as_deref(),
            Some(r#"{"x-raw":"Y2Fm6Swgb2s="}"#)
        );
    }

    #[test]
    fn the_cli_md_example_parses() {
        let line = r#"{"received_at": "2026-01-15T10:30:00.123Z", "method": "POST", "path": "/webhooks/whatsapp", "headers": {"content-type": "application/json", "x-signature-256": "sha256=ab"}, "body": "{}", "signature": "missing", "event": null, "status": 401}"#;
        let r = parse_line(line).unwrap();
        assert_eq!(
            (r.signature, r.status, r.event),
            (Verdict::Missing, 401, None)
        );
    }
}
