//! Text for people, shared by every layer: untrusted text escaped so a
//! terminal shows it and nothing else, latencies in readable units, counts
//! with their noun, and durations read from people. Pure.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::time::Duration;

/// Escapes control characters (C0, C1, DEL), every format character (Unicode
/// category Cf: bidi controls and marks, zero-width characters, the BOM) and
/// the line and paragraph separators (Zl, Zp), so that text from a payload or
/// a remote server cannot move the cursor, change colours, reorder what a
/// terminal shows or hide a character in it. Printable Unicode passes unchanged,
/// and so do the two format characters that build emoji and nothing else: a
/// zero-width joiner between two emoji (👩‍💻 is 👩, U+200D, 💻) and the tag
/// characters of a subdivision flag (🏴 and tags up to the cancel tag).
pub fn escape(text: &str) -> Cow<'_, str> {
    let dangerous = |c: char| c.is_control() || is_invisible(c);
    if !text.chars().any(dangerous) {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(len) = flag_tags(&chars[i..]) {
            out.extend(&chars[i..i + len]);
            i += len;
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{200d}'
                if i > 0
                    && chars.get(i + 1).is_some_and(|&next| emoji(next))
                    && emoji(chars[i - 1]) =>
            {
                out.push(c);
            }
            c if dangerous(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
        i += 1;
    }
    Cow::Owned(out)
}

/// An emoji a joiner may join: the pictographic blocks, the emoji variation
/// selector and the keycap mark. Wider than Unicode's Extended_Pictographic
/// in places, which only lets a joiner through between two pictographs.
fn emoji(c: char) -> bool {
    matches!(
        c,
        '\u{a9}'
            | '\u{ae}'
            | '\u{203c}'
            | '\u{2049}'
            | '\u{20e3}'
            | '\u{2122}'
            | '\u{2139}'
            | '\u{2194}'..='\u{21aa}'
            | '\u{2300}'..='\u{23ff}'
            | '\u{2460}'..='\u{27bf}'
            | '\u{2934}'..='\u{2935}'
            | '\u{2b00}'..='\u{2bff}'
            | '\u{3030}'
            | '\u{303d}'
            | '\u{3297}'
            | '\u{3299}'
            | '\u{fe0f}'
            | '\u{1f000}'..='\u{1faff}'
    )
}

/// The length of a subdivision flag at the start of `chars` (🏴, tag
/// characters, the cancel tag U+E007F), when one is there.
fn flag_tags(chars: &[char]) -> Option<usize> {
    const LONGEST: usize = 32;
    if chars.first() != Some(&'\u{1f3f4}') {
        return None;
    }
    let tags = chars[1..]
        .iter()
        .take(LONGEST)
        .take_while(|&&c| ('\u{e0020}'..='\u{e007e}').contains(&c))
        .count();
    (tags > 0 && chars.get(1 + tags) == Some(&'\u{e007f}')).then_some(tags + 2)
}

/// Unicode 15.1's general category Cf (format), and Zl and Zp.
pub fn is_invisible(c: char) -> bool {
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

/// A count with its noun, both forms given since English has no one rule:
/// `plural(1, "entry", "entries")` is `1 entry`, with 0 or 2 `entries`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A duration as a person reads it: whole hours under two days as hours
/// (`24h`, the platform's retry horizon, not humantime's `1day`), anything
/// else as humantime writes it (`30s`, `1m 30s`, `7days`).
pub fn readable_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if d.subsec_nanos() == 0 && secs >= 3600 && secs % 3600 == 0 && secs < 48 * 3600 {
        return format!("{}h", secs / 3600);
    }
    humantime::format_duration(d).to_string()
}

/// A positive duration no longer than `max`, as every duration flag reads
/// one (`30s`, `1500ms`, `2m`, `7days`); `examples` for the error, and the
/// unit (symbol, word) a bare number most likely meant. The error is what
/// follows the value in a sentence: `has no unit: ...`.
pub fn duration(
    text: &str,
    max: Duration,
    examples: &str,
    (unit, unit_name): (&str, &str),
) -> Result<Duration, String> {
    match humantime::parse_duration(text.trim()) {
        Ok(d) if d.is_zero() => Err("must be longer than zero".to_string()),
        Ok(d) if d > max => Err(format!(
            "must be at most {}",
            humantime::format_duration(max)
        )),
        Ok(d) => Ok(d),
        // `--timeout 5`: the likeliest fix is the number with its unit.
        Err(humantime::DurationError::UnknownUnit { unit: given, .. }) if given.is_empty() => {
            Err(format!(
                "has no unit: `{0}{unit}` is {0} {unit_name} (units: ms, s, m, h, d)",
                text.trim()
            ))
        }
        Err(err) => Err(format!("{} (examples: {examples})", duration_error(&err))),
    }
}

/// What is wrong with a duration, in plain words (humantime's own say
/// "expected number at 0").
fn duration_error(err: &humantime::DurationError) -> String {
    use humantime::DurationError as E;
    match err {
        E::Empty => "is empty: give a number and a unit".into(),
        E::InvalidCharacter(_) | E::NumberExpected(_) => {
            "is not a duration: a number and a unit".into()
        }
        E::UnknownUnit { unit, .. } => format!(
            "has an unknown unit `{}`: use ms, s, m, h or d",
            unit.escape_default()
        ),
        // humantime counts in nanoseconds: more, or a finer fraction, overflows.
        E::NumberOverflow => "is out of range: too large, or finer than a nanosecond".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_a_person_writes_them() {
        let read = |secs| readable_duration(Duration::from_secs(secs));
        assert_eq!(read(24 * 3600), "24h");
        assert_eq!(read(3600), "1h");
        assert_eq!(read(90), "1m 30s");
        assert_eq!(read(7 * 86_400), "7days");
        assert_eq!(read(3600 + 1), "1h 1s");
    }

    #[test]
    fn durations_are_refused_in_plain_words() {
        let max = Duration::from_secs(600);
        let refused = |text: &str| duration(text, max, "30s", ("s", "seconds")).unwrap_err();
        assert_eq!(refused("0s"), "must be longer than zero");
        assert_eq!(refused("11m"), "must be at most 10m");
        assert!(refused("5").starts_with("has no unit: `5s` is 5 seconds"));
        assert!(refused("5x").starts_with("has an unknown unit `x`"));
        assert!(refused("").starts_with("is empty"));
        // Finer than humantime's nanoseconds is no "too large".
        assert!(refused("0.0000001ns").contains("finer than a nanosecond"));
        assert_eq!(
            duration("1500ms", max, "30s", ("s", "seconds")),
            Ok(Duration::from_millis(1500))
        );
    }

    #[test]
    fn plural_takes_both_forms() {
        assert_eq!(plural(1, "entry", "entries"), "1 entry");
        assert_eq!(plural(0, "entry", "entries"), "0 entries");
        assert_eq!(plural(2, "dead letter", "dead letters"), "2 dead letters");
    }

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
    fn emoji_keep_their_joiners_and_flag_tags_and_nothing_else_does() {
        let developer = "👩\u{200d}💻";
        let family = "👨\u{200d}👩\u{200d}👧\u{200d}👦 and ❤\u{fe0f}\u{200d}🔥";
        let scotland = "🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}";
        for joined in [developer, family, scotland] {
            assert_eq!(
                escape(&format!("ok {joined}\u{1b}")),
                format!("ok {joined}\\u{{1b}}")
            );
        }
        // A joiner anywhere else, and tags without the flag or its cancel tag,
        // are escaped as before.
        assert_eq!(escape("a\u{200d}b"), "a\\u{200d}b");
        assert_eq!(escape("👩\u{200d}"), "👩\\u{200d}");
        assert_eq!(escape("\u{200d}💻"), "\\u{200d}💻");
        assert_eq!(escape("👩\u{200d}\u{200d}💻"), "👩\\u{200d}\\u{200d}💻");
        assert_eq!(escape("x\u{e0067}\u{e007f}"), "x\\u{e0067}\\u{e007f}");
        assert_eq!(escape("🏴\u{e0067}\u{e0062}"), "🏴\\u{e0067}\\u{e0062}");
        assert_eq!(escape("🏴\u{e007f}"), "🏴\\u{e007f}");
    }

    proptest::proptest! {
        /// Whatever the text, the escaped form holds no control or bidi
        /// character, and a joiner it kept sits between two emoji.
        #[test]
        fn escaped_text_holds_no_dangerous_character(text in "\\PC*|[\\u{200d}\\u{202e}\\u{1b}👩💻🏴\\u{e0067}\\u{e007f}a]{0,12}") {
            let shown = escape(&text);
            let chars: Vec<char> = shown.chars().collect();
            for (i, &c) in chars.iter().enumerate() {
                let bidi = ('\u{202a}'..='\u{202e}').contains(&c);
                proptest::prop_assert!(!c.is_control() && !bidi, "{:?} in {:?}", c, shown);
                let joined = c != '\u{200d}'
                    || (i > 0 && emoji(chars[i - 1]) && chars.get(i + 1).is_some_and(|&n| emoji(n)));
                proptest::prop_assert!(joined, "a loose joiner in {:?}", shown);
            }
        }
    }
}
