//! Tips for the most common first mistakes, where a command takes a value
//! by a flag and a newcomer gives it otherwise: a bare URL (`wm-hooks verify
//! URL`, as curl and most HTTP tools take it), the other command's URL flag
//! (`send-test --url`, `check --to`: clap would suggest `-- --url` or
//! `--verify-token-file`), a URL given to a flag that takes something else
//! (`verify --timeout URL`, its duration forgotten), or a bare payload file or
//! signature (`wm-hooks sign body.txt`). Clap's own message stays; the tip is added under it, the
//! way clap adds its own "a similar argument exists".

use std::ffi::OsString;

use clap::CommandFactory;
use clap::error::{ContextKind, ContextValue, ErrorKind};

use super::Cli;

/// `error` with a tip naming the flag that takes what clap refused, when it
/// looks like a URL (given bare, or to a flag that takes something else), a
/// URL flag of another command, or (for `sign` and
/// `verify-signature`) a payload file or a signature, and the command (the
/// first of `args` that names one) has such a flag.
pub fn with_url_tip(mut error: clap::Error, args: &[OsString]) -> clap::Error {
    let refused = match error.kind() {
        ErrorKind::UnknownArgument => error.get(ContextKind::InvalidArg),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            error.get(ContextKind::InvalidValue)
        }
        _ => None,
    };
    let Some(ContextValue::String(refused)) = refused else {
        return error;
    };
    let refused = refused.clone();
    let Some(command) = args
        .iter()
        .skip(1)
        .find_map(|arg| command_of(arg.to_str()?))
    else {
        return error;
    };
    if error.kind() == ErrorKind::UnknownArgument {
        if let Some(flag) = url_flag(command).filter(|flag| is_other_url_flag(&refused, flag)) {
            // Clap's guesses here are wrong (`-- --url`, `--verify-token-file`):
            // name the right flag instead, with the command's own usage.
            error.insert(
                ContextKind::SuggestedArg,
                ContextValue::String(flag.to_string()),
            );
            error.insert(ContextKind::Suggested, ContextValue::StyledStrs(Vec::new()));
            if let Some(usage) = usage_of(command) {
                error.insert(ContextKind::Usage, ContextValue::StyledStr(usage));
            }
            return with_tip(
                error,
                "verify, check and configure take the URL by --url; send-test and deliver by --to"
                    .to_string(),
            );
        }
        let has_payload_file = args.iter().any(|arg| {
            arg.to_str()
                .is_some_and(|arg| arg.starts_with("--payload-file"))
        });
        if let Some(tip) = bare_input_tip(command, &refused, has_payload_file) {
            return with_tip(error, tip);
        }
    }
    if !refused.contains("://") {
        return error;
    }
    let Some(flag) = url_flag(command) else {
        return error;
    };
    let tip = match error.get(ContextKind::InvalidArg) {
        // `--timeout <DURATION>`: a flag given the URL in place of its value.
        Some(ContextValue::String(arg)) if arg.starts_with("--") => {
            let (name, value) = arg.split_once(' ').unwrap_or((arg, ""));
            if name == flag {
                return error;
            }
            format!(
                "{name} takes {}; the URL goes to {flag} URL",
                taken(value.trim_start_matches('<').trim_end_matches('>'))
            )
        }
        _ => format!("this command takes the URL by a flag: {flag} URL"),
    };
    with_tip(error, tip)
}

/// What a flag with this value name takes, in words.
fn taken(value_name: &str) -> String {
    match value_name {
        "DURATION" => "a duration such as 10s".to_string(),
        "N" => "a number".to_string(),
        other => format!("{other}, not a URL"),
    }
}

/// `error` with `tip` after the tips it has.
fn with_tip(mut error: clap::Error, tip: String) -> clap::Error {
    let mut tips = match error.get(ContextKind::Suggested) {
        Some(ContextValue::StyledStrs(tips)) => tips.clone(),
        _ => Vec::new(),
    };
    tips.push(tip.into());
    error.insert(ContextKind::Suggested, ContextValue::StyledStrs(tips));
    error
}

/// The subcommand `arg` names, among those a tip is for: those that take a
/// URL by a flag, and those that take a payload file.
fn command_of(arg: &str) -> Option<&str> {
    (url_flag(arg).is_some() || matches!(arg, "sign" | "verify-signature")).then_some(arg)
}

/// The flag by which `command` takes a URL.
fn url_flag(command: &str) -> Option<&'static str> {
    match command {
        "verify" | "check" | "configure" => Some("--url"),
        "send-test" | "deliver" => Some("--to"),
        "listen" => Some("--forward-to"),
        _ => None,
    }
}

/// Whether `refused` (`--url`, `--to=http://…`) is the URL flag of the
/// commands that do not take `flag`.
fn is_other_url_flag(refused: &str, flag: &str) -> bool {
    let name = refused.split('=').next().unwrap_or(refused);
    match flag {
        "--url" => name == "--to",
        "--to" => name == "--url",
        _ => false,
    }
}

/// For `sign` and `verify-signature`, a tip for a bare argument: a
/// signature belongs to `--signature`, anything else is taken for the
/// payload's file (unless one is given).
fn bare_input_tip(command: &str, refused: &str, has_payload_file: bool) -> Option<String> {
    if refused.starts_with('-') || !matches!(command, "sign" | "verify-signature") {
        return None;
    }
    let lower = refused.to_ascii_lowercase();
    let looks_signed = lower.starts_with("sha256=")
        || (lower.len() == 64 && lower.bytes().all(|b| b.is_ascii_hexdigit()));
    if looks_signed {
        return (command == "verify-signature")
            .then(|| "this command takes the signature by a flag: --signature SIG".to_string());
    }
    (!has_payload_file).then(|| {
        format!("this command takes the payload by a flag: --payload-file {refused} (or on stdin)")
    })
}

/// `command`'s usage line, as clap prints it under an error.
fn usage_of(command: &str) -> Option<clap::builder::StyledStr> {
    let mut cli = Cli::command();
    cli.build();
    Some(cli.find_subcommand_mut(command)?.render_usage())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::Cli;

    fn error_of(args: &[&str]) -> String {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        let error = Cli::try_parse_from(&args).expect_err("a usage error");
        with_url_tip(error, &args).to_string()
    }

    #[test]
    fn a_url_given_bare_names_the_flag_that_takes_it() {
        for (args, flag) in [
            (
                &["wm-hooks", "verify", "http://127.0.0.1:3000/w"][..],
                "--url URL",
            ),
            (
                &["wm-hooks", "check", "https://example.test/w", "--json"],
                "--url URL",
            ),
            (
                &["wm-hooks", "--color", "never", "send-test", "http://h/w"],
                "--to URL",
            ),
            (
                &["wm-hooks", "send-test", "message.status", "http://h/w"],
                "--to URL",
            ),
            (
                &["wm-hooks", "listen", "http://127.0.0.1:3000/w"],
                "--forward-to URL",
            ),
        ] {
            let shown = error_of(args);
            assert!(
                shown.contains(&format!(
                    "tip: this command takes the URL by a flag: {flag}"
                )),
                "{args:?}: {shown}"
            );
            // Clap's own message is kept.
            assert!(shown.starts_with("error: "), "{shown}");
        }
    }

    #[test]
    fn other_mistakes_get_no_url_tip() {
        for args in [
            &["wm-hooks", "verify", "nonsense"][..],
            &["wm-hooks", "send-test", "message.nope"],
            &["wm-hooks", "ingest", "http://h/w"],
            &["wm-hooks", "ingest", "--read-timeout", "http://h/w"],
            &["wm-hooks", "verify", "--timeout", "10"],
        ] {
            let shown = error_of(args);
            assert!(!shown.contains("takes the URL"), "{args:?}: {shown}");
        }
    }

    #[test]
    fn a_url_given_to_another_flag_names_what_that_flag_takes() {
        for (args, tip) in [
            (
                &["wm-hooks", "verify", "--timeout", "http://127.0.0.1:3000/w"][..],
                "--timeout takes a duration such as 10s; the URL goes to --url URL",
            ),
            (
                &["wm-hooks", "check", "--timeout=https://h/w"],
                "--timeout takes a duration such as 10s; the URL goes to --url URL",
            ),
            (
                &["wm-hooks", "send-test", "--count", "http://h/w"],
                "--count takes a number; the URL goes to --to URL",
            ),
            (
                &["wm-hooks", "send-test", "--signature", "http://h/w"],
                "--signature takes KIND, not a URL; the URL goes to --to URL",
            ),
        ] {
            let shown = error_of(args);
            assert!(shown.contains(&format!("tip: {tip}")), "{args:?}: {shown}");
            assert!(shown.starts_with("error: invalid value "), "{shown}");
            assert!(!shown.contains("takes the URL by a flag"), "{shown}");
        }
    }

    #[test]
    fn the_other_commands_url_flag_names_this_ones() {
        for (args, flag) in [
            (&["wm-hooks", "check", "--to", "http://h/w"][..], "'--url'"),
            (&["wm-hooks", "verify", "--to=http://h/w"], "'--url'"),
            (&["wm-hooks", "configure", "--to", "https://h/w"], "'--url'"),
            (&["wm-hooks", "send-test", "--url", "http://h/w"], "'--to'"),
            (&["wm-hooks", "deliver", "--url", "http://h/w"], "'--to'"),
        ] {
            let shown = error_of(args);
            assert!(
                shown.contains(&format!("tip: a similar argument exists: {flag}")),
                "{args:?}: {shown}"
            );
            assert!(
                shown.contains("tip: verify, check and configure take the URL by --url"),
                "{args:?}: {shown}"
            );
            // Clap's own guesses, which were wrong here, are gone.
            assert!(!shown.contains("verify-token"), "{args:?}: {shown}");
            assert!(!shown.contains("-- --url"), "{args:?}: {shown}");
            assert!(
                shown.contains(&format!("Usage: wm-hooks {} ", args[1])),
                "{shown}"
            );
        }
    }

    #[test]
    fn a_bare_payload_or_signature_names_its_flag() {
        for (args, tip) in [
            (
                &["wm-hooks", "sign", "body.txt"][..],
                "--payload-file body.txt (or on stdin)",
            ),
            (
                &[
                    "wm-hooks",
                    "verify-signature",
                    "body.txt",
                    "--signature",
                    "x",
                ],
                "--payload-file body.txt (or on stdin)",
            ),
            (
                &[
                    "wm-hooks",
                    "verify-signature",
                    "--payload-file",
                    "f",
                    "sha256=00",
                ],
                "--signature SIG",
            ),
            (
                &[
                    "wm-hooks",
                    "verify-signature",
                    "--payload-file",
                    "f",
                    &"ab".repeat(32),
                ],
                "--signature SIG",
            ),
        ] {
            let shown = error_of(args);
            assert!(
                shown.contains(&format!("by a flag: {tip}")),
                "{args:?}: {shown}"
            );
        }
        // Given a payload file already, a stray word is not taken for one.
        let shown = error_of(&["wm-hooks", "sign", "--payload-file", "f", "extra"]);
        assert!(!shown.contains("takes the payload"), "{shown}");
    }
}
