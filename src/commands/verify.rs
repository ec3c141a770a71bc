//! `wm-hooks verify`: runs the platform's handshake (and the negative probes)
//! through [`handshake::check`] and prints the checks as a ✔/✘ table, with
//! what was sent, what was expected and a hint under each failed one.

use crate::cli::VerifyArgs;
use crate::error::{Outcome, Result};
use crate::handshake::{self, Check};
use crate::output;
use crate::secret;
use crate::transport::Endpoint;

pub fn run(args: VerifyArgs) -> Result<Outcome> {
    let endpoint = Endpoint::parse(&args.url)?;
    let secret = secret::require(&args.secret)?;
    super::warn_if_on_command_line(&secret);
    let token = secret.to_text()?;
    let client = super::client(&args.connection);
    let options = handshake::Options {
        challenge: args.challenge,
        negative: !args.no_negative,
    };
    let report = super::block_on(handshake::check(&client, &endpoint, token, &options))?;
    if args.json {
        output::println(serde_json::to_string(&report).expect("a report serialises"))?;
    } else {
        output::println(format_args!("verify {}", report.url))?;
        let width = report
            .checks
            .iter()
            .map(|c| c.name.len())
            .max()
            .unwrap_or(0);
        for check in &report.checks {
            print_check(check, width)?;
        }
        let passed = report.checks.iter().filter(|c| c.passed).count();
        output::println(format_args!(
            "{passed} of {} checks passed",
            report.checks.len()
        ))?;
    }
    Ok(Outcome::from_passed(report.passed()))
}

fn print_check(check: &Check, width: usize) -> Result<()> {
    let latency = check
        .latency_ms
        .map(|ms| {
            format!(
                "  ({})",
                output::latency(std::time::Duration::from_secs_f64(ms / 1000.0))
            )
        })
        .unwrap_or_default();
    output::println(format_args!(
        "{} {:<width$}  {}{latency}",
        output::mark(check.passed),
        check.name,
        output::escape(&check.got)
    ))?;
    if !check.passed {
        output::println(format_args!(
            "    sent      {}",
            output::escape(&check.sent)
        ))?;
        output::println(format_args!(
            "    expected  {}",
            output::escape(&check.expected)
        ))?;
    }
    if let Some(hint) = &check.hint {
        output::println(format_args!("    hint: {}", output::escape(hint)))?;
    }
    Ok(())
}
