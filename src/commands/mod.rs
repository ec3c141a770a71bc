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

use crate::cli::{Command, ConnectionArgs, SecretArgs};
use crate::error::{Outcome, Result};
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
