//! `wm-hooks verify-signature`: exit 0 valid, 1 invalid (with near-miss hints),
//! 2 bad input; never a panic, never the valid signature in a hint.

use predicates::prelude::*;

use crate::util::{file_with, stderr_of, wm_hooks};

const SECRET: &str = "It's a Secret to Everybody";
const HEX: &str = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

fn verify(signature: &str, body: impl Into<Vec<u8>>) -> assert_cmd::assert::Assert {
    wm_hooks()
        .args(["verify-signature", "--signature", signature])
        .env("WM_HOOKS_SECRET", SECRET)
        .write_stdin(body.into())
        .assert()
}

#[test]
fn valid_is_exit_0() {
    verify(&format!("sha256={HEX}"), "Hello, World!")
        .success()
        .stdout("")
        .stderr(predicate::str::contains("valid signature (13 bytes)"));
}

#[test]
fn upper_case_hex_and_whitespace_are_accepted() {
    verify(
        &format!("  sha256={}\n", HEX.to_uppercase()),
        "Hello, World!",
    )
    .success();
}

#[test]
fn quiet_prints_nothing() {
    wm_hooks()
        .args([
            "--quiet",
            "verify-signature",
            "--signature",
            &format!("sha256={HEX}"),
        ])
        .env("WM_HOOKS_SECRET", SECRET)
        .write_stdin("Hello, World!")
        .assert()
        .success()
        .stdout("")
        .stderr("");
    wm_hooks()
        .args(["-q", "verify-signature", "--signature", "sha256=00"])
        .env("WM_HOOKS_SECRET", SECRET)
        .write_stdin("Hello, World!")
        .assert()
        .code(1)
        .stdout("")
        .stderr("");
}

#[test]
fn wrong_signature_is_exit_1() {
    let wrong = format!("sha256={}0", &HEX[..63]);
    verify(&wrong, "Hello, World!")
        .code(1)
        .stderr(predicate::str::contains(
            "invalid signature: it does not match",
        ));
}

#[test]
fn malformed_values_are_exit_1_never_a_panic() {
    let cases = [
        ("sha256=".to_string(), "has 0 hex digits"),
        (format!("sha256={}", &HEX[..63]), "has 63"),
        (format!("sha256={HEX}0"), "has 65"),
        (format!("sha256={}", "z".repeat(64)), "only the hex digits"),
        (format!("sha256={}", "a".repeat(20_000)), "has 20000"),
        ("x".repeat(20_000), "is `sha256=` followed by"),
        ("".to_string(), "empty"),
    ];
    for (value, says) in cases {
        let out = verify(&value, "Hello, World!").code(1).get_output().clone();
        let err = stderr_of(&out);
        assert!(err.contains(says), "{value:.30}: {err}");
        assert!(!err.contains("panicked"));
    }
}

#[test]
fn bare_hex_gets_a_hint_that_it_would_match() {
    verify(HEX, "Hello, World!")
        .code(1)
        .stderr(predicate::str::contains("hint: the value is bare hex"))
        .stderr(predicate::str::contains(
            "with the prefix this signature is valid",
        ));
}

#[test]
fn sha1_prefix_gets_a_hint() {
    verify(
        "sha1=0123456789abcdef0123456789abcdef01234567",
        "Hello, World!",
    )
    .code(1)
    .stderr(predicate::str::contains(
        "hint: `sha1=` is an HMAC-SHA1 signature",
    ));
}

#[test]
fn trailing_newline_near_miss() {
    let (_d, path) = file_with("Hello, World!\n");
    let out = wm_hooks()
        .args([
            "verify-signature",
            "--signature",
            &format!("sha256={HEX}"),
            "--payload-file",
        ])
        .arg(&path)
        .env("WM_HOOKS_SECRET", SECRET)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "hint: the signature matches the payload without its trailing newline",
        ))
        .get_output()
        .clone();
    let correct =
        wm_hooks::contract::signature::sign(SECRET.as_bytes(), b"Hello, World!\n").to_string();
    assert!(
        !stderr_of(&out).contains(&correct[7..]),
        "a hint never prints the valid signature"
    );
}

#[test]
fn crlf_and_secret_whitespace_near_misses() {
    let sig = wm_hooks::contract::signature::sign(SECRET.as_bytes(), b"a\nb\n").to_string();
    verify(&sig, "a\r\nb\r\n")
        .code(1)
        .stderr(predicate::str::contains("CRLF line endings turned into LF"));

    let sig = wm_hooks::contract::signature::sign(b"secret", b"body").to_string();
    wm_hooks()
        .args(["verify-signature", "--signature", &sig])
        .env("WM_HOOKS_SECRET", " secret ")
        .write_stdin("body")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the secret has its surrounding whitespace removed",
        ));
}

#[test]
fn pretty_printed_and_escaped_json_near_misses() {
    let compact = r#"{"event":"message.received","data":{"name":"João"}}"#;
    let sig =
        wm_hooks::contract::signature::sign(SECRET.as_bytes(), compact.as_bytes()).to_string();
    let pretty =
        "{\n  \"event\": \"message.received\",\n  \"data\": {\n    \"name\": \"João\"\n  }\n}";
    verify(&sig, pretty)
        .code(1)
        .stderr(predicate::str::contains("re-serialised as compact JSON"));

    let python = r#"{"event": "message.received", "data": {"name": "Jo\u00e3o"}}"#;
    let sig = wm_hooks::contract::signature::sign(SECRET.as_bytes(), python.as_bytes()).to_string();
    verify(&sig, compact)
        .code(1)
        .stderr(predicate::str::contains("Python's json.dumps default"));
}

#[test]
fn missing_payload_file_is_exit_2() {
    wm_hooks()
        .args([
            "verify-signature",
            "--signature",
            &format!("sha256={HEX}"),
            "--payload-file",
            "/nope",
        ])
        .env("WM_HOOKS_SECRET", SECRET)
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: cannot read the payload file /nope",
        ));
}

#[test]
fn missing_signature_flag_is_a_usage_error() {
    wm_hooks()
        .arg("verify-signature")
        .env("WM_HOOKS_SECRET", SECRET)
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--signature"));
}

#[test]
fn empty_payload_is_checked_and_flagged() {
    let sig = wm_hooks::contract::signature::sign(SECRET.as_bytes(), b"").to_string();
    verify(&sig, "").success();
    verify(&format!("sha256={HEX}"), "")
        .code(1)
        .stderr(predicate::str::contains("hint: the payload is empty"));
}

#[test]
fn binary_payload_is_verified_as_bytes() {
    let body: Vec<u8> = vec![0, 0xff, 0xfe, 0x1b, b'\n', 0x80];
    let sig = wm_hooks::contract::signature::sign(SECRET.as_bytes(), &body).to_string();
    verify(&sig, body.clone()).success();
    verify(&format!("sha256={HEX}"), body).code(1);
}

#[test]
fn a_pasted_header_line_and_a_base64_digest_are_named_near_misses() {
    // Both once got "is this the value of the right header?", though each
    // holds the right digest.
    let line = format!("X-Signature-256: sha256={HEX}");
    let out = verify(&line, "Hello, World!").code(1).get_output().clone();
    let err = stderr_of(&out);
    assert!(
        err.contains("hint: the value starts with the header's name `X-Signature-256:`"),
        "{err}"
    );
    assert!(
        err.contains("then this signature is valid for the payload"),
        "{err}"
    );
    let base64 = "dXEH6g6yUJ/CESIczphLijdXC211hsIsRvQ3nIsEPhc=";
    for value in [base64.to_string(), format!("sha256={base64}")] {
        let out = verify(&value, "Hello, World!").code(1).get_output().clone();
        let err = stderr_of(&out);
        assert!(err.contains("the digest looks base64-encoded"), "{err}");
        assert!(
            err.contains("in hex this signature is valid for the payload"),
            "{err}"
        );
        assert!(!err.contains(HEX), "{err}");
    }
}

#[test]
fn a_signature_that_is_not_utf8_is_invalid_exit_1_with_its_cause() {
    use std::os::unix::ffi::OsStrExt;
    let value = std::ffi::OsStr::from_bytes(b"sha256=\xff");
    let out = wm_hooks()
        .arg("verify-signature")
        .arg("--signature")
        .arg(value)
        .env("WM_HOOKS_SECRET", SECRET)
        .write_stdin("Hello, World!")
        .assert()
        .code(1)
        .stdout("")
        .get_output()
        .clone();
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains(
            "✘ invalid signature: the signature has characters after `sha256=` that are not hex digits"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: the value has bytes that are not UTF-8 text (shown as \u{FFFD})"),
        "{stderr}"
    );
}

/// A header sent twice and joined by a framework, or a value copied from a
/// web page with a non-breaking space: named as such, and said to be valid
/// once fixed.
#[test]
fn joined_copies_and_invisible_characters_are_named() {
    let joined = format!("sha256={HEX}, sha256={HEX}");
    verify(&joined, "Hello, World!")
        .code(1)
        .stderr(predicate::str::contains(
            "the value is 2 signatures joined with commas",
        ))
        .stderr(predicate::str::contains(
            "copy 1 of them is valid for the payload",
        ));
    for (odd, named) in [
        ("\u{a0}", "U+00A0 (a non-breaking space)"),
        ("\u{200b}", "U+200B (a zero-width space)"),
    ] {
        verify(&format!("sha256={HEX}{odd}"), "Hello, World!")
            .code(1)
            .stderr(predicate::str::contains(named))
            .stderr(predicate::str::contains(
                "without it this signature is valid for the payload",
            ));
    }
}
