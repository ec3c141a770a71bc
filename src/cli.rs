//! Every clap type of the command line, in one place. CLI.md is the contract
//! these types implement; flag names here must not drift from it.

use std::path::PathBuf;
use std::time::Duration;

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
    /// Register the webhook with the StartMessaging API (PUT /v1/webhooks); asks
    /// for missing values on a terminal, never in CI
    Configure(ConfigureArgs),
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

#[derive(Debug, Args)]
#[command(
    after_help = "On a terminal, configure asks for every value not given (URL, secret, \
                        events, API key) and for confirmation. Elsewhere nothing is asked: a \
                        missing value is an error (exit 2).\n\n\
                        Exit codes: 0 registered, 1 the API refused it (bad key, invalid \
                        registration), 2 bad or missing input (nothing is sent), 3 the API could \
                        not be reached (after 3 retries)."
)]
pub struct ConfigureArgs {
    /// The webhook URL the platform will call; must be https://
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    #[command(flatten)]
    pub secret: SecretArgs,
    /// Generate a new secret (32 random bytes, hex) and show it once after saving
    #[arg(long, conflicts_with_all = ["secret", "secret_file"])]
    pub generate_secret: bool,
    /// Events to subscribe to, comma-separated or repeated [default: all three]
    #[arg(long, value_enum, value_name = "EVENT", value_delimiter = ',')]
    pub events: Vec<EventKind>,
    /// The StartMessaging API key [env: WM_HOOKS_API_KEY]. Visible to other users
    /// in the process list: prefer the variable
    #[arg(long, value_name = "KEY")]
    pub api_key: Option<String>,
    /// The API base URL [env: WM_HOOKS_API_URL] [default: https://api.startmessaging.com].
    /// Plain http:// only for a local stand-in (localhost, 127.0.0.1, ::1)
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// How long one request may take before it is retried
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = duration)]
    pub timeout: Duration,
    /// Print the request as a curl command, key and secret masked, and send nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation before sending
    #[arg(short, long)]
    pub yes: bool,
    /// Print the API's JSON answer on stdout
    #[arg(long)]
    pub json: bool,
}

/// A positive duration such as `30s`, `1500ms` or `2m`.
fn duration(text: &str) -> Result<Duration, String> {
    match humantime::parse_duration(text) {
        Ok(d) if d.is_zero() => Err("must be longer than zero".to_string()),
        Ok(d) => Ok(d),
        Err(err) => Err(format!("{err} (examples: 30s, 1500ms, 2m)")),
    }
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

    #[test]
    fn configure_events_are_comma_separated_or_repeated() {
        let parse = |args: &[&str]| {
            let cli = Cli::try_parse_from(["wm-hooks", "configure"].iter().chain(args))?;
            let Command::Configure(args) = cli.command else {
                panic!()
            };
            Ok::<_, clap::Error>(args.events)
        };
        let want = vec![EventKind::MessageStatus, EventKind::TemplateStatus];
        assert_eq!(
            parse(&["--events", "message.status,template.status"]).unwrap(),
            want
        );
        assert_eq!(
            parse(&["--events", "message.status", "--events", "template.status"]).unwrap(),
            want
        );
        assert_eq!(parse(&[]).unwrap(), vec![]);
        let err = parse(&["--events", "message.sent"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::InvalidValue);
    }

    #[test]
    fn generate_secret_conflicts_with_a_given_secret() {
        let err = Cli::try_parse_from([
            "wm-hooks",
            "configure",
            "--generate-secret",
            "--secret",
            "s",
        ])
        .unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn durations() {
        assert_eq!(duration("1500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(duration("30s"), Ok(Duration::from_secs(30)));
        assert!(duration("0s").is_err());
        assert!(duration("soon").is_err());
    }
}
