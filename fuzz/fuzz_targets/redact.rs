//! What a receiver answered, with a secret removed before it is shown: any
//! text against any secret.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wm_hooks::contract::redact::{self, Redactor};

fuzz_target!(|data: &[u8]| {
    let split = data
        .first()
        .map_or(0, |&b| usize::from(b) % 32)
        .min(data.len());
    let (secret, shown) = data.split_at(split);
    let redactor = Redactor::new([secret]);
    let _ = redactor.bytes(shown);
    if let Ok(text) = std::str::from_utf8(shown) {
        let _ = redactor.text(text);
        let _ = redact::raw_url(text);
    }
});
