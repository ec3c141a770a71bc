//! `wm-hooks completions SHELL`: prints the completion script clap_complete
//! makes, with the repairs it needs: bash's for a hyphenated name, and fish's
//! positional values (`events EVENT`, `send-test EVENT`, `completions SHELL`).

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::{Outcome, Result};
use crate::output;

const BIN: &str = "wm-hooks";

pub fn run(args: CompletionsArgs) -> Result<Outcome> {
    output::print_bytes(&script(args.shell))?;
    Ok(Outcome::Success)
}

/// The completion script for a shell, as committed under `completions/`.
pub fn script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut out);
    if shell == clap_complete::Shell::Bash {
        out = repair_bash(&out, BIN);
    }
    if shell == clap_complete::Shell::Fish {
        let mut cli = Cli::command();
        // Positionals get their places when the command is built.
        cli.build();
        out.extend_from_slice(fish_positionals(&cli, BIN).as_bytes());
    }
    out
}

/// clap_complete's fish script completes no positional argument, so fish
/// offered file names for `wm-hooks events <TAB>` and `completions <TAB>`:
/// one line per subcommand whose positionals take known values offers them
/// instead (`-f`: they are not files; an option's own argument, such as
/// `--payload-file`'s, still completes as before).
fn fish_positionals(cli: &clap::Command, bin: &str) -> String {
    let function = bin.replace('-', "_");
    let escape = |text: &str| text.replace('\\', "\\\\").replace('\'', "\\'");
    let mut lines = String::new();
    for command in cli.get_subcommands().filter(|c| !c.is_hide_set()) {
        let values: Vec<String> = command
            .get_positionals()
            .filter(|arg| !arg.is_hide_set())
            .flat_map(|arg| arg.get_possible_values())
            .filter(|value| !value.is_hide_set())
            .map(|value| {
                let name = escape(value.get_name());
                match value.get_help() {
                    Some(help) => format!("{name}\\t'{}'", escape(&help.to_string())),
                    None => name,
                }
            })
            .collect();
        if !values.is_empty() {
            lines.push_str(&format!(
                "complete -c {bin} -n \"__fish_{function}_using_subcommand {}\" -f -a \"{}\"\n",
                command.get_name(),
                values.join("\n").replace('"', "\\\"")
            ));
        }
    }
    lines
}

/// clap_complete's bash script tracks the subcommand as `wm__hooks__subcmd__…`
/// but labels its cases `wm__subcmd__hooks__…` (the hyphen in the binary's
/// name is escaped two ways; clap-rs/clap#6421), so no subcommand's flags ever
/// complete. Relabelling the cases to the tracked name repairs it.
fn repair_bash(script: &[u8], bin: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(script);
    let tracked = bin.replace('-', "__");
    let labelled = bin.replace('-', "__subcmd__");
    if tracked == labelled {
        return script.to_vec();
    }
    let mut repaired = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        // Only case labels (`        wm__subcmd__hooks__…)`) are wrong;
        // the function name and `cmd=` values are already the tracked form.
        let label = line.trim_start();
        if label.starts_with(&labelled) && label.trim_end().ends_with(')') {
            repaired.push_str(&line.replacen(&labelled, &tracked, 1));
        } else {
            repaired.push_str(line);
        }
    }
    repaired.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bash_case_label_is_a_name_the_script_tracks() {
        let script = String::from_utf8(script(clap_complete::Shell::Bash)).unwrap();
        assert!(!script.contains("wm__subcmd__hooks"));
        let tracked: Vec<&str> = script
            .lines()
            .filter_map(|l| l.trim().strip_prefix("cmd=\""))
            .map(|l| l.trim_end_matches('"'))
            .filter(|name| !name.is_empty())
            .collect();
        assert!(tracked.contains(&"wm__hooks__subcmd__send__subcmd__test"));
        for name in &tracked {
            assert!(
                script.contains(&format!("        {name})\n")),
                "no case for {name}"
            );
        }
    }
}
