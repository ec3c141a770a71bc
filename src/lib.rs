//! wm-hooks: the webhook toolkit for the StartMessaging WhatsApp API.
//!
//! The pure core ([`signature`], [`events`], [`sample`], [`diagnosis`],
//! [`record`], [`dedup`]) has no I/O; the I/O modules ([`secret`], [`payload`],
//! [`transport`], [`delivery`], [`handshake`], [`conformance`], [`api`],
//! [`server`]) never print; [`commands`] is the only layer that talks to the
//! person, through [`output`].

pub mod api;
pub mod cli;
pub mod commands;
pub mod conformance;
pub mod dedup;
pub mod delivery;
pub mod diagnosis;
pub mod error;
pub mod events;
pub mod handshake;
pub mod http_client;
pub mod output;
pub mod payload;
pub mod record;
pub mod sample;
pub mod secret;
pub mod server;
pub mod signature;
pub mod transport;
