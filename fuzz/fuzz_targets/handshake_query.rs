//! The query string of a verification GET (`hub.mode`, `hub.challenge`,
//! `hub.verify_token`), percent-encoding and all.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wm_hooks::http::server::handshake;

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let _ = handshake(Some(query), b"secret-token");
});
