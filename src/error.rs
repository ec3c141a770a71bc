//! Typed errors and the one map from a command's result to the exit codes of
//! CLI.md: 0 success, 1 the thing checked is wrong, 2 usage or input error,
//! 3 could not reach it; and 130, the shell's code for a run Ctrl-C cut short.

use std::fmt;

/// How a command that ran to the end judged what it checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything checked is right (exit 0).
    Success,
    /// The verdict is printed and something checked is wrong (exit 1).
    Failure,
    /// Stopped by Ctrl-C or SIGTERM before the end, with what ran reported
    /// (exit 130, as a shell expects of an interrupted program).
    Interrupted,
}

impl Outcome {
    pub fn from_passed(passed: bool) -> Outcome {
        if passed {
            Outcome::Success
        } else {
            Outcome::Failure
        }
    }
}

/// What went wrong, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The thing checked is wrong, or the API refused the request (exit 1).
    Failed,
    /// Bad flag, unreadable file, malformed input, missing secret (exit 2).
    Input,
    /// Connection refused, timeout, DNS failure, 5xx after retries (exit 3).
    Unreachable,
    /// Stdout was closed by its reader (`wm-hooks events | head -1`): stop quietly.
    ClosedPipe,
}

/// An error with what to tell the person: an `error:` line and an optional `hint:`.
/// Clone: one failed store call answers every request or attempt it held.
#[derive(Debug, Clone, thiserror::Error)]
pub struct Error {
    pub kind: Kind,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error {
    pub fn new(kind: Kind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    pub fn input(message: impl Into<String>) -> Error {
        Error::new(Kind::Input, message)
    }

    pub fn failed(message: impl Into<String>) -> Error {
        Error::new(Kind::Failed, message)
    }

    pub fn unreachable(message: impl Into<String>) -> Error {
        Error::new(Kind::Unreachable, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Error {
        self.hint = Some(hint.into());
        self
    }

    /// With `hint` when there is one; as it was otherwise.
    pub fn with_hint_if(self, hint: Option<impl Into<String>>) -> Error {
        match hint {
            Some(hint) => self.with_hint(hint),
            None => self,
        }
    }

    /// For a receiver (`listen`, `ingest` with `--json`): a closed stdout is
    /// not the reader's quiet choice it is for a one-shot command, since the
    /// receiver stops taking events: a failure (exit 1) with its `error:` line.
    pub fn stopping_a_receiver(self) -> Error {
        match self.kind {
            Kind::ClosedPipe => {
                Error::failed("stdout was closed (its reader exited), so the receiver stopped")
                    .with_hint(
                        "keep the program reading --json running for as long as the receiver runs",
                    )
            }
            _ => self,
        }
    }

    /// An error writing to stdout: a closed pipe is the reader's choice, not a fault.
    pub fn stdout(err: std::io::Error) -> Error {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            Error::new(Kind::ClosedPipe, "stdout was closed")
        } else {
            Error::failed(format!("cannot write to stdout: {err}"))
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The one place that turns a result into an exit code.
pub fn exit_code(result: &Result<Outcome>) -> u8 {
    match result {
        Ok(Outcome::Success) => 0,
        Ok(Outcome::Failure) => 1,
        Ok(Outcome::Interrupted) => 130,
        Err(err) => match err.kind {
            Kind::ClosedPipe => 0,
            Kind::Failed => 1,
            Kind::Input => 2,
            Kind::Unreachable => 3,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_contract() {
        assert_eq!(exit_code(&Ok(Outcome::Success)), 0);
        assert_eq!(exit_code(&Ok(Outcome::Failure)), 1);
        assert_eq!(exit_code(&Ok(Outcome::Interrupted)), 130);
        assert_eq!(exit_code(&Err(Error::failed("x"))), 1);
        assert_eq!(exit_code(&Err(Error::input("x"))), 2);
        assert_eq!(exit_code(&Err(Error::unreachable("x"))), 3);
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert_eq!(exit_code(&Err(Error::stdout(pipe))), 0);
    }

    #[test]
    fn a_hint_is_added_only_when_there_is_one() {
        let hinted = Error::input("x").with_hint_if(Some("h"));
        assert_eq!(hinted.hint.as_deref(), Some("h"));
        assert_eq!(hinted.with_hint_if(None::<&str>).hint.as_deref(), Some("h"));
        assert_eq!(Error::input("x").with_hint_if(None::<String>).hint, None);
    }
}
