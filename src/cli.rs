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
    /// Run a local webhook receiver that verifies and shows every delivery
    #[command(
        long_about = "Run a local webhook receiver. It answers the platform's GET \
                            handshake, checks the signature of every POST (401 when it is missing \
                            or wrong), answers at once, then prints each event (-v adds headers \
                            and the whole body). With no secret given it generates one and prints \
                            it.\n\n\
                            The first line on stderr is `Listening on URL`. --json prints one \
                            record line per request on stdout instead of the pretty output.\n\n\
                            Ctrl-C or SIGTERM stops it: it finishes the requests in flight, \
                            prints a summary and exits 0 (2 for a bad flag or a port in use)."
    )]
    Listen(ListenArgs),
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

/// `wm-hooks listen`: where to listen, how to check and answer, what to print.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// The address to listen on; anything but loopback is reachable from other machines
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub host: String,
    /// The port to listen on; 0 picks a free one
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The path that takes webhooks; other paths get 404
    #[arg(long, value_name = "PATH", default_value = "/webhooks/whatsapp")]
    pub path: String,
    #[command(flatten)]
    pub secret: SecretArgs,
    /// The header that carries the signature (any case)
    #[arg(long, value_name = "NAME", default_value = "X-Signature-256")]
    pub signature_header: String,
    /// The largest body accepted, in bytes or with a unit (64KiB, 1MiB, 10MB); larger gets 413
    #[arg(long, value_name = "SIZE", default_value = "1MiB", value_parser = parse_size)]
    pub max_body: u64,
    /// Print one JSON record line per request on stdout instead of the pretty output
    #[arg(long)]
    pub json: bool,
    /// Append one JSON record line per request to FILE (never truncated)
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Answer POSTs with a valid signature with this status (to test a sender's retries)
    #[arg(long, value_name = "CODE", value_parser = clap::value_parser!(u16).range(200..=599))]
    pub respond_status: Option<u16>,
    /// Wait this long before answering POSTs with a valid signature (150ms, 2s, 1m)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub respond_delay: Option<Duration>,
    /// Forward each POST with a valid signature to your app, re-signed, and answer with its status
    #[arg(long, value_name = "URL", conflicts_with = "respond_status")]
    pub forward_to: Option<String>,
    #[command(flatten)]
    pub forward_secret: ForwardSecretArgs,
    /// How long to wait for the app's answer before answering 504
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub forward_timeout: Duration,
    /// How long a client may take to send a request's headers, and then its body; an idle
    /// keep-alive connection is closed after it too
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub read_timeout: Duration,
    /// Open connections served at once; more are closed as they arrive
    #[arg(long, value_name = "N", default_value_t = 4096,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,
}

/// The secret `--forward-to` signs with, when it differs from the listener's.
#[derive(Debug, Clone, Default, Args)]
pub struct ForwardSecretArgs {
    /// Sign forwarded requests with this secret instead of the listener's
    /// [env: WM_HOOKS_FORWARD_SECRET]; prefer the variable or --forward-secret-file
    #[arg(
        long,
        value_name = "SECRET",
        conflicts_with = "forward_secret_file",
        requires = "forward_to"
    )]
    pub forward_secret: Option<String>,
    /// Read the forwarding secret from a file (one trailing newline is removed)
    #[arg(long, value_name = "PATH", requires = "forward_to")]
    pub forward_secret_file: Option<PathBuf>,
}

/// A byte count: digits, then optionally B, K/KiB, M/MiB, G/GiB (powers of 1024)
/// or KB, MB, GB (powers of 1000), in any case.
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let number: u64 = digits.parse().map_err(|_| {
        format!("`{text}` is not a size: use bytes, or a number with KiB, MiB or GiB")
    })?;
    let multiple: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        other => {
            return Err(format!(
                "unknown size unit `{other}`: use B, KiB, MiB or GiB"
            ));
        }
    };
    match number.checked_mul(multiple) {
        Some(0) => Err("the size must be more than 0 bytes".to_string()),
        Some(bytes) => Ok(bytes),
        None => Err(format!("`{text}` is too large")),
    }
}

/// A duration such as `150ms`, `2s` or `1m 30s` (humantime's format).
fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim())
        .map_err(|e| format!("`{text}` is not a duration ({e}): write it like 150ms, 2s or 1m"))
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
    fn sizes_parse() {
        let cases = [
            ("1", Ok(1)),
            ("1048576", Ok(1 << 20)),
            ("64KiB", Ok(64 << 10)),
            ("64k", Ok(64 << 10)),
            ("1MiB", Ok(1 << 20)),
            ("1 mib", Ok(1 << 20)),
            ("10MB", Ok(10_000_000)),
            ("2G", Ok(2 << 30)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_size(text), want, "{text}");
        }
        for bad in [
            "",
            "0",
            "0MiB",
            "MiB",
            "1.5MiB",
            "-1",
            "1PiB",
            "99999999999999999999",
            "18446744073709551615G",
        ] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("150ms"), Ok(Duration::from_millis(150)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1m 30s"), Ok(Duration::from_secs(90)));
        for bad in ["", "2", "soon", "-1s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn listen_defaults_and_conflicts() {
        let cli = Cli::try_parse_from(["wm-hooks", "listen"]).unwrap();
        let Command::Listen(args) = cli.command else {
            panic!()
        };
        assert_eq!((args.host.as_str(), args.port), ("127.0.0.1", 8080));
        assert_eq!(args.path, "/webhooks/whatsapp");
        assert_eq!(args.max_body, 1 << 20);
        let conflict = [
            "wm-hooks",
            "listen",
            "--respond-status",
            "500",
            "--forward-to",
            "http://127.0.0.1:1/",
        ];
        assert!(Cli::try_parse_from(conflict).is_err());
        assert!(Cli::try_parse_from(["wm-hooks", "listen", "--forward-secret", "s"]).is_err());
        assert!(Cli::try_parse_from(["wm-hooks", "listen", "--respond-status", "99"]).is_err());
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
