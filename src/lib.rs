//! wm-hooks: the webhook toolkit for the StartMessaging WhatsApp API.
//!
//! The pure core ([`signature`], [`diagnosis`], [`events`], [`sample`],
//! [`record`], [`dedup`]) has no I/O. The I/O modules never print: [`server`]
//! (listen's receiver), [`transport`], [`delivery`], [`handshake`] and
//! [`conformance`] (the sending side of send-test, verify and check), [`api`]
//! and [`http_client`] (the StartMessaging API), [`secret`] and [`payload`].
//! [`commands`] is the only layer that talks to the person, through [`output`];
//! [`error`] maps every outcome to an exit code.

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
