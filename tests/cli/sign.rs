//! `wm-hooks sign`: the signature on stdout, secrets from every source, bad input.

use predicates::prelude::*;

use crate::util::server::hmac_header;
use crate::util::{Ended, file_with, wm_hooks};

const GITHUB_SECRET: &str = "It's a Secret to Everybody";
const GITHUB_SIG: &str = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

#[test]
fn signs_stdin_with_the_env_secret() {
    wm_hooks()
        .arg("sign")
        .env("WM_HOOKS_SECRET", GITHUB_SECRET)
        .write_stdin("Hello, World!")
        .assert()
        .success()
        .stdout(format!("{GITHUB_SIG}\n"))
        .stderr("");
}

#[test]
fn signs_a_file_with_a_secret_file_minus_one_newline() {
    let (_d1, body) = file_with("Hello, World!");
    let (_d2, secret) = file_with(format!("{GITHUB_SECRET}\r\n"));
    wm_hooks()
        .args(["sign", "--payload-file"])
        .arg(&body)
        .arg("--secret-file")
        .arg(&secret)
        .assert()
        .success()
        .stdout(format!("{GITHUB_SIG}\n"));
}

#[test]
fn dash_means_stdin_and_bytes_are_not_trimmed() {
    let out = wm_hooks()
        .args(["sign", "--payload-file", "-"])
        .env("WM_HOOKS_SECRET", GITHUB_SECRET)
        .write_stdin("Hello, World!\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_ne!(String::from_utf8(out).unwrap(), format!("{GITHUB_SIG}\n"));
}

#[test]
fn secret_flag_works_but_warns() {
    wm_hooks()
        .args(["sign", "--secret", GITHUB_SECRET])
        .write_stdin("Hello, World!")
        .assert()
        .success()
        .stdout(format!("{GITHUB_SIG}\n"))
        .stderr(predicate::str::contains("warning: --secret is visible"))
        .stderr(predicate::str::contains(GITHUB_SECRET).not());
}

#[test]
fn quiet_silences_the_warning() {
    wm_hooks()
        .args(["-q", "sign", "--secret", GITHUB_SECRET])
        .write_stdin("Hello, World!")
        .assert()
        .success()
        .stderr("");
}

#[test]
fn missing_secret_is_exit_2_with_a_hint() {
    wm_hooks()
        .arg("sign")
        .write_stdin("x")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "error: no webhook secret given\nhint: set WM_HOOKS_SECRET",
        ));
}

#[test]
fn empty_secrets_are_exit_2() {
    let (_d, empty) = file_with("\n");
    wm_hooks()
        .args(["sign", "--secret-file"])
        .arg(&empty)
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is empty"));
    wm_hooks()
        .arg("sign")
        .env("WM_HOOKS_SECRET", "")
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("WM_HOOKS_SECRET is set but empty"));
}

#[test]
fn unreadable_files_are_exit_2() {
    wm_hooks()
        .args(["sign", "--payload-file", "/nonexistent/body.json"])
        .env("WM_HOOKS_SECRET", "s")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: cannot read the payload file /nonexistent/body.json",
        ));
    wm_hooks()
        .args(["sign", "--secret-file", "/nonexistent/secret"])
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: cannot read the secret file /nonexistent/secret",
        ));
}

#[test]
fn a_secret_path_that_is_no_regular_file_gets_no_chmod_advice() {
    // /tmp (a directory, 1777) and /dev/null (a device, 0666) once got
    // "`chmod 600 /tmp` keeps the secret yours" before their error: advice
    // that breaks the machine and protects nothing.
    for path in ["/tmp", "/dev/null"] {
        wm_hooks()
            .args(["sign", "--secret-file", path])
            .write_stdin("x")
            .assert()
            .code(2)
            .stderr(predicate::str::contains("error: "))
            .stderr(predicate::str::contains("chmod").not());
    }
    // A secret from a pipe (`--secret-file <(pass show hook)`) is used quietly.
    wm_hooks()
        .args([
            "sign",
            "--secret-file",
            "/dev/stdin",
            "--payload-file",
            "/dev/null",
        ])
        .write_stdin(GITHUB_SECRET)
        .assert()
        .success()
        .stderr(predicate::str::contains("chmod").not());
}

#[test]
fn a_secret_file_without_end_is_refused() {
    // `--secret-file /dev/zero` used to grow without bound.
    wm_hooks()
        .args(["sign", "--secret-file", "/dev/zero"])
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: the secret file /dev/zero is larger than 64 KiB",
        ));
}

#[test]
fn empty_payload_signs_with_a_warning() {
    wm_hooks()
        .arg("sign")
        .env("WM_HOOKS_SECRET", "key")
        .write_stdin("")
        .assert()
        .success()
        // HMAC-SHA256("key", "") from RFC-conformant implementations.
        .stdout("sha256=5d5d139563c95b5967b9bd9a8c9b233a9dedb45072794cd232dc1b74832607d0\n")
        .stderr(predicate::str::contains("warning: the payload is empty"));
}

#[test]
fn binary_payloads_are_signed_as_bytes() {
    let body: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let (_d, path) = file_with(&body);
    let want = wm_hooks_lib_sign(b"k", &body);
    wm_hooks()
        .args(["sign", "--payload-file"])
        .arg(&path)
        .env("WM_HOOKS_SECRET", "k")
        .assert()
        .success()
        .stdout(format!("{want}\n"));
}

#[test]
fn twenty_mib_matches_openssl() {
    let body: Vec<u8> = (0..20 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let (_d, path) = file_with(&body);
    let openssl = std::process::Command::new("openssl")
        .args(["dgst", "-sha256", "-hmac", "bench-secret", "-r"])
        .arg(&path)
        .output()
        .expect("openssl is installed (.ci/run installs it)");
    assert!(openssl.status.success());
    let hex = String::from_utf8(openssl.stdout).unwrap();
    let hex = hex.split_whitespace().next().unwrap().to_string();
    wm_hooks()
        .args(["sign", "--payload-file"])
        .arg(&path)
        .env("WM_HOOKS_SECRET", "bench-secret")
        .assert()
        .success()
        .stdout(format!("sha256={hex}\n"));
    wm_hooks()
        .args([
            "verify-signature",
            "--signature",
            &format!("sha256={hex}"),
            "--payload-file",
        ])
        .arg(&path)
        .env("WM_HOOKS_SECRET", "bench-secret")
        .assert()
        .success();
}

fn wm_hooks_lib_sign(secret: &[u8], body: &[u8]) -> String {
    wm_hooks::contract::signature::sign(secret, body).to_string()
}

/// `wm-hooks ARGS` with `stdin`, waited for at most a minute: without a limit
/// an endless payload would stream until killed.
fn bounded_run(args: &[&str], stdin: std::process::Stdio) -> (Option<i32>, String) {
    use std::io::Read;
    let mut child = crate::util::wm_hooks_std()
        .env("WM_HOOKS_SECRET", "k")
        .args(args)
        .stdin(stdin)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} still reading after a minute");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (status.code(), stderr)
}

#[test]
fn a_payload_without_end_stops_at_64_mib() {
    let zero = || std::process::Stdio::from(std::fs::File::open("/dev/zero").unwrap());
    let cases: [(&[&str], &str); 2] = [
        (
            &["sign", "--payload-file", "/dev/zero"],
            "error: the payload file /dev/zero is larger than 64 MiB, the most sign and verify-signature read\n",
        ),
        (
            &["verify-signature", "--signature", "sha256=00"],
            "error: the payload on stdin is larger than 64 MiB, the most sign and verify-signature read\n",
        ),
    ];
    for (args, want) in cases {
        let (code, stderr) = bounded_run(args, zero());
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with(want), "{args:?}: {stderr}");
        assert!(stderr.contains("\nhint: "), "{args:?}: {stderr}");
    }
}

#[test]
fn a_file_past_64_mib_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge");
    // Sparse: its size says it is too large, and nothing of it is hashed.
    let file = std::fs::File::create(&path).unwrap();
    file.set_len((64 << 20) + 1).unwrap();
    let path = path.to_str().unwrap();
    for args in [
        &["sign", "--payload-file", path][..],
        &[
            "verify-signature",
            "--signature",
            "sha256=00",
            "--payload-file",
            path,
        ],
    ] {
        let (code, stderr) = bounded_run(args, std::process::Stdio::null());
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with(&format!(
                "error: the payload file {path} is larger than 64 MiB"
            )),
            "{args:?}: {stderr}"
        );
    }
}

/// A secret whose bytes look like a slip in how it was given (an editor's
/// byte-order mark, a newline or a carriage return) is used as given, with
/// a warning naming the byte and where the secret came from.
#[test]
fn a_secret_with_a_bom_or_a_stray_newline_is_used_with_a_warning() {
    let (_dir, bom) = file_with(b"\xEF\xBB\xBFsec\n");
    let from_file = Ended::run(
        wm_hooks()
            .args(["sign", "--payload-file", "/dev/null", "--secret-file"])
            .arg(&bom),
    )
    .exited(0)
    .stderr_has("the secret from the file given with --secret-file starts with a byte-order mark");
    assert_eq!(from_file.stdout.trim(), hmac_header("\u{feff}sec", b""),);
    for (value, says) in [
        (
            "sec\n",
            "the secret from WM_HOOKS_SECRET ends with a newline, which is part of the HMAC key",
        ),
        (
            "sec\r",
            "the secret from WM_HOOKS_SECRET ends with a carriage return",
        ),
    ] {
        Ended::run(
            wm_hooks()
                .args(["sign", "--payload-file", "/dev/null"])
                .env("WM_HOOKS_SECRET", value),
        )
        .exited(0)
        .stderr_has(says);
    }
    let plain = Ended::run(
        wm_hooks()
            .args(["sign", "--payload-file", "/dev/null"])
            .env("WM_HOOKS_SECRET", "sec"),
    )
    .exited(0);
    assert!(!plain.stderr.contains("HMAC key"), "{}", plain.stderr);
}

/// The same slips in the verify token and the forwarding secret are warned
/// of, naming the byte, the value and where it came from.
#[test]
fn a_verify_token_or_forwarding_secret_with_a_stray_byte_is_warned_of() {
    let closed = format!(
        "http://127.0.0.1:{}/webhooks/whatsapp",
        crate::util::server::closed_port()
    );
    Ended::run(
        wm_hooks()
            .args(["verify", "--url", &closed])
            .env("WM_HOOKS_VERIFY_TOKEN", "token\r"),
    )
    .exited(3)
    .stderr_has("warning: the verify token from WM_HOOKS_VERIFY_TOKEN ends with a carriage return");
    Ended::run(
        wm_hooks()
            .args([
                "deliver",
                "--to",
                "http://127.0.0.1:1/",
                "--from",
                "sqlite:/nonexistent/x.db",
            ])
            .env("WM_HOOKS_FORWARD_SECRET", " forward"),
    )
    .exited(2)
    .stderr_has("warning: the forwarding secret from WM_HOOKS_FORWARD_SECRET begins with a space");
}
