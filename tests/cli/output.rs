//! Colour and escaping: ANSI only when asked for, never from the input.

use predicates::prelude::*;

use crate::util::server::{self, TestServer};
use crate::util::{Ended, wm_hooks, wm_hooks_std};

/// Every line that turns a colour on also turns it off before its end, and
/// no line starts by resetting a colour the line before left on: a pager or
/// `grep` that shows one line never bleeds colour into the next.
fn assert_colour_closes_on_each_line(text: &str) {
    for line in text.lines() {
        assert!(!line.starts_with("\u{1b}[0m"), "{line:?}");
        if let Some(last) = line.rfind("\u{1b}[") {
            assert!(line[last..].starts_with("\u{1b}[0m"), "{line:?}");
        }
    }
}

#[test]
fn color_always_closes_each_colour_on_its_line() {
    const SECRET: &str = "whsec_colour_0123456789abcdef";
    let good = TestServer::start(server::correct(SECRET));
    let bad = TestServer::start(server::status(500));
    let runs: [&[&str]; 4] = [
        &["send-test", "all", "--to", &good.url("/h")],
        &["send-test", "--duplicate", "2", "--to", &bad.url("/h")],
        &["check", "--only", "signature", "--url", &bad.url("/h")],
        &["verify", "--url", &bad.url("/h")],
    ];
    for args in runs {
        let out = Ended::run(
            wm_hooks()
                .args(["--color", "always"])
                .args(args)
                .env("WM_HOOKS_SECRET", SECRET),
        );
        let (stdout, stderr) = (out.stdout, out.stderr);
        assert!(
            stdout.contains("\u{1b}[") || stderr.contains("\u{1b}["),
            "{args:?}"
        );
        assert_colour_closes_on_each_line(&stdout);
        assert_colour_closes_on_each_line(&stderr);
    }
}

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

#[test]
fn a_bare_url_is_a_usage_error_with_the_flag_that_takes_it() {
    for (args, tip) in [
        (
            &["verify", "http://127.0.0.1:9/w"][..],
            "this command takes the URL by a flag: --url URL",
        ),
        (
            &["send-test", "http://127.0.0.1:9/w"],
            "this command takes the URL by a flag: --to URL",
        ),
        // The duration forgotten: the URL went to --timeout.
        (
            &["verify", "--timeout", "http://127.0.0.1:9/w"],
            "--timeout takes a duration such as 10s; the URL goes to --url URL",
        ),
    ] {
        wm_hooks()
            .args(args)
            .env("WM_HOOKS_SECRET", "a-test-secret")
            .assert()
            .code(2)
            .stderr(predicate::str::starts_with("error: "))
            .stderr(predicate::str::contains(format!("tip: {tip}")));
    }
}

#[test]
fn help_lists_the_verbs_first_and_listen_names_its_exit_codes() {
    let help = Ended::run(wm_hooks().arg("--help")).stdout;
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(commands.first(), Some(&"listen"), "{help}");
    assert_eq!(commands.last(), Some(&"help"), "{help}");

    let help = Ended::run(wm_hooks().args(["listen", "--help"])).stdout;
    assert!(
        help.contains(
            "Exit codes: 0 stopped by Ctrl-C or SIGTERM, 1 a record line could not be written"
        ),
        "{help}"
    );
    assert!(
        help.trim_end()
            .ends_with("wm-hooks listen --json --record deliveries.jsonl"),
        "{help}"
    );
    let short = Ended::run(wm_hooks().args(["listen", "-h"])).stdout;
    assert!(short.contains("Examples:\n  wm-hooks listen"), "{short}");
}

#[test]
fn another_commands_url_flag_or_a_bare_payload_gets_the_right_flag_named() {
    for (args, tip, wrong_guess) in [
        (
            &["check", "--to", "http://127.0.0.1:9/w"][..],
            "tip: a similar argument exists: '--url'",
            "verify-token",
        ),
        (
            &["send-test", "--url", "http://127.0.0.1:9/w"],
            "tip: a similar argument exists: '--to'",
            "-- --url",
        ),
        (
            &["sign", "body.txt"],
            "tip: this command takes the payload by a flag: --payload-file body.txt (or on stdin)",
            "tip: a similar",
        ),
    ] {
        let err = Ended::run(
            wm_hooks()
                .args(args)
                .env("WM_HOOKS_SECRET", "a-test-secret"),
        )
        .exited(2)
        .stderr;
        assert!(err.starts_with("error: unexpected argument"), "{err}");
        assert!(
            err.contains(tip) && !err.contains(wrong_guess),
            "{args:?}: {err}"
        );
    }
}

/// `wm-hooks check … | head -1` in a CI step with `pipefail`: the reader
/// going away stops only the printing. A failing receiver still fails the
/// step, and the `--junit` report is still written whole.
#[test]
fn a_closed_stdout_keeps_the_verdict_and_the_junit_report() {
    let failing = TestServer::start(server::status(500));
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("report.xml");
    let url = failing.url("/webhooks/whatsapp");
    let runs: [(&[&str], i32); 4] = [
        (
            &["check", "--junit", junit.to_str().unwrap(), "--url", &url],
            1,
        ),
        (&["check", "--json", "--url", &url], 1),
        (&["send-test", "all", "--to", &url], 1),
        (&["verify", "--url", &url], 1),
    ];
    for (args, code) in runs {
        let mut cmd = wm_hooks_std();
        cmd.args(args)
            .env("WM_HOOKS_SECRET", "whsec_closed_stdout_0123456789");
        Ended::run_with_closed_stdout(&mut cmd).exited(code);
    }
    let report = std::fs::read_to_string(&junit).unwrap();
    assert!(report.trim_end().ends_with("</testsuites>"), "{report}");
    assert!(report.contains("<failure"), "{report}");
    // A stdout that fails (a full disk) is outlived the same way, and said.
    std::fs::remove_file(&junit).unwrap();
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = wm_hooks_std()
        .args(["check", "--junit", junit.to_str().unwrap(), "--url", &url])
        .env("WM_HOOKS_SECRET", "whsec_closed_stdout_0123456789")
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("warning: cannot write to stdout ("),
        "{stderr}"
    );
    let report = std::fs::read_to_string(&junit).unwrap();
    assert!(report.trim_end().ends_with("</testsuites>"), "{report}");
}
