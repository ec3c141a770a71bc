//! wm-hooks: the webhook toolkit for the StartMessaging WhatsApp API.
//!
//! The folders are the layers, and imports point down them:
//! [`commands`] (one file per verb, the only code that prints, through
//! [`output`]) → [`platform`] (playing the platform: deliveries, handshake,
//! conformance checks, the StartMessaging API) and [`http`] (the receiver's
//! server, the platform-side sender, the reqwest client) → [`contract`] (pure:
//! signature, diagnosis, events in both envelopes, the profile played, samples,
//! records, dedup). [`input`] reads the
//! secret and payloads; [`text`] escapes and formats text for
//! every layer; [`error`] maps every outcome to an exit code. [`cli`]
//! holds every clap type and is read only by `main` and [`commands`]: the
//! layers below take plain values. [`store`] holds the durable queues of
//! `ingest` and `deliver` (SQLite, Redis) beside [`http`].

pub mod cli;
pub mod commands;
pub mod contract;
pub mod error;
pub mod http;
pub mod input;
pub mod output;
pub mod platform;
pub mod store;
pub mod text;
