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
mod store_watch;
pub mod verify;
pub mod verify_signature;

use std::sync::Arc;

use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::cli::{Command, ConnectionArgs, ProfileArgs, SampleArgs, SecretArgs, VerifyTokenArgs};
use crate::contract::events::EventKind;
use crate::contract::profile::{self, Profile};
use crate::contract::redact::Redactor;
use crate::contract::sample::catalog::{MessageType, Variant};
use crate::error::{Error, Outcome, Result};
use crate::http::sender::{Client, ClientOptions, Endpoint, Exchange, Tap};
use crate::http::{status_text, title_case};
use crate::input;
use crate::input::secret::{self, Secret, Source};
use crate::output;
use crate::platform::handshake::{self, TokenKind};
use crate::store::StoreUrl;

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

/// A stop asked for, counted: by a signal (see [`Signals`]), or by a reader
/// that went away. 1 stops gracefully, 2 stops now.
type Stop = Arc<tokio::sync::watch::Sender<u32>>;

/// Ctrl-C and SIGTERM, caught: installed before a command's first line, so a
/// script that signals as soon as it reads it gets a clean stop and not the
/// default death. Needs the runtime of [`block_on`].
struct Signals {
    interrupt: Signal,
    terminate: Signal,
}

impl Signals {
    fn install() -> Result<Signals> {
        let install =
            |kind| signal(kind).map_err(|e| Error::failed(format!("cannot handle signals: {e}")));
        Ok(Signals {
            interrupt: install(SignalKind::interrupt())?,
            terminate: install(SignalKind::terminate())?,
        })
    }

    /// Counts every signal into `stop` until aborted: the first asks for a
    /// graceful stop, and `stopping` says so to the person; the next one for
    /// a stop now.
    fn watch(
        mut self,
        stop: Stop,
        stopping: impl Fn() + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                let received = tokio::select! {
                    got = self.interrupt.recv() => got,
                    got = self.terminate.recv() => got,
                };
                if received.is_none() {
                    return;
                }
                stop.send_modify(|asked| *asked += 1);
                if *stop.borrow() == 1 {
                    stopping();
                }
            }
        })
    }
}

/// Runs `work` on [`block_on`]'s runtime with Ctrl-C and SIGTERM counted
/// into the stop it is given ([`Signals::watch`]; `stopping` says what the
/// first one does): for the one-shot commands that report what ran when
/// stopped (`send-test`, `verify`, `check`).
fn block_on_stoppable<T, F>(
    stopping: impl Fn() + Send + 'static,
    work: impl FnOnce(tokio::sync::watch::Receiver<u32>) -> F,
) -> Result<T>
where
    F: std::future::Future<Output = Result<T>>,
{
    block_on(async {
        let signals = Signals::install()?;
        let stop: Stop = Arc::new(tokio::sync::watch::Sender::new(0));
        let signals = signals.watch(Arc::clone(&stop), stopping);
        let done = work(stop.subscribe()).await;
        signals.abort();
        done
    })
}

/// The webhook secret from `--secret-file`, `--secret` or `WM_HOOKS_SECRET`
/// (in that order of precedence), or `None` when none is given.
fn load_secret(args: &SecretArgs) -> Result<Option<Secret>> {
    let loaded = secret::load_from(
        secret::Flag {
            value: args.secret.as_deref(),
            name: "--secret",
        },
        args.secret_file.as_deref(),
        secret::ENV,
    )?;
    // Only a file that gave a secret is worth a warning about who can read it.
    if let Some(path) = &args.secret_file {
        warn_if_readable_by_others(path);
    }
    if let Some(loaded) = &loaded {
        warn_if_odd(loaded);
    }
    Ok(loaded)
}

/// Warns when a secret's bytes look like a mistake of how it was given
/// ([`secret::oddity`]), naming where it came from: it is used as it is,
/// since a secret may be anything.
fn warn_if_odd(secret: &Secret) {
    let names = ("--secret", secret::ENV);
    warn_if_odd_value(secret, "the secret", "the HMAC key", names);
}

/// `--forward-secret`, `--forward-secret-file` or WM_HOOKS_FORWARD_SECRET
/// (`listen --forward-to`, `deliver`), warned of when its bytes look odd.
fn load_forward_secret(
    value: Option<&str>,
    file: Option<&std::path::Path>,
) -> Result<Option<Secret>> {
    let env = listen::FORWARD_SECRET_ENV;
    let loaded = secret::load_from(
        secret::Flag {
            value,
            name: "--forward-secret",
        },
        file,
        env,
    )?;
    if let Some(loaded) = &loaded {
        warn_if_odd_value(
            loaded,
            "the forwarding secret",
            "the HMAC key",
            ("--forward-secret", env),
        );
    }
    Ok(loaded)
}

/// [`warn_if_odd`] for any secret value: `what` it is, what its bytes are
/// `part_of`, and the flag and variable (`names`) that say where it came from.
fn warn_if_odd_value(value: &Secret, what: &str, part_of: &str, (flag, env): (&str, &str)) {
    if let Some(oddity) = secret::oddity(value.bytes()) {
        let from = match value.source {
            Source::Flag => flag.to_string(),
            Source::File => format!("the file given with {flag}-file"),
            Source::Env => env.to_string(),
            other => other.origin(),
        };
        output::warn(format_args!(
            "{what} from {from} {oddity}, which is part of {part_of} as read: the platform's most \
             likely has none"
        ));
    }
}

/// Warns when a secret file can be read by other users (ssh refuses such
/// a key; a webhook secret is used anyway, but said).
fn warn_if_readable_by_others(path: &std::path::Path) {
    if let Some(mode) = secret::readable_by_others(path) {
        output::warn(format_args!(
            "{} can be read by other users (mode {mode:04o}): `chmod 600 {}` keeps the secret yours",
            path.display(),
            path.display()
        ));
    }
}

/// Like [`load_secret`], but a missing secret is an input error.
fn require_secret(args: &SecretArgs) -> Result<Secret> {
    load_secret(args)?.ok_or_else(secret::missing)
}

/// The `-H` headers, each `@FILE` read in its place.
fn extra_headers(args: &[crate::cli::HeaderArg]) -> Result<Vec<(HeaderName, HeaderValue)>> {
    let mut headers = Vec::new();
    for arg in args {
        match arg {
            crate::cli::HeaderArg::One(name, value) => headers.push((name.clone(), value.clone())),
            crate::cli::HeaderArg::File(path) => headers.extend(crate::input::headers::read(
                path,
                crate::platform::delivery::parse_header,
            )?),
        }
    }
    Ok(headers)
}

/// Refuses a `-H` that would set the signature header: `verb` signs each
/// delivery itself, and a delivery whose signature `-H` replaced is no longer
/// the correctly signed one it reports on. `how` says how it signs.
fn refuse_signature_in_headers(
    headers: &[(HeaderName, HeaderValue)],
    signature_header: &HeaderName,
    verb: &str,
    how: &str,
) -> Result<()> {
    if !headers.iter().any(|(name, _)| name == signature_header) {
        return Ok(());
    }
    Err(Error::input(format!(
        "-H cannot set {}: {verb} signs each delivery itself, {how}",
        crate::http::title_case(signature_header)
    ))
    .with_hint("--signature-header NAME chooses the header the signature goes in"))
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
/// it would change nothing. `hint` says how to bring that event in.
fn variant_fits(
    args: &SampleArgs,
    kinds: &[EventKind],
    hint: impl Fn(EventKind) -> String,
) -> Result<()> {
    let flags = [
        (
            args.message_type.is_some() || args.reply.is_some(),
            match (args.message_type.is_some(), args.reply.is_some()) {
                (true, true) => "--type and --reply pick",
                (true, false) => "--type picks",
                _ => "--reply picks",
            },
            EventKind::MessageReceived,
        ),
        (
            args.status.is_some(),
            "--status picks",
            EventKind::MessageStatus,
        ),
        (
            args.template_status.is_some(),
            "--template-status picks",
            EventKind::TemplateStatus,
        ),
    ];
    for (given, flag, kind) in flags {
        if given && !kinds.contains(&kind) {
            return Err(Error::input(format!(
                "{flag} a sample of {kind}, which is not being used"
            ))
            .with_hint(hint(kind)));
        }
    }
    Ok(())
}

/// A store to read or deliver from must exist: opening a mistyped SQLite
/// path would create an empty store and wait on it forever. `flag` is the
/// flag that names it (`--store`, `--from`); `ingest` alone creates stores.
fn require_existing_store(url: &StoreUrl, flag: &str) -> Result<()> {
    let StoreUrl::Sqlite(path) = url else {
        return Ok(());
    };
    // The file SQLite would open: a `file:` URI's path, not the URI.
    let file = crate::store::url::sqlite_file(path);
    if file.exists() {
        return Ok(());
    }
    Err(Error::input(format!(
        "no store at {url}: {} does not exist",
        file.display()
    ))
    .with_hint(format!(
        "give {flag} the store that ingest writes to (ingest's --store creates it)"
    )))
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
    let token = secret::load_token_from(
        secret::Flag {
            value: args.verify_token.as_deref(),
            name: "--verify-token",
        },
        args.verify_token_file.as_deref(),
        VERIFY_TOKEN_ENV,
    )?;
    if let Some(token) = &token {
        let names = ("--verify-token", VERIFY_TOKEN_ENV);
        warn_if_odd_value(token, "the verify token", "the token compared", names);
    }
    Ok(token)
}

/// The token a handshake is run with, and which it is: the verify token when
/// one is given (warned about when it was typed on the command line), else the
/// webhook secret that `secret` loads (the StartMessaging document's rule).
fn handshake_token(
    token: &VerifyTokenArgs,
    secret: impl FnOnce() -> Result<Secret>,
) -> Result<(Secret, TokenKind)> {
    match load_verify_token(token)? {
        Some(token) => {
            warn_if_verify_token_visible(&token);
            Ok((token, TokenKind::VerifyToken))
        }
        None => Ok((secret()?, TokenKind::Secret)),
    }
}

/// The endpoint of a command that plays the platform's handshake (`verify`,
/// `check`, `configure`): `url` as given, which deliveries are sent to, as
/// the platform sends them to the URL registered. Its own parameters of the
/// handshake (a URL copied from a log of one has them) are replaced in each
/// GET ([`Endpoint::with_query`]), with a warning naming them, and are never
/// shown, nor are their values (`hub.verify_token` is a secret).
fn handshake_endpoint(url: &str) -> Result<Endpoint> {
    let endpoint = Endpoint::parse(url)?;
    let own = endpoint.query_has(&handshake::PARAMETERS);
    if !own.is_empty() {
        output::warn(format_args!(
            "the URL's own {} left out: the handshake sends its own, as the platform does",
            match own.as_slice() {
                [one] => format!("{one} is"),
                many => format!("{} are", many.join(", ")),
            }
        ));
    }
    Ok(endpoint.shown_without(&handshake::PARAMETERS))
}

/// The webhook secret as the handshake's token, for a command that needs the
/// secret for nothing else (`verify`): given or saved, else an error that says
/// a verify token would do too; warned about when typed on the command line.
fn secret_as_token(args: &SecretArgs) -> Result<Secret> {
    let secret = secret_or_saved(args)?.ok_or_else(|| {
        secret::missing().with_hint(format!(
            "the handshake's token is the webhook secret unless --verify-token \
             or {VERIFY_TOKEN_ENV} gives another: set {} or --secret-file, or one of those",
            secret::ENV
        ))
    })?;
    warn_if_on_command_line(&secret);
    Ok(secret)
}

/// The warning for a verify token typed on the command line.
fn warn_if_verify_token_visible(token: &Secret) {
    if token.source == Source::Flag {
        warn_visible(
            "--verify-token",
            &format!("{VERIFY_TOKEN_ENV} or --verify-token-file"),
        );
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
    if let Some(saved) = &saved {
        warn_if_readable_by_others(&path);
        warn_if_odd(saved);
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

/// The store from `flag` (named so in the warning), else the environment's:
/// a password in the flag's URL is warned of as `--secret` is.
fn store_url(flag: Option<&crate::store::StoreUrl>, name: &str) -> Result<crate::store::StoreUrl> {
    if flag.is_some_and(|url| url.has_password()) {
        warn_visible(
            &format!("a password in {name}"),
            &format!("{} (the whole URL)", crate::store::STORE_ENV),
        );
    }
    crate::store::resolve(flag)
}

/// The one warning for a secret value given as `flag`, naming what to use instead.
fn warn_visible(flag: &str, instead: &str) {
    output::warn(format_args!(
        "{flag} is visible to other users in the process list; prefer {instead}"
    ));
}

/// Refuses an output file (`flag`'s `output`) that is one of the files the
/// command reads (`inputs`, each with its flag): writing a report over the
/// secret file would destroy it, and appending records to it would change
/// the secret the next run reads. The same file by any path (a link, `./`).
fn refuse_output_over_input(
    output: Option<&std::path::Path>,
    flag: &str,
    inputs: &[(Option<&std::path::Path>, &str)],
) -> Result<()> {
    let Some(output) = output else {
        return Ok(());
    };
    let read = inputs.iter().find_map(|(input, input_flag)| {
        input
            .filter(|i| input::same_file(output, i))
            .map(|_| input_flag)
    });
    match read {
        None => Ok(()),
        Some(input_flag) => Err(Error::input(format!(
            "{flag} {} is the file {input_flag} reads: writing it would destroy what it holds",
            output.display()
        ))
        .with_hint(format!("give {flag} a file of its own"))),
    }
}

/// The files a command reads the webhook secret and the verify token from,
/// each with its flag, for [`refuse_output_over_input`]; `saved` is the
/// saved secret's path.
fn secret_files<'a>(
    secret: &'a SecretArgs,
    token: &'a VerifyTokenArgs,
    saved: Option<&'a std::path::Path>,
) -> Vec<(Option<&'a std::path::Path>, &'static str)> {
    vec![
        (secret.secret_file.as_deref(), "--secret-file"),
        (saved, "the saved secret"),
        (token.verify_token_file.as_deref(), "--verify-token-file"),
    ]
}

/// `endpoint` as it is shown, with `secrets` hidden wherever they stand in
/// its URL (a `?key=SECRET` put there): in every line, `--json` and
/// `--junit` field that names it.
fn hiding(endpoint: Endpoint, secrets: &[&Secret]) -> Endpoint {
    endpoint.hiding(Redactor::new(secrets.iter().map(|s| s.bytes())))
}

/// The client for `--timeout` and `--insecure`, with a warning for the
/// latter. Its answers never show `secrets` (the first is the one its
/// requests are signed with), nor `endpoint`'s credentials (the URL's
/// password, and the Basic token made of it): an endpoint may echo the
/// request it got, `hub.verify_token`, `Authorization` and all. Under `-v`
/// it shows every exchange on stderr, the same way.
fn client(args: &ConnectionArgs, secrets: &[&Secret], endpoint: &Endpoint) -> Client {
    if args.insecure {
        output::warn(
            "--insecure: the endpoint's TLS certificate is not checked; the platform always checks it",
        );
    }
    let credentials = endpoint.credentials();
    let hidden = secrets.iter().map(|s| s.bytes());
    let redactor = Redactor::new(hidden.chain(credentials.iter().map(Vec::as_slice)));
    let tap = (output::verbose() > 0).then(|| exchange_tap(secrets.first().copied()));
    Client::new(ClientOptions::with_budget(args.timeout, args.insecure))
        .with_tap(tap)
        .with_redactor(redactor)
}

/// How much of a body `-v` shows.
const SHOWN_BODY: usize = 2048;

/// `-v`: each request's line and headers (`>`), each answer's status,
/// headers and the first 2 KiB of its body (`<`), on stderr; `-vv` adds the
/// request bodies. The secret is masked wherever it would appear: a header
/// value, or the handshake's `hub.verify_token`; what the answer holds of the
/// client's secrets is redacted ([`Answer::redactor`](crate::http::sender::Answer)).
fn exchange_tap(secret: Option<&Secret>) -> Tap {
    let secret = secret.map(|s| String::from_utf8_lossy(s.bytes()).into_owned());
    let bodies = output::verbose() > 1;
    Arc::new(move |exchange: Exchange<'_>| {
        let secret = secret.as_deref();
        let mut lines = Vec::new();
        let headers = |lines: &mut Vec<String>, mark: char, map: &HeaderMap, hide: &Redactor| {
            for (name, value) in map {
                let (shown, _) = shown_value(name, value, secret);
                lines.push(format!(
                    "{mark} {}: {}",
                    title_case(name),
                    output::escape(&hide.text(&shown))
                ));
            }
        };
        let body =
            |lines: &mut Vec<String>, mark: char, bytes: &[u8], len: u64, hide: &Redactor| {
                if len == 0 {
                    return;
                }
                let cut = &bytes[..bytes.len().min(SHOWN_BODY)];
                let more = match len > cut.len() as u64 {
                    true => format!("… ({len} bytes)"),
                    false => String::new(),
                };
                lines.push(format!("{mark}"));
                lines.push(format!(
                    "{mark} {}{more}",
                    output::escape_bytes(&hide.bytes(cut))
                ));
            };
        match exchange {
            Exchange::Request(request, bytes) => {
                lines.push(format!(
                    "> {} {} HTTP/1.1",
                    request.method(),
                    masked_target(request.uri(), secret)
                ));
                headers(&mut lines, '>', request.headers(), &Redactor::default());
                if bodies {
                    body(
                        &mut lines,
                        '>',
                        bytes,
                        bytes.len() as u64,
                        &Redactor::default(),
                    );
                }
            }
            Exchange::Resent(failure) => lines.push(format!(
                "* {}: sending it again on a new connection",
                output::escape(&failure.detail)
            )),
            Exchange::Answer(Ok(answer)) => {
                lines.push(format!(
                    "< {}  ({})",
                    status_text(answer.status),
                    output::latency(answer.latency)
                ));
                headers(&mut lines, '<', &answer.headers, &answer.redactor);
                body(
                    &mut lines,
                    '<',
                    &answer.body,
                    answer.body_len,
                    &answer.redactor,
                );
            }
            Exchange::Answer(Err(failure)) => {
                lines.push(format!("< no answer: {}", output::escape(&failure.detail)));
            }
        }
        for line in lines {
            output::eprintln(line);
        }
    })
}

/// A request target with `hub.verify_token` (the secret, or a wrong token
/// that looks like one) or any other query value equal to the secret masked.
fn masked_target(uri: &hyper::Uri, secret: Option<&str>) -> String {
    let Some(query) = uri.query() else {
        return output::escape(uri.path()).into_owned();
    };
    let decode = decoded;
    let parts: Vec<String> = query
        .split('&')
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            let value = decode(value);
            let hide = decode(name) == "hub.verify_token" || secret.is_some_and(|s| value == s);
            match hide {
                true => format!("{name}={}", secret::mask(&value)),
                false => part.to_string(),
            }
        })
        .collect();
    output::escape(&format!("{}?{}", uri.path(), parts.join("&"))).into_owned()
}

/// One query component, `+` and `%XX` decoded (by the URL parser reqwest uses).
fn decoded(component: &str) -> String {
    reqwest::Url::parse(&format!("http://x/?{component}"))
        .ok()
        .and_then(|url| url.query_pairs().next().map(|(name, _)| name.into_owned()))
        .unwrap_or_default()
}

/// A header value for display: credentials and the secret are masked.
pub(crate) fn shown_value(
    name: &HeaderName,
    value: &HeaderValue,
    secret: Option<&str>,
) -> (String, bool) {
    let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
    let credential = [
        header::AUTHORIZATION,
        header::PROXY_AUTHORIZATION,
        header::COOKIE,
    ]
    .contains(name)
        || name.as_str() == "x-api-key"
        || secret.is_some_and(|s| text.contains(s));
    if credential {
        // `Bearer sk_live_…cdef`: the scheme is no secret. Basic's base64
        // ends in the password's own last characters: none of it is shown.
        let shown = match text.split_once(' ') {
            Some((scheme, _)) if scheme.eq_ignore_ascii_case("basic") => format!("{scheme} ****"),
            Some((scheme, token))
                if !scheme.is_empty() && scheme.bytes().all(|b| b.is_ascii_alphabetic()) =>
            {
                format!("{scheme} {}", secret::mask(token))
            }
            _ => secret::mask(&text),
        };
        (shown, true)
    } else {
        (text, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_masked_in_dry_runs() {
        let auth = HeaderValue::from_static("Bearer sk_live_1234567890abcdef");
        assert_eq!(
            shown_value(&header::AUTHORIZATION, &auth, None),
            ("Bearer sk_live_…cdef".to_string(), true)
        );
        let plain = HeaderValue::from_static("hello");
        assert_eq!(
            shown_value(&HeaderName::from_static("x-env"), &plain, Some("topsecret")),
            ("hello".to_string(), false)
        );
        let leaked = HeaderValue::from_static("topsecret-value");
        assert!(
            shown_value(
                &HeaderName::from_static("x-env"),
                &leaked,
                Some("topsecret")
            )
            .1
        );
    }

    #[test]
    fn basic_auth_is_masked_whole() {
        let basic = HeaderValue::from_static("Basic dXNlcjpwYTU1d29yZHBhNTV3b3Jk");
        assert_eq!(
            shown_value(&header::AUTHORIZATION, &basic, None),
            ("Basic ****".to_string(), true)
        );
    }

    #[test]
    fn the_verify_token_is_masked_in_the_exchange() {
        let uri: hyper::Uri =
            "/h?hub.mode=subscribe&hub.verify_token=s3cret%26token%3Dx+y%2F%C3%A9&x=1"
                .parse()
                .unwrap();
        let shown = masked_target(&uri, Some("s3cret&token=x y/é"));
        assert_eq!(shown, "/h?hub.mode=subscribe&hub.verify_token=… y/é&x=1");
        let uri: hyper::Uri = "/h?a=topsecretvalue".parse().unwrap();
        assert_eq!(masked_target(&uri, Some("topsecretvalue")), "/h?a=****");
        let plain: hyper::Uri = "/h".parse().unwrap();
        assert_eq!(masked_target(&plain, None), "/h");
    }
}
