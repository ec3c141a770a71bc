//! Every clap type of the command line, in one place. CLI.md is the contract
//! these types implement; flag names here must not drift from it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

use crate::events::EventKind;

#[derive(Debug, Parser)]
#[command(
    name = "wm-hooks",
    version,
    about = "Webhook toolkit for the StartMessaging WhatsApp API",
    long_about = "Webhook toolkit for the StartMessaging WhatsApp API: sign and verify \
                  X-Signature-256 signatures, list sample events, and generate shell completions.\n\n\
                  Exit codes: 0 success, 1 the thing checked is wrong, 2 usage or input error, \
                  3 could not reach it.",
    propagate_version = true,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// When to colour output: auto colours on a terminal unless NO_COLOR is set
    /// (CLICOLOR_FORCE forces it)
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Print less on stderr (errors still show)
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more on stderr
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the X-Signature-256 value (sha256=<hex>) for a payload
    Sign(SignArgs),
    /// Check a signature against a payload: exit 0 valid, 1 invalid, 2 bad input
    VerifySignature(VerifySignatureArgs),
    /// List the event types, or print one's sample payload
    Events(EventsArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

/// The webhook secret. Never required on the command line: the environment
/// variable or a file work everywhere.
#[derive(Debug, Clone, Default, Args)]
pub struct SecretArgs {
    /// The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the
    /// process list: prefer the variable or --secret-file
    #[arg(long, value_name = "SECRET", conflicts_with = "secret_file")]
    pub secret: Option<String>,
    /// Read the secret from a file, as raw bytes; exactly one trailing newline
    /// (LF or CRLF) is removed
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    #[command(flatten)]
    pub secret: SecretArgs,
    /// The payload to sign, read as raw bytes (stdin when absent or -)
    #[arg(long, value_name = "FILE")]
    pub payload_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifySignatureArgs {
    /// The header value to check: sha256= and 64 hex digits (either case)
    #[arg(long, value_name = "SIG", allow_hyphen_values = true)]
    pub signature: String,
    #[command(flatten)]
    pub secret: SecretArgs,
    /// The payload, read as raw bytes (stdin when absent or -)
    #[arg(long, value_name = "FILE")]
    pub payload_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Print this event's sample payload as pretty JSON
    #[arg(value_enum, value_name = "EVENT")]
    pub event: Option<EventKind>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print completions for
    #[arg(value_enum)]
    pub shell: Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn secret_and_secret_file_conflict() {
        let err = Cli::try_parse_from(["wm-hooks", "sign", "--secret", "a", "--secret-file", "f"])
            .unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn event_names_parse() {
        let cli = Cli::try_parse_from(["wm-hooks", "events", "message.status"]).unwrap();
        let Command::Events(args) = cli.command else {
            panic!()
        };
        assert_eq!(args.event, Some(EventKind::MessageStatus));
    }
}
