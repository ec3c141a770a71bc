//! What the long-running commands (`ingest`, `deliver`) say about their
//! store. Its failures: while it fails, each distinct error is shown once, so
//! a cause that changes (full, then refusing a permission) is seen and one
//! that comes back is not repeated; when it answers again, that is said once
//! and the errors are forgotten ([`Outage`]; each command prints its own
//! lines for them). Its notices: one warning each ([`warn`]).

use crate::error::Error;
use crate::output;
use crate::store::Notice;

/// The ids a [`Notice::Gone`] warning names at the most.
const GONE_SHOWN: usize = 5;

/// The warning (and hint) for what the store noticed.
pub fn warn(notice: &Notice) {
    match notice {
        Notice::Evicting { policy } => {
            output::warn_with_hint(
                format_args!(
                    "Redis may evict any key at its maxmemory (maxmemory-policy {}): stored \
                     events answered 200 can be dropped without a word",
                    output::escape(policy)
                ),
                Some(
                    "set `maxmemory-policy noeviction`: a full Redis then refuses writes, and \
                     ingest answers 503 until there is room",
                ),
            );
        }
        Notice::Gone(gone) => {
            let shown: Vec<String> = gone
                .iter()
                .take(GONE_SHOWN)
                .map(|id| output::escape(id).into_owned())
                .collect();
            output::warn(format_args!(
                "{} deleted from the stream (XDEL or XTRIM by hand?) before delivery, and \
                 cannot be delivered: {}{}",
                output::plural(gone.len() as u64, "entry was", "entries were"),
                shown.join(", "),
                if gone.len() > GONE_SHOWN { ", …" } else { "" }
            ));
        }
        Notice::GroupMadeAgain { group } => output::warn(format_args!(
            "the consumer group {} was gone (destroyed, its stream deleted, or Redis restarted \
             without its data): made again from the stream's start, so the events the stream \
             holds are delivered again",
            output::escape(group)
        )),
    }
}

/// What a store error is to the outage it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// The first error: the store answered until now.
    First,
    /// A cause not shown yet in this outage.
    New,
    /// Shown already in this outage.
    Again,
}

/// The distinct errors shown while the store fails; empty while it answers.
#[derive(Debug, Default)]
pub struct Outage {
    shown: Vec<String>,
}

impl Outage {
    /// Counts a failed store call: whether its error is worth showing.
    pub fn failed(&mut self, error: &Error) -> Seen {
        if self.shown.contains(&error.message) {
            return Seen::Again;
        }
        let seen = if self.shown.is_empty() {
            Seen::First
        } else {
            Seen::New
        };
        self.shown.push(error.message.clone());
        seen
    }

    /// Counts a store call that worked: whether it ends an outage (worth
    /// saying once).
    pub fn answered(&mut self) -> bool {
        let ended = !self.shown.is_empty();
        self.shown.clear();
        ended
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cause_is_shown_once_per_outage() {
        let (full, denied) = (Error::unreachable("full"), Error::unreachable("denied"));
        let mut outage = Outage::default();
        assert!(!outage.answered());
        assert_eq!(outage.failed(&full), Seen::First);
        assert_eq!(outage.failed(&full), Seen::Again);
        assert_eq!(outage.failed(&denied), Seen::New);
        assert_eq!(outage.failed(&full), Seen::Again);
        assert!(outage.answered());
        assert!(!outage.answered());
        assert_eq!(outage.failed(&full), Seen::First);
    }
}
