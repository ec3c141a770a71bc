//! A line of a record file (`listen --record`, read back by `replay`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wm_hooks::contract::record;

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = record::parse_line(line) {
        let _ = parsed.body_bytes();
    }
});
