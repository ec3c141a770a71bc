//! The commands Redis refuses for a reason of its own settings, not a fault
//! of the connection (full, a replica, an ACL user without a permission,
//! another program's key, too slow to answer), each named in words with what
//! to do about it.

use super::{Keys, RESPONSE_TIMEOUT};
use crate::error::Error;

/// A command Redis refused for a reason of its own settings, not a fault of
/// the connection: each named in words, with what to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusal {
    /// At its `maxmemory`, with a policy that evicts nothing (`OOM`).
    Full,
    /// A replica, which takes no writes (`READONLY`).
    Replica,
    /// The URL's ACL user may not run a command or touch a key (`NOPERM`;
    /// inside a script, Redis 7.0 answers `ERR The user executing the script
    /// can't run this command`).
    NoPermission,
    /// A key the store uses holds a value of another type (`WRONGTYPE`):
    /// another program's key of the same name.
    WrongType,
    /// No answer within [`RESPONSE_TIMEOUT`]: a Redis busy or paused.
    Slow,
}

impl Refusal {
    pub(super) fn of(error: &redis::RedisError) -> Option<Refusal> {
        let detail = error.detail().unwrap_or("");
        match error.code() {
            Some("OOM") => Some(Refusal::Full),
            Some("READONLY") => Some(Refusal::Replica),
            Some("NOPERM") => Some(Refusal::NoPermission),
            Some("WRONGTYPE") => Some(Refusal::WrongType),
            _ if error.is_timeout() => Some(Refusal::Slow),
            _ if detail.contains("can't run this command")
                || detail.contains("no permissions to") =>
            {
                Some(Refusal::NoPermission)
            }
            _ => None,
        }
    }

    pub(super) fn error(self, store: &str, keys: &Keys, error: &redis::RedisError) -> Error {
        // Redis's words, without the script's hash and line it adds to them.
        let text = error.to_string();
        let text = text
            .split_once(" script: ")
            .map_or(text.as_str(), |(said, _)| said);
        match self {
            Refusal::Full => Error::unreachable(format!(
                "the store ({store}) is full: Redis is at its `maxmemory` and evicts nothing ({text})"
            ))
            .with_hint(
                "free memory in Redis or raise its `maxmemory` (`wm-hooks store prune` removes \
                 what was delivered); ingest stores again by itself once Redis takes writes",
            ),
            Refusal::Replica => Error::unreachable(format!(
                "the store ({store}) is a read-only replica ({text})"
            ))
            .with_hint(
                "point the store URL at the primary (behind a failover, at the address that \
                 follows the primary)",
            ),
            Refusal::NoPermission => Error::input(format!(
                "the store ({store}) does not let the URL's user run what wm-hooks needs ({text})"
            ))
            .with_hint(format!(
                "give that Redis user the commands and keys wm-hooks uses: `ACL SETUSER USER {} \
                 +@read +@write +@scripting +@connection +time`",
                keys.pattern()
            )),
            Refusal::WrongType => Error::input(format!(
                "the store ({store}) found another kind of value in a key of its own ({text})"
            ))
            .with_hint(format!(
                "the stream {} and the keys beside it ({}) are wm-hooks': name another stream \
                 with `?stream=NAME`, or move the other program's key away",
                keys.stream,
                keys.pattern().replace('~', "")
            )),
            // A plain Redis reads a TLS handshake as the start of a command
            // and waits for its end: no answer, as from a busy one.
            Refusal::Slow if store.starts_with("rediss://") => Error::unreachable(format!(
                "the store ({store}) did not answer within {}",
                humantime::format_duration(RESPONSE_TIMEOUT)
            ))
            .with_hint(
                "a rediss:// URL speaks TLS: is TLS served on that port (Redis's `tls-port`)? A \
                 Redis without it never answers a TLS handshake, and its URL is redis://; else \
                 Redis is busy or paused (a slow command, `CLIENT PAUSE`, a long save)",
            ),
            Refusal::Slow => Error::unreachable(format!(
                "the store ({store}) did not answer within {}",
                humantime::format_duration(RESPONSE_TIMEOUT)
            ))
            .with_hint(
                "Redis is busy or paused (a slow command, `CLIENT PAUSE`, a long save); what got \
                 503 meanwhile is sent again by the platform",
            ),
        }
    }
}
