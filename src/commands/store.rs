//! `wm-hooks store stats|dead|redrive|prune`: reads a store's counts and dead
//! letters, puts dead letters back for delivery, and removes what was
//! delivered long enough ago. Counts and listings go
//! to stdout (`--json` for scripts); notes to stderr.

use crate::cli::{
    StoreArgs, StoreCommand, StoreDeadArgs, StorePruneArgs, StoreRedriveArgs, StoreStatsArgs,
};
use crate::error::{Error, Outcome, Result};
use crate::output;
use crate::store::{self, Opened, Store, StoreUrl};

pub fn run(command: StoreCommand) -> Result<Outcome> {
    super::block_on(async {
        match command {
            StoreCommand::Stats(args) => stats(args).await,
            StoreCommand::Dead(args) => dead(args).await,
            StoreCommand::Redrive(args) => redrive(args).await,
            StoreCommand::Prune(args) => prune(args).await,
        }
    })
}

/// Opens the store and checks that it answers (exit 3 when it does not).
async fn open(args: &StoreArgs) -> Result<(Opened, StoreUrl)> {
    let url = super::store_url(args.store.as_ref(), "--store")?;
    super::require_existing_store(&url, "--store")?;
    let opened = store::open(&url, &args.group)?;
    opened.ping().await?;
    Ok((opened, url))
}

async fn stats(args: StoreStatsArgs) -> Result<Outcome> {
    let (store, url) = open(&args.store).await?;
    let stats = store.stats().await?;
    if args.json {
        let line = serde_json::to_string(&stats).expect("stats serialise");
        output::println(line)?;
    } else {
        output::note(format_args!("Store {url}"));
        let rows = [
            ("stored", stats.stored),
            ("pending", stats.pending),
            ("retrying", stats.retrying),
            ("dead", stats.dead),
            ("delivered", stats.delivered),
            ("duplicates", stats.duplicates),
            ("lost", stats.lost),
        ];
        for (name, n) in rows {
            output::println(format_args!("{name:<11} {n}"))?;
        }
    }
    Ok(Outcome::Success)
}

async fn dead(args: StoreDeadArgs) -> Result<Outcome> {
    let (store, url) = open(&args.store).await?;
    let letters = store.dead(args.limit as usize).await?;
    for letter in &letters {
        if args.json {
            output::println(serde_json::to_string(letter).expect("dead letters serialise"))?;
        } else {
            output::println(format_args!(
                "{}  {}  {}  {} attempts  {}  {}",
                output::escape(&letter.id),
                output::escape(letter.event.as_deref().unwrap_or("-")),
                output::escape(letter.message_id.as_deref().unwrap_or("-")),
                letter.attempts,
                letter.failed_at,
                output::escape(&letter.error)
            ))?;
        }
    }
    if !args.json {
        // A full page may be a part: the note counts them all, so that
        // `--limit` never reads as "that was every dead letter".
        let shown = letters.len() as u64;
        let all = if shown == u64::from(args.limit) {
            store.stats().await?.dead.max(shown)
        } else {
            shown
        };
        let counted = if all > shown {
            format!(
                "The first {shown} of {all} dead letters (--limit {})",
                args.limit
            )
        } else {
            output::plural(all, "dead letter", "dead letters")
        };
        if all == 0 {
            output::note(format_args!("{counted} in {url}"));
        } else {
            output::note(format_args!(
                "{counted} in {url}; `wm-hooks store redrive --all` puts them back for delivery"
            ));
        }
    }
    Ok(Outcome::Success)
}

async fn redrive(args: StoreRedriveArgs) -> Result<Outcome> {
    let (store, url) = open(&args.store).await?;
    let mut ids = Vec::with_capacity(args.ids.len());
    for given in &args.ids {
        let Some(id) = url.entry_id(given) else {
            return Err(Error::input(format!(
                "`{}` is not an entry id: {}",
                output::escape(given),
                url.entry_id_form()
            ))
            .with_hint("`wm-hooks store dead` lists the dead letters with their ids"));
        };
        ids.push(id);
    }
    // An id given twice (`1 01` too) is one dead letter: counted once.
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    let moved = store.redrive(&ids).await?;
    output::note(format_args!(
        "Put {} back for delivery in {url}",
        output::plural(moved.len() as u64, "dead letter", "dead letters")
    ));
    let moved: std::collections::HashSet<&String> = moved.iter().collect();
    let missing: Vec<&str> = ids
        .iter()
        .filter(|id| !moved.contains(id))
        .map(|id| id.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(Outcome::Success);
    }
    // Named, so a script sees which; a long list is cut, with its count.
    const SHOWN: usize = 10;
    let mut named = missing[..missing.len().min(SHOWN)].join(", ");
    if missing.len() > SHOWN {
        named.push_str(&format!(" and {} more", missing.len() - SHOWN));
    }
    output::fail(format_args!(
        "{named} {} (see `wm-hooks store dead`)",
        if missing.len() == 1 {
            "is not a dead letter"
        } else {
            "are not dead letters"
        }
    ));
    Ok(Outcome::Failure)
}

async fn prune(args: StorePruneArgs) -> Result<Outcome> {
    let (store, url) = open(&args.store).await?;
    let removed = store.prune(args.older_than).await?;
    let age = humantime::format_duration(args.older_than);
    if args.json {
        let line = serde_json::json!({ "removed": removed, "older_than": age.to_string() });
        output::println(line)?;
    } else {
        output::note(format_args!(
            "Removed {} delivered and received more than {age} ago from {url}",
            output::plural(removed, "entry", "entries")
        ));
    }
    Ok(Outcome::Success)
}
