//! The committed completion scripts match the generator. Run with
//! `UPDATE_COMPLETIONS=1 cargo test completions` to rewrite them.

use std::path::{Path, PathBuf};

use clap_complete::Shell;

use crate::util::wm_hooks;

const FILES: [(Shell, &str); 5] = [
    (Shell::Bash, "wm-hooks.bash"),
    (Shell::Zsh, "_wm-hooks"),
    (Shell::Fish, "wm-hooks.fish"),
    (Shell::PowerShell, "_wm-hooks.ps1"),
    (Shell::Elvish, "wm-hooks.elv"),
];

#[test]
fn committed_completions_are_fresh() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = std::env::var_os("UPDATE_COMPLETIONS").is_some();
    let mut stale = Vec::new();
    for (shell, name) in FILES {
        let want = wm_hooks::commands::completions::script(shell);
        let path = dir.join(name);
        if update {
            std::fs::write(&path, &want).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(&want[..]) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "stale completions {stale:?}: run UPDATE_COMPLETIONS=1 cargo test completions"
    );
}

#[test]
fn the_command_prints_the_same_script() {
    let out = wm_hooks()
        .args(["completions", "bash"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(
        out.stdout,
        wm_hooks::commands::completions::script(Shell::Bash)
    );
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("message.status")
    );
}

/// The script `wm-hooks completions SHELL` prints, saved as `name` in a fresh
/// directory (zsh finds `_wm-hooks` through `fpath`).
fn script_in_dir(shell: &str, name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = wm_hooks().args(["completions", shell]).output().unwrap();
    assert!(out.status.success());
    let path = dir.path().join(name);
    std::fs::write(&path, out.stdout).unwrap();
    (dir, path)
}

/// A shell that the tests need, or a failure saying how to get it.
fn shell(name: &str) -> std::process::Command {
    let found = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .any(|dir| dir.join(name).is_file());
    assert!(
        found,
        "{name} is not installed; the completion tests run it (apt-get install {name})"
    );
    let mut cmd = std::process::Command::new(name);
    let home = tempfile::tempdir().unwrap().keep();
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"));
    cmd
}

/// The lines a shell program printed; it must succeed (its stderr the
/// message when not).
fn printed(shell: &mut std::process::Command) -> Vec<String> {
    let out = shell.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    lines(&out.stdout)
}

/// What bash offers for `line` (the last word is the one being completed), in
/// a shell set up as Debian's interactive bash is (bash-completion loaded):
/// COMP_WORDS and COMP_CWORD set as readline sets them, the function that
/// `complete -p wm-hooks` names called with its three arguments, COMPREPLY read.
fn bash_offers(line: &str) -> Vec<String> {
    let (_dir, script) = script_in_dir("bash", "wm-hooks.bash");
    let program = r#"
        source /usr/share/bash-completion/bash_completion || exit 3
        source "$1"
        read -ra COMP_WORDS <<< "$2"
        [[ $2 == *' ' ]] && COMP_WORDS+=("")
        COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
        COMP_LINE=$2 COMP_POINT=${#2}
        spec=$(complete -p wm-hooks) || exit 3
        fn=${spec#*-F }; fn=${fn%% *}
        "$fn" wm-hooks "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    printed(
        shell("bash")
            .args(["--norc", "--noprofile", "-c", program, "bash"])
            .arg(&script)
            .arg(line),
    )
}

/// What fish offers for `line`: `complete -C` asks fish's own completion engine.
fn fish_offers(line: &str) -> Vec<String> {
    let (_dir, script) = script_in_dir("fish", "wm-hooks.fish");
    let offered = printed(
        shell("fish")
            .args(["--no-config", "-c", "source $argv[1]; complete -C $argv[2]"])
            .arg(&script)
            .arg(line),
    );
    // Each line is `candidate<TAB>description`.
    offered
        .into_iter()
        .map(|l| l.split('\t').next().unwrap_or("").to_string())
        .collect()
}

/// What zsh offers for each of `lines`, typed with a real TAB in an interactive
/// `zsh -f` on a pseudo-terminal with compinit and `_wm-hooks` on fpath.
/// `compadd` is wrapped to write every match it adds to a file, so the test
/// reads the candidates themselves, not the redrawn screen.
fn zsh_offers(lines_typed: &[&str]) -> Vec<Vec<String>> {
    use rexpect::reader::Options;
    use rexpect::session::spawn_with_options;

    let (dir, _script) = script_in_dir("zsh", "_wm-hooks");
    let setup = dir.path().join("setup.zsh");
    std::fs::write(
        &setup,
        r#"
fpath=("$WM_DIR" $fpath)
autoload -Uz compinit && compinit -u -D
LISTMAX=100000
# The helpers _arguments calls with -O/-A/-D only filter; the rest add matches.
compadd() {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
    builtin compadd "$@"
    return
  fi
  local -a wm_hits
  builtin compadd -O wm_hits "$@"
  (( $#wm_hits )) && print -rl -- $wm_hits >> "$WM_OUT"
  builtin compadd "$@"
}
PS1='zsh-ready> '
"#,
    )
    .unwrap();
    let mut cmd = shell("zsh");
    cmd.args(["-f", "-i"])
        .env("TERM", "dumb")
        .env("ZDOTDIR", dir.path())
        .env("WM_DIR", dir.path());
    let options = Options::new().timeout_ms(Some(60_000));
    let mut zsh = spawn_with_options(cmd, options).expect("zsh starts in a pty");
    zsh.send_line(&format!("source {}", setup.display()))
        .unwrap();
    zsh.exp_string("zsh-ready> ").expect("zsh reads the setup");
    let mut offers = Vec::new();
    for (n, line) in lines_typed.iter().enumerate() {
        let out = dir.path().join(format!("hits{n}"));
        zsh.send_line(&format!("WM_OUT={}", out.display())).unwrap();
        zsh.exp_string("zsh-ready> ").unwrap();
        // Type the line, TAB, then abandon it (Ctrl-U) and run a marker whose
        // output differs from its echo: zle reads keys in order, so once the
        // marker's output shows, the completion has run.
        zsh.send(&format!("{line}\t")).unwrap();
        // `send` buffers: the TAB must reach zsh now, on its own.
        zsh.flush().unwrap();
        // Keys typed ahead of a running completion can cut it short (zle
        // checks for pending input), so the rest is typed once it offered
        // something (or after a generous wait, when it offers nothing).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::fs::metadata(&out).map_or(true, |m| m.len() == 0)
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        zsh.send("\x15").unwrap();
        zsh.send_line(&format!("print done-$(( {n} + 1000 ))"))
            .unwrap();
        zsh.exp_string(&format!("done-{}", n + 1000))
            .expect("zsh finishes the completion");
        offers.push(lines(&std::fs::read(&out).unwrap_or_default()));
    }
    zsh.send_line("exit").unwrap();
    offers
}

fn lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The three things every shell must complete: a subcommand's flag and two
/// value lists (check names and delivery statuses).
const FLAG: &str = "wm-hooks send-test --sta";
const CHECK_NAMES: &str = "wm-hooks check --only sig";
const STATUSES: &str = "wm-hooks send-test --status ";

fn assert_completes(shell: &str, flag: &[String], names: &[String], statuses: &[String]) {
    assert!(flag.iter().any(|c| c == "--status"), "{shell}: {flag:?}");
    for name in ["signature", "signature.valid", "signature.wrong-secret"] {
        assert!(
            names.iter().any(|c| c == name),
            "{shell}: {name} in {names:?}"
        );
    }
    assert!(
        !names.iter().any(|c| c == "handshake"),
        "{shell}: {names:?}"
    );
    for status in ["sent", "delivered", "read", "failed"] {
        assert!(
            statuses.iter().any(|c| c == status),
            "{shell}: {statuses:?}"
        );
    }
}

#[test]
fn bash_completes_subcommand_flags_and_values() {
    assert_completes(
        "bash",
        &bash_offers(FLAG),
        &bash_offers(CHECK_NAMES),
        &bash_offers(STATUSES),
    );
    assert_eq!(bash_offers("wm-hooks send-test --status de"), ["delivered"]);
}

#[test]
fn fish_completes_subcommand_flags_and_values() {
    assert_completes(
        "fish",
        &fish_offers(FLAG),
        &fish_offers(CHECK_NAMES),
        &fish_offers(STATUSES),
    );
}

#[test]
fn fish_completes_positional_values_not_file_names() {
    // clap_complete's fish script has no positionals: fish offered the
    // current directory's files for these.
    let events = fish_offers("wm-hooks events mess");
    assert_eq!(events, ["message.received", "message.status"], "{events:?}");
    let sent = fish_offers("wm-hooks -q send-test all ");
    assert!(sent.iter().any(|c| c == "template.status"), "{sent:?}");
    let shells = fish_offers("wm-hooks completions ");
    assert_eq!(shells, ["bash", "elvish", "fish", "powershell", "zsh"]);
    // An option's own argument still completes file names.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("event.json"), "{}").unwrap();
    let files = fish_offers(&format!(
        "wm-hooks send-test --payload-file {}/ev",
        dir.path().display()
    ));
    assert!(files.iter().any(|c| c.ends_with("event.json")), "{files:?}");
}

#[test]
fn zsh_completes_subcommand_flags_and_values() {
    let offers = zsh_offers(&[FLAG, CHECK_NAMES, STATUSES]);
    assert_completes("zsh", &offers[0], &offers[1], &offers[2]);
}
