//! wm-hooks: the webhook toolkit for the StartMessaging WhatsApp API.
//!
//! The pure core ([`signature`], [`events`], [`diagnosis`], [`dedup`]) has no
//! I/O; the I/O modules ([`secret`], [`payload`], [`server`]) never print; [`commands`] is the only layer
//! that talks to the person, through [`output`].

pub mod cli;
pub mod commands;
pub mod dedup;
pub mod diagnosis;
pub mod error;
pub mod events;
pub mod http_client;
pub mod output;
pub mod payload;
pub mod record;
pub mod secret;
pub mod server;
pub mod signature;
