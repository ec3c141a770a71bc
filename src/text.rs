//! Text for people, shared by every layer: untrusted text escaped so a
//! terminal shows it and nothing else, and latencies in readable units. Pure.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Escapes control characters (C0, C1, DEL), every format character (Unicode
/// category Cf: bidi controls and marks, zero-width characters, the BOM) and
/// the line and paragraph separators (Zl, Zp), so that text from a payload or
/// a remote server cannot move the cursor, change colours, reorder what a
/// terminal shows or hide a character in it. Printable Unicode passes unchanged.
pub fn escape(text: &str) -> Cow<'_, str> {
    let dangerous = |c: char| c.is_control() || invisible(c);
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

/// Unicode 15.1's general category Cf (format), and Zl and Zp.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
    )
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
        for invisible in [
            '\u{200e}',
            '\u{200f}',
            '\u{61c}',
            '\u{2028}',
            '\u{2029}',
            '\u{feff}',
            '\u{200b}',
            '\u{e0041}',
        ] {
            let shown = escape(&format!("a{invisible}b")).into_owned();
            assert_eq!(shown, format!("a\\u{{{:x}}}b", invisible as u32));
        }
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
