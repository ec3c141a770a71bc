//! The arguments of the commands that play the platform against your endpoint
//! (`send-test`, `verify`, `check`) and register it with the StartMessaging API
//! (`configure`): how requests are made, which events and payloads are sent,
//! which checks run.

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, ValueEnum};
use hyper::header::{HeaderName, HeaderValue};

use super::{
    DEFAULT_ENDPOINT, ProfileArgs, SampleArgs, SecretArgs, VerifyTokenArgs, duration, mib,
    parse_scale, signature_header_name,
};
use crate::contract::events::EventKind;
use crate::contract::sample::Edit;
use crate::input::payload::MAX_HELD;
use crate::input::record_file;
use crate::platform::delivery::{self, SignatureMode};

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
                       within the budget); 130 interrupted by Ctrl-C or SIGTERM, which sends \
                       nothing more, lets the requests in flight finish (a second Ctrl-C cuts \
                       them) and prints the summary of what ran.", "\n\n", examples!(send_test))
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
    #[arg(long, value_name = "FILE", help = payload_file_help(), conflicts_with_all = ["events", "set", "set_new", "status", "text", "message_type", "reply", "template_status", "batch", "replay"])]
    pub payload_file: Vec<PathBuf>,
    #[arg(long, value_name = "DIR", help = payload_dir_help(), conflicts_with_all = ["events", "set", "set_new", "status", "text", "message_type", "reply", "template_status", "batch", "replay"])]
    pub payload_dir: Option<PathBuf>,
    #[arg(long, value_name = "FILE", help = replay_help(), conflicts_with_all = ["events", "set", "set_new", "status", "text", "message_type", "reply", "template_status", "batch"])]
    pub replay: Option<PathBuf>,
    /// The signature to send: a forgery (invalid) or none (missing) must be
    /// refused with a 4xx
    #[arg(long, value_enum, value_name = "KIND", default_value_t = SignatureMode::Valid)]
    pub signature: SignatureMode,
    /// The header that carries the signature [default: the profile's:
    /// X-Signature-256, or X-Hub-Signature-256 under meta]
    #[arg(long, value_name = "NAME", value_parser = signature_header_name)]
    pub signature_header: Option<HeaderName>,
    /// Add a header to every request; it replaces a default header of the same
    /// name, but not the signature header (--signature chooses what it carries).
    /// Repeatable. @FILE reads one `Name: value` a line from FILE, so a key
    /// need not be on the command line
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE|@FILE", value_parser = header_arg)]
    pub headers: Vec<HeaderArg>,
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

// The help of send-test's payload flags, with the limits the readers enforce
// (`MAX_HELD`, `record_file`'s), so that the two cannot drift apart.
fn payload_file_help() -> String {
    format!(
        "Send this body byte for byte instead of a sample (- for stdin), at most {} MiB. \
         Repeatable: each file is one delivery, in order",
        mib(MAX_HELD)
    )
}

fn payload_dir_help() -> String {
    format!(
        "Send every *.json file in DIR (each at most {} MiB), byte for byte, in name order \
         (a library's fixture folder); after any --payload-file",
        mib(MAX_HELD)
    )
}

fn replay_help() -> String {
    format!(
        "Send the bodies of the POSTs in a `listen --record` file, byte for byte, in order, \
         each signed anew with the current secret (a file of at most {} MiB, lines of at most \
         {} MiB, bodies of at most {} MiB)",
        mib(record_file::MAX_FILE),
        mib(record_file::MAX_LINE as u64),
        mib(MAX_HELD)
    )
}

/// A `-H` value: one header, or a file of them (`@FILE`, as curl reads it).
#[derive(Debug, Clone)]
pub enum HeaderArg {
    One(HeaderName, HeaderValue),
    File(PathBuf),
}

fn header_arg(text: &str) -> Result<HeaderArg, String> {
    match text.strip_prefix('@') {
        Some("") => Err("@ needs a file: -H @FILE reads one `Name: value` a line".to_string()),
        Some(path) => Ok(HeaderArg::File(PathBuf::from(path))),
        None => delivery::parse_header(text).map(|(name, value)| HeaderArg::One(name, value)),
    }
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

// The endpoint that verify and check run the handshake against, and what
// they need to run it: the URL, the secret, the verify token and the profile.
#[derive(Debug, Args)]
pub struct EndpointArgs {
    /// The endpoint's URL (the default is where `wm-hooks listen` listens)
    #[arg(long, value_name = "URL", default_value = DEFAULT_ENDPOINT)]
    pub url: String,
    #[command(flatten)]
    pub secret: SecretArgs,
    #[command(flatten)]
    pub verify_token: VerifyTokenArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
}

/// A `--challenge`: not empty, and no longer than a receiver must echo
/// (`wm-hooks listen` refuses a longer one; the platform's are short).
fn parse_challenge(text: &str) -> Result<String, String> {
    let max = crate::http::server::MAX_CHALLENGE;
    match text.len() {
        0 => Err("the challenge is empty".into()),
        n if n > max => Err(format!(
            "the challenge has {n} bytes, more than {max}: the platform's are short, and a \
             receiver may refuse a longer one (wm-hooks listen does)"
        )),
        _ => Ok(text.to_string()),
    }
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
                       within the budget); 130 interrupted by Ctrl-C or SIGTERM, which lets \
                       the probe in flight finish (a second Ctrl-C cuts it), marks the rest \
                       not sent and prints the report.", "\n\n", examples!(verify))
)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    /// The challenge to send, up to 256 bytes [default: random]
    #[arg(long, value_name = "TEXT", value_parser = parse_challenge)]
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
                       connection within the budget); 130 interrupted by Ctrl-C or SIGTERM, \
                       which lets the check in flight finish (a second Ctrl-C cuts it), marks \
                       the rest not run and writes the whole report.",
        "\n\n",
        examples!(check)
    )
)]
pub struct CheckArgs {
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    /// The header that carries the signature [default: the profile's:
    /// X-Signature-256, or X-Hub-Signature-256 under meta]
    #[arg(long, value_name = "NAME", value_parser = signature_header_name)]
    pub signature_header: Option<HeaderName>,
    /// Add a header to every request, the handshake's GETs included (a
    /// gateway's key, X-GitHub-Event); it replaces a default header of the
    /// same name. Repeatable. @FILE reads one `Name: value` a line from FILE,
    /// so a key need not be on the command line
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE|@FILE", value_parser = header_arg)]
    pub headers: Vec<HeaderArg>,
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
    #[arg(long, value_name = "FILE", value_parser = report_file)]
    pub junit: Option<PathBuf>,
    /// List the (selected) checks and what each is for; send nothing
    #[arg(long, conflicts_with_all = ["json", "junit"])]
    pub list: bool,
}

/// A file to write a report to: a URL there (`--junit http://…`, the file
/// forgotten or the endpoint given twice) is refused before anything is sent,
/// not found unwritable once the run is over.
fn report_file(text: &str) -> Result<PathBuf, String> {
    match text.contains("://") {
        true => Err("a URL is not a file to write the report to".to_string()),
        false => Ok(PathBuf::from(text)),
    }
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
                        or kept answering 5xx (after 3 retries), 130 interrupted with Ctrl-C at a prompt.", "\n\n", examples!(configure)))]
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
    // The doc is clap's help text, where the URL is shown as it reads.
    #[allow(rustdoc::bare_urls)]
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

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};
    use crate::contract::profile::Profile;
    use crate::contract::sample::catalog::MessageType;

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
            (args.endpoint.url.as_str(), args.no_negative),
            (DEFAULT_ENDPOINT, true)
        );
        assert!(Cli::try_parse_from(["wm-hooks", "verify", "--challenge", ""]).is_err());
        let longest = "c".repeat(256);
        assert!(Cli::try_parse_from(["wm-hooks", "verify", "--challenge", &longest]).is_ok());
        let error =
            Cli::try_parse_from(["wm-hooks", "verify", "--challenge", &format!("{longest}c")])
                .unwrap_err()
                .to_string();
        assert!(
            error.contains("the challenge has 257 bytes, more than 256"),
            "{error}"
        );
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
        assert_eq!(args.endpoint.url, DEFAULT_ENDPOINT);
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
            &["--junit", "https://ci.example/report.xml"],
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
}
