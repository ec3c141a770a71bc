//! Explains why a signature did not match, when a near miss would have: the
//! header's format, the body's bytes (a trailing newline, CRLF, pretty-printed
//! or `\uXXXX`-escaped JSON) or the secret's (surrounding whitespace).
//!
//! Pure: it recomputes HMACs over variants of the body and secret held in
//! memory. A hint names what differs and never prints a valid signature: anyone
//! reading a CI log could then forge one.

use serde::Serialize;
use serde_json::Value;
use serde_json::ser::{Formatter, PrettyFormatter, Serializer};

use crate::contract::profile;
use crate::contract::signature::{self, HEX_LEN, PREFIX, ParseError, Signature};

/// The hint for a signature whose bytes are not UTF-8 text (each shown as
/// U+FFFD): a signature is ASCII, so something else was pasted with it.
const NOT_TEXT: &str = "the value has bytes that are not UTF-8 text (shown as \u{FFFD}); \
     a signature is ASCII only: was it copied with a stray byte or from a binary dump?";

/// [`malformed`] for a value as raw bytes (a header value, an argument): read
/// as a receiver reads a header, bytes that are not UTF-8 becoming U+FFFD,
/// which a first hint then names.
pub fn malformed_bytes(
    error: &ParseError,
    value: &[u8],
    secret: &[u8],
    body: Option<&[u8]>,
) -> Vec<String> {
    let text = String::from_utf8_lossy(value);
    let mut hints = malformed(error, &text, secret, body);
    if std::str::from_utf8(value).is_err() {
        hints.insert(0, NOT_TEXT.to_string());
    }
    hints
}

/// Hints for a header value that is not a well-formed signature. With the body
/// and secret at hand, also says whether the value would match once fixed.
pub fn malformed(
    error: &ParseError,
    value: &str,
    secret: &[u8],
    body: Option<&[u8]>,
) -> Vec<String> {
    // Unicode spaces (a non-breaking one) are looked for before the trim,
    // which would take them off the ends.
    let raw = value;
    let value = value.trim();
    let would_match = |digits: &str| {
        let fixed = signature::parse(&format!("{PREFIX}{digits}")).ok();
        match (fixed, body) {
            (Some(sig), Some(body)) => signature::verify(secret, body, &sig),
            _ => false,
        }
    };
    let mut hints = Vec::new();
    if let Some(hint) = joined(value, &would_match).or_else(|| invisible(raw, &would_match)) {
        hints.push(hint);
        return hints;
    }
    match error {
        ParseError::Empty => hints.push(format!(
            "the header must carry `{PREFIX}` and {HEX_LEN} hex digits; was the header copied from the request?"
        )),
        ParseError::BareHex => {
            let mut hint = format!("the value is bare hex; the header value is `{PREFIX}<hex>`");
            if would_match(value) {
                hint.push_str(", and with the prefix this signature is valid for the payload");
            }
            hints.push(hint);
        }
        ParseError::OtherAlgorithm(algo) if algo.eq_ignore_ascii_case("sha256") => {
            let digits = &value[algo.len() + 1..];
            let mut hint = format!("the prefix is `{algo}=`; it must be lower-case `{PREFIX}`");
            if would_match(digits) {
                hint.push_str(", and with it this signature is valid for the payload");
            }
            hints.push(hint);
        }
        ParseError::OtherAlgorithm(algo) if algo.eq_ignore_ascii_case("sha1") => hints.push(format!(
            "`{algo}=` is an HMAC-SHA1 signature (GitHub's old X-Hub-Signature header); \
             this platform signs with HMAC-SHA256 in X-Signature-256: `{PREFIX}<64 hex digits>`"
        )),
        ParseError::OtherAlgorithm(algo) => hints.push(format!(
            "`{algo}=` is not this platform's scheme; it signs with HMAC-SHA256: `{PREFIX}<64 hex digits>`"
        )),
        ParseError::NoPrefix => hints.push(match (header_line(value), base64_digest(value)) {
            // A whole header line pasted: `X-Signature-256: sha256=…`.
            (Some((name, rest)), _) => {
                let mut hint = format!(
                    "the value starts with the header's name `{name}:`; give only what follows the colon"
                );
                if rest.strip_prefix(PREFIX).is_some_and(would_match) {
                    hint.push_str(", and then this signature is valid for the payload");
                }
                hint
            }
            (None, Some(digest)) => base64_hint(&digest, secret, body),
            (None, None) => format!(
                "a signature is `{PREFIX}` followed by {HEX_LEN} hex digits; is this the value of the right header?"
            ),
        }),
        ParseError::WrongLength(40) => hints.push(format!(
            "40 hex digits is a SHA-1 digest; this platform uses SHA-256 ({HEX_LEN} digits)"
        )),
        ParseError::WrongLength(n) => hints.push(format!(
            "a SHA-256 digest has {HEX_LEN} hex digits, this value has {n}: was it cut off or copied with extra characters?"
        )),
        ParseError::NotHex => {
            let digits = &value[PREFIX.len()..];
            hints.push(match base64_digest(digits) {
                Some(digest) => base64_hint(&digest, secret, body),
                None => format!("only the hex digits 0-9 and a-f may follow `{PREFIX}`"),
            });
        }
    }
    hints
}

/// The hint for several signatures joined with commas (`sha256=…, sha256=…`):
/// the header came more than once, and a framework or proxy joined the copies.
fn joined(value: &str, would_match: &dyn Fn(&str) -> bool) -> Option<String> {
    let parts: Vec<&str> = value.split(',').map(str::trim).collect();
    if parts.len() < 2 || !parts.iter().all(|p| p.starts_with(PREFIX)) {
        return None;
    }
    let mut hint = format!(
        "the value is {} signatures joined with commas: the header came more than once, and a \
         framework or proxy joined the copies (Node's http module does); the platform sends one",
        parts.len()
    );
    if let Some(i) = parts.iter().position(|p| would_match(&p[PREFIX.len()..])) {
        hint.push_str(&format!(
            ", and copy {} of them is valid for the payload",
            i + 1
        ));
    }
    Some(hint)
}

/// The hint for a value holding a character that shows as nothing or as a
/// space (a non-breaking or zero-width space, a byte-order mark), as text
/// copied from a web page or a chat brings along.
fn invisible(value: &str, would_match: &dyn Fn(&str) -> bool) -> Option<String> {
    let odd = |c: char| !c.is_ascii() && (c.is_whitespace() || crate::text::is_invisible(c));
    let found = value.chars().find(|c| odd(*c))?;
    let mut hint = format!(
        "the value holds U+{:04X} ({}), which shows as a space or as nothing: copied from a web \
         page or a chat? Copy it from the raw request, or type it again",
        found as u32,
        match found {
            '\u{a0}' => "a non-breaking space",
            '\u{feff}' => "a byte-order mark",
            '\u{200b}' => "a zero-width space",
            _ => "an invisible character",
        }
    );
    let cleaned: String = value.chars().filter(|c| !odd(*c)).collect();
    if cleaned.trim().strip_prefix(PREFIX).is_some_and(would_match) {
        hint.push_str(", and without it this signature is valid for the payload");
    }
    Some(hint)
}

/// `Name: rest` when `value` is a whole header line, as copied from a log or
/// a browser's network tab.
fn header_line(value: &str) -> Option<(&str, &str)> {
    let (name, rest) = value.split_once(':')?;
    let token = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    token.then(|| (name, rest.trim_ascii()))
}

/// The 32 bytes a value holds when it is a SHA-256 digest in base64.
fn base64_digest(value: &str) -> Option<[u8; 32]> {
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::STANDARD;
    let bytes = engine.decode(value).ok()?;
    (value.len() == 44).then_some(())?;
    bytes.try_into().ok()
}

/// The hint for a digest sent in base64, saying whether it is the right one.
fn base64_hint(digest: &[u8; 32], secret: &[u8], body: Option<&[u8]>) -> String {
    let mut hint =
        "the digest looks base64-encoded; this platform sends it as lower-case hex".to_string();
    let expected = signature::parse(&format!("{PREFIX}{}", hex::encode(digest))).ok();
    let valid = match (expected, body) {
        (Some(expected), Some(body)) => signature::verify(secret, body, &expected),
        _ => false,
    };
    if valid {
        hint.push_str(", and in hex this signature is valid for the payload");
    }
    hint
}

/// Hints for a well-formed signature that does not match: which change to the
/// body or secret would make it match, or, when none does, what to look at.
pub fn mismatch(secret: &[u8], body: &[u8], expected: &Signature) -> Vec<String> {
    let matches = |secret: &[u8], body: &[u8]| signature::verify(secret, body, expected);

    for (variant, why) in body_variants(body) {
        if matches(secret, &variant) {
            return vec![format!(
                "the signature matches the payload {why}: the bytes checked are not the bytes that were signed"
            )];
        }
    }
    for (variant, why) in secret_variants(secret) {
        if matches(&variant, body) {
            return vec![format!("the signature matches when the secret {why}")];
        }
    }

    let mut hints = Vec::new();
    if secret.trim_ascii() != secret {
        hints.push(
            "the secret has surrounding whitespace, which is part of the HMAC key; is it meant to?"
                .to_string(),
        );
    }
    if looks_pretty(body) {
        hints.push(
            "the payload is pretty-printed JSON; senders sign the exact bytes they send, usually \
             compact JSON: check the raw body as received, not a reformatted copy"
                .to_string(),
        );
    }
    hints.push(
        "check that both sides use the same secret and that the payload is the raw request body, byte for byte"
            .to_string(),
    );
    hints
}

/// The near misses of a body, each with how it differs from the bytes checked.
fn body_variants(body: &[u8]) -> Vec<(Vec<u8>, String)> {
    let mut variants = Vec::new();
    if let Some(stripped) = body
        .strip_suffix(b"\r\n")
        .or_else(|| body.strip_suffix(b"\n"))
    {
        variants.push((
            stripped.to_vec(),
            "without its trailing newline".to_string(),
        ));
    } else {
        variants.push((
            [body, b"\n"].concat(),
            "with a trailing newline added".to_string(),
        ));
    }
    if body.windows(2).any(|w| w == b"\r\n") {
        variants.push((
            replace(body, b"\r\n", b"\n"),
            "with CRLF line endings turned into LF".to_string(),
        ));
    } else if body.contains(&b'\n') {
        variants.push((
            replace(body, b"\n", b"\r\n"),
            "with LF line endings turned into CRLF".to_string(),
        ));
    }
    // Meta signs its bodies with non-ASCII as `\uXXXX`: escaping the bytes
    // themselves finds that form for any body (not only JSON that
    // re-serialises to itself, say one with `\/` in it).
    let escaped = profile::escape_non_ascii(body);
    if escaped != body {
        variants.push((
            escaped,
            "with its non-ASCII characters as \\uXXXX escapes (as Meta signs its bodies)"
                .to_string(),
        ));
    }
    // A body that is not UTF-8, decoded with replacement characters: what a
    // Node `buffer.toString('utf8')` makes of binary before it is signed.
    if let std::borrow::Cow::Owned(lossy) = String::from_utf8_lossy(body) {
        variants.push((
            lossy.into_bytes(),
            "decoded as UTF-8 with replacement characters (as Node's toString('utf8') does to binary)"
                .to_string(),
        ));
    }
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        for (style, text) in json_styles(&value) {
            if text != body {
                variants.push((text, format!("re-serialised as {style}")));
            }
        }
    }
    variants
}

fn secret_variants(secret: &[u8]) -> Vec<(Vec<u8>, &'static str)> {
    let mut variants = Vec::new();
    let trimmed = secret.trim_ascii();
    if trimmed != secret && !trimmed.is_empty() {
        variants.push((trimmed.to_vec(), "has its surrounding whitespace removed"));
    }
    variants.push((
        [secret, b"\n"].concat(),
        "ends in a newline (a secret file read without stripping it)",
    ));
    variants
}

/// The ways common senders serialise the same JSON value.
fn json_styles(value: &Value) -> Vec<(&'static str, Vec<u8>)> {
    let compact = serde_json::to_vec(value).unwrap_or_default();
    let python = serialise(value, PythonFormatter);
    let pretty2 = serialise(value, PrettyFormatter::with_indent(b"  "));
    let pretty4 = serialise(value, PrettyFormatter::with_indent(b"    "));
    vec![
        ("compact JSON", compact.clone()),
        (
            "compact JSON with non-ASCII as \\uXXXX escapes",
            ascii_escaped(&compact),
        ),
        (
            "Python's json.dumps default (spaces after , and :, \\uXXXX escapes)",
            ascii_escaped(&python),
        ),
        (
            "JSON with spaces after , and : (json.dumps with ensure_ascii=False)",
            python,
        ),
        ("pretty-printed JSON (2-space indent)", pretty2.clone()),
        (
            "pretty-printed JSON (2-space indent, \\uXXXX escapes)",
            ascii_escaped(&pretty2),
        ),
        ("pretty-printed JSON (4-space indent)", pretty4),
    ]
}

fn serialise<F: Formatter>(value: &Value, formatter: F) -> Vec<u8> {
    let mut out = Vec::new();
    let mut ser = Serializer::with_formatter(&mut out, formatter);
    let _ = value.serialize(&mut ser);
    out
}

/// Python's default separators: `, ` between items and `: ` after keys.
struct PythonFormatter;

impl Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
}

/// Replaces every non-ASCII character with `\uXXXX` (surrogate pairs above
/// U+FFFF). In serialised JSON such characters only occur inside strings, so
/// the result is the same JSON value.
fn ascii_escaped(json: &[u8]) -> Vec<u8> {
    profile::escape_non_ascii(json)
}

fn looks_pretty(body: &[u8]) -> bool {
    body.windows(3).any(|w| w == b"\n  " || w == b"\n\t\"")
}

fn replace(body: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 16);
    let mut rest = body;
    while let Some(at) = rest.windows(from.len()).position(|w| w == from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::signature::sign;

    const SECRET: &[u8] = b"test-secret";

    fn hints_for(signed_body: &[u8], signed_secret: &[u8], checked_body: &[u8]) -> Vec<String> {
        let sig = sign(signed_secret, signed_body);
        assert!(!signature::verify(SECRET, checked_body, &sig));
        let hints = mismatch(SECRET, checked_body, &sig);
        for h in &hints {
            assert!(!h.contains(&hex::encode(sign(SECRET, checked_body).as_bytes())));
        }
        hints
    }

    #[test]
    fn newline_and_line_ending_near_misses() {
        let body = br#"{"event":"x"}"#;
        let with_nl = [&body[..], b"\n"].concat();
        assert!(hints_for(body, SECRET, &with_nl)[0].contains("without its trailing newline"));
        assert!(hints_for(&with_nl, SECRET, body)[0].contains("with a trailing newline added"));
        let crlf = b"a\r\nb\r\nc";
        assert!(
            hints_for(b"a\nb\nc", SECRET, crlf)[0].contains("CRLF line endings turned into LF")
        );
    }

    #[test]
    fn json_style_near_misses() {
        let value = crate::contract::events::EventKind::MessageReceived.sample();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let compact = serde_json::to_vec(&value).unwrap();
        assert!(hints_for(&compact, SECRET, pretty.as_bytes())[0].contains("compact JSON"));
        assert!(hints_for(pretty.as_bytes(), SECRET, &compact)[0].contains("pretty-printed"));

        let python = ascii_escaped(&serialise(&value, PythonFormatter));
        assert!(String::from_utf8_lossy(&python).contains("Jo\\u00e3o"));
        assert!(hints_for(&python, SECRET, &compact)[0].contains("Python"));
    }

    #[test]
    fn secret_near_misses() {
        let body = b"{}";
        assert!(hints_for(body, b"test-secret\n", body)[0].contains("ends in a newline"));
        let sig = sign(b"padded", body);
        let hints = mismatch(b"  padded ", body, &sig);
        assert!(hints[0].contains("surrounding whitespace removed"));
    }

    #[test]
    fn no_match_gives_general_hints() {
        let hints = hints_for(
            b"other",
            b"other-secret",
            "{\n  \"name\": \"João\"\n}".as_bytes(),
        );
        assert!(hints.iter().any(|h| h.contains("pretty-printed")));
        // \uXXXX escaping was tried as a variant: no guess about it without a match.
        assert!(!hints.iter().any(|h| h.contains("non-ASCII")));
        assert!(hints.last().unwrap().contains("same secret"));
    }

    #[test]
    fn joined_copies_and_invisible_characters_are_named() {
        let body = b"hello";
        let sig = sign(SECRET, body).to_string();
        let joined = format!("{sig}, {sig}");
        let err = signature::parse(&joined).unwrap_err();
        let hints = malformed(&err, &joined, SECRET, Some(body));
        assert!(hints[0].contains("2 signatures joined"), "{hints:?}");
        assert!(hints[0].contains("copy 1 of them is valid"), "{hints:?}");
        let hints = malformed(&err, &joined, b"wrong", Some(body));
        assert!(!hints[0].contains("valid for"), "{hints:?}");
        // A comma in one signature's place is no joined pair.
        let one = "sha256=ab,cd";
        let err = signature::parse(one).unwrap_err();
        assert!(!malformed(&err, one, SECRET, None)[0].contains("joined"));
        for odd in ['\u{a0}', '\u{feff}', '\u{200b}'] {
            let value = format!("{sig}{odd}");
            let err = signature::parse(&value).unwrap_err();
            let hints = malformed(&err, &value, SECRET, Some(body));
            assert!(
                hints[0].contains(&format!("U+{:04X}", odd as u32)),
                "{hints:?}"
            );
            assert!(
                hints[0].contains("without it this signature is valid"),
                "{hints:?}"
            );
        }
    }

    #[test]
    fn malformed_hints_say_when_the_fix_would_match() {
        let body = b"hello";
        let sig = sign(SECRET, body).to_string();
        let bare = &sig[PREFIX.len()..];
        let err = signature::parse(bare).unwrap_err();
        let hints = malformed(&err, bare, SECRET, Some(body));
        assert!(hints[0].contains("bare hex") && hints[0].contains("valid"));
        let hints = malformed(&err, bare, b"wrong", Some(body));
        assert!(!hints[0].contains("valid"));

        let upper = format!("SHA256={bare}");
        let err = signature::parse(&upper).unwrap_err();
        assert!(malformed(&err, &upper, SECRET, Some(body))[0].contains("lower-case"));

        let sha1 = "sha1=0123456789abcdef0123456789abcdef01234567";
        let err = signature::parse(sha1).unwrap_err();
        assert!(malformed(&err, sha1, SECRET, None)[0].contains("HMAC-SHA1"));

        let short = &sig[..sig.len() - 1];
        let err = signature::parse(short).unwrap_err();
        assert!(malformed(&err, short, SECRET, None)[0].contains("has 63"));

        let b64 = "sha256=dXNlciBzaWduYXR1cmUgaW4gYmFzZTY0IGZvcm0uLi4=";
        let err = signature::parse(b64).unwrap_err();
        assert!(malformed(&err, b64, SECRET, None)[0].contains("base64"));

        // The right digest in base64, with or without the prefix.
        use base64::Engine as _;
        let right = base64::engine::general_purpose::STANDARD.encode(sign(SECRET, body).as_bytes());
        for value in [right.clone(), format!("{PREFIX}{right}")] {
            let err = signature::parse(&value).unwrap_err();
            let hints = malformed(&err, &value, SECRET, Some(body));
            assert!(
                hints[0].contains("base64") && hints[0].contains("valid"),
                "{hints:?}"
            );
            let hints = malformed(&err, &value, b"wrong", Some(body));
            assert!(
                hints[0].contains("base64") && !hints[0].contains("valid"),
                "{hints:?}"
            );
        }

        // A whole header line pasted.
        let line = format!("X-Signature-256: {sig}");
        let err = signature::parse(&line).unwrap_err();
        let hints = malformed(&err, &line, SECRET, Some(body));
        assert!(
            hints[0].contains("`X-Signature-256:`") && hints[0].contains("valid"),
            "{hints:?}"
        );
        let hints = malformed(&err, &line, b"wrong", Some(body));
        assert!(!hints[0].contains("valid"), "{hints:?}");
    }

    #[test]
    fn replace_handles_edges() {
        assert_eq!(replace(b"a\r\n\r\nb", b"\r\n", b"\n"), b"a\n\nb");
        assert_eq!(replace(b"", b"\n", b"\r\n"), b"");
        assert_eq!(replace(b"\n", b"\n", b"\r\n"), b"\r\n");
    }

    #[test]
    fn meta_near_misses_escaped_bytes_and_replacement_characters() {
        let secret = SECRET;
        // Escaped slashes: re-serialising would not reproduce it, escaping does.
        let body = r#"{"mime_type":"image\/jpeg","caption":"Olá"}"#.as_bytes();
        let signed = profile::escape_non_ascii(body);
        let hints = hints_for(&signed, secret, body);
        assert!(
            hints[0].contains("\\uXXXX escapes (as Meta signs"),
            "{hints:?}"
        );
        let text = "not json: ä".as_bytes();
        let hints = hints_for(&profile::escape_non_ascii(text), secret, text);
        assert!(hints[0].contains("\\uXXXX"), "{hints:?}");
        let binary = b"\x89PNG\xff\xfe";
        let lossy = String::from_utf8_lossy(binary).into_owned();
        let hints = hints_for(lossy.as_bytes(), secret, binary);
        assert!(hints[0].contains("replacement characters"), "{hints:?}");
    }
}
