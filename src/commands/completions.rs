//! `wm-hooks completions SHELL`: prints the completion script clap_complete makes.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::{Outcome, Result};
use crate::output;

pub fn run(args: CompletionsArgs) -> Result<Outcome> {
    output::print_bytes(&script(args.shell))?;
    Ok(Outcome::Success)
}

/// The completion script for a shell, as committed under `completions/`.
pub fn script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "wm-hooks", &mut out);
    out
}
