//! Colour and escaping: ANSI only when asked for, never from the input.

use predicates::prelude::*;

use crate::util::wm_hooks;

#[test]
fn color_always_colours_and_never_does_not() {
    let run = |flag: &str| {
        wm_hooks()
            .args(["--color", flag, "sign"])
            .write_stdin("x")
            .assert()
            .code(2)
    };
    run("always").stderr(predicate::str::contains("\u{1b}["));
    run("never").stderr(predicate::str::contains("\u{1b}[").not());
    run("auto").stderr(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn clicolor_force_forces_and_no_color_wins_over_a_pipe() {
    wm_hooks()
        .arg("sign")
        .env("CLICOLOR_FORCE", "1")
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\u{1b}["));
}

#[test]
fn control_characters_from_input_are_escaped() {
    let value = "sha256=\u{1b}[2J\u{1b}[31mevil";
    wm_hooks()
        .args(["verify-signature", "--signature", value])
        .env("WM_HOOKS_SECRET", "s")
        .write_stdin("x")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("\u{1b}[2J").not());
}

#[test]
fn version_and_help_exit_0() {
    wm_hooks()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("wm-hooks "));
    wm_hooks()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("verify-signature"));
    wm_hooks().assert().code(2);
}
