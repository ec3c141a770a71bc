//! Every flag that names a file opens it within a bounded wait: a FIFO that
//! nothing writes to (or, for `check --junit`, reads) is an input error
//! naming the file, not a hang, while `/dev/stdin` and `<(command)` (pipes
//! that have their writer) still work.

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;

use crate::util::{Ended, file_with, stderr_of, stdout_of, wm_hooks};

const SECRET: &str = "It's a Secret to Everybody";
const SIG: &str = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

/// A FIFO in its own directory, which nothing writes to.
fn fifo() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("mkfifo (coreutils)");
    assert!(made.success());
    (dir, path)
}

#[test]
fn a_fifo_with_no_other_end_is_exit_2_naming_it_within_the_wait() {
    let (_dir, shared) = fifo();
    let at = |flag: &str| format!("{flag}{}", shared.display());
    // The closed port 9 is never reached: each file is read before anything is sent.
    let store = format!("sqlite:{}", shared.with_file_name("store.db").display());
    let ingest = |args: &[&str]| {
        let mut all = vec!["ingest", "--port", "0", "--store", &store];
        all.extend(args);
        all.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let mut cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["sign".into(), "--secret-file".into(), at("")],
            "the secret file",
        ),
        (
            vec![
                "verify-signature".into(),
                "--signature".into(),
                SIG.into(),
                "--payload-file".into(),
                at(""),
            ],
            "the payload file",
        ),
        (
            vec![
                "verify".into(),
                "--url".into(),
                "http://127.0.0.1:9/".into(),
                "--verify-token-file".into(),
                at(""),
            ],
            "the verify token file",
        ),
        (
            vec![
                "send-test".into(),
                "--to".into(),
                "http://127.0.0.1:9/".into(),
                "-H".into(),
                at("@"),
            ],
            "the header file",
        ),
        (
            vec![
                "send-test".into(),
                "--to".into(),
                "http://127.0.0.1:9/".into(),
                "--replay".into(),
                at(""),
            ],
            "the record file",
        ),
        (
            ingest(&["--previous-secret-file", &at("")]),
            "the secret file",
        ),
        (
            ingest(&["--tls-cert", &at(""), "--tls-key", &at("")]),
            "the TLS certificate",
        ),
    ];
    for (args, _) in &mut cases {
        args.insert(0, "read".into());
    }
    // The one file written before anything is sent, on a FIFO of its own:
    // opening one for writing would give the readers above their writer.
    let (_out_dir, out) = fifo();
    let out = out.display().to_string();
    cases.push((
        vec![
            "write".into(),
            "check".into(),
            "--url".into(),
            "http://127.0.0.1:9/".into(),
            "--junit".into(),
            out.clone(),
        ],
        "the JUnit report",
    ));
    let started = Instant::now();
    // All at once: each waits the whole bound (10 s) for a writer.
    let runs: Vec<_> = cases
        .into_iter()
        .map(|(mut args, what)| {
            let path = args.last().unwrap().trim_start_matches('@').to_string();
            std::thread::spawn(move || {
                let verb = args.remove(0);
                let ended = Ended::run(
                    wm_hooks()
                        .args(&args)
                        .env("WM_HOOKS_SECRET", SECRET)
                        .write_stdin("")
                        .timeout(Duration::from_secs(60)),
                );
                (verb, args, what, path, ended)
            })
        })
        .collect();
    for run in runs {
        let (verb, args, what, path, ended) = run.join().expect("a run");
        let stderr = ended.exited(2).stderr;
        let error = format!("error: cannot {verb} {what} {path}: it did not open");
        assert!(stderr.contains(&error), "{args:?}: {stderr}");
        let other = if verb == "read" { "writer" } else { "reader" };
        assert!(
            stderr.contains(&format!("hint: is it a FIFO with no {other}?")),
            "{args:?}: {stderr}"
        );
    }
    assert!(started.elapsed() < Duration::from_secs(50));
}

#[test]
fn dev_stdin_and_process_substitution_still_read_the_secret() {
    let (_dir, body) = file_with("Hello, World!");
    wm_hooks()
        .args(["sign", "--secret-file", "/dev/stdin", "--payload-file"])
        .arg(&body)
        .write_stdin(format!("{SECRET}\n"))
        .timeout(Duration::from_secs(60))
        .assert()
        .success()
        .stdout(format!("{SIG}\n"));
    let output = substituted(&body);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output), format!("{SIG}\n"));
}

/// `sign --secret-file <(printf SECRET)` run by bash, in the cleaned
/// environment the other runs have.
fn substituted(body: &Path) -> std::process::Output {
    let binary = crate::util::wm_hooks_std().get_program().to_owned();
    let mut bash = std::process::Command::new("bash");
    bash.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args([
            "-c",
            "exec \"$0\" sign --secret-file <(printf %s \"$2\") --payload-file \"$1\"",
        ])
        .arg(binary)
        .arg(body)
        .arg(SECRET);
    Command::from_std(bash)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("bash runs")
}

/// An output file that is one of the files the command reads (by any path)
/// is refused before anything is written: `--junit` over the secret file
/// would destroy it, `--record` appended to it would change the secret.
#[test]
fn an_output_file_that_is_an_input_file_is_refused_untouched() {
    let (dir, secret) = file_with("whsec_output_over_input_0123\n");
    let same = dir.path().join(".").join("payload");
    let check = Ended::run(
        wm_hooks()
            .args([
                "check",
                "--url",
                "http://127.0.0.1:1/webhooks/whatsapp",
                "--secret-file",
            ])
            .arg(&secret)
            .arg("--junit")
            .arg(&same),
    )
    .exited(2)
    .stderr_has("is the file --secret-file reads: writing it would destroy what it holds");
    assert!(
        check
            .stderr
            .contains("hint: give --junit a file of its own"),
        "{}",
        check.stderr
    );
    Ended::run(
        wm_hooks()
            .args(["listen", "--port", "0", "--secret-file"])
            .arg(&secret)
            .arg("--record")
            .arg(&same),
    )
    .exited(2)
    .stderr_has("--record");
    assert_eq!(
        std::fs::read_to_string(&secret).unwrap(),
        "whsec_output_over_input_0123\n"
    );
}
