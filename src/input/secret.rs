//! The webhook secret: where it comes from (`--secret-file`, `--secret`,
//! `WM_HOOKS_SECRET`), how a file is read, how a new one is generated, and how
//! it is shown (never in full). Reads files and the environment; never prints.

use std::fmt;
use std::path::Path;

use crate::error::{Error, Result};

pub const ENV: &str = "WM_HOOKS_SECRET";

/// Where the secret came from. `Flag` is visible to other users in the process
/// list, so commands warn about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Flag,
    Env,
    File,
    Generated,
    /// Typed at a hidden prompt (`configure` on a terminal).
    Prompt,
}

/// The webhook secret. `Debug` and `masked` never show it in full.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    bytes: Vec<u8>,
    pub source: Source,
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({}, {:?})", self.masked(), self.source)
    }
}

impl Secret {
    pub fn new(bytes: impl Into<Vec<u8>>, source: Source) -> Result<Secret> {
        let bytes = bytes.into();
        if bytes.is_empty() {
            return Err(Error::input("the webhook secret is empty")
                .with_hint("an empty HMAC key signs nothing worth checking; set the same secret the platform has"));
        }
        Ok(Secret { bytes, source })
    }

    /// 32 random bytes as 64 lower-case hex digits.
    pub fn generate() -> Secret {
        Secret {
            bytes: random_hex(32).into_bytes(),
            source: Source::Generated,
        }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The secret as text, for the places that need text (the handshake's
    /// `hub.verify_token`, the API's JSON body).
    pub fn to_text(&self) -> Result<&str> {
        std::str::from_utf8(&self.bytes).map_err(|_| {
            Error::input("the webhook secret is not valid UTF-8 text")
                .with_hint("the platform stores the secret as a JSON string; use printable text")
        })
    }

    /// Shown in place of the secret: see [`mask`].
    pub fn masked(&self) -> String {
        mask(&String::from_utf8_lossy(&self.bytes))
    }
}

/// `bytes` random bytes from the operating system, as lower-case hex: secrets,
/// challenges and the run prefix of message ids all come from here.
pub fn random_hex(bytes: usize) -> String {
    let mut raw = vec![0u8; bytes];
    getrandom::fill(&mut raw).expect("the operating system's random source works");
    hex::encode(raw)
}

/// Prefixes that say what kind of value follows, and are the same in every
/// such value: shown unmasked.
const PUBLIC_PREFIXES: [&str; 5] = ["sk_live_", "sk_test_", "pk_live_", "pk_test_", "whsec_"];
/// The shortest private part shown in any way: shorter ones are `****` only.
const MASK_MIN: usize = 16;
/// Characters of a long value's end shown, to tell values apart.
const MASK_TAIL: usize = 4;

/// The one masking rule for every secret and API key shown anywhere: a value
/// whose private part (what follows a known public prefix such as `sk_live_`
/// or `whsec_`) has fewer than 16 characters is `****`; a longer one shows the
/// prefix, `…` and its last 4 characters (`sk_live_…c2b1`, `…c2b1`), escaped
/// for the terminal.
pub fn mask(value: &str) -> String {
    let prefix = PUBLIC_PREFIXES
        .iter()
        .find(|p| value.starts_with(**p))
        .map_or("", |p| *p);
    let private = &value[prefix.len()..];
    let count = private.chars().count();
    if count < MASK_MIN {
        return "****".to_string();
    }
    let tail: String = private.chars().skip(count - MASK_TAIL).collect();
    format!("{prefix}…{}", crate::text::escape(&tail))
}

/// A secret from a flag's value, a file or an environment variable, in that
/// order of precedence (a file beats the flag, the flag beats the variable):
/// the one rule for every secret a command takes.
pub fn load_from(flag: Option<&str>, file: Option<&Path>, var: &str) -> Result<Option<Secret>> {
    load_with(flag, file, var, |name| std::env::var_os(name))
}

fn load_with(
    flag: Option<&str>,
    file: Option<&Path>,
    var: &str,
    env: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Result<Option<Secret>> {
    if let Some(path) = file {
        return read_file(path).map(Some);
    }
    if let Some(value) = flag {
        return Secret::new(value.as_bytes(), Source::Flag).map(Some);
    }
    match env(var) {
        Some(value) => {
            use std::os::unix::ffi::OsStringExt;
            Secret::new(value.into_vec(), Source::Env)
                .map(Some)
                .map_err(|e| Error {
                    message: format!("{var} is set but empty"),
                    ..e
                })
        }
        None => Ok(None),
    }
}

/// The input error for a command that needs the webhook secret and got none,
/// naming every way to give one.
pub fn missing() -> Error {
    Error::input("no webhook secret given")
        .with_hint(format!("set {ENV}, or pass --secret-file PATH (or --secret, which other users can see in the process list)"))
}

/// The largest secret file read; a larger one (`/dev/zero`, a log picked by
/// mistake) is an input error rather than memory without end.
pub const MAX_FILE: u64 = 64 * 1024;

/// Reads a secret file as raw bytes, at most [`MAX_FILE`] of them. Exactly one
/// trailing LF or CRLF is removed, so a secret saved by an editor works; any
/// other whitespace is part of the key.
pub fn read_file(path: &Path) -> Result<Secret> {
    use std::io::Read;
    let failed = |e: std::io::Error| {
        Error::input(format!(
            "cannot read the secret file {}: {e}",
            path.display()
        ))
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(failed)?
        .take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(Error::input(format!(
            "the secret file {} is larger than {} KiB",
            path.display(),
            MAX_FILE / 1024
        ))
        .with_hint("a webhook secret is a short line of text; is this the right file?"));
    }
    Secret::new(strip_one_newline(bytes), Source::File).map_err(|e| Error {
        message: format!("the secret file {} is empty", path.display()),
        ..e
    })
}

fn strip_one_newline(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.ends_with(b"\r\n") {
        bytes.truncate(bytes.len() - 2);
    } else if bytes.ends_with(b"\n") {
        bytes.truncate(bytes.len() - 1);
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_trailing_newline_is_stripped() {
        let cases: [(&[u8], &[u8]); 6] = [
            (b"abc\n", b"abc"),
            (b"abc\r\n", b"abc"),
            (b"abc\n\n", b"abc\n"),
            (b"abc ", b"abc "),
            (b" abc", b" abc"),
            (b"abc", b"abc"),
        ];
        for (input, want) in cases {
            assert_eq!(strip_one_newline(input.to_vec()), want);
        }
    }

    #[test]
    fn secret_files_are_read_within_a_limit() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s");
        std::fs::write(&file, vec![b'a'; MAX_FILE as usize]).unwrap();
        assert_eq!(read_file(&file).unwrap().bytes().len(), MAX_FILE as usize);
        std::fs::write(&file, vec![b'a'; MAX_FILE as usize + 1]).unwrap();
        let error = read_file(&file).unwrap_err();
        assert!(
            error.message.contains("larger than 64 KiB"),
            "{}",
            error.message
        );
        // An endless file ends too.
        let error = read_file(Path::new("/dev/zero")).unwrap_err();
        assert!(
            error.message.contains("larger than 64 KiB"),
            "{}",
            error.message
        );
    }

    #[test]
    fn precedence_and_sources() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s");
        std::fs::write(&file, "from-file\n").unwrap();
        let env = |_: &str| Some("from-env".into());
        let no_env = |_: &str| None;

        let s = load_with(Some("flag"), Some(&file), ENV, env)
            .unwrap()
            .unwrap();
        assert_eq!((s.bytes(), s.source), (&b"from-file"[..], Source::File));
        let s = load_with(Some("flag"), None, ENV, env).unwrap().unwrap();
        assert_eq!(s.source, Source::Flag);
        let s = load_with(None, None, ENV, env).unwrap().unwrap();
        assert_eq!(s.bytes(), b"from-env");
        assert_eq!(load_with(None, None, ENV, no_env).unwrap(), None);
        let empty = load_with(None, None, "OTHER_VAR", |_: &str| Some("".into()));
        assert_eq!(empty.unwrap_err().message, "OTHER_VAR is set but empty");
    }

    #[test]
    fn masking_never_shows_the_whole_value() {
        assert_eq!(mask("sk_live_1234567812345678"), "sk_live_…5678");
        assert_eq!(mask("whsec_0123456789abcdef"), "whsec_…cdef");
        assert_eq!(mask("0123456789abcdef"), "…cdef");
        assert_eq!(mask("abcdefghijkl"), "****", "12 characters show nothing");
        assert_eq!(mask("0123456789abcde"), "****");
        assert_eq!(
            mask("sk_live_12345678"),
            "****",
            "the private part is short"
        );
        assert_eq!(mask("short"), "****");
        assert_eq!(mask(""), "****");
        assert_eq!(mask("0123456789abcdef\u{1b}[1"), "…f\\u{1b}[1");
        assert_eq!(mask("ééééééééééééééééxyzé"), "…xyzé");
        let secret = Secret::generate();
        assert_eq!(secret.bytes().len(), 64);
        assert!(!format!("{secret:?}").contains(std::str::from_utf8(secret.bytes()).unwrap()));
        assert_ne!(Secret::generate(), secret);
    }
}
