//! Every clap type of the command line, in one place. CLI.md is the contract
//! these types implement; flag names here must not drift from it.

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use hyper::header::{HeaderName, HeaderValue};

use crate::contract::events::{EventKind, STATUSES};
use crate::contract::profile::Profile;
use crate::contract::sample::Edit;
use crate::contract::sample::catalog::{MessageType, Reply, TemplateUpdate};
pub use crate::output::ColorChoice;
use crate::platform::delivery::{self, DEFAULT_SIGNATURE_HEADER, SignatureMode};
use crate::platform::relay::{Route, Schedule};
use crate::store::{StoreUrl, redis};

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
         wm-hooks store dead --limit 10\n  \
         wm-hooks store redrive --all"
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
                  3 could not reach it.",
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
                      acknowledges only what was delivered. Exit codes: 0 stopped, 2 bad input, \
                      3 the store could not be reached at the start."
    )]
    Deliver(Box<DeliverArgs>),
    /// Inspect a store: counts, dead letters, and putting them back for delivery
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
    /// The payload to sign, read as raw bytes (stdin when absent or -)
    #[arg(long, value_name = "FILE")]
    pub payload_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(after_help = examples!(verify_signature))]
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

// `wm-hooks listen`: where to listen, how to check and answer, what to print.
#[derive(Debug, Args)]
#[command(
    after_help = examples!(listen),
    after_long_help = concat!(
        "Exit codes: 0 stopped by Ctrl-C or SIGTERM, 1 a record line could not be written \
         (--record or --json; the summary still prints), 2 bad input or the port in use.\n\n",
        examples!(listen)
    )
)]
pub struct ListenArgs {
    #[command(flatten)]
    pub receiver: ReceiverArgs,
    /// Generate a fresh secret instead of reusing the saved one, and save it in its
    /// place ($XDG_STATE_HOME/wm-hooks/secret, else ~/.local/state/wm-hooks/secret)
    #[arg(long, conflicts_with_all = ["secret", "secret_file"])]
    pub new_secret: bool,
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
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub respond_delay: Option<Duration>,
    /// Forward each POST with a valid signature to your app, re-signed, and answer with its status
    #[arg(long, value_name = "URL", conflicts_with = "respond_status")]
    pub forward_to: Option<String>,
    #[command(flatten)]
    pub forward_secret: ForwardSecretArgs,
    /// How long to wait for the app's answer before answering 504
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = duration)]
    pub forward_timeout: Duration,
}

// The receiver's flags that listen and ingest share: where it listens, how it
// checks the handshake and signatures, and the limits it serves within.
#[derive(Debug, Args)]
pub struct ReceiverArgs {
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
    #[command(flatten)]
    pub verify_token: VerifyTokenArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// The header that carries the signature, in any case [default: the
    /// profile's: X-Signature-256, or X-Hub-Signature-256 under meta]. Both
    /// envelopes are recognised whatever the profile
    #[arg(long, value_name = "NAME", value_parser = parse_header_name)]
    pub signature_header: Option<HeaderName>,
    /// The largest body accepted, in bytes or with a unit (64KiB, 1MiB, 10MB); larger gets 413
    #[arg(long, value_name = "SIZE", default_value = "1MiB", value_parser = parse_size)]
    pub max_body: u64,
    /// How long a client may take to send a request's headers, and then its body; an idle
    /// keep-alive connection is closed after it too
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = duration)]
    pub read_timeout: Duration,
    /// Open connections served at once; at the limit, a new connection makes the longest-idle
    /// one close (never one with a request in service), and is itself closed on arrival only
    /// when every connection has a request in service
    #[arg(long, value_name = "N", default_value_t = 4096,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,
}

// `wm-hooks ingest`: the receiver's flags as in listen, then where and how to store.
#[derive(Debug, Args)]
#[command(after_help = examples!(ingest))]
pub struct IngestArgs {
    #[command(flatten)]
    pub receiver: ReceiverArgs,
    /// Also accept this secret, during a rotation [env: WM_HOOKS_PREVIOUS_SECRET];
    /// prefer the variable or --previous-secret-file
    #[arg(long, value_name = "SECRET", conflicts_with = "previous_secret_file")]
    pub previous_secret: Option<String>,
    /// Read the previous secret from a file (one trailing newline is removed)
    #[arg(long, value_name = "PATH")]
    pub previous_secret_file: Option<PathBuf>,
    /// The store: sqlite:PATH or redis://HOST:PORT/DB (rediss:// for TLS), with
    /// ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]
    #[arg(long, value_name = "URL", value_parser = parse_store)]
    pub store: Option<StoreUrl>,
    /// Serve HTTPS with this certificate chain (PEM, leaf first); without it, plain
    /// HTTP for a TLS proxy in front
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM)
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// An event stored within this long is answered 200 and not stored again
    /// (the platform retries for 24h)
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_window)]
    pub dedupe_window: Duration,
    /// Serve Prometheus text at http://ADDR/metrics and a health check at /healthz
    /// (200 while the store answers), such as 127.0.0.1:9100
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<std::net::SocketAddr>,
    /// Print one JSON record line per request on stdout, with the store's entry id
    #[arg(long)]
    pub json: bool,
}

/// A dedupe window: more than zero and at most 30 days.
fn parse_window(text: &str) -> Result<Duration, String> {
    match humantime::parse_duration(text.trim()) {
        Ok(d) if d.is_zero() => Err("must be longer than zero".to_string()),
        Ok(d) if d > Duration::from_secs(30 * 86_400) => Err("must be at most 30days".to_string()),
        Ok(d) => Ok(d),
        Err(err) => Err(format!("{err} (examples: 24h, 90m, 7days)")),
    }
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

// Where a store is: `--store` / `--from`, else WM_HOOKS_STORE, else sqlite:wm-hooks.db.
#[derive(Debug, Clone, Default, Args)]
pub struct StoreArgs {
    /// The store: sqlite:PATH or redis://HOST:PORT/DB (rediss:// for TLS), with
    /// ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]
    #[arg(long, value_name = "URL", value_parser = parse_store)]
    pub store: Option<StoreUrl>,
    /// The Redis consumer group whose deliveries are counted (ignored for SQLite)
    #[arg(long, value_name = "NAME", default_value = redis::DEFAULT_GROUP)]
    pub group: String,
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Print the counts: stored, pending, retrying, dead, delivered, duplicates
    Stats(StoreStatsArgs),
    /// List the dead letters with their last error
    Dead(StoreDeadArgs),
    /// Put dead letters back for delivery (all, or those named), attempts reset
    Redrive(StoreRedriveArgs),
}

#[derive(Debug, Args)]
pub struct StoreStatsArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Print one JSON object on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StoreDeadArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// List at most N, oldest first
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub limit: u32,
    /// Print one JSON object per dead letter on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StoreRedriveArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The entry ids to put back (as `store dead` lists them)
    #[arg(
        value_name = "ID",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub ids: Vec<String>,
    /// Put every dead letter back
    #[arg(long)]
    pub all: bool,
}

// `wm-hooks deliver`: from a store to the app.
#[derive(Debug, Args)]
#[command(after_help = examples!(deliver))]
pub struct DeliverArgs {
    /// The store to deliver from: sqlite:PATH or redis://HOST:PORT/DB?stream=NAME
    /// [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]
    #[arg(long, value_name = "URL", value_parser = parse_store)]
    pub from: Option<StoreUrl>,
    /// Where events go: URL for every event, or EVENT=URL (repeatable) to route one
    /// event type; an event no route takes becomes a dead letter
    #[arg(long, value_name = "[EVENT=]URL", required = true, value_parser = parse_route)]
    pub to: Vec<Route>,
    #[command(flatten)]
    pub secret: SecretArgs,
    /// Sign deliveries with this secret instead of the webhook secret
    /// [env: WM_HOOKS_FORWARD_SECRET]; prefer the variable or --forward-secret-file
    #[arg(long, value_name = "SECRET", conflicts_with = "forward_secret_file")]
    pub forward_secret: Option<String>,
    /// Read the signing secret from a file (one trailing newline is removed)
    #[arg(long, value_name = "PATH")]
    pub forward_secret_file: Option<PathBuf>,
    /// The header that carries the signature
    #[arg(long, value_name = "NAME", default_value = DEFAULT_SIGNATURE_HEADER, value_parser = parse_header_name)]
    pub signature_header: HeaderName,
    /// The Redis consumer group (ignored for SQLite)
    #[arg(long, value_name = "NAME", default_value = redis::DEFAULT_GROUP)]
    pub group: String,
    /// This process's name in the group [default: HOST-PID]
    #[arg(long, value_name = "NAME")]
    pub consumer: Option<String>,
    /// Claim what another consumer holds after this long without an answer (it died)
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = duration)]
    pub claim_after: Duration,
    /// Deliveries in flight at once
    #[arg(long, value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub concurrency: u32,
    /// How long the app may take to answer one delivery
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = duration)]
    pub timeout: Duration,
    /// The waits between attempts, comma-separated; after the last, a dead letter
    #[arg(long, value_name = "LIST", default_value = "30s,2m,15m,1h,6h", value_parser = parse_schedule)]
    pub retry_schedule: Schedule,
    /// Multiply the retry schedule by F: 0.001 turns 30s into 30ms
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = parse_scale)]
    pub retry_scale: f64,
    /// Print one JSON line per attempt on stdout
    #[arg(long)]
    pub json: bool,
}

fn parse_store(text: &str) -> Result<StoreUrl, String> {
    StoreUrl::parse(text)
}

fn parse_route(text: &str) -> Result<Route, String> {
    Route::parse(text)
}

fn parse_schedule(text: &str) -> Result<Schedule, String> {
    Schedule::parse(text)
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

// How requests to an endpoint are made.
#[derive(Debug, Clone, Args)]
pub struct ConnectionArgs {
    /// The answer budget (the platform's is 5s): a slower answer is a failure,
    /// even a 2xx; after twice as long, no answer is a timeout. Connecting must
    /// also succeed within it. Examples: 5s, 300ms
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = duration)]
    pub timeout: Duration,
    /// Accept any TLS certificate, such as a self-signed one on your machine.
    /// The platform always checks certificates
    #[arg(long)]
    pub insecure: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = examples!(send_test),
    after_long_help = concat!("-v shows each request's line and headers and each answer's status, \
                       headers and first 2 KiB of body on stderr, secrets masked; -vv adds the \
                       request bodies.\n\n\
                       Exit codes: 0 every delivery went as the platform needs (2xx within the \
                       budget; a 4xx for --signature invalid or missing); 1 one did not, \
                       including an endpoint that accepted the connection but did not answer \
                       within the budget (too slow); 2 bad input; 3 the endpoint could not be \
                       connected to in time (refused, DNS failure, no TCP or TLS connection \
                       within the budget).", "\n\n", examples!(send_test))
)]
pub struct SendTestArgs {
    /// The events to send (all: one of each) [default: message.received]
    #[arg(value_name = "EVENT", value_parser = event_choice())]
    pub events: Vec<EventChoice>,
    /// The receiver's URL (the default is where `wm-hooks listen` listens)
    #[arg(long, value_name = "URL", default_value = DEFAULT_ENDPOINT)]
    pub to: String,
    #[command(flatten)]
    pub secret: SecretArgs,
    /// Set a field of the sample before signing: PATH is dotted (data.text.body),
    /// VALUE is JSON when it parses as JSON, else a string. The field must exist
    /// in one of the samples sent. Repeatable
    #[arg(long = "set", value_name = "PATH=VALUE", value_parser = Edit::parse)]
    pub set: Vec<Edit>,
    /// Like --set, but adds the field (and missing parent objects) when the
    /// sample lacks it; applied after every --set. Repeatable
    #[arg(long = "set-new", value_name = "PATH=VALUE", value_parser = new_edit)]
    pub set_new: Vec<Edit>,
    #[command(flatten)]
    pub sample: SampleArgs,
    /// The message text of message.received (sets data.text.body, or the first
    /// message's text.body under meta)
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Pack N updates (the events given, in turn) into one signed Meta
    /// delivery, spread over entries, changes and arrays as Meta batches them
    /// (needs --profile meta)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub batch: Option<u32>,
    /// Send this body byte for byte instead of a sample (- for stdin), at most 16 MiB.
    /// Repeatable: each file is one delivery, in order
    #[arg(long, value_name = "FILE", conflicts_with_all = ["events", "set", "set_new", "status", "text", "message_type", "reply", "template_status", "batch", "replay"])]
    pub payload_file: Vec<PathBuf>,
    /// Send every *.json file in DIR (each at most 16 MiB), byte for byte, in name
    /// order (a library's fixture folder); after any --payload-file
    #[arg(long, value_name = "DIR", conflicts_with_all = ["events", "set", "set_new", "status", "text", "message_type", "reply", "template_status", "batch", "replay"])]
    pub payload_dir: Option<PathBuf>,
    /// Send the bodies of the POSTs in a `listen --record` file, byte for byte,
    /// in order, each signed anew with the current secret (a file of at most
    /// 256 MiB, lines of at most 64 MiB, bodies of at most 16 MiB)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["events", "set", "set_new", "status", "text", "message_type", "reply", "template_status", "batch"])]
    pub replay: Option<PathBuf>,
    /// The signature to send: a forgery (invalid) or none (missing) must be
    /// refused with a 4xx
    #[arg(long, value_enum, value_name = "KIND", default_value_t = SignatureMode::Valid)]
    pub signature: SignatureMode,
    /// The header that carries the signature [default: the profile's:
    /// X-Signature-256, or X-Hub-Signature-256 under meta]
    #[arg(long, value_name = "NAME", value_parser = parse_header_name)]
    pub signature_header: Option<HeaderName>,
    /// Add a header to every request; it replaces a default header of the same
    /// name. Repeatable
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", value_parser = delivery::parse_header)]
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Deliver each event N times, byte for byte (the same message_id), as the platform may
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub duplicate: u32,
    /// Retry a failed delivery (non-2xx, too slow, no answer) on the platform's
    /// schedule: 30s, 2m, 15m, 1h, 6h
    #[arg(long)]
    pub retry: bool,
    /// Multiply the retry schedule by F: 0.001 turns 30s into 30ms
    #[arg(long, value_name = "F", default_value_t = 1.0, requires = "retry", value_parser = parse_scale)]
    pub retry_scale: f64,
    /// Send N events (samples get fresh ids; a payload file or a replay repeats)
    /// and print a summary with a progress bar on a terminal
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub count: Option<u64>,
    /// Send over C keep-alive connections at once
    #[arg(long, value_name = "C", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrency: u16,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Print the requests (body, headers, an equivalent curl command) and send nothing
    #[arg(long, conflicts_with_all = ["json", "retry"])]
    pub dry_run: bool,
    /// Print one JSON line per request and a summary line on stdout (the
    /// report format of check and verify; the text summary goes to stderr)
    #[arg(long)]
    pub json: bool,
}

/// An EVENT argument of send-test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventChoice {
    One(EventKind),
    All,
}

fn event_choice() -> impl TypedValueParser<Value = EventChoice> {
    let values = EventKind::value_variants()
        .iter()
        .filter_map(ValueEnum::to_possible_value)
        .chain([PossibleValue::new("all").help("One of each event")]);
    PossibleValuesParser::new(values)
        .map(|name| EventKind::from_name(&name).map_or(EventChoice::All, EventChoice::One))
}

#[derive(Debug, Args)]
#[command(
    after_help = examples!(verify),
    after_long_help = concat!("-v shows each request's line and headers and each answer's status, \
                       headers and first 2 KiB of body on stderr, the token masked.\n\n\
                       Exit codes: 0 every check passed; 1 one failed or was inconclusive, \
                       including an endpoint that accepted the connection but did not answer \
                       within the budget (too slow); 2 bad input; 3 the endpoint could not be \
                       connected to in time (refused, DNS failure, no TCP or TLS connection \
                       within the budget).", "\n\n", examples!(verify))
)]
pub struct VerifyArgs {
    /// The endpoint's URL (the default is where `wm-hooks listen` listens)
    #[arg(long, value_name = "URL", default_value = DEFAULT_ENDPOINT)]
    pub url: String,
    #[command(flatten)]
    pub secret: SecretArgs,
    #[command(flatten)]
    pub verify_token: VerifyTokenArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// The challenge to send [default: random]
    #[arg(long, value_name = "TEXT", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub challenge: Option<String>,
    /// Skip the negative probes (a wrong token and a wrong hub.mode must not
    /// get the challenge back)
    #[arg(long)]
    pub no_negative: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Print one JSON line per check and a summary line on stdout (the report
    /// format of check and send-test)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = examples!(check),
    after_long_help = concat!("Checks run in a fixed order over one keep-alive connection; `--list` \
                       names them and says why each matters. Each request waits for the budget \
                       (--timeout) and a late answer at least 2s more; after two requests in a \
                       row get no answer, the remaining checks are not sent. A check that a \
                       request is refused is inconclusive when the valid request it is compared \
                       with was refused too. -v shows each request and answer on stderr \
                       (secrets masked), -vv the request bodies too.\n\n\
                       Exit codes: 0 every required check passed; 1 one failed or was \
                       inconclusive, including an endpoint that accepted the connection but did \
                       not answer within the budget (too slow); 2 bad input; 3 the endpoint \
                       could not be connected to in time (refused, DNS failure, no TCP or TLS \
                       connection within the budget).",
        "\n\n",
        examples!(check)
    )
)]
pub struct CheckArgs {
    /// The endpoint's URL (the default is where `wm-hooks listen` listens)
    #[arg(long, value_name = "URL", default_value = DEFAULT_ENDPOINT)]
    pub url: String,
    #[command(flatten)]
    pub secret: SecretArgs,
    #[command(flatten)]
    pub verify_token: VerifyTokenArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// The header that carries the signature [default: the profile's:
    /// X-Signature-256, or X-Hub-Signature-256 under meta]
    #[arg(long, value_name = "NAME", value_parser = parse_header_name)]
    pub signature_header: Option<HeaderName>,
    /// Add a header to every request, the handshake's GETs included (a
    /// gateway's key, X-GitHub-Event); it replaces a default header of the
    /// same name. Repeatable
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", value_parser = delivery::parse_header)]
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Run only these checks: names (see --list) or groups (handshake,
    /// signature, signature.valid, tolerance), comma-separated or repeated
    #[arg(long, value_name = "NAME", num_args = 1.., value_delimiter = ',', value_parser = check_selector(), hide_possible_values = true)]
    pub only: Vec<String>,
    /// Do not run these checks: names or groups, comma-separated or repeated
    #[arg(long, value_name = "NAME", num_args = 1.., value_delimiter = ',', value_parser = check_selector(), hide_possible_values = true)]
    pub skip: Vec<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Print one JSON line per check and a summary line on stdout instead of
    /// the card (the report format of verify and send-test)
    #[arg(long)]
    pub json: bool,
    /// Also write the results as JUnit XML to FILE, for CI test reports
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// List the (selected) checks and what each is for; send nothing
    #[arg(long, conflicts_with_all = ["json", "junit"])]
    pub list: bool,
}

/// A check name or group for `--only` and `--skip`; the possible values make
/// clap list them on a typo and the completions offer them.
fn check_selector() -> PossibleValuesParser {
    PossibleValuesParser::new(
        crate::platform::conformance::selectors()
            .into_iter()
            .map(|(word, about)| PossibleValue::new(word).help(about)),
    )
}

fn parse_scale(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(f) if f > 0.0 && f <= 1.0 => Ok(f),
        _ => Err("must be a number more than 0 and at most 1 (such as 0.001)".into()),
    }
}

fn parse_header_name(text: &str) -> Result<HeaderName, String> {
    HeaderName::from_bytes(text.trim().as_bytes())
        .map_err(|_| format!("`{text}` is not a valid header name"))
}

fn new_edit(text: &str) -> Result<Edit, String> {
    Edit::parse(text).map(|edit| Edit {
        create: true,
        ..edit
    })
}

#[derive(Debug, Args)]
#[command(after_help = concat!("On a terminal, configure asks for every value not given (URL, secret, \
                        events, API key) and for confirmation. Elsewhere nothing is asked: a \
                        missing value is an error (exit 2).\n\n\
                        Exit codes: 0 registered, 1 the API refused it (bad key, invalid \
                        registration) or the confirmation was declined (nothing is sent), 2 bad \
                        or missing input (nothing is sent), 3 the API could not be reached \
                        (after 3 retries), 130 interrupted with Ctrl-C at a prompt.", "\n\n", examples!(configure)))]
pub struct ConfigureArgs {
    /// The webhook URL the platform will call; must be https://
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    #[command(flatten)]
    pub secret: SecretArgs,
    /// Generate a new secret (32 random bytes, hex) and show it once after saving
    /// (with --save-secret, write it there instead of showing it)
    #[arg(long, conflicts_with_all = ["secret", "secret_file"])]
    pub generate_secret: bool,
    /// Write the registered secret to FILE (mode 0600) once the API has saved it;
    /// an existing FILE is refused unless --force. --json then names FILE
    #[arg(long, value_name = "FILE")]
    pub save_secret: Option<PathBuf>,
    /// Let --save-secret replace an existing file
    #[arg(long, requires = "save_secret")]
    pub force: bool,
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
    /// Run the platform's handshake (as `wm-hooks verify` does) against the URL
    /// first, and register nothing when it would fail the platform's "Save & Verify"
    #[arg(long, conflicts_with = "generate_secret")]
    pub verify_first: bool,
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

/// A duration such as `30s`, `1500ms` or `2m`: more than zero and at most ten
/// minutes, since every wait this tool takes must end.
fn duration(text: &str) -> Result<Duration, String> {
    match humantime::parse_duration(text.trim()) {
        Ok(d) if d.is_zero() => Err("must be longer than zero".to_string()),
        Ok(d) if d > Duration::from_secs(600) => Err("must be at most 10m".to_string()),
        Ok(d) => Ok(d),
        Err(err) => Err(format!("{err} (examples: 30s, 1500ms, 2m)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
                let _ = parse_header_name(&text);
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
    }

    #[test]
    fn listen_defaults_and_conflicts() {
        let cli = Cli::try_parse_from(["wm-hooks", "listen"]).unwrap();
        let Command::Listen(args) = cli.command else {
            panic!()
        };
        assert_eq!(
            (args.receiver.host.as_str(), args.receiver.port),
            ("127.0.0.1", 8080)
        );
        assert_eq!(args.receiver.path, "/webhooks/whatsapp");
        assert_eq!(args.receiver.max_body, 1 << 20);
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

    fn send_test(args: &[&str]) -> Result<SendTestArgs, clap::Error> {
        let cli = Cli::try_parse_from(["wm-hooks", "send-test"].iter().chain(args))?;
        let Command::SendTest(args) = cli.command else {
            panic!()
        };
        Ok(*args)
    }

    #[test]
    fn send_test_defaults_and_events() {
        let args = send_test(&[]).unwrap();
        assert_eq!(args.to, DEFAULT_ENDPOINT);
        assert!(args.events.is_empty());
        assert_eq!(args.signature_header, None);
        assert_eq!(args.connection.timeout, Duration::from_secs(5));
        let args = send_test(&["all", "message.status"]).unwrap();
        assert_eq!(
            args.events,
            [EventChoice::All, EventChoice::One(EventKind::MessageStatus)]
        );
        assert!(send_test(&["message.sent"]).is_err());
    }

    #[test]
    fn send_test_flag_parsers() {
        let args = send_test(&["--timeout", "300ms", "--retry", "--retry-scale", "0.001"]).unwrap();
        assert_eq!(args.connection.timeout, Duration::from_millis(300));
        assert_eq!(args.retry_scale, 0.001);
        let args = send_test(&["--set-new", "data.x=1", "--set", "data.status=read"]).unwrap();
        assert!(args.set_new[0].create && !args.set[0].create);
        let args = send_test(&["--payload-file", "a", "--payload-file", "b"]).unwrap();
        assert_eq!(args.payload_file.len(), 2);
        let args = send_test(&["--profile", "meta", "--batch", "3", "--type", "image"]).unwrap();
        assert_eq!(args.profile.profile, Some(Profile::Meta));
        assert_eq!(args.batch, Some(3));
        assert_eq!(args.sample.message_type, Some(MessageType::Image));
        for bad in [
            &["--timeout", "0s"][..],
            &["--timeout", "soon"],
            &["--retry", "--retry-scale", "0"],
            &["--retry", "--retry-scale", "2"],
            &["--retry-scale", "0.1"],
            &["--count", "0"],
            &["--concurrency", "0"],
            &["--duplicate", "0"],
            &["--status", "seen"],
            &["--signature-header", "bad name"],
            &["--set", "nothing"],
            &["--payload-file", "f", "message.status"],
            &["--replay", "f", "--set", "a=1"],
            &["--dry-run", "--json"],
            &["--payload-file", "f", "--type", "image"],
            &["--payload-dir", "d", "--batch", "2"],
            &["--batch", "0"],
            &["--type", "telegram"],
            &["--profile", "whatsapp"],
        ] {
            assert!(send_test(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn verify_defaults() {
        let cli = Cli::try_parse_from(["wm-hooks", "verify", "--no-negative"]).unwrap();
        let Command::Verify(args) = cli.command else {
            panic!()
        };
        assert_eq!(
            (args.url.as_str(), args.no_negative),
            (DEFAULT_ENDPOINT, true)
        );
        assert!(Cli::try_parse_from(["wm-hooks", "verify", "--challenge", ""]).is_err());
    }

    #[test]
    fn check_selectors_are_names_or_groups() {
        let parse = |args: &[&str]| {
            let cli = Cli::try_parse_from(["wm-hooks", "check"].iter().chain(args))?;
            let Command::Check(args) = cli.command else {
                panic!()
            };
            Ok::<_, clap::Error>(args)
        };
        let args = parse(&[]).unwrap();
        assert_eq!(args.url, DEFAULT_ENDPOINT);
        assert!(args.only.is_empty() && args.skip.is_empty());
        assert_eq!(args.signature_header, None);
        let args = parse(&["--only", "handshake,budget", "--only", "signature.valid"]).unwrap();
        assert_eq!(args.only, ["handshake", "budget", "signature.valid"]);
        let args = parse(&["--skip", "tolerance", "idempotency"]).unwrap();
        assert_eq!(args.skip, ["tolerance", "idempotency"]);
        for bad in [
            &["--only", "signatures"][..],
            &["--skip", "signature.val"],
            &["--only"],
            &["--list", "--json"],
            &["--list", "--junit", "f"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
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
        assert!(duration("11m").is_err());
        assert_eq!(duration(" 1m 30s "), Ok(Duration::from_secs(90)));
        for bad in ["", "2", "-1s"] {
            assert!(duration(bad).is_err(), "{bad}");
        }
    }
}
