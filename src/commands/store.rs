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

async fn redrive(mut args: StoreRedriveArgs) -> Result<Outcome> {
    let (store, url) = open(&args.store).await?;
    let mut ids = Vec::with_capacity(args.ids.len());
    for given in &args.ids {
        let Some(id) = entry_id(&url, given) else {
            let form = match url {
                StoreUrl::Sqlite(_) => "a SQLite store's ids are numbers (1, 42)",
                StoreUrl::Redis(_) => "a Redis store's ids are stream ids (1733270400000-0)",
            };
            return Err(Error::input(format!(
                "`{}` is not an entry id: {form}",
                output::escape(given)
            ))
            .with_hint("`wm-hooks store dead` lists the dead letters with their ids"));
        };
        ids.push(id);
    }
    // An id given twice (`1 01` too) is one dead letter: counted once.
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    args.ids = ids;
    let moved = store.redrive(&args.ids).await?;
    output::note(format_args!(
        "Put {} back for delivery in {url}",
        output::plural(moved.len() as u64, "dead letter", "dead letters")
    ));
    let moved: std::collections::HashSet<&String> = moved.iter().collect();
    let missing: Vec<&str> = args
        .ids
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

/// `id` as the store at `url` spells its entry ids, when it can be one: a
/// row id (a positive 64-bit integer) for SQLite, `MS-SEQ` (two 64-bit
/// numbers) for a Redis stream; leading zeros dropped, so `01` is `1`.
fn entry_id(url: &StoreUrl, id: &str) -> Option<String> {
    let number = |part: &str| {
        (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u64>().ok())
            .flatten()
    };
    match url {
        StoreUrl::Sqlite(_) => number(id)
            .filter(|n| i64::try_from(*n).is_ok_and(|n| n > 0))
            .map(|n| n.to_string()),
        StoreUrl::Redis(_) => {
            let (ms, seq) = id.split_once('-')?;
            Some(format!("{}-{}", number(ms)?, number(seq)?))
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_ids_are_read_in_each_stores_form() {
        let sqlite = StoreUrl::parse("sqlite:x.db").unwrap();
        let redis = StoreUrl::parse("redis://127.0.0.1:6379/0").unwrap();
        let id = |url: &StoreUrl, text: &str| entry_id(url, text);
        assert_eq!(id(&sqlite, "42").as_deref(), Some("42"));
        assert_eq!(id(&sqlite, "01").as_deref(), Some("1"));
        for bad in [
            "",
            "0",
            "-1",
            "abc",
            " 3",
            "1-0",
            "99999999999999999999",
            "9223372036854775808",
        ] {
            assert_eq!(id(&sqlite, bad), None, "{bad:?}");
        }
        assert_eq!(
            id(&redis, "1733270400000-0").as_deref(),
            Some("1733270400000-0")
        );
        assert_eq!(id(&redis, "01-02").as_deref(), Some("1-2"));
        for bad in ["1733270400000", "a-b", "-1", "1-", "18446744073709551616-0"] {
            assert_eq!(id(&redis, bad), None, "{bad:?}");
        }
    }
}
