//! The platform's contract as pure code: what it sends, as values. The
//! [`signature`] over raw bytes, the near misses [`diagnosis`] explains, the
//! [`events`] model (one module per envelope), the [`profile`] a command plays
//! (StartMessaging or Meta), the [`sample`] payloads made
//! ready to send, the [`record`] line format, [`dedup`]'s view of repeats, and
//! [`redact`], what is shown in place of a secret in received text and URLs.
//! No I/O, no clock, no printing: everything here is a function of its inputs.

pub mod dedup;
pub mod diagnosis;
pub mod events;
pub mod profile;
pub mod record;
pub mod redact;
pub mod sample;
pub mod signature;
