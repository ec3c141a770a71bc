//! Playing the platform against an endpoint: [`delivery`] (signed POSTs, judged
//! and retried as the platform does), [`handshake`] (the GET it sends when a
//! webhook is saved), [`conformance`] (the whole contract as named checks), and
//! [`api`] (the StartMessaging API that registers the webhook). Never prints.

pub mod api;
pub mod conformance;
pub mod delivery;
pub mod handshake;
pub mod report;
