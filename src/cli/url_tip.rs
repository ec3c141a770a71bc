//! A tip for the most common first mistake: a URL where the command takes
//! one by a flag (`wm-hooks verify URL`, `wm-hooks send-test URL`), as curl
//! and most HTTP tools take it. Clap's own message stays; the tip is added
//! under it, the way clap adds its own "a similar argument exists".

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// `error` with a tip naming the flag that takes the URL, when the argument
/// clap refused looks like one and the command (the first of `args` that
/// names one) has such a flag.
pub fn with_url_tip(mut error: clap::Error, args: &[OsString]) -> clap::Error {
    let refused = match error.kind() {
        ErrorKind::UnknownArgument => error.get(ContextKind::InvalidArg),
        ErrorKind::InvalidValue => error.get(ContextKind::InvalidValue),
        _ => None,
    };
    let Some(ContextValue::String(refused)) = refused else {
        return error;
    };
    if !refused.contains("://") {
        return error;
    }
    let Some(flag) = args.iter().skip(1).find_map(|arg| url_flag(arg.to_str()?)) else {
        return error;
    };
    let mut tips = match error.get(ContextKind::Suggested) {
        Some(ContextValue::StyledStrs(tips)) => tips.clone(),
        _ => Vec::new(),
    };
    tips.push(format!("this command takes the URL by a flag: {flag} URL").into());
    error.insert(ContextKind::Suggested, ContextValue::StyledStrs(tips));
    error
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
            &["wm-hooks", "verify", "--timeout", "http://h/w"],
        ] {
            let shown = error_of(args);
            assert!(!shown.contains("takes the URL"), "{args:?}: {shown}");
        }
    }
}
