//! The names of the Redis store's keys, all beside the stream `S` (default
//! `wm-hooks:events`; `B` is `S` without a trailing `:events`, `G` the group
//! suffix, empty for the default group): `B:seen:<key>` dedupe keys (value: the
//! entry id, expiring with the window), `B:stats` (`stored`, `duplicates`),
//! `B:retry` + `G` (a sorted set of ids by when they are due; a claimed one is
//! re-scored to its lease's end), `B:leased` + `G` (which consumer claimed each
//! id of the retry set last, as the group's pending list knows for the others),
//! `B:attempts` + `G`, `B:delivery` + `G` (`delivered`, `dead`, `lost`),
//! `B:done` + `G` (the ids of the entries delivered, dead or lost, each counted
//! once however often a group made again reads it; `prune` forgets those it
//! trims), the dead letters' stream `B:dead` + `G`, and `B:redriven` + `G` +
//! `:<id>`: the fields of a dead letter put back, read when `prune` trimmed its
//! entry from the stream (a hash, until it is delivered or dead again);
//! `B:probe`, set (expiring) by `/healthz` to learn whether Redis takes writes;
//! `B:appended:<token>`, set for a minute by an append that stored nothing, so
//! that the same batch sent again knows the first try ran.

use super::DEFAULT_GROUP;

/// The names of a stream's keys for one group.
#[derive(Debug, Clone)]
pub(super) struct Keys {
    pub(super) stream: String,
    pub(super) seen: String,
    pub(super) stats: String,
    pub(super) retry: String,
    pub(super) attempts: String,
    /// Who claimed each entry of the retry set.
    pub(super) leased: String,
    pub(super) delivery: String,
    /// The ids of the entries done: delivered, dead, or lost.
    pub(super) done: String,
    pub(super) dead: String,
    /// The prefix of the `redriven` hashes (an entry id follows).
    pub(super) redriven: String,
    /// The key `/healthz`'s write probe sets.
    pub(super) probe: String,
    /// The prefix of an append's marker (a token follows).
    pub(super) appended: String,
}

impl Keys {
    /// The ACL key pattern that covers the stream and every key beside it.
    pub(super) fn pattern(&self) -> String {
        let base = self.stats.strip_suffix(":stats").unwrap_or(&self.stats);
        if self.stream.starts_with(&format!("{base}:")) {
            format!("~{base}:*")
        } else {
            format!("~{} ~{base}:*", self.stream)
        }
    }

    pub(super) fn new(stream: &str, group: &str) -> Keys {
        let base = stream.strip_suffix(":events").unwrap_or(stream);
        let suffix = if group == DEFAULT_GROUP {
            String::new()
        } else {
            format!(":{group}")
        };
        Keys {
            stream: stream.to_string(),
            seen: format!("{base}:seen:"),
            stats: format!("{base}:stats"),
            retry: format!("{base}:retry{suffix}"),
            attempts: format!("{base}:attempts{suffix}"),
            leased: format!("{base}:leased{suffix}"),
            delivery: format!("{base}:delivery{suffix}"),
            done: format!("{base}:done{suffix}"),
            dead: format!("{base}:dead{suffix}"),
            redriven: format!("{base}:redriven{suffix}:"),
            probe: format!("{base}:probe"),
            appended: format!("{base}:appended:"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sit_beside_the_stream() {
        let keys = Keys::new("wm-hooks:events", DEFAULT_GROUP);
        assert_eq!(keys.dead, "wm-hooks:dead");
        assert_eq!(keys.retry, "wm-hooks:retry");
        assert_eq!(keys.seen, "wm-hooks:seen:");
        assert_eq!(keys.redriven, "wm-hooks:redriven:");
        assert_eq!(keys.leased, "wm-hooks:leased");
        assert_eq!(keys.done, "wm-hooks:done");
        assert_eq!(keys.pattern(), "~wm-hooks:*");
        // The names the README gives: a group's suffix, before an id.
        let keys = Keys::new("prod", "billing");
        assert_eq!(keys.dead, "prod:dead:billing");
        assert_eq!(keys.leased, "prod:leased:billing");
        assert_eq!(keys.done, "prod:done:billing");
        assert_eq!(keys.redriven, "prod:redriven:billing:");
        assert_eq!(keys.stats, "prod:stats");
        assert_eq!(keys.appended, "prod:appended:");
        // The ACL pattern covers a stream that is not under its prefix.
        assert_eq!(keys.pattern(), "~prod ~prod:*");
    }
}
