//! What the long-running commands (`ingest`, `deliver`) keep about their
//! store's failures: while it fails, each distinct error is shown once, so a
//! cause that changes (full, then refusing a permission) is seen and one that
//! comes back is not repeated; when it answers again, that is said once and
//! the errors are forgotten. Each command prints its own lines.

use crate::error::Error;

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
