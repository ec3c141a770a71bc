//! `wm-hooks sign`: prints `sha256=<hex>` for a payload, streamed from a file or stdin.

use crate::cli::SignArgs;
use crate::error::{Outcome, Result};
use crate::input::payload::Payload;
use crate::output;

pub fn run(args: SignArgs) -> Result<Outcome> {
    let secret = super::require_secret(&args.secret)?;
    super::warn_if_on_command_line(&secret);
    let payload = Payload::from_arg(args.payload_file.as_deref());
    let digested = payload.digest(secret.bytes())?;
    if digested.len == 0 {
        output::warn("the payload is empty; webhook deliveries always have a body");
    }
    output::println(digested.verifier.finish())?;
    Ok(Outcome::Success)
}
