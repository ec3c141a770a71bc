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

/// The events, all checked to begin with.
pub fn prompt_events() -> Result<Vec<EventKind>> {
    let theme = theme();
    let picked = answer(
        MultiSelect::with_theme(&*theme)
            .with_prompt("Events (space toggles, enter accepts)")
            .items(EventKind::ALL.map(EventKind::name))
            .defaults(&[true; EventKind::ALL.len()])
            .interact(),
    )?;
    if picked.is_empty() {
        return Err(Error::input("no event selected: nothing to register")
            .with_hint("select at least one with the space bar, or pass --events"));
    }
    Ok(picked.into_iter().map(|i| EventKind::ALL[i]).collect())
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

pub fn confirm(question: &str) -> Result<bool> {
    let theme = theme();
    answer(
        Confirm::with_theme(&*theme)
            .with_prompt(question)
            .default(true)
            .interact(),
    )
}
