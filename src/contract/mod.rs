//! The platform's contract as pure code: what it sends, as values. The
//! [`signature`] over raw bytes, the near misses [`diagnosis`] explains, the
//! [`events`] model (one module per envelope), the [`profile`] a command plays
//! (StartMessaging or Meta), the [`sample`] payloads made
//! ready to send, the [`record`] line format, and [`dedup`]'s view of repeats.
//! No I/O, no clock, no printing: everything here is a function of its inputs.

pub mod dedup;
pub mod diagnosis;
pub mod events;
pub mod profile;
pub mod record;
pub mod sample;
pub mod signature;
