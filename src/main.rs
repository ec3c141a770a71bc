//! The `wm-hooks` binary: parse, set up output, run the command, exit with its code.

use std::process::ExitCode;

use wm_hooks::cli::Cli;
use wm_hooks::{commands, error, output};

/// mimalloc rather than glibc's malloc: the receivers and `deliver` allocate
/// and free many small buffers per request (headers, the Redis client's
/// replies), and glibc's free lists and consolidation were a sixth of
/// `deliver`'s CPU. Without transparent huge pages (`no_thp`), so that peak
/// RSS stays where glibc's was.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::from_args();
    output::init(cli.global.color, cli.global.quiet, cli.global.verbose);
    let result = commands::run(cli.command);
    if let Err(err) = &result {
        if err.kind != error::Kind::ClosedPipe {
            output::error(err);
        }
    }
    ExitCode::from(error::exit_code(&result))
}
