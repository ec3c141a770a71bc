//! `wm-hooks events`: lists the event types with the sample variants of each,
//! or prints one sample (any message type, status or template update, in
//! either profile's envelope) as pretty JSON.

use crate::cli::EventsArgs;
use crate::contract::events::{EventKind, STATUSES};
use crate::contract::sample::catalog::{self, MessageType, Reply, TemplateUpdate};
use crate::error::{Error, Outcome, Result};
use crate::output;

pub fn run(args: EventsArgs) -> Result<Outcome> {
    let profile = super::profile(&args.profile)?;
    let variant = super::variant(&args.sample)?;
    match args.event {
        Some(kind) => {
            // `events` prints one sample: the fix is another event, not a second one.
            super::variant_fits(&args.sample, &[kind], |wanted| {
                format!("events prints one event's sample: name {wanted} instead of {kind}")
            })?;
            let doc = catalog::document(profile, kind, &variant);
            output::println(serde_json::to_string_pretty(&doc).unwrap_or_default())?
        }
        None if super::variant_given(&args.sample) => {
            return Err(Error::input(
                "--type, --reply, --status and --template-status pick a sample: name its event",
            )
            .with_hint("such as: wm-hooks events message.received --type image"));
        }
        None => {
            let width = EventKind::ALL
                .iter()
                .map(|k| k.name().len())
                .max()
                .unwrap_or(0);
            let names = |list: Vec<&str>| list.join(" ");
            for kind in EventKind::ALL {
                output::println(format_args!("{:<width$}  {}", kind.name(), kind.summary()))?;
                let options: Vec<(&str, String)> = match kind {
                    EventKind::MessageReceived => vec![
                        (
                            "--type",
                            names(MessageType::ALL.iter().map(|t| t.name()).collect()),
                        ),
                        (
                            "--reply",
                            names(Reply::ALL.iter().map(|r| r.name()).collect()),
                        ),
                    ],
                    EventKind::MessageStatus => vec![("--status", names(STATUSES.to_vec()))],
                    EventKind::TemplateStatus => vec![(
                        "--template-status",
                        names(TemplateUpdate::ALL.iter().map(|t| t.name()).collect()),
                    )],
                };
                for (flag, values) in options {
                    output::println(format_args!("    {flag} {values}"))?;
                }
            }
        }
    }
    Ok(Outcome::Success)
}
