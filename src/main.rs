//! The `wm-hooks` binary: parse, set up output, run the command, exit with its code.

use std::process::ExitCode;

use clap::Parser;
use wm_hooks::cli::Cli;
use wm_hooks::{commands, error, output};

fn main() -> ExitCode {
    let cli = Cli::parse();
    output::init(cli.global.color, cli.global.quiet, cli.global.verbose);
    let result = commands::run(cli.command);
    if let Err(err) = &result {
        if err.kind != error::Kind::ClosedPipe {
            output::error(err);
        }
    }
    ExitCode::from(error::exit_code(&result))
}
