//! How things look on the terminal: the colour decision, escaping of untrusted
//! text, and the `error:` / `hint:` / `warning:` / ✔ / ✘ line helpers that the
//! commands use. Only `commands/` calls the printing helpers.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use colored::Colorize;

use crate::error::{Error, Result};

/// When to colour output, as the user chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

static QUIET: AtomicBool = AtomicBool::new(false);
static VERBOSE: AtomicU8 = AtomicU8::new(0);

/// Decides colour once, from the flag and the environment, and sets verbosity.
pub fn init(color: ColorChoice, quiet: bool, verbose: u8) {
    let on = use_color(
        color,
        |name| std::env::var(name).ok().filter(|v| !v.is_empty()),
        std::io::stdout().is_terminal() && std::io::stderr().is_terminal(),
    );
    colored::control::set_override(on);
    QUIET.store(quiet, Ordering::Relaxed);
    VERBOSE.store(verbose, Ordering::Relaxed);
}

/// `auto` colours only when both output streams are terminals and `NO_COLOR` is
/// unset; `CLICOLOR_FORCE` (set and not `0`) forces colour in `auto`.
fn use_color(choice: ColorChoice, env: impl Fn(&str) -> Option<String>, terminals: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if env("CLICOLOR_FORCE").is_some_and(|v| v != "0") => true,
        ColorChoice::Auto => env("NO_COLOR").is_none() && terminals,
    }
}

pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

pub fn verbose() -> u8 {
    VERBOSE.load(Ordering::Relaxed)
}

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

/// A latency for people: `0.8 ms`, `212.4 ms`, `6.02 s`.
pub fn latency(duration: std::time::Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// Writes one line to stdout; a closed pipe becomes a quiet stop.
pub fn println(line: impl std::fmt::Display) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").map_err(Error::stdout)
}

/// Writes raw bytes to stdout.
pub fn print_bytes(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(Error::stdout)
}

/// A line on stderr. Failing to write to stderr is ignored: there is nowhere
/// left to report it.
pub fn eprintln(line: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// A line on stderr unless `--quiet`.
pub fn note(line: impl std::fmt::Display) {
    if !quiet() {
        eprintln(line);
    }
}

pub fn ok(message: impl std::fmt::Display) {
    note(format_args!("{} {message}", "✔".green().bold()));
}

pub fn fail(message: impl std::fmt::Display) {
    note(format_args!("{} {message}", "✘".red().bold()));
}

/// ✔ or ✘, coloured, for result lines and tables on stdout.
pub fn mark(passed: bool) -> colored::ColoredString {
    if passed {
        "✔".green().bold()
    } else {
        "✘".red().bold()
    }
}

pub fn warn(message: impl std::fmt::Display) {
    note(format_args!("{} {message}", "warning:".yellow().bold()));
}

pub fn hint(message: impl std::fmt::Display) {
    note(format_args!("{} {message}", "hint:".cyan().bold()));
}

/// `error: …` and its hint. Printed even under `--quiet`: an exit code alone
/// does not say which file or flag was wrong.
pub fn error(err: &Error) {
    eprintln(format_args!("{} {}", "error:".red().bold(), err.message));
    if let Some(h) = &err.hint {
        eprintln(format_args!("{} {h}", "hint:".cyan().bold()));
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
        assert_eq!(latency(Duration::from_micros(812)), "0.8 ms");
        assert_eq!(latency(Duration::from_micros(212_449)), "212.4 ms");
        assert_eq!(latency(Duration::from_millis(6020)), "6.02 s");
    }

    #[test]
    fn color_decision() {
        let none = |_: &str| None;
        let only = |set: &'static str| move |name: &str| (name == set).then(|| "1".to_string());
        assert!(use_color(ColorChoice::Always, none, false));
        assert!(!use_color(ColorChoice::Never, none, true));
        assert!(use_color(ColorChoice::Auto, none, true));
        assert!(!use_color(ColorChoice::Auto, none, false));
        assert!(!use_color(ColorChoice::Auto, only("NO_COLOR"), true));
        assert!(use_color(ColorChoice::Auto, only("CLICOLOR_FORCE"), false));
    }
}
