//! How things look on the terminal: the colour decision, escaping of untrusted
//! text, and the `error:` / `hint:` / `warning:` / ✔ / ✘ line helpers that the
//! commands use. Only `commands/` calls the printing helpers.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use colored::Colorize;

use crate::error::{Error, Result};
pub use crate::text::{escape, escape_bytes, latency, plural};

/// When to colour output, as the user chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

static QUIET: AtomicBool = AtomicBool::new(false);
static VERBOSE: AtomicU8 = AtomicU8::new(0);
/// Set by [`outlive_stdout`]: a closed stdout stops only the printing.
static OUTLIVE_STDOUT: AtomicBool = AtomicBool::new(false);
/// Stdout's reader went away while [`OUTLIVE_STDOUT`] was set.
static STDOUT_GONE: AtomicBool = AtomicBool::new(false);

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

/// For a command whose exit code is a verdict (`check`, `send-test`,
/// `verify`): from now on a closed stdout (`wm-hooks check | head -1`), or
/// one that fails (a full disk, said once on stderr), stops only what goes
/// to stdout. The command runs to its end, writes its files
/// (`--junit`) and exits with its verdict, so that a failing receiver still
/// fails a CI step run with `pipefail`. Other commands stop quietly, exit 0,
/// when their reader has what it wanted (`wm-hooks events | head -1`).
pub fn outlive_stdout() {
    OUTLIVE_STDOUT.store(true, Ordering::Relaxed);
}

/// Writes one line to stdout; a closed pipe becomes a quiet stop, or is
/// outlived (see [`outlive_stdout`]).
pub fn println(line: impl std::fmt::Display) -> Result<()> {
    to_stdout(|out| writeln!(out, "{line}"))
}

/// Writes raw bytes to stdout.
pub fn print_bytes(bytes: &[u8]) -> Result<()> {
    to_stdout(|out| out.write_all(bytes).and_then(|()| out.flush()))
}

fn to_stdout(
    write: impl FnOnce(&mut std::io::StdoutLock<'static>) -> std::io::Result<()>,
) -> Result<()> {
    if STDOUT_GONE.load(Ordering::Relaxed) {
        return Ok(());
    }
    match write(&mut std::io::stdout().lock()) {
        Err(e) if OUTLIVE_STDOUT.load(Ordering::Relaxed) => {
            STDOUT_GONE.store(true, Ordering::Relaxed);
            // A reader that left needs no word; a stdout that failed (a full
            // disk) does, once, since what it missed is lost.
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                warn(format_args!(
                    "cannot write to stdout ({e}): nothing more is printed there; the run goes \
                     on, its files are written and the exit code is its verdict"
                ));
            }
            Ok(())
        }
        written => written.map_err(Error::stdout),
    }
}

/// A line on stderr, in one write: stderr is unbuffered, and a line written
/// piece by piece can be read half-written by whoever watches it (a test, a
/// log shipper) or be cut by another thread's line. Failing to write to
/// stderr is ignored: there is nowhere left to report it.
pub fn eprintln(line: impl std::fmt::Display) {
    let whole = format!("{line}\n");
    let _ = std::io::stderr().lock().write_all(whole.as_bytes());
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

/// The mark of a report line: ✔ pass, ✘ fail, ? inconclusive, - skipped.
pub fn verdict_mark(verdict: crate::platform::report::Verdict) -> colored::ColoredString {
    use crate::platform::report::Verdict;
    match verdict {
        Verdict::Pass => mark(true),
        Verdict::Fail => mark(false),
        Verdict::Inconclusive => "?".yellow().bold(),
        Verdict::Skipped => "-".dimmed(),
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
    eprintln(with_hints(
        "error:".red().bold(),
        &err.message,
        err.hint.as_slice(),
    ));
}

/// `warning: …` and, when there is one, its hint, unless `--quiet`.
pub fn warn_with_hint(message: impl std::fmt::Display, hint: Option<&str>) {
    note(with_hints(
        "warning:".yellow().bold(),
        message,
        hint.as_slice(),
    ));
}

/// `✘ …` and the hints that explain it, unless `--quiet`.
pub fn fail_with_hints(message: impl std::fmt::Display, hints: &[impl AsRef<str>]) {
    note(with_hints("✘".red().bold(), message, hints));
}

/// A labelled line and its hint lines as one text, for one write: whoever
/// waits for the first line also has the hints.
fn with_hints(
    label: colored::ColoredString,
    message: impl std::fmt::Display,
    hints: &[impl AsRef<str>],
) -> String {
    let mut text = format!("{label} {message}");
    for hint in hints {
        text.push_str(&format!("\n{} {}", "hint:".cyan().bold(), hint.as_ref()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

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
