//! Every clap type of the command line, in this folder. CLI.md is the contract
//! these types implement; flag names here must not drift from it. This file
//! holds the top-level parser (`Cli`, `Command`, the global flags), the
//! argument groups several commands flatten (secret, forward secret, profile,
//! verify token, sample), the value parsers they share, and the arguments of
//! the one-screen commands (sign, verify-signature, events, completions). Each
//! command family has a file of its own: `receiver.rs` (listen, ingest),
//! `platform.rs` (send-test, verify, check, configure), `store.rs` (deliver,
//! store).

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use hyper::header::HeaderName;

use crate::contract::events::{EventKind, STATUSES};
use crate::contract::profile::Profile;
use crate::contract::sample::catalog::{MessageType, Reply, TemplateUpdate};
use crate::input::payload::MAX_STREAMED;
pub use crate::output::ColorChoice;
use crate::platform::delivery::SignatureMode;

/// Where `wm-hooks listen` takes deliveries by default, and so where
/// `send-test` and `verify` go unless told otherwise.
pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:8080/webhooks/whatsapp";

/// Each subcommand's `Examples:`, the end of its `-h` and `--help` (a macro so
/// `concat!` can put them after a command's exit codes). Every line that
/// starts with `wm-hooks` is parsed by a unit test, so none goes stale.
macro_rules! examples {
    (listen) => {
        "Examples:\n  \
         wm-hooks listen                     # reuses the saved secret, or makes one\n  \
         wm-hooks listen --port 9000 --forward-to http://127.0.0.1:3000/hook\n  \
         wm-hooks listen --json --record deliveries.jsonl"
    };
    (ingest) => {
        "Examples:\n  \
         wm-hooks ingest --store sqlite:events.db\n  \
         wm-hooks ingest --store redis://127.0.0.1:6379/0 --port 8080"
    };
    (send_test) => {
        "Examples:\n  \
         wm-hooks send-test all              # one of each event, to `wm-hooks listen`\n  \
         wm-hooks send-test message.status --status failed --duplicate 2\n  \
         wm-hooks send-test --count 1000 --concurrency 8 --to http://[::1]:3000/hook"
    };
    (verify) => {
        "Examples:\n  \
         wm-hooks verify                     # against `wm-hooks listen`\n  \
         wm-hooks verify --url https://hooks.example.com/webhooks/whatsapp"
    };
    (check) => {
        "Examples:\n  \
         wm-hooks check                      # against `wm-hooks listen`\n  \
         wm-hooks check --url http://127.0.0.1:3000/hook --only signature\n  \
         wm-hooks check --json --junit report.xml"
    };
    (configure) => {
        "Examples:\n  \
         wm-hooks configure                  # on a terminal: asks, then confirms\n  \
         wm-hooks configure --url https://hooks.example.com/webhooks/whatsapp --yes\n  \
         wm-hooks configure --url \"$URL\" --generate-secret --save-secret s.txt --json"
    };
    (sign) => {
        "Examples:\n  \
         wm-hooks sign --payload-file body.json\n  \
         wm-hooks sign --secret-file s.txt < body.json"
    };
    (verify_signature) => {
        "Examples:\n  \
         wm-hooks verify-signature --signature \"$SIG\" --payload-file body.json\n  \
         wm-hooks verify-signature --signature \"$SIG\" --secret-file s.txt < body.json"
    };
    (deliver) => {
        "Examples:\n  \
         wm-hooks deliver --from sqlite:events.db --to http://127.0.0.1:3000/hook\n  \
         wm-hooks deliver --from redis://127.0.0.1/0 --to http://127.0.0.1:3000/hook"
    };
    (store) => {
        "Examples:\n  \
         wm-hooks store stats --store sqlite:events.db\n  \
         wm-hooks store redrive --all         # after `wm-hooks store dead`\n  \
         wm-hooks store prune --older-than 7d # from cron: delivered entries go"
    };
    (events) => {
        "Examples:\n  \
         wm-hooks events                     # the event types and what each means\n  \
         wm-hooks events message.status      # its sample payload"
    };
    (completions) => {
        "Examples:\n  \
         source <(wm-hooks completions bash)             # in ~/.bashrc\n  \
         wm-hooks completions zsh > ~/.zfunc/_wm-hooks  # fpath=(~/.zfunc $fpath)\n  \
         wm-hooks completions fish > ~/.config/fish/completions/wm-hooks.fish"
    };
}

// After `examples!`, which they use.
mod platform;
mod receiver;
mod store;
mod url_tip;

pub use platform::{
    CheckArgs, ConfigureArgs, ConnectionArgs, EndpointArgs, EventChoice, HeaderArg, SendTestArgs,
    VerifyArgs,
};
pub use receiver::{IngestArgs, ListenArgs, ReceiverArgs};
pub use store::{
    DeliverArgs, StoreArgs, StoreCommand, StoreDeadArgs, StorePruneArgs, StoreRedriveArgs,
    StoreStatsArgs,
};

#[derive(Debug, Parser)]
#[command(
    name = "wm-hooks",
    version,
    about = "Webhook toolkit for the StartMessaging WhatsApp API",
    long_about = "Webhook toolkit for the StartMessaging WhatsApp API: a local receiver \
                  (listen), the platform's deliveries and handshake played against your endpoint \
                  (send-test, verify), a conformance report (check), registration through the \
                  API (configure), and X-Signature-256 signing and checking for scripts \
                  (sign, verify-signature).\n\n\
                  Secrets come from WM_HOOKS_SECRET or --secret-file; the API key from \
                  WM_HOOKS_API_KEY.\n\n\
                  Exit codes: 0 success, 1 the thing checked is wrong, 2 usage or input error, \
                  3 could not reach it, 130 interrupted (Ctrl-C or SIGTERM).",
    propagate_version = true,
    arg_required_else_help = true
)]
pub struct Cli {
    // Before `global`: its `next_display_order = 1000` would otherwise number
    // the subcommands from 1000 and list clap's `help` (999) first.
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: Global,
}

impl Cli {
    /// The command line of this process; on a usage error, clap's message
    /// (with a tip where a URL stands where a flag should give it) and exit 2.
    pub fn from_args() -> Cli {
        let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        Cli::try_parse_from(&args)
            .unwrap_or_else(|error| url_tip::with_url_tip(error, &args).exit())
    }
}

// Listed after each command's own flags in its help (`next_display_order`).
#[derive(Debug, Args)]
#[command(next_display_order = 1000)]
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

// The core's plain enums become flag values here, so only this file knows clap.
impl ValueEnum for ColorChoice {
    fn value_variants<'a>() -> &'a [Self] {
        &[ColorChoice::Auto, ColorChoice::Always, ColorChoice::Never]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(match self {
            ColorChoice::Auto => "auto",
            ColorChoice::Always => "always",
            ColorChoice::Never => "never",
        }))
    }
}

impl ValueEnum for EventKind {
    fn value_variants<'a>() -> &'a [Self] {
        &EventKind::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()).help(self.summary()))
    }
}

/// The core's enums whose values are their `name()`, with their `summary()`
/// as the help of each.
macro_rules! value_enum {
    ($($ty:ty),*) => {$(
        impl ValueEnum for $ty {
            fn value_variants<'a>() -> &'a [Self] {
                &<$ty>::ALL
            }

            fn to_possible_value(&self) -> Option<PossibleValue> {
                Some(PossibleValue::new(self.name()).help(self.summary()))
            }
        }
    )*};
}

value_enum!(Profile, MessageType, Reply, TemplateUpdate);

impl ValueEnum for SignatureMode {
    fn value_variants<'a>() -> &'a [Self] {
        &SignatureMode::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()).help(self.summary()))
    }
}

/// `defer`: a subcommand's arguments are built only when it is the one invoked,
/// which keeps start-up short for the one-process-per-check commands. (Args
/// structs therefore carry `//` comments: a `///` one would replace the
/// subcommand's about text once the deferred arguments are built.)
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Run a local webhook receiver that verifies and shows every delivery
    #[command(
        long_about = "Run a local webhook receiver. It answers the platform's GET \
                            handshake, checks the signature of every POST (401 when it is missing \
                            or wrong), answers at once, then prints each event (-v adds headers \
                            and the whole body). With no secret given it uses the one it saved \
                            before ($XDG_STATE_HOME/wm-hooks/secret, else \
                            ~/.local/state/wm-hooks/secret, mode 0600), or generates one, saves \
                            it there and prints it once; send-test, verify and check use that \
                            saved secret when given none.\n\n\
                            The first line on stderr is `Listening on URL`. --json prints one \
                            record line per request on stdout instead of the pretty output.\n\n\
                            Ctrl-C or SIGTERM stops it: it finishes the requests in flight, \
                            prints a summary and exits 0 (2 for a bad flag or a port in use)."
    )]
    Listen(ListenArgs),
    /// The production receiver: verify, dedupe, store durably, and only then answer 2xx
    #[command(
        long_about = "The production receiver. It answers the handshake and checks every \
                      POST's signature as listen does, then stores each verified event \
                      (--store: sqlite:PATH, the default, or redis://HOST:PORT/DB) and answers \
                      2xx only after the store acknowledged it: the SQLite transaction \
                      committed (WAL, synchronous=FULL), or Redis answered the XADD. An event \
                      stored within --dedupe-window is answered 200 and not stored again. \
                      While the store fails, POSTs get 503 with Retry-After, and ingest \
                      recovers by itself when the store is back.\n\n\
                      The first line on stderr is `Listening on URL`. --json prints one record \
                      line per request on stdout, with the entry id. `wm-hooks deliver` moves \
                      what it stores to your app.\n\n\
                      Ctrl-C or SIGTERM stops it: it finishes the requests in flight, prints a \
                      summary and exits 0 (2 for bad input or a port in use)."
    )]
    Ingest(Box<IngestArgs>),
    /// Play the platform: sign sample events and POST them to your endpoint
    SendTest(Box<SendTestArgs>),
    /// Run the platform's handshake GET against your endpoint and check the answer
    Verify(VerifyArgs),
    /// Play the platform's whole contract against your endpoint (handshake,
    /// signatures, duplicates, tolerance, the 5 s budget) and print a report card
    Check(CheckArgs),
    /// Register the webhook with the StartMessaging API (PUT /v1/webhooks); asks
    /// for missing values on a terminal, never in CI
    Configure(ConfigureArgs),
    /// Print the X-Signature-256 value (sha256=<hex>) for a payload
    // The doc is clap's help text, where <hex> is meant as it reads.
    #[allow(rustdoc::invalid_html_tags)]
    Sign(SignArgs),
    /// Check a signature against a payload: exit 0 valid, 1 invalid, 2 bad input
    VerifySignature(VerifySignatureArgs),
    /// Move stored events to your app, at least once: re-signed, retried on
    /// the platform's schedule, then dead letters
    #[command(
        long_about = "Move the events a store holds (see `ingest`) to your app, at least once. \
                      Each is POSTed with its original body bytes, re-signed with \
                      --forward-secret (default: the webhook secret), with X-WM-Hooks-Delivery \
                      (the entry id) and X-WM-Hooks-Attempt (1, 2, ...). A 2xx acknowledges it; \
                      anything else is retried on the schedule, then the event becomes a dead \
                      letter (`wm-hooks store dead`, `wm-hooks store redrive`).\n\n\
                      Several deliver processes share one store: each claims entries with a \
                      lease (a Redis consumer group), and what a dead one held is claimed again \
                      after --claim-after.\n\n\
                      Ctrl-C or SIGTERM stops it: it finishes the attempts in flight and \
                      acknowledges only what was delivered; a second one stops now, leaving \
                      the attempts in flight unsettled, to be claimed again after \
                      --claim-after. Exit codes: 0 stopped, 2 bad input, \
                      3 the store could not be reached at the start."
    )]
    Deliver(Box<DeliverArgs>),
    /// Inspect a store: counts, dead letters, putting them back for delivery, pruning
    #[command(subcommand, after_help = examples!(store))]
    Store(StoreCommand),
    /// List the event types, or print one's sample payload
    Events(EventsArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

// The webhook secret. Never required on the command line: the environment
// variable or a file work everywhere.
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
#[command(after_help = examples!(sign))]
pub struct SignArgs {
    #[command(flatten)]
    pub secret: SecretArgs,
    #[arg(long, value_name = "FILE", help = streamed_payload_help("The payload to sign"))]
    pub payload_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(after_help = examples!(verify_signature))]
pub struct VerifySignatureArgs {
    /// The header value to check: sha256= and 64 hex digits (either case)
    // Any bytes: one that is not UTF-8 makes an invalid signature (exit 1), not a usage error.
    #[arg(long, value_name = "SIG", allow_hyphen_values = true)]
    pub signature: std::ffi::OsString,
    #[command(flatten)]
    pub secret: SecretArgs,
    #[arg(long, value_name = "FILE", help = streamed_payload_help("The payload"))]
    pub payload_file: Option<PathBuf>,
}

/// The help of sign's and verify-signature's `--payload-file`, with the limit
/// [`MAX_STREAMED`] sets, so that the two cannot drift apart.
fn streamed_payload_help(what: &str) -> String {
    format!(
        "{what}, read as raw bytes, at most {} MiB (stdin when absent or -)",
        mib(MAX_STREAMED)
    )
}

/// A size limit in whole MiB, as help texts state the limits the code enforces.
fn mib(bytes: u64) -> u64 {
    bytes >> 20
}

// The secret `--forward-to` signs with, when it differs from the listener's.
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

// Which platform to play or expect. Read with `commands::profile`, the one
// place that resolves it (flag, then WM_HOOKS_PROFILE, then startmessaging).
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct ProfileArgs {
    /// The platform: startmessaging (the API document's envelope, X-Signature-256)
    /// or meta (the WhatsApp Cloud API's: entry[].changes[].value,
    /// X-Hub-Signature-256, non-ASCII sent as \uXXXX) [env: WM_HOOKS_PROFILE]
    /// [default: startmessaging]
    #[arg(long, value_enum, value_name = "PROFILE")]
    pub profile: Option<Profile>,
}

// The handshake's token, when it is not the webhook secret.
#[derive(Debug, Clone, Default, Args)]
pub struct VerifyTokenArgs {
    /// The handshake's hub.verify_token, when it is not the webhook secret (Meta
    /// and its libraries keep the two apart) [env: WM_HOOKS_VERIFY_TOKEN]
    /// [default: the webhook secret]; prefer the variable or --verify-token-file
    #[arg(long, value_name = "TOKEN", conflicts_with = "verify_token_file")]
    pub verify_token: Option<String>,
    /// Read the verify token from a file (one trailing newline is removed)
    #[arg(long, value_name = "PATH")]
    pub verify_token_file: Option<PathBuf>,
}

// Which sample of each event: shared by `events` and `send-test`.
#[derive(Debug, Clone, Default, Args)]
pub struct SampleArgs {
    /// The message type of message.received [default: text]
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub message_type: Option<MessageType>,
    /// The reply of an interactive message (--type interactive) [default: button]
    #[arg(long, value_enum, value_name = "REPLY")]
    pub reply: Option<Reply>,
    /// The status of message.status; failed carries an errors array [default: delivered]
    #[arg(long, value_name = "STATUS", value_parser = PossibleValuesParser::new(STATUSES))]
    pub status: Option<String>,
    /// The update of template.status; rejected, paused and disabled carry a reason
    /// [default: approved]
    #[arg(long, value_enum, value_name = "UPDATE")]
    pub template_status: Option<TemplateUpdate>,
}

/// The units [`parse_size`] accepts, as its errors name them.
const SIZE_UNITS: &str = "KiB, MiB, GiB (powers of 1024) or KB, MB, GB (powers of 1000)";

/// A byte count: digits, then optionally B, K/KiB, M/MiB, G/GiB (powers of 1024)
/// or KB, MB, GB (powers of 1000), in any case.
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    if unit.starts_with(['.', ',']) {
        return Err(format!(
            "`{text}` is not a whole number: give it in a smaller unit (1536KiB, not 1.5MiB)"
        ));
    }
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size: use bytes, or a number with {SIZE_UNITS}"))?;
    let multiple: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        other => {
            return Err(format!("unknown size unit `{other}`: use B, {SIZE_UNITS}"));
        }
    };
    match number.checked_mul(multiple) {
        Some(0) => Err("the size must be more than 0 bytes".to_string()),
        Some(bytes) => Ok(bytes),
        None => Err(format!("`{text}` is too large")),
    }
}

#[derive(Debug, Args)]
#[command(after_help = examples!(events))]
pub struct EventsArgs {
    /// Print this event's sample payload as pretty JSON
    #[arg(value_enum, value_name = "EVENT")]
    pub event: Option<EventKind>,
    #[command(flatten)]
    pub sample: SampleArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
}

#[derive(Debug, Args)]
#[command(after_help = examples!(completions))]
pub struct CompletionsArgs {
    /// The shell to print completions for
    #[arg(value_enum)]
    pub shell: Shell,
}

fn parse_scale(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(f) if f > 0.0 && f <= 1.0 => Ok(f),
        _ => Err("must be a number more than 0 and at most 1 (such as 0.001)".into()),
    }
}

/// A `--signature-header` name: any header but those a request's own
/// framing and body set (Content-Type, Content-Length, Host, ...), whose
/// value a signature would replace or never get into.
fn signature_header_name(text: &str) -> Result<HeaderName, String> {
    use hyper::header;
    let name = HeaderName::from_bytes(text.trim().as_bytes())
        .map_err(|_| format!("`{text}` is not a valid header name"))?;
    let framing = [
        header::CONTENT_TYPE,
        header::CONTENT_LENGTH,
        header::CONTENT_ENCODING,
        header::TRANSFER_ENCODING,
        header::HOST,
        header::CONNECTION,
        header::EXPECT,
        header::UPGRADE,
        header::TE,
        header::TRAILER,
        // Hop-by-hop: a proxy on the way drops them.
        HeaderName::from_static("keep-alive"),
        HeaderName::from_static("proxy-connection"),
    ];
    if framing.contains(&name) {
        return Err(format!(
            "{} describes the request itself and cannot carry the signature: give a header of \
             its own, such as X-Signature-256 or X-Hub-Signature-256",
            text.trim()
        ));
    }
    Ok(name)
}

/// A duration such as `30s`, `1500ms` or `2m`: more than zero and at most ten
/// minutes, since every wait this tool takes must end.
fn duration(text: &str) -> Result<Duration, String> {
    crate::text::duration(
        text,
        Duration::from_secs(600),
        "30s, 1500ms, 2m",
        ("s", "seconds"),
    )
}

/// A duration of days (an age to prune at): up to a year, inclusive. 366
/// days, since humantime's `1y` is 365.25 days and a leap year has 366.
fn long_duration(text: &str) -> Result<Duration, String> {
    const YEAR: Duration = Duration::from_secs(366 * 86_400);
    match humantime::parse_duration(text.trim()) {
        // humantime would show 366 days as `1year 18h`.
        Ok(d) if d > YEAR => Err("must be at most a year (366d)".to_string()),
        _ => crate::text::duration(text, YEAR, "24h, 90m, 7days", ("d", "days")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_header_is_a_header_of_its_own() {
        for ok in ["X-Signature-256", " x-hub-signature-256 ", "Signature"] {
            assert!(signature_header_name(ok).is_ok(), "{ok}");
        }
        // The default Content-Type would win over the signature, which then
        // never goes out.
        for framing in [
            "Content-Type",
            "content-length",
            "Host",
            "Transfer-Encoding",
            "Keep-Alive",
            "proxy-connection",
        ] {
            let err = signature_header_name(framing).unwrap_err();
            assert!(
                err.contains("describes the request itself and cannot carry the signature"),
                "{framing}: {err}"
            );
        }
        assert!(signature_header_name("a b").is_err());
        // Named as given, not re-cased (`TE`, not `Te`).
        assert!(
            signature_header_name("TE")
                .unwrap_err()
                .starts_with("TE describes")
        );
    }

    #[test]
    fn a_long_duration_is_up_to_a_year_inclusive() {
        for year in ["1y", "365d", "366d", "52w"] {
            assert!(long_duration(year).is_ok(), "{year}");
        }
        assert_eq!(
            long_duration("367d").unwrap_err(),
            "must be at most a year (366d)"
        );
        assert!(long_duration("0s").is_err());
        assert!(
            long_duration("30")
                .unwrap_err()
                .contains("`30d` is 30 days")
        );
    }

    /// The help of `subcommand`'s argument `id`.
    fn arg_help(subcommand: &str, id: &str) -> String {
        let mut cli = Cli::command();
        cli.build();
        let sub = cli.find_subcommand(subcommand).unwrap();
        let arg = sub.get_arguments().find(|a| a.get_id() == id).unwrap();
        arg.get_help().unwrap().to_string()
    }

    /// The limit sign and verify-signature state is the one they enforce.
    #[test]
    fn the_streamed_payload_limit_in_help_is_max_streamed() {
        assert_eq!(MAX_STREAMED % (1 << 20), 0, "the help says whole MiB");
        let want = format!("at most {} MiB (", mib(MAX_STREAMED));
        for name in ["sign", "verify-signature"] {
            let help = arg_help(name, "payload_file");
            assert!(help.contains(&want), "{name}: {help}");
            assert_eq!(help.matches("MiB").count(), 1, "{name}: {help}");
        }
    }

    /// The limits send-test's help states are the ones its readers enforce.
    #[test]
    fn send_test_help_states_the_payload_and_replay_limits() {
        use crate::input::{payload::MAX_HELD, record_file};
        let (file, line) = (record_file::MAX_FILE, record_file::MAX_LINE as u64);
        for limit in [MAX_HELD, file, line] {
            assert_eq!(limit % (1 << 20), 0, "the help says whole MiB");
        }
        let held = format!("at most {} MiB", mib(MAX_HELD));
        for id in ["payload_file", "payload_dir"] {
            let help = arg_help("send-test", id);
            assert!(help.contains(&held), "{id}: {help}");
        }
        let replay = format!(
            "a file of at most {} MiB, lines of at most {} MiB, bodies of at most {} MiB",
            mib(file),
            mib(line),
            mib(MAX_HELD)
        );
        let help = arg_help("send-test", "replay");
        assert!(help.contains(&replay), "{help}");
    }

    /// Every subcommand's help ends with examples, and each example parses.
    #[test]
    fn every_subcommand_has_examples_that_parse() {
        let mut cli = Cli::command();
        cli.build();
        for sub in cli.get_subcommands().filter(|c| c.get_name() != "help") {
            let name = sub.get_name();
            let mut sub = sub.clone();
            sub.build();
            let help = sub
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            let long = sub
                .get_after_long_help()
                .map_or(help.clone(), |h| h.to_string());
            for text in [&help, &long] {
                assert!(text.contains("Examples:\n"), "{name}: {text}");
            }
            let lines: Vec<&str> = help
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("wm-hooks "))
                .collect();
            assert!((2..=3).contains(&lines.len()), "{name}: {lines:?}");
            for line in lines {
                assert!(line.len() <= 78, "{name}: too wide for a terminal: {line}");
                // The words before a comment or a redirection, quotes dropped.
                let words = line
                    .split_whitespace()
                    .take_while(|w| !w.starts_with(['#', '<', '>']))
                    .map(|w| w.trim_matches('"'));
                if let Err(err) = Cli::try_parse_from(words) {
                    panic!("{name}: `{line}` does not parse: {err}");
                }
            }
        }
    }
    use clap::CommandFactory;

    proptest::proptest! {
        /// Size and duration flags take any text without panicking, and what
        /// they accept is within their bounds.
        #[test]
        fn size_and_duration_flags_take_any_text(
            text in "\\PC{0,24}",
            number in proptest::num::u64::ANY,
            unit in "(|b|k|kib|m|MiB|g|gib|kb|mb|GB|s|ms|m|h|d|y|ns| x)",
        ) {
            for text in [text, format!("{number}{unit}"), format!(" {number} {unit} ")] {
                if let Ok(size) = parse_size(&text) {
                    proptest::prop_assert!(size > 0);
                }
                if let Ok(wait) = duration(&text) {
                    proptest::prop_assert!(!wait.is_zero() && wait <= Duration::from_secs(600));
                }
                let _ = signature_header_name(&text);
            }
        }
    }

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
        // Every error names the decimal units too, since they are accepted.
        for bad in ["1PiB", "MiB"] {
            assert!(parse_size(bad).unwrap_err().contains("KB, MB, GB"), "{bad}");
        }
        assert!(
            parse_size("1.5MiB")
                .unwrap_err()
                .contains("is not a whole number")
        );
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
    fn durations() {
        assert_eq!(duration("1500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(duration("30s"), Ok(Duration::from_secs(30)));
        assert!(duration("0s").is_err());
        assert!(duration("soon").is_err());
        assert!(duration("11m").is_err());
        assert_eq!(duration(" 1m 30s "), Ok(Duration::from_secs(90)));
        for bad in ["", "2", "-1s"] {
            assert!(duration(bad).is_err(), "{bad}");
        }
        // In plain words, never humantime's "expected number at 0".
        for (bad, says) in [
            ("abc", "is not a duration"),
            ("5x", "unknown unit `x`"),
            ("5", "has no unit: `5s` is 5 seconds"),
            ("99999999999999999999s", "too large"),
        ] {
            let err = duration(bad).unwrap_err();
            assert!(err.contains(says) && !err.contains(" at "), "{bad}: {err}");
        }
    }
}
