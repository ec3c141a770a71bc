//! An `X-Signature-256` value as a receiver gets it: parsed, diagnosed when
//! malformed (with and without a body), verified when well-formed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wm_hooks::contract::{diagnosis, signature};

fuzz_target!(|data: &[u8]| {
    // The first byte splits the input: header value, then body.
    let split = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    let (value, body) = data.split_at(split);
    let Ok(value) = std::str::from_utf8(value) else {
        return;
    };
    match signature::parse(value) {
        Ok(parsed) => {
            let _ = signature::verify(b"secret", body, &parsed);
            let _ = diagnosis::mismatch(b"secret", body, &parsed);
        }
        Err(error) => {
            let _ = diagnosis::malformed(&error, value, b"secret", Some(body));
            let _ = diagnosis::malformed(&error, value, b"secret", None);
        }
    }
});
