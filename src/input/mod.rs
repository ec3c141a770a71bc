//! What the user hands in beside the flags: the webhook [`secret`] (a flag, a
//! file or the environment), a [`payload`] file or stdin, read as raw bytes,
//! and the [`record_file`] `send-test --replay` reads, line by line.
//! Reads files and the environment; never prints.

pub mod payload;
pub mod record_file;
pub mod secret;
