//! Text for people, shared by every layer: untrusted text escaped so a
//! terminal shows it and nothing else, and latencies in readable units. Pure.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Escapes control characters (C0, C1, DEL) and bidirectional overrides so that
/// text from a payload or a remote server cannot move the cursor, change colours
/// or reorder what a terminal shows. Printable Unicode passes unchanged.
pub fn escape(text: &str) -> Cow<'_, str> {
    let dangerous =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(dangerous) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if dangerous(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Escapes bytes that may not be UTF-8: invalid sequences become `\xNN`.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        out.push_str(&escape(chunk.valid()));
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// A latency for people: `38 µs`, `212.4 ms`, `6.02 s`. Below a millisecond
/// (a local receiver's usual answer) microseconds, so it never reads `0.0 ms`.
pub fn latency(duration: std::time::Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if duration < std::time::Duration::from_millis(1) {
        format!("{} µs", duration.as_micros())
    } else if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_table() {
        assert!(matches!(escape("João 👋 ok"), Cow::Borrowed(_)));
        assert_eq!(escape("a\x1b[31mred"), "a\\u{1b}[31mred");
        assert_eq!(escape("line\nnext\r\t"), "line\\nnext\\r\\t");
        assert_eq!(escape("\u{7f}\u{9b}"), "\\u{7f}\\u{9b}");
        assert_eq!(escape("abc\u{202e}def"), "abc\\u{202e}def");
        assert_eq!(escape_bytes(b"ok\xff\x1b"), "ok\\xff\\u{1b}");
    }

    #[test]
    fn latencies_read_well() {
        use std::time::Duration;
        assert_eq!(latency(Duration::from_micros(812)), "812 µs");
        assert_eq!(latency(Duration::from_nanos(38_900)), "38 µs");
        assert_eq!(latency(Duration::from_micros(1000)), "1.0 ms");
        assert_eq!(latency(Duration::from_micros(212_449)), "212.4 ms");
        assert_eq!(latency(Duration::from_millis(6020)), "6.02 s");
    }
}
