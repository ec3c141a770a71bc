//! What the user hands in beside the flags: the webhook [`secret`] (a flag, a
//! file or the environment) and a [`payload`] file or stdin, read as raw bytes.
//! Reads files and the environment; never prints.

pub mod payload;
pub mod secret;
