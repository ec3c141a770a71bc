//! `wm-hooks verify-signature`: checks a `sha256=` signature against a payload,
//! streaming it, and explains near misses with `hint:` lines on stderr.

use std::os::unix::ffi::OsStrExt;

use crate::cli::VerifySignatureArgs;
use crate::contract::diagnosis;
use crate::contract::signature;
use crate::error::{Outcome, Result};
use crate::input::payload::Payload;
use crate::output;

pub fn run(args: VerifySignatureArgs) -> Result<Outcome> {
    let secret = super::require_secret(&args.secret)?;
    super::warn_if_on_command_line(&secret);
    let payload = Payload::from_arg(args.payload_file.as_deref());
    // Read as a receiver reads a header value: bytes that are not UTF-8 become
    // U+FFFD, which no signature has, so the value is malformed (exit 1).
    let value = args.signature.to_string_lossy();
    let parsed = signature::parse(&value);
    let digested = payload.digest(secret.bytes())?;
    let len = digested.len;

    let (failure, found) = match &parsed {
        Ok(expected) if digested.verifier.clone().matches(expected) => {
            output::ok(format_args!("valid signature ({len} bytes)"));
            return Ok(Outcome::Success);
        }
        Ok(expected) => (
            format!("invalid signature: it does not match the payload ({len} bytes)"),
            payload
                .small_body(digested)
                .map(|body| diagnosis::mismatch(secret.bytes(), &body, expected))
                .unwrap_or_default(),
        ),
        Err(err) => {
            let body = payload.small_body(digested);
            let found = diagnosis::malformed_bytes(
                err,
                args.signature.as_bytes(),
                secret.bytes(),
                body.as_deref(),
            );
            (format!("invalid signature: {err}"), found)
        }
    };
    let mut hints = Vec::new();
    if len == 0 {
        hints.push(
            "the payload is empty: was the right file given, or did stdin receive nothing?"
                .to_string(),
        );
    }
    hints.extend(found.iter().map(|hint| output::escape(hint).to_string()));
    output::fail_with_hints(failure, &hints);
    Ok(Outcome::Failure)
}
