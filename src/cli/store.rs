//! The arguments of the commands that work on a store `ingest` fills: `deliver`
//! (from the store to the app) and `store` (stats, dead letters, redrive), with
//! the parsers of a store URL, a route and a retry schedule.

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Args, Subcommand};
use hyper::header::HeaderName;

use super::{SecretArgs, duration, long_duration, parse_scale, signature_header_name};
use crate::contract::redact;
use crate::platform::delivery::DEFAULT_SIGNATURE_HEADER;
use crate::platform::relay::{Route, Schedule};
use crate::store::{StoreUrl, redis};

// Where a store is: `--store` / `--from`, else WM_HOOKS_STORE, else sqlite:wm-hooks.db.
#[derive(Debug, Clone, Default, Args)]
pub struct StoreArgs {
    /// The store: sqlite:PATH, redis://HOST:PORT/DB (rediss:// for TLS) or
    /// redis+unix:///PATH/redis.sock?db=N, with
    /// ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]
    #[arg(long, value_name = "URL", value_parser = parse_store())]
    pub store: Option<StoreUrl>,
    /// The Redis consumer group whose deliveries are counted (ignored for SQLite)
    #[arg(long, value_name = "NAME", default_value = redis::DEFAULT_GROUP, value_parser = parse_name)]
    pub group: String,
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Print the counts: stored, pending, retrying, dead, delivered, duplicates, lost
    Stats(StoreStatsArgs),
    /// List the dead letters with their last error
    Dead(StoreDeadArgs),
    /// Put dead letters back for delivery (all, or those named), attempts reset
    Redrive(StoreRedriveArgs),
    /// Remove delivered entries received more than --older-than ago
    Prune(StorePruneArgs),
}

#[derive(Debug, Args)]
pub struct StoreStatsArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Print one JSON object on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StoreDeadArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// List at most N, in the order their events were stored
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub limit: u32,
    /// Print one JSON object per dead letter on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
// One group, so that a bare `store redrive` names both ways (`<ID>...|--all`).
#[group(id = "which", required = true, multiple = false, args = ["ids", "all"])]
pub struct StoreRedriveArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The entry ids to put back (as `store dead` lists them)
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Put every dead letter back
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct StorePruneArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Remove what was delivered and received longer ago than this (24h, 7d)
    #[arg(long, value_name = "DURATION", value_parser = long_duration, required = true)]
    pub older_than: Duration,
    /// Print one JSON object on stdout
    #[arg(long)]
    pub json: bool,
}

// `wm-hooks deliver`: from a store to the app.
#[derive(Debug, Args)]
#[command(after_help = examples!(deliver))]
pub struct DeliverArgs {
    /// The store to deliver from: sqlite:PATH or redis://HOST:PORT/DB?stream=NAME
    /// [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]
    // `--store` too, as ingest and the store commands spell it.
    #[arg(long, alias = "store", value_name = "URL", value_parser = parse_store())]
    pub from: Option<StoreUrl>,
    /// Where events go: URL for every event, or EVENT=URL (repeatable) to route one
    /// event type; an event no route takes becomes a dead letter
    #[arg(long, value_name = "[EVENT=]URL", required = true, value_parser = parse_route())]
    pub to: Vec<Route>,
    #[command(flatten)]
    pub secret: SecretArgs,
    /// Sign deliveries with this secret instead of the webhook secret
    /// [env: WM_HOOKS_FORWARD_SECRET]; prefer the variable or --forward-secret-file
    #[arg(long, value_name = "SECRET", conflicts_with = "forward_secret_file")]
    pub forward_secret: Option<String>,
    /// Read the signing secret from a file (one trailing newline is removed)
    #[arg(long, value_name = "PATH")]
    pub forward_secret_file: Option<PathBuf>,
    /// The header that carries the signature
    #[arg(long, value_name = "NAME", default_value = DEFAULT_SIGNATURE_HEADER, value_parser = signature_header_name)]
    pub signature_header: HeaderName,
    /// The Redis consumer group (ignored for SQLite)
    #[arg(long, value_name = "NAME", default_value = redis::DEFAULT_GROUP, value_parser = parse_name)]
    pub group: String,
    /// This process's name in the group [default: HOST-PID]
    #[arg(long, value_name = "NAME", value_parser = parse_name)]
    pub consumer: Option<String>,
    /// Claim what another consumer holds after this long without an answer (it died)
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = duration)]
    pub claim_after: Duration,
    /// Deliveries in flight at once
    #[arg(long, value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub concurrency: u32,
    /// How long the app may take to answer one delivery
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = duration)]
    pub timeout: Duration,
    /// The waits between attempts, comma-separated; after the last, a dead letter
    #[arg(long, value_name = "LIST", default_value = "30s,2m,15m,1h,6h", value_parser = parse_schedule)]
    pub retry_schedule: Schedule,
    /// Multiply the retry schedule by F: 0.001 turns 30s into 30ms
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = parse_scale)]
    pub retry_scale: f64,
    /// Print one JSON line per attempt on stdout
    #[arg(long)]
    pub json: bool,
}

/// `--store` and `--from`: a [`StoreUrl`], its password never echoed.
pub(super) fn parse_store() -> Masked<StoreUrl> {
    Masked(StoreUrl::parse)
}

/// `deliver --to`: a [`Route`], its password never echoed.
fn parse_route() -> Masked<Route> {
    Masked(Route::parse)
}

/// A parser of values that may hold a password (a URL's): clap's own error
/// for a function parser quotes the raw value (`invalid value 'redis://:pw@…'`),
/// so this one builds the error itself, with the value as [`redact::raw_url`]
/// shows it. The parse function's own message must not quote it raw either.
#[derive(Clone, Copy)]
pub(super) struct Masked<T>(fn(&str) -> Result<T, String>);

impl<T: Clone + Send + Sync + 'static> TypedValueParser for Masked<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        let Some(text) = value.to_str() else {
            return Err(clap::Error::new(ErrorKind::InvalidUtf8).with_cmd(cmd));
        };
        (self.0)(text).map_err(|why| {
            let arg = arg.map_or_else(|| "...".to_string(), ToString::to_string);
            let message = format!(
                "invalid value '{}' for '{arg}': {why}\n\nFor more information, try '--help'.\n",
                redact::raw_url(text)
            );
            clap::Error::raw(ErrorKind::ValueValidation, message).with_cmd(cmd)
        })
    }
}

/// A consumer group's or a consumer's name: not empty (Redis would take an
/// empty one, and every `deliver` given it would share one name).
fn parse_name(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("the name is empty".into());
    }
    Ok(text.to_string())
}

fn parse_schedule(text: &str) -> Result<Schedule, String> {
    Schedule::parse(text)
}
