//! The webhook secret: where it comes from (`--secret-file`, `--secret`,
//! `WM_HOOKS_SECRET`, or the one `listen` saved), how a file is read, how a new
//! one is generated and saved, and how it is shown (never in full). Reads and
//! writes files and reads the environment; never prints.

use std::fmt;
use std::path::{Path, PathBuf};

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
    /// The one `wm-hooks listen` generated and saved in [`saved_path`].
    Saved,
}

impl Source {
    /// Where the secret came from, for a diagnosis that says "ours came from
    /// ...". Every new source names itself here.
    pub fn origin(self) -> String {
        match self {
            Source::Flag => "--secret".into(),
            Source::Env => ENV.into(),
            Source::File => "the file given with --secret-file".into(),
            Source::Generated => "a secret generated for this run".into(),
            Source::Prompt => "the prompt".into(),
            Source::Saved => match saved_path() {
                Some(path) => format!("the secret `wm-hooks listen` saved in {}", path.display()),
                None => "the secret `wm-hooks listen` saved".into(),
            },
        }
    }
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
        return crate::contract::redact::MASK.to_string();
    }
    let tail: String = private.chars().skip(count - MASK_TAIL).collect();
    format!("{prefix}…{}", crate::text::escape(&tail))
}

/// A secret from a flag's value, a file or an environment variable, in that
/// order of precedence (a file beats the flag, the flag beats the variable):
/// the one rule for every secret a command takes.
pub fn load_from(flag: Flag<'_>, file: Option<&Path>, var: &str) -> Result<Option<Secret>> {
    load_with(flag, file, var, |name| std::env::var_os(name))
}

/// A secret's flag: its value when given, and its name, so that an empty one
/// is named as given (`--previous-secret is empty`, not the webhook secret).
#[derive(Debug, Clone, Copy)]
pub struct Flag<'a> {
    pub value: Option<&'a str>,
    pub name: &'a str,
}

fn load_with(
    flag: Flag<'_>,
    file: Option<&Path>,
    var: &str,
    env: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Result<Option<Secret>> {
    if let Some(path) = file {
        return read_file(path).map(Some);
    }
    if let Some(value) = flag.value {
        return Secret::new(value.as_bytes(), Source::Flag)
            .map(Some)
            .map_err(|e| Error {
                message: format!("{} is given but empty", flag.name),
                ..e
            });
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

/// What about a secret's bytes is almost surely a mistake of how it was
/// given (an editor's byte-order mark, a newline left by `echo` in a
/// variable, a carriage return from a Windows file), for a warning: such a
/// byte is part of the HMAC key as read, and the platform's secret has none.
pub fn oddity(bytes: &[u8]) -> Option<String> {
    let named = |b: u8| match b {
        b'\n' => "a newline",
        b'\t' => "a tab",
        b' ' => "a space",
        _ => "a whitespace byte",
    };
    let first = bytes.first().copied().filter(u8::is_ascii_whitespace);
    let last = bytes.last().copied().filter(u8::is_ascii_whitespace);
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        Some("starts with a byte-order mark (EF BB BF, saved by some editors)".into())
    } else if last == Some(b'\r') {
        Some("ends with a carriage return (a file with Windows line endings?)".into())
    } else if let Some(b) = last {
        Some(format!("ends with {}", named(b)))
    } else if let Some(b) = first {
        Some(format!("begins with {}", named(b)))
    } else if bytes.iter().any(|b| *b == b'\n' || *b == b'\r') {
        Some("holds a line break (two lines in a secret file?)".into())
    } else {
        None
    }
}

/// The input error for a command that needs the webhook secret and got none,
/// naming every way to give one.
pub fn missing() -> Error {
    Error::input("no webhook secret given")
        .with_hint(format!("set {ENV}, or pass --secret-file PATH (or --secret, which other users can see in the process list)"))
}

/// Where `wm-hooks listen` keeps the secret it generated, so that a restart and
/// the sender's commands on the same machine use the same one:
/// `$XDG_STATE_HOME/wm-hooks/secret`, else `~/.local/state/wm-hooks/secret`.
/// `None` when neither variable gives an absolute path (the XDG rule: a
/// relative one is ignored).
pub fn saved_path() -> Option<PathBuf> {
    saved_path_with(|name| std::env::var_os(name))
}

fn saved_path_with(env: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let absolute = |name| env(name).map(PathBuf::from).filter(|p| p.is_absolute());
    let state = absolute("XDG_STATE_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".local/state")))?;
    Some(state.join("wm-hooks").join("secret"))
}

/// The permission bits of a secret file that others than its owner may
/// read (group or world), or `None` when only the owner can (or it cannot be
/// told). Only a regular file is judged: the mode of a device, a pipe or a
/// directory (`/dev/stdin`, `/dev/null`, `/tmp`) says nothing about a secret
/// kept in it, and `chmod 600` on one would break the system, not protect a key.
pub fn readable_by_others(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
    let mode = meta.permissions().mode() & 0o777;
    (mode & 0o044 != 0).then_some(mode)
}

/// The saved secret at `path`, or `None` when there is none yet.
pub fn load_saved(path: &Path) -> Result<Option<Secret>> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        _ => {}
    }
    // Whatever is wrong with it, a fresh one replaces it.
    let secret = read_file(path).map_err(|e| {
        e.with_hint(format!(
            "this is the secret `wm-hooks listen` saved: `wm-hooks listen --new-secret` saves a \
             new one in its place (then give the platform that one), or remove {}",
            path.display()
        ))
    })?;
    Ok(Some(Secret {
        source: Source::Saved,
        ..secret
    }))
}

/// Saves `secret` at `path` (its folder made if need be, 0700), readable by the
/// owner only (0600), replacing what was there.
pub fn save(secret: &Secret, path: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path.parent().unwrap_or(Path::new(".")))
        .map_err(|e| cannot_save(path, &e))?;
    Pending::stage(secret, path, true)?.commit()
}

fn cannot_save(path: &Path, err: &std::io::Error) -> Error {
    Error::failed(format!(
        "cannot save the secret in {}: {err}",
        path.display()
    ))
}

/// A secret written (0600) to a temporary file beside `path`, not yet in its
/// place: [`Pending::commit`] puts it there at once, so a reader never sees
/// half a secret; dropped uncommitted, it leaves nothing behind.
pub struct Pending {
    temporary: PathBuf,
    path: PathBuf,
    replace: bool,
}

impl Pending {
    /// Writes the secret and a newline; `replace` lets the commit overwrite
    /// an existing `path`, else the commit refuses it.
    pub fn stage(secret: &Secret, path: &Path, replace: bool) -> Result<Pending> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        let name = format!(".wm-hooks-secret.{}", random_hex(8));
        let temporary = dir.map_or_else(|| PathBuf::from(&name), |d| d.join(&name));
        let pending = Pending {
            temporary,
            path: path.to_path_buf(),
            replace,
        };
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&pending.temporary)
            .and_then(|mut file| {
                file.write_all(&secret.bytes)?;
                file.write_all(b"\n")?;
                file.sync_all()
            })
            .map_err(|e| cannot_save(path, &e))?;
        Ok(pending)
    }

    /// Moves the secret into place: a rename, or without `replace` a hard
    /// link, which fails rather than overwrite a file that appeared since.
    pub fn commit(self) -> Result<()> {
        let placed = if self.replace {
            std::fs::rename(&self.temporary, &self.path)
        } else {
            std::fs::hard_link(&self.temporary, &self.path)
        };
        placed.map_err(|e| cannot_save(&self.path, &e))
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.temporary);
    }
}

/// The largest secret file read; a larger one (`/dev/zero`, a log picked by
/// mistake) is an input error rather than memory without end.
pub const MAX_FILE: u64 = 64 * 1024;

/// Reads a secret file as raw bytes, at most [`MAX_FILE`] of them. Exactly one
/// trailing LF or CRLF is removed, so a secret saved by an editor works; any
/// other whitespace is part of the key.
pub fn read_file(path: &Path) -> Result<Secret> {
    read_file_as(path, &SECRET_FILE)
}

/// What a file read by [`read_file_as`] holds, for its error messages.
struct FileOf {
    /// `secret file`, `verify token file`.
    noun: &'static str,
    /// The hint for a file past [`MAX_FILE`].
    too_large: &'static str,
    /// The hint for an empty value, `None` for the secret's own.
    empty: Option<&'static str>,
}

const SECRET_FILE: FileOf = FileOf {
    noun: "secret file",
    too_large: "a webhook secret is a short line of text; is this the right file?",
    empty: None,
};

const TOKEN_FILE: FileOf = FileOf {
    noun: "verify token file",
    too_large: "a verify token is a short line of text; is this the right file?",
    empty: Some(EMPTY_TOKEN),
};

/// The hint for an empty verify token: it is no HMAC key, and an empty one
/// matches no handshake.
const EMPTY_TOKEN: &str = "an empty hub.verify_token matches no handshake: set the token the \
                           platform is given (Meta's app dashboard), or leave it unset to use the webhook secret";

fn read_file_as(path: &Path, of: &FileOf) -> Result<Secret> {
    let failed = |e: std::io::Error| {
        super::cannot_read(format_args!("the {} {}", of.noun, path.display()), &e)
    };
    let Some(bytes) = super::read_file_at_most(path, MAX_FILE).map_err(failed)? else {
        return Err(Error::input(format!(
            "the {} {} is larger than {} KiB",
            of.noun,
            path.display(),
            MAX_FILE / 1024
        ))
        .with_hint(of.too_large));
    };
    Secret::new(strip_one_newline(bytes), Source::File).map_err(|e| Error {
        message: format!("the {} {} is empty", of.noun, path.display()),
        hint: of.empty.map(str::to_string).or(e.hint),
        ..e
    })
}

/// The handshake's verify token from its flag, file or variable, read by the
/// secret's rules, with errors that name it as the token it is (no HMAC key).
pub fn load_token_from(flag: Flag<'_>, file: Option<&Path>, var: &str) -> Result<Option<Secret>> {
    if let Some(path) = file {
        return read_file_as(path, &TOKEN_FILE).map(Some);
    }
    load_from(flag, None, var).map_err(|e| Error {
        hint: Some(EMPTY_TOKEN.to_string()),
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
    fn a_bom_a_carriage_return_or_outer_whitespace_is_an_oddity() {
        assert!(
            oddity(b"\xEF\xBB\xBFwhsec_abc")
                .unwrap()
                .contains("byte-order mark")
        );
        assert!(oddity(b"whsec_abc\r").unwrap().contains("carriage return"));
        assert_eq!(oddity(b"whsec_abc\n").unwrap(), "ends with a newline");
        assert_eq!(oddity(b" whsec_abc").unwrap(), "begins with a space");
        assert_eq!(oddity(b"whsec_abc\t").unwrap(), "ends with a tab");
        assert_eq!(oddity(b"\n").unwrap(), "ends with a newline");
        assert!(
            oddity(b"whsec_abc\n{\"x\":1}")
                .unwrap()
                .contains("line break")
        );
        for fine in [&b"whsec_abc"[..], b"a b", b"\xFF\x00"] {
            assert_eq!(oddity(fine), None, "{fine:?}");
        }
    }

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

    proptest::proptest! {
        /// Whatever a secret's bytes, unless they end in CR or LF themselves
        /// (those would read as the file's line ending), a file of them with
        /// one line ending or none after reads back as exactly them.
        #[test]
        fn a_saved_line_reads_back_as_its_bytes(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            ending in proptest::prop_oneof![
                proptest::strategy::Just(&b"\n"[..]),
                proptest::strategy::Just(&b"\r\n"[..]),
                proptest::strategy::Just(&b""[..]),
            ],
        ) {
            proptest::prop_assume!(!bytes.ends_with(b"\r") && !bytes.ends_with(b"\n"));
            let mut saved = bytes.clone();
            saved.extend_from_slice(ending);
            proptest::prop_assert_eq!(strip_one_newline(saved), bytes);
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

        let s = load_with(flag(Some("flag")), Some(&file), ENV, env)
            .unwrap()
            .unwrap();
        assert_eq!((s.bytes(), s.source), (&b"from-file"[..], Source::File));
        let s = load_with(flag(Some("flag")), None, ENV, env)
            .unwrap()
            .unwrap();
        assert_eq!(s.source, Source::Flag);
        let s = load_with(flag(None), None, ENV, env).unwrap().unwrap();
        assert_eq!(s.bytes(), b"from-env");
        assert_eq!(load_with(flag(None), None, ENV, no_env).unwrap(), None);
        let empty = load_with(flag(None), None, "OTHER_VAR", |_: &str| Some("".into()));
        assert_eq!(empty.unwrap_err().message, "OTHER_VAR is set but empty");
        let empty = load_with(flag(Some("")), None, ENV, no_env);
        assert_eq!(empty.unwrap_err().message, "--x is given but empty");
    }

    fn flag(value: Option<&str>) -> Flag<'_> {
        Flag { value, name: "--x" }
    }

    #[test]
    fn the_saved_secret_lives_in_the_state_directory() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        let both = env(&[("XDG_STATE_HOME", "/st"), ("HOME", "/h")]);
        assert_eq!(saved_path_with(both), Some("/st/wm-hooks/secret".into()));
        let home = env(&[("HOME", "/h")]);
        assert_eq!(
            saved_path_with(home),
            Some("/h/.local/state/wm-hooks/secret".into())
        );
        let relative = env(&[("XDG_STATE_HOME", "st"), ("HOME", "/h")]);
        assert_eq!(
            saved_path_with(relative),
            Some("/h/.local/state/wm-hooks/secret".into())
        );
        assert_eq!(saved_path_with(env(&[])), None);
    }

    #[test]
    fn a_saved_secret_reads_back_and_only_its_owner_can() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/wm-hooks/secret");
        assert_eq!(load_saved(&path).unwrap(), None);
        let first = Secret::generate();
        save(&first, &path).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        let back = load_saved(&path).unwrap().unwrap();
        assert_eq!((back.bytes(), back.source), (first.bytes(), Source::Saved));
        let second = Secret::generate();
        save(&second, &path).unwrap();
        assert_eq!(load_saved(&path).unwrap().unwrap().bytes(), second.bytes());
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
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
