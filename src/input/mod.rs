//! What the user hands in beside the flags: the webhook [`secret`] (a flag, a
//! file or the environment), a [`payload`] file or stdin, read as raw bytes,
//! the [`record_file`] `send-test --replay` reads, line by line, and the
//! [`headers`] file `-H @FILE` names.
//! Reads files and the environment; never prints.

pub mod headers;
pub mod payload;
pub mod record_file;
pub mod secret;
