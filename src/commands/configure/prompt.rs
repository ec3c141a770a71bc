//! The questions `configure` asks when stdin and stderr are a terminal, drawn
//! on stderr by dialoguer. Each returns a plain value and checks what is typed
//! with the same code the flags go through; nothing here sends anything.

use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Confirm, Input, MultiSelect, Password, Select};
use reqwest::Url;

use super::{parse_webhook_url, webhook_url};
use crate::contract::events::EventKind;
use crate::error::{Error, Result};
use crate::input::secret::{Secret, Source};
use crate::platform::api::ApiKey;

/// Colours follow `--color`, like everything else on stderr.
fn theme() -> Box<dyn Theme> {
    if colored::control::SHOULD_COLORIZE.should_colorize() {
        Box::new(ColorfulTheme::default())
    } else {
        Box::new(SimpleTheme)
    }
}

fn answer<T>(result: dialoguer::Result<T>) -> Result<T> {
    result.map_err(|err| Error::input(format!("cannot read the answer from the terminal: {err}")))
}

/// The webhook URL, asked again until it is an https:// URL.
pub fn prompt_url() -> Result<Url> {
    let theme = theme();
    let text: String = answer(
        Input::with_theme(&*theme)
            .with_prompt("Webhook URL (https://…)")
            .validate_with(|text: &String| {
                parse_webhook_url(text)
                    .map(drop)
                    .map_err(|problem| format!("the URL {problem}"))
            })
            .interact_text(),
    )?;
    webhook_url(&text)
}

/// A new secret, or one typed twice without echo.
pub fn prompt_secret() -> Result<Secret> {
    let theme = theme();
    let choice = answer(
        Select::with_theme(&*theme)
            .with_prompt("Webhook secret")
            .items(["generate a new one (32 random bytes)", "type one"])
            .default(0)
            .interact(),
    )?;
    if choice == 0 {
        return Ok(Secret::generate());
    }
    let text = answer(
        Password::with_theme(&*theme)
            .with_prompt("Secret")
            .with_confirmation("Repeat the secret", "the two entries differ")
            .interact(),
    )?;
    Secret::new(text, Source::Prompt)
}

/// The events, all checked to begin with; asked again while none is checked.
pub fn prompt_events() -> Result<Vec<EventKind>> {
    let theme = theme();
    // Bounded like every loop here: a person gives up long before this.
    for _ in 0..100 {
        let picked = answer(
            MultiSelect::with_theme(&*theme)
                .with_prompt("Events (space toggles, enter accepts)")
                .items(EventKind::ALL.map(EventKind::name))
                .defaults(&[true; EventKind::ALL.len()])
                .interact(),
        )?;
        if !picked.is_empty() {
            return Ok(picked.into_iter().map(|i| EventKind::ALL[i]).collect());
        }
        crate::output::warn("no event selected: check at least one with the space bar");
    }
    Err(Error::input("no event selected: nothing to register")
        .with_hint("pass --events message.received,message.status,template.status"))
}

/// The API key, without echo, asked again until it could be a key.
pub fn prompt_api_key() -> Result<ApiKey> {
    let theme = theme();
    let text = answer(
        Password::with_theme(&*theme)
            .with_prompt("StartMessaging API key")
            .validate_with(|text: &String| match ApiKey::new(text) {
                Some(_) => Ok(()),
                None => Err("an API key has no spaces or control characters"),
            })
            .interact(),
    )?;
    ApiKey::new(&text).ok_or_else(|| Error::input("the API key typed is not usable"))
}

/// A yes/no that defaults to no and takes effect only on Enter, so `yes⏎`
/// does not answer on its `y` and leave `es` for the shell.
pub fn confirm(question: &str) -> Result<bool> {
    let theme = theme();
    answer(
        Confirm::with_theme(&*theme)
            .with_prompt(question)
            .default(false)
            .wait_for_newline(true)
            .interact(),
    )
}

/// The terminal as it was before the first prompt, for the Ctrl-C handler.
static TERMINAL: std::sync::OnceLock<libc::termios> = std::sync::OnceLock::new();

/// From here on, Ctrl-C (at a prompt, which raises SIGINT) puts the terminal
/// back as it was (echo on after a hidden entry, the cursor shown after a
/// list) and exits 130, as a shell expects of an interrupted program.
pub fn restore_terminal_on_interrupt() {
    let mut saved = std::mem::MaybeUninit::<libc::termios>::uninit();
    // SAFETY: tcgetattr writes a whole termios on success, checked before use.
    if unsafe { libc::tcgetattr(libc::STDIN_FILENO, saved.as_mut_ptr()) } == 0 {
        let _ = TERMINAL.set(unsafe { saved.assume_init() });
    }
    let handler: extern "C" fn(libc::c_int) = on_interrupt;
    // SAFETY: the handler calls only async-signal-safe functions.
    unsafe {
        libc::signal(libc::SIGINT, handler as libc::sighandler_t);
    }
}

extern "C" fn on_interrupt(_: libc::c_int) {
    const SHOW_CURSOR: &[u8] = b"\x1b[?25h\n";
    // SAFETY: tcsetattr, write and _exit are async-signal-safe; TERMINAL was
    // set before the handler was installed and is only read here.
    unsafe {
        if let Some(saved) = TERMINAL.get() {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, saved);
        }
        libc::write(
            libc::STDERR_FILENO,
            SHOW_CURSOR.as_ptr().cast(),
            SHOW_CURSOR.len(),
        );
        libc::_exit(130);
    }
}
