//! The record format of CLI.md: one JSON object per line, written by
//! `listen --json` / `--record` and read back by `send-test --replay`.
//! Pure: turns requests into lines and lines into bodies; no I/O.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

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
    /// Header names in lower case; repeated headers joined with `, `.
    pub headers: BTreeMap<String, String>,
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
    pub fn body_bytes(&self) -> Result<Vec<u8>, base64::DecodeError> {
        match (&self.body, &self.body_base64) {
            (Some(text), _) => Ok(text.as_bytes().to_vec()),
            (None, Some(encoded)) => STANDARD.decode(encoded),
            (None, None) => Ok(Vec::new()),
        }
    }

    /// The record as one line of JSON, without the newline.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("a record always serialises")
    }
}

/// Parses one line of a record file.
pub fn parse_line(line: &str) -> Result<Record, serde_json::Error> {
    serde_json::from_str(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            received_at: "2026-01-15T10:30:00.123Z".into(),
            method: "POST".into(),
            path: "/webhooks/whatsapp".into(),
            headers: BTreeMap::from([("content-type".into(), "application/json".into())]),
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
    fn the_cli_md_example_parses() {
        let line = r#"{"received_at": "2026-01-15T10:30:00.123Z", "method": "POST", "path": "/webhooks/whatsapp", "headers": {"content-type": "application/json", "x-signature-256": "sha256=ab"}, "body": "{}", "signature": "missing", "event": null, "status": 401}"#;
        let r = parse_line(line).unwrap();
        assert_eq!(
            (r.signature, r.status, r.event),
            (Verdict::Missing, 401, None)
        );
    }
}
