//! Values a user types into flags and environment variables: store URLs,
//! routes, retry schedules; and what the API answers: its error messages and
//! `Retry-After`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wm_hooks::platform::{api, relay};
use wm_hooks::store::url::StoreUrl;

fuzz_target!(|data: &[u8]| {
    let _ = api::api_message(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(url) = StoreUrl::parse(text) {
        let _ = url.to_string();
    }
    let _ = relay::Route::parse(text);
    let _ = relay::Schedule::parse(text);
    let _ = api::retry_after(text, std::time::SystemTime::UNIX_EPOCH);
    let _ = api::shorten(text);
});
