//! The committed completion scripts match the generator. Run with
//! `UPDATE_COMPLETIONS=1 cargo test completions` to rewrite them.

use std::path::Path;

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
