//! One file per subcommand, each with `run(args) -> Result<Outcome>`. This is
//! the only layer that prints; everything below it returns values.

pub mod check;
pub mod completions;
pub mod configure;
pub mod deliver;
pub mod events;
pub mod ingest;
pub mod listen;
pub mod send_test;
pub mod sign;
pub mod store;
pub mod verify;
pub mod verify_signature;

use hyper::header::HeaderName;

use crate::cli::{Command, ConnectionArgs, ProfileArgs, SampleArgs, SecretArgs, VerifyTokenArgs};
use crate::contract::events::EventKind;
use crate::contract::profile::{self, Profile};
use crate::contract::sample::catalog::{MessageType, Variant};
use crate::error::{Error, Outcome, Result};
use crate::http::sender::{Client, ClientOptions};
use crate::input::secret::{self, Secret, Source};
use crate::output;

/// Runs the chosen subcommand.
pub fn run(command: Command) -> Result<Outcome> {
    match command {
        Command::Sign(args) => sign::run(args),
        Command::VerifySignature(args) => verify_signature::run(args),
        Command::Listen(args) => listen::run(args),
        Command::Ingest(args) => ingest::run(*args),
        Command::Events(args) => events::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Configure(args) => configure::run(args),
        Command::SendTest(args) => send_test::run(*args),
        Command::Verify(args) => verify::run(args),
        Command::Check(args) => check::run(args),
        Command::Deliver(args) => deliver::run(*args),
        Command::Store(command) => store::run(command),
    }
}

/// Runs an async command on a single-threaded tokio runtime: on two cores a
/// current-thread runtime serves and sends faster than a multi-threaded one,
/// and commands that need no network never start one.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
        .block_on(future)
}

/// The webhook secret from `--secret-file`, `--secret` or `WM_HOOKS_SECRET`
/// (in that order of precedence), or `None` when none is given.
fn load_secret(args: &SecretArgs) -> Result<Option<Secret>> {
    secret::load_from(
        args.secret.as_deref(),
        args.secret_file.as_deref(),
        secret::ENV,
    )
}

/// Like [`load_secret`], but a missing secret is an input error.
fn require_secret(args: &SecretArgs) -> Result<Secret> {
    load_secret(args)?.ok_or_else(secret::missing)
}

/// The environment variable `--verify-token` reads when the flag is absent.
pub const VERIFY_TOKEN_ENV: &str = "WM_HOOKS_VERIFY_TOKEN";

/// The profile from `--profile`, else `WM_HOOKS_PROFILE`, else
/// startmessaging: the one place every command resolves it.
fn profile(args: &ProfileArgs) -> Result<Profile> {
    let env = std::env::var_os(profile::ENV);
    let text = env.as_ref().map(|v| v.to_string_lossy());
    Profile::resolve(args.profile, text.as_deref()).map_err(|why| {
        Error::input(why).with_hint(format!("unset {} or pass --profile", profile::ENV))
    })
}

/// The sample variant the flags pick (`events` and `send-test`).
fn variant(args: &SampleArgs) -> Result<Variant> {
    let mut variant = Variant::default();
    if let Some(message) = args.message_type {
        variant.message = message;
    }
    if let Some(reply) = args.reply {
        if variant.message != MessageType::Interactive {
            return Err(
                Error::input("--reply is the reply of an interactive message")
                    .with_hint("add --type interactive"),
            );
        }
        variant.reply = reply;
    }
    if let Some(status) = &args.status {
        variant = variant
            .with_status(status)
            .ok_or_else(|| Error::input(format!("--status {status} is not a message status")))?;
    }
    if let Some(template) = args.template_status {
        variant.template = template;
    }
    Ok(variant)
}

/// Whether any flag of [`SampleArgs`] was given.
fn variant_given(args: &SampleArgs) -> bool {
    args.message_type.is_some()
        || args.reply.is_some()
        || args.status.is_some()
        || args.template_status.is_some()
}

/// A variant flag for an event that is not among `kinds` is an input error:
/// it would change nothing.
fn variant_fits(args: &SampleArgs, kinds: &[EventKind]) -> Result<()> {
    let flags = [
        (
            args.message_type.is_some() || args.reply.is_some(),
            "--type and --reply",
            EventKind::MessageReceived,
        ),
        (args.status.is_some(), "--status", EventKind::MessageStatus),
        (
            args.template_status.is_some(),
            "--template-status",
            EventKind::TemplateStatus,
        ),
    ];
    for (given, flag, kind) in flags {
        if given && !kinds.contains(&kind) {
            return Err(Error::input(format!(
                "{flag} pick a sample of {kind}, which is not being used"
            ))
            .with_hint(format!("add {kind} to the events")));
        }
    }
    Ok(())
}

/// The signature header: the flag's, else the profile's.
fn signature_header(flag: Option<&HeaderName>, profile: Profile) -> HeaderName {
    flag.cloned().unwrap_or_else(|| {
        HeaderName::from_bytes(profile.signature_header().as_bytes())
            .expect("the profiles' header names are valid")
    })
}

/// The handshake's verify token from `--verify-token-file`, `--verify-token`
/// or `WM_HOOKS_VERIFY_TOKEN`, or `None` when none is given (the secret is
/// then the token).
fn load_verify_token(args: &VerifyTokenArgs) -> Result<Option<Secret>> {
    secret::load_from(
        args.verify_token.as_deref(),
        args.verify_token_file.as_deref(),
        VERIFY_TOKEN_ENV,
    )
}

/// The token a handshake is run with: the verify token when one is given,
/// else the webhook secret (the StartMessaging document's rule); warned about
/// when it was typed on the command line.
fn handshake_token(token: &VerifyTokenArgs, secret: &SecretArgs) -> Result<Secret> {
    match load_verify_token(token)? {
        Some(token) => {
            if token.source == Source::Flag {
                warn_visible(
                    "--verify-token",
                    &format!("{VERIFY_TOKEN_ENV} or --verify-token-file"),
                );
            }
            Ok(token)
        }
        None => {
            let secret = secret_or_saved(secret)?.ok_or_else(|| {
                secret::missing().with_hint(format!(
                    "the handshake's token is the webhook secret unless --verify-token \
                     or {VERIFY_TOKEN_ENV} gives another: set {} or --secret-file, or one of those",
                    secret::ENV
                ))
            })?;
            warn_if_on_command_line(&secret);
            Ok(secret)
        }
    }
}

/// For the commands that play the platform against a receiver (`send-test`,
/// `verify`, `check`): the secret given, else the one `wm-hooks listen` saved
/// on this machine, said in one line so a wrong one is easy to trace.
fn secret_or_saved(args: &SecretArgs) -> Result<Option<Secret>> {
    if let Some(given) = load_secret(args)? {
        return Ok(Some(given));
    }
    let Some(path) = secret::saved_path() else {
        return Ok(None);
    };
    let saved = secret::load_saved(&path)?;
    if saved.is_some() {
        output::note(format_args!(
            "secret: the one `wm-hooks listen` saved in {}",
            path.display()
        ));
    }
    Ok(saved)
}

/// Like [`secret_or_saved`], but a missing secret is an input error.
fn require_secret_or_saved(args: &SecretArgs) -> Result<Secret> {
    secret_or_saved(args)?.ok_or_else(|| {
        let err = secret::missing();
        let hint = format!(
            "{}; or start `wm-hooks listen` once on this machine: these commands then use the secret it saves",
            err.hint.as_deref().unwrap_or_default()
        );
        err.with_hint(hint)
    })
}

/// Warns once when a secret was typed on the command line, where `ps` and the
/// shell history see it.
fn warn_if_on_command_line(secret: &Secret) {
    if secret.source == Source::Flag {
        warn_visible("--secret", "WM_HOOKS_SECRET or --secret-file");
    }
}

/// The one warning for a secret value given as `flag`, naming what to use instead.
fn warn_visible(flag: &str, instead: &str) {
    output::warn(format_args!(
        "{flag} is visible to other users in the process list; prefer {instead}"
    ));
}

/// The client for `--timeout` and `--insecure`, with a warning for the latter.
fn client(args: &ConnectionArgs) -> Client {
    if args.insecure {
        output::warn(
            "--insecure: the endpoint's TLS certificate is not checked; the platform always checks it",
        );
    }
    Client::new(ClientOptions::with_budget(args.timeout, args.insecure))
}
