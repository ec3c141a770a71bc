//! Playing the platform against an endpoint: [`delivery`] (signed POSTs, judged
//! and retried as the platform does), [`handshake`] (the GET it sends when a
//! webhook is saved), [`conformance`] (the whole contract as named checks),
//! [`report`] (the report lines), [`api`] (the StartMessaging API that registers
//! the webhook), and [`relay`] (stored events delivered to the user's app as the
//! platform would). Never prints.

pub mod api;
pub mod conformance;
pub mod delivery;
pub mod handshake;
pub mod relay;
pub mod report;
pub mod root_cause;
