//! `wm-hooks configure`: registers the webhook with `PUT /v1/webhooks`. Values
//! come from flags and the environment; on a terminal the missing ones are asked
//! for (`prompt`), anywhere else they are an error naming the flag. Every given
//! value is checked before anything is asked or sent. The API key and the secret
//! are shown only masked, except a generated secret, shown once after it is saved.

mod prompt;
mod urls;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::time::Duration;

use reqwest::Url;

use crate::cli::ConfigureArgs;
use crate::contract::events::EventKind;
use crate::contract::redact::{self, Redactor};
use crate::error::{Error, Outcome, Result};
use crate::http::client;
use crate::http::sender::{Client, ClientOptions};
use crate::input::secret::{self, Secret, Source};
use crate::output;
use crate::platform::api::{self, Api, ApiError, ApiKey, Registration, Retry, Saved};
use crate::platform::handshake;

use urls::{api_base, parse_webhook_url, warn_if_no_path, webhook_url};

/// How long the platform waits for the handshake's answer.
const PLATFORM_BUDGET: Duration = Duration::from_secs(5);

/// Overrides the first retry wait (e.g. `5ms`): the tests' way to exercise the
/// retries without waiting seconds. Deliberately not in `--help`.
const RETRY_BASE_ENV: &str = "WM_HOOKS_RETRY_BASE";

const HTTPS_HINT: &str = "the platform only calls HTTPS endpoints: expose a receiver on this \
                          machine through a tunnel (e.g. cloudflared or ngrok) and register the \
                          tunnel's https:// address";

pub fn run(args: ConfigureArgs) -> Result<Outcome> {
    let env = |name: &str| std::env::var_os(name);
    let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();

    // Everything given is checked before anything is asked or sent.
    let base = match from_flag_or_env(args.api_url.as_deref(), api::URL_ENV, &env)? {
        Some((text, _)) => api_base(&text)?,
        None => Url::parse(api::DEFAULT_BASE).expect("the default API URL parses"),
    };
    let key = match from_flag_or_env(args.api_key.as_deref(), api::KEY_ENV, &env)? {
        Some((text, origin)) => Some(api_key(&text, origin)?),
        None => None,
    };
    let url = args.url.as_deref().map(webhook_url).transpose()?;
    let secret = if args.generate_secret {
        Some(Secret::generate())
    } else {
        super::load_secret(&args.secret)?
    };
    if let Some(secret) = &secret {
        secret.to_text()?;
        super::warn_if_on_command_line(secret);
    }
    let events = (!args.events.is_empty()).then(|| event_selection(&args.events));
    let retry_base = retry_base(&env)?;
    if let Some(path) = &args.save_secret {
        save_target(path, args.force)?;
    }

    if !terminal {
        require(url.is_some(), secret.is_some(), key.is_some())?;
    } else {
        prompt::restore_terminal_on_interrupt();
    }
    let url = url.map_or_else(prompt::prompt_url, Ok)?;
    warn_if_no_path(&url);
    let secret = secret.map_or_else(prompt::prompt_secret, Ok)?;
    let events = match events {
        Some(events) => events,
        None if terminal => prompt::prompt_events()?,
        None => EventKind::ALL.to_vec(),
    };
    let key = key.map_or_else(prompt::prompt_api_key, Ok)?;

    let registration = Registration::new(url, secret, events)?;
    let mut api = Api::new(&base, key);
    api.timeout = args.timeout;
    if let Some(base) = retry_base {
        api.backoff.base = base;
    }

    if args.verify_first {
        if args.dry_run {
            output::note("dry run: --verify-first skipped, nothing is sent");
        } else if !verify_first(&registration)? {
            output::fail(
                "the endpoint would fail the platform's \"Save & Verify\": nothing was registered",
            );
            return Ok(Outcome::Failure);
        }
    }
    if args.dry_run {
        output::println(curl(&api, &registration))?;
        output::note("dry run: nothing was sent");
        return Ok(Outcome::Success);
    }
    if terminal && !args.yes {
        output::eprintln(summary(&api, &registration));
        if !prompt::confirm("Register this webhook?")? {
            output::fail("cancelled: nothing was sent (exit 1)");
            return Ok(Outcome::Failure);
        }
    }
    if output::verbose() > 0 {
        output::note(format_args!("sending:\n{}", curl(&api, &registration)));
    }
    // Written before the request and moved into place after it succeeds:
    // a secret the platform holds is never one this machine failed to keep.
    let pending = match &args.save_secret {
        Some(path) => Some(secret::Pending::stage(
            registration.secret(),
            path,
            args.force,
        )?),
        None => None,
    };
    let saved = super::block_on(api.put_webhook(&registration, report_retry))
        .map_err(|err| api_error(err, &api))?;
    let saved_to = match pending {
        Some(pending) => {
            if let Err(err) = pending.commit() {
                // Registered, but not kept: this is the last chance to see it.
                show_generated(registration.secret());
                return Err(err);
            }
            args.save_secret.as_deref()
        }
        None => None,
    };
    report_saved(&registration, &saved, args.json, saved_to)?;
    Ok(Outcome::Success)
}

/// `--save-secret FILE` checked before anything is asked or sent: an existing
/// file only with `--force`, never a folder or a device (the secret is moved
/// into place over it once the API saved it: too late to fail then), and a
/// folder that exists.
fn save_target(path: &std::path::Path, force: bool) -> Result<()> {
    if let Ok(found) = std::fs::symlink_metadata(path) {
        let kind = found.file_type();
        if kind.is_dir() {
            return Err(Error::input(format!(
                "--save-secret takes a file to write, and {} is a folder",
                path.display()
            ))
            .with_hint(format!(
                "name a file in it: --save-secret {}",
                path.join("webhook-secret").display()
            )));
        }
        if !kind.is_file() && !kind.is_symlink() {
            return Err(Error::input(format!(
                "--save-secret takes a regular file, and {} is not one",
                path.display()
            )));
        }
    }
    if path.exists() && !force {
        return Err(Error::input(format!(
            "{} exists: --save-secret does not replace a file",
            path.display()
        ))
        .with_hint("add --force to replace it, or choose another path"));
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if dir.is_some_and(|d| !d.is_dir()) {
        return Err(Error::input(format!(
            "cannot save the secret in {}: its folder does not exist",
            path.display()
        )));
    }
    Ok(())
}

/// A generated secret in full, on stderr even under --quiet: the only copy.
fn show_generated(secret: &Secret) {
    if secret.source == Source::Generated {
        output::eprintln(format_args!(
            "  secret: {}",
            String::from_utf8_lossy(secret.bytes())
        ));
        output::eprintln(format_args!(
            "  store this secret now (e.g. as {} where your receiver runs): it is not shown again",
            secret::ENV
        ));
    }
}

/// Runs the handshake `wm-hooks verify` runs, with the platform's 5 s budget
/// and certificate checks, and shows its checks on stderr. The negative probes
/// are left to `verify`: the platform's "Save & Verify" does not send them.
fn verify_first(registration: &Registration) -> Result<bool> {
    let endpoint = super::handshake_endpoint(registration.url().as_str())?;
    // The platform's own handshake: the secret is the token.
    let token = handshake::Token {
        value: registration.secret().to_text()?,
        kind: handshake::TokenKind::Secret,
    };
    let hidden = Redactor::new([registration.secret().bytes()]);
    let client =
        Client::new(ClientOptions::with_budget(PLATFORM_BUDGET, false)).with_redactor(hidden);
    let options = handshake::Options {
        challenge: None,
        negative: false,
    };
    // Not stopped by a signal: Ctrl-C here ends configure as it always has.
    let never = tokio::sync::watch::Sender::new(0);
    let report = super::block_on(handshake::check(
        &client,
        &endpoint,
        token,
        &options,
        never.subscribe(),
    ))?;
    for line in super::verify::report_lines(&report) {
        output::note(line);
    }
    Ok(report.passed())
}

/// Where a value came from: only the command line is visible to other users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Flag,
    Env,
}

/// The flag's value, else the environment variable's. A variable that is set
/// but empty is a mistake worth stopping for, as for `WM_HOOKS_SECRET`.
fn from_flag_or_env(
    flag: Option<&str>,
    name: &str,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Result<Option<(String, Origin)>> {
    if let Some(value) = flag {
        return Ok(Some((value.to_string(), Origin::Flag)));
    }
    match env(name) {
        None => Ok(None),
        Some(value) if value.is_empty() => Err(Error::input(format!("{name} is set but empty"))
            .with_hint("unset it, or give it a value")),
        Some(value) => value
            .into_string()
            .map(|text| Some((text, Origin::Env)))
            .map_err(|_| Error::input(format!("{name} is not valid UTF-8"))),
    }
}

fn api_key(text: &str, origin: Origin) -> Result<ApiKey> {
    let from = match origin {
        Origin::Flag => "--api-key",
        Origin::Env => api::KEY_ENV,
    };
    let key = ApiKey::new(text).ok_or_else(|| {
        Error::input(format!(
            "the API key from {from} is empty or has spaces or control characters"
        ))
    })?;
    if origin == Origin::Flag {
        super::warn_visible("--api-key", api::KEY_ENV);
    }
    Ok(key)
}

/// The events to register: each once, in the order given; all of them when none is.
pub fn event_selection(given: &[EventKind]) -> Vec<EventKind> {
    if given.is_empty() {
        return EventKind::ALL.to_vec();
    }
    let mut chosen = Vec::with_capacity(given.len());
    for &event in given {
        if !chosen.contains(&event) {
            chosen.push(event);
        }
    }
    chosen
}

fn retry_base(env: &dyn Fn(&str) -> Option<OsString>) -> Result<Option<Duration>> {
    let Some(value) = env(RETRY_BASE_ENV) else {
        return Ok(None);
    };
    value
        .to_str()
        .and_then(|text| humantime::parse_duration(text).ok())
        .map(Some)
        .ok_or_else(|| Error::input(format!("{RETRY_BASE_ENV} is not a duration such as 250ms")))
}

/// Without a terminal nothing is asked: every missing value is named at once,
/// with the flag and the variable that give it.
fn require(url: bool, secret: bool, key: bool) -> Result<()> {
    let missing: Vec<&str> = [
        (url, "the webhook URL (--url URL)"),
        (
            secret,
            "the webhook secret (WM_HOOKS_SECRET, --secret-file PATH, --generate-secret or --secret)",
        ),
        (key, "the API key (WM_HOOKS_API_KEY or --api-key)"),
    ]
    .into_iter()
    .filter_map(|(given, what)| (!given).then_some(what))
    .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::input(format!("missing {}", missing.join(", ")))
        .with_hint("configure asks for missing values only when stdin and stderr are a terminal; in CI give them as flags or environment variables"))
}

/// The request as a curl command, with the key and the secret masked: what
/// `--dry-run` prints and `-v` shows before sending.
fn curl(api: &Api, registration: &Registration) -> String {
    let quote = |text: &str| format!("'{}'", text.replace('\'', r"'\''"));
    format!(
        "curl -X PUT {} \\\n  -H {} \\\n  -H {} \\\n  -H {} \\\n  --data {}",
        quote(&redact::url(api.endpoint())),
        quote(&format!("Authorization: Bearer {}", api.key().masked())),
        quote("Content-Type: application/json"),
        quote(&format!("User-Agent: {}", client::USER_AGENT)),
        quote(&registration.masked_body().to_string()),
    )
}

/// What is about to be sent, for the confirmation on a terminal.
fn summary(api: &Api, registration: &Registration) -> String {
    let secret = registration.secret();
    let secret_line = match secret.source {
        Source::Generated => "a new one, shown in full once it is saved".to_string(),
        Source::Flag => format!("{} (from --secret)", secret.masked()),
        Source::Env => format!("{} (from {})", secret.masked(), secret::ENV),
        Source::File => format!("{} (from --secret-file)", secret.masked()),
        Source::Prompt => format!("{} (typed)", secret.masked()),
        Source::Saved => format!("{} (the one `wm-hooks listen` saved)", secret.masked()),
    };
    format!(
        "About to register:\n  url:     {}\n  events:  {}\n  secret:  {secret_line}\n  API:     PUT {} (key {})",
        redact::url(registration.url()),
        names(registration.events()),
        redact::url(api.endpoint()),
        api.key().masked(),
    )
}

fn names(events: &[EventKind]) -> String {
    let names: Vec<&str> = events.iter().map(|e| e.name()).collect();
    names.join(", ")
}

fn report_retry(retry: &Retry) {
    let asked = if retry.asked {
        ", as the API asked (Retry-After)"
    } else {
        ""
    };
    output::warn(format_args!(
        "{}; retry {} of {} in {}{asked}",
        output::escape(&retry.failure.to_string()),
        retry.number,
        retry.of,
        short(retry.wait),
    ));
}

/// `850ms`, `2.4s`: a wait as people read it.
fn short(wait: Duration) -> String {
    if wait < Duration::from_secs(1) {
        format!("{}ms", wait.as_millis())
    } else {
        format!("{:.1}s", wait.as_secs_f64())
    }
}

fn api_error(err: ApiError, api: &Api) -> Error {
    let message = output::escape(&err.to_string()).into_owned();
    match err {
        ApiError::Rejected { .. } => Error::failed(message).with_hint(format!(
            "check {} (or --api-key): it must be a valid key for {}",
            api::KEY_ENV,
            redact::url(api.endpoint())
        )),
        ApiError::Refused {
            status: 404 | 405, ..
        } => Error::failed(message).with_hint(format!(
            "the request went to {}: is --api-url the API's base URL?",
            redact::url(api.endpoint())
        )),
        ApiError::Refused { .. } => Error::failed(message),
        ApiError::Redirected { .. } => Error::failed(message).with_hint(
            "check --api-url: the key is never sent on to another address, so give the final one",
        ),
        ApiError::CutShort { .. } => Error::failed(message).with_hint(
            "the API may have saved it all the same: run configure again (registering is a PUT, \
             so repeating it is safe), with a longer --timeout if the answer was slow",
        ),
        ApiError::NotJson { .. } => Error::failed(message).with_hint(format!(
            "the request went to {}: is --api-url the API's base URL (not a web page, a proxy's \
             login page, or a mock that answers anything)?",
            api.endpoint()
        )),
        // The API answered, but kept failing (5xx: exit 3, as CLI.md has
        // it, the API could not be got through to) or asked to come back
        // later (429: it refused, for now).
        ApiError::GaveUp {
            last: api::Failure::Status(status, _),
            ..
        }
        | ApiError::WaitTooLong {
            failure: api::Failure::Status(status, _),
            ..
        } => {
            let hint = "the API is failing or busy: try again later";
            match status {
                500..=599 => Error::unreachable(message).with_hint(hint),
                _ => Error::failed(message).with_hint(hint),
            }
        }
        ApiError::WaitTooLong { .. } => Error::failed(message),
        ApiError::GaveUp { .. } => Error::unreachable(message)
            .with_hint("check the network and --api-url, then try again later"),
        ApiError::Client(_) => Error::failed(message),
    }
}

fn report_saved(
    registration: &Registration,
    saved: &Saved,
    json: bool,
    saved_to: Option<&std::path::Path>,
) -> Result<()> {
    if json {
        // No JSON from the API (a 204): what was saved, the secret left out.
        let mut answer = saved.answer.clone().unwrap_or_else(|| {
            let events: Vec<&str> = registration.events().iter().map(|e| e.name()).collect();
            serde_json::json!({ "url": redact::url(registration.url()), "events": events })
        });
        // Where the secret went, never the secret: a script reads it from there.
        if let (Some(path), Some(object)) = (saved_to, answer.as_object_mut()) {
            object.insert("secret_file".into(), path.display().to_string().into());
        }
        // One line, as every other --json output.
        output::println(serde_json::to_string(&answer).expect("JSON values serialise"))?;
    }
    let retried = match saved.attempts {
        1 => String::new(),
        n => format!(" (after {n} attempts)"),
    };
    output::ok(format_args!(
        "webhook registered{retried}: {}",
        redact::url(registration.url())
    ));
    output::note(format_args!("  events: {}", names(registration.events())));
    let secret = registration.secret();
    match saved_to {
        Some(path) => output::note(format_args!(
            "  secret: saved in {} (mode 0600)",
            path.display()
        )),
        None => show_generated(secret),
    }
    if output::verbose() > 0 {
        output::note(format_args!("  answer: {}", saved.status));
    }
    let url = redact::url(registration.url());
    match (saved_to, secret.source) {
        (Some(path), _) => output::hint(format_args!(
            "next, `wm-hooks verify --url {url} --secret-file {}` runs the platform's handshake check, and `wm-hooks listen --secret-file {}` shows events as they arrive",
            path.display(),
            path.display()
        )),
        (None, Source::Prompt) => output::hint(format_args!(
            "the typed secret is kept nowhere: give it to the next commands as {} or --secret-file FILE, then `wm-hooks verify --url {url}` runs the platform's handshake check",
            secret::ENV
        )),
        _ => output::hint(format_args!(
            "next, `wm-hooks verify --url {url}` runs the platform's handshake check, and `wm-hooks listen` shows events as they arrive"
        )),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::urls::is_loopback;
    use super::*;
    use crate::error::Kind;

    #[test]
    fn webhook_urls_must_be_absolute_https() {
        let ok = [
            (
                "https://example.com/webhooks/whatsapp",
                "https://example.com/webhooks/whatsapp",
            ),
            (
                " https://Example.COM:8443/h?x=1 ",
                "https://example.com:8443/h?x=1",
            ),
            ("https://example.com", "https://example.com/"),
            ("https://[2001:db8::1]/hook", "https://[2001:db8::1]/hook"),
        ];
        for (text, want) in ok {
            assert_eq!(webhook_url(text).unwrap().as_str(), want);
        }
        let bad = [
            ("http://example.com/hook", "must start with https://"),
            ("example.com/hook", "has no scheme"),
            ("localhost:8080/hook", "has no scheme"),
            ("ftp://example.com/", "must start with https://"),
            ("https://", "is not a valid URL"),
            ("https://exa mple.com/", "is not a valid URL"),
            ("", "has no scheme"),
        ];
        for (text, why) in bad {
            let err = webhook_url(text).unwrap_err();
            assert_eq!(err.kind, Kind::Input, "{text:?}");
            assert!(err.message.contains(why), "{text:?}: {}", err.message);
            assert!(err.hint.is_some(), "{text:?}");
        }
        let err = webhook_url("http://example.com/\u{1b}[2J").unwrap_err();
        assert!(!err.message.contains('\u{1b}'));
    }

    #[test]
    fn api_urls_need_https_except_on_loopback() {
        let ok = [
            "https://api.startmessaging.com",
            "https://staging.example.com/base/",
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://localhost:9000",
            "http://LOCALHOST",
            "http://[::1]:8080",
        ];
        for text in ok {
            assert!(api_base(text).is_ok(), "{text}");
        }
        let bad = [
            "http://api.startmessaging.com",
            "http://10.0.0.1",
            "http://[::2]/",
            "http://localhost.example.com",
            "ftp://127.0.0.1",
            "api.startmessaging.com",
            "https://api.startmessaging.com/?x=1",
            "https://api.startmessaging.com/#top",
            "https://me:hunter2pass@api.startmessaging.com",
            "https://me@api.startmessaging.com",
            "https://api.startmessaging.com/v1/webhooks",
            "https://api.startmessaging.com/v1/",
            "http://127.0.0.1:9000/staging/v1/webhooks/",
        ];
        for text in bad {
            let err = api_base(text).unwrap_err();
            assert!(!err.message.contains("hunter2"), "{}", err.message);
            assert_eq!(err.kind, Kind::Input, "{text}");
        }
    }

    #[test]
    fn event_selection_defaults_to_all_and_drops_repeats() {
        use EventKind::*;
        assert_eq!(event_selection(&[]), EventKind::ALL);
        assert_eq!(event_selection(&[TemplateStatus]), [TemplateStatus]);
        assert_eq!(
            event_selection(&[MessageStatus, MessageReceived, MessageStatus]),
            [MessageStatus, MessageReceived]
        );
    }

    #[test]
    fn flags_win_over_the_environment_and_empty_variables_are_errors() {
        let env = |name: &str| (name == "SET").then(|| OsString::from("from-env"));
        let got = |flag| from_flag_or_env(flag, "SET", &env).unwrap();
        assert_eq!(got(Some("flag")), Some(("flag".into(), Origin::Flag)));
        assert_eq!(got(None), Some(("from-env".into(), Origin::Env)));
        assert_eq!(from_flag_or_env(None, "UNSET", &env).unwrap(), None);
        let empty = |_: &str| Some(OsString::new());
        let err = from_flag_or_env(None, "SET", &empty).unwrap_err();
        assert_eq!(err.message, "SET is set but empty");
    }

    #[test]
    fn retry_base_is_a_duration() {
        let set = |value: &'static str| move |_: &str| Some(OsString::from(value));
        assert_eq!(retry_base(&|_| None).unwrap(), None);
        assert_eq!(
            retry_base(&set("5ms")).unwrap(),
            Some(Duration::from_millis(5))
        );
        assert!(retry_base(&set("fast")).is_err());
    }

    #[test]
    fn waits_read_short() {
        assert_eq!(short(Duration::from_micros(850_400)), "850ms");
        assert_eq!(short(Duration::from_millis(2449)), "2.4s");
        assert_eq!(short(Duration::from_secs(60)), "60.0s");
    }

    #[test]
    fn missing_values_are_named_together() {
        assert!(require(true, true, true).is_ok());
        let err = require(false, true, false).unwrap_err();
        assert_eq!(err.kind, Kind::Input);
        assert_eq!(
            err.message,
            "missing the webhook URL (--url URL), the API key (WM_HOOKS_API_KEY or --api-key)"
        );
    }

    #[test]
    fn the_curl_command_masks_the_key_and_the_secret() {
        let key = ApiKey::new("sk_live_1234567812345678").unwrap();
        let api = Api::new(&Url::parse("https://api.startmessaging.com").unwrap(), key);
        let secret = Secret::new("whsec_abcdefghijklmnop", Source::Env).unwrap();
        let url = Url::parse("https://example.com/it's").unwrap();
        let registration = Registration::new(url, secret, vec![EventKind::MessageStatus]).unwrap();
        assert_eq!(
            curl(&api, &registration),
            format!(
                "curl -X PUT 'https://api.startmessaging.com/v1/webhooks' \\\n  \
                 -H 'Authorization: Bearer sk_live_…5678' \\\n  \
                 -H 'Content-Type: application/json' \\\n  \
                 -H 'User-Agent: {}' \\\n  \
                 --data '{{\"url\":\"https://example.com/it'\\''s\",\"secret\":\"whsec_…mnop\",\"events\":[\"message.status\"]}}'",
                client::USER_AGENT
            )
        );
        let shown = summary(&api, &registration);
        assert!(
            shown.contains("whsec_…mnop (from WM_HOOKS_SECRET)"),
            "{shown}"
        );
        assert!(!shown.contains("sk_live_1234567812345678"));
    }

    proptest::proptest! {
        /// The API key goes only where `api_base` lets it: over https, or
        /// plain http to this machine, never with a query or fragment.
        #[test]
        fn an_accepted_api_base_keeps_the_key_off_the_network(text in "\\PC{0,50}") {
            if let Ok(url) = api_base(&text) {
                proptest::prop_assert!(url.scheme() == "https" || (url.scheme() == "http" && is_loopback(&url)));
                proptest::prop_assert!(url.query().is_none() && url.fragment().is_none());
            }
        }

        // No octet with a leading zero: a URL reads those as octal, and `08` as no number.
        #[test]
        fn plain_http_api_bases_are_accepted_only_for_loopback(
            host in "[a-z][a-z0-9-]{0,12}(\\.[a-z]{2,5})?|localhost|127\\.(0|[1-9][0-9]?)\\.0\\.1|\\[::1\\]|\\[::2\\]|10\\.0\\.0\\.1",
            port in proptest::option::of(1u16..),
        ) {
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let accepted = api_base(&format!("http://{host}{port}/")).is_ok();
            let loopback = host == "localhost" || host == "[::1]"
                || (host.starts_with("127.") && host.split('.').all(|o| o.parse::<u8>().is_ok()));
            proptest::prop_assert_eq!(accepted, loopback, "{}", host);
        }

        #[test]
        fn an_accepted_webhook_url_is_https(text in "\\PC{0,50}") {
            if let Ok(url) = parse_webhook_url(&text) {
                proptest::prop_assert_eq!(url.scheme(), "https");
            }
        }
    }
}
