//! A POST body as a receiver gets it: read as an event of either envelope,
//! identified for dedupe, keyed, and turned into Meta's shape.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wm_hooks::contract::{dedup, events, profile};

fuzz_target!(|body: &[u8]| {
    let _ = events::parse(body);
    let identified = events::identify(body).ok();
    let _ = dedup::store_key_of(identified.as_ref(), body);
    let _ = dedup::store_key(body);
    let _ = profile::escape_non_ascii(body);
    if let Ok(doc) = serde_json::from_slice(body) {
        let _ = profile::to_meta_json(&doc);
    }
});
