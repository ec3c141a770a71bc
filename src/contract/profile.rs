//! The two platforms a receiver may be written for, as one plain value:
//! StartMessaging (the API document's `{"event", "timestamp", "data"}`
//! envelope, `X-Signature-256`) and Meta's WhatsApp Cloud API (the
//! `whatsapp_business_account` envelope with `entry[].changes[].value`,
//! `X-Hub-Signature-256`, batched updates, bodies with non-ASCII escaped).
//! Every command that plays or expects a platform takes a [`Profile`]; what
//! differs between them is decided here, so that each command asks and none
//! repeats the answer.

use std::io;

use serde::Serialize;
use serde_json::Value;
use serde_json::ser::{Formatter, Serializer};

/// The environment variable every `--profile` reads when the flag is absent.
pub const ENV: &str = "WM_HOOKS_PROFILE";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Profile {
    #[default]
    StartMessaging,
    Meta,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::StartMessaging, Profile::Meta];

    pub fn name(self) -> &'static str {
        match self {
            Profile::StartMessaging => "startmessaging",
            Profile::Meta => "meta",
        }
    }

    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
    }

    /// One line for `--help`.
    pub fn summary(self) -> &'static str {
        match self {
            Profile::StartMessaging => {
                "the StartMessaging API: {event, timestamp, data}, X-Signature-256"
            }
            Profile::Meta => {
                "Meta's WhatsApp Cloud API: entry[].changes[].value, X-Hub-Signature-256, batches"
            }
        }
    }

    /// The flag's value, else the environment's (`WM_HOOKS_PROFILE`), else
    /// StartMessaging. A value in the environment that names no profile is an
    /// error rather than a silent default: a CI job would otherwise test the
    /// wrong platform and pass.
    pub fn resolve(flag: Option<Profile>, env: Option<&str>) -> Result<Profile, String> {
        match (flag, env.filter(|v| !v.trim().is_empty())) {
            (Some(profile), _) => Ok(profile),
            (None, None) => Ok(Profile::default()),
            (None, Some(text)) => Profile::from_name(text).ok_or_else(|| {
                format!("{ENV}={text:?} is not a profile: use startmessaging or meta")
            }),
        }
    }

    /// The header the platform signs in.
    pub fn signature_header(self) -> &'static str {
        match self {
            Profile::StartMessaging => "X-Signature-256",
            Profile::Meta => "X-Hub-Signature-256",
        }
    }

    /// Whether a handshake GET may carry another `hub.mode` than `subscribe`.
    /// Meta always sends `subscribe`, so a receiver that ignores the mode is
    /// not wrong there.
    pub fn mode_matters(self) -> bool {
        self == Profile::StartMessaging
    }

    /// A document as compact JSON, as this platform puts it on the wire.
    pub fn to_json(self, doc: &Value) -> Vec<u8> {
        match self {
            Profile::StartMessaging => serde_json::to_vec(doc).expect("a Value serialises"),
            Profile::Meta => to_meta_json(doc),
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Compact JSON with every non-ASCII character as a lowercase `\uXXXX` escape
/// (UTF-16 surrogate pairs beyond the BMP), which is how Meta serialises, and
/// signs, its webhook bodies.
pub fn to_meta_json(doc: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    let mut serializer = Serializer::with_formatter(&mut out, AsciiFormatter);
    doc.serialize(&mut serializer)
        .expect("writing to memory cannot fail");
    out
}

/// serde_json's compact formatter (the trait's defaults), but string text
/// outside ASCII is escaped.
struct AsciiFormatter;

impl Formatter for AsciiFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if c.is_ascii() {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..at])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = at + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// Rewrites raw bytes the way Meta's serialiser would have written their
/// non-ASCII text: each UTF-8 character outside ASCII becomes its `\uXXXX`
/// escapes, every other byte stays. Works on any body (not only JSON that
/// re-serialises to itself), so it explains a signature over the escaped form.
/// Bytes that are not UTF-8 are kept as they are.
pub fn escape_non_ascii(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 4);
    for chunk in body.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_ascii() {
                out.push(c as u8);
                continue;
            }
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.extend_from_slice(format!("\\u{unit:04x}").as_bytes());
            }
        }
        out.extend_from_slice(chunk.invalid());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn meta_escapes_non_ascii_as_lowercase_utf16() {
        let doc = json!({"name": "João ä €", "emoji": "👍", "plain": "a/b \"q\"\n"});
        let text = String::from_utf8(to_meta_json(&doc)).unwrap();
        assert_eq!(
            text,
            r#"{"name":"Jo\u00e3o \u00e4 \u20ac","emoji":"\ud83d\udc4d","plain":"a/b \"q\"\n"}"#
        );
        assert_eq!(to_meta_json(&json!("ä")), br#""\u00e4""#);
        let back: Value = serde_json::from_slice(text.as_bytes()).unwrap();
        assert_eq!(back, doc, "the escaped form is the same document");
        assert_eq!(
            Profile::StartMessaging.to_json(&doc),
            serde_json::to_vec(&doc).unwrap()
        );
    }

    #[test]
    fn raw_bytes_escape_like_the_serialiser() {
        let doc = json!({"a": "ä👍", "b": [1, "ç"]});
        let raw = serde_json::to_vec(&doc).unwrap();
        assert_eq!(escape_non_ascii(&raw), to_meta_json(&doc));
        assert_eq!(escape_non_ascii(b"x\xff\xc3\xa4"), b"x\xff\\u00e4");
        assert_eq!(escape_non_ascii(b"plain"), b"plain");
    }

    #[test]
    fn profiles_resolve_from_the_flag_then_the_environment() {
        assert_eq!(Profile::resolve(None, None), Ok(Profile::StartMessaging));
        assert_eq!(Profile::resolve(None, Some("meta")), Ok(Profile::Meta));
        assert_eq!(Profile::resolve(None, Some(" META ")), Ok(Profile::Meta));
        assert_eq!(
            Profile::resolve(None, Some("")),
            Ok(Profile::StartMessaging)
        );
        assert_eq!(
            Profile::resolve(Some(Profile::StartMessaging), Some("meta")),
            Ok(Profile::StartMessaging)
        );
        assert!(Profile::resolve(None, Some("facebook")).is_err());
        for p in Profile::ALL {
            assert_eq!(Profile::from_name(p.name()), Some(p));
        }
    }
}
