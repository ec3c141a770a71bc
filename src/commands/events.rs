//! `wm-hooks events`: lists the event types, or prints one sample as pretty JSON.

use crate::cli::EventsArgs;
use crate::contract::events::EventKind;
use crate::error::{Outcome, Result};
use crate::output;

pub fn run(args: EventsArgs) -> Result<Outcome> {
    match args.event {
        Some(kind) => {
            output::println(serde_json::to_string_pretty(&kind.sample()).unwrap_or_default())?
        }
        None => {
            let width = EventKind::ALL
                .iter()
                .map(|k| k.name().len())
                .max()
                .unwrap_or(0);
            for kind in EventKind::ALL {
                output::println(format_args!("{:<width$}  {}", kind.name(), kind.summary()))?;
            }
        }
    }
    Ok(Outcome::Success)
}
