//! Where a payload comes from (`--payload-file F`, or stdin for none or `-`) and
//! how it is read: raw bytes, never trimmed or re-serialised, and streamed in
//! pieces so that signing or checking a large file uses little memory. A
//! payload streamed is at most [`MAX_STREAMED`]; one held whole in memory (a
//! body `send-test` sends, one kept to explain a mismatch) at most
//! [`MAX_HELD`]. Reads files and stdin; never prints.

use std::io::{self, IsTerminal, Read};
use std::path::{Path, PathBuf};

use crate::contract::signature::Verifier;
use crate::error::{Error, Result};

/// The largest payload held in memory: a body `send-test` sends (from a file
/// or a record), or one kept to explain a mismatch. Sixteen times a
/// receiver's default `--max-body`, so bodies too large for a receiver can
/// still be sent to test its 413.
pub const MAX_HELD: u64 = 16 * 1024 * 1024;

/// The largest payload streamed through the HMAC (`sign`, `verify-signature`):
/// 64 times a receiver's default `--max-body`, 4 times [`MAX_HELD`] and over 6
/// times the 10 MiB body the benchmarks check, so no webhook body comes near
/// it; it stops a wrong file or a stream without end (`/dev/zero`, a pipe that
/// never closes), reached in about 0.1 s at the benchmarked 10 MiB rate.
pub const MAX_STREAMED: u64 = 64 * 1024 * 1024;

/// The largest read: syscalls then cost nothing next to hashing.
const PIECE: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    Stdin,
    File(PathBuf),
}

/// What streaming a payload through the HMAC produced.
pub struct Digested {
    pub verifier: Verifier,
    pub len: u64,
    /// The whole body, kept only when it came from stdin (which cannot be read
    /// twice) and is under [`MAX_HELD`].
    kept: Option<Vec<u8>>,
}

impl Payload {
    /// `None` and `-` mean stdin.
    pub fn from_arg(path: Option<&Path>) -> Payload {
        match path {
            Some(p) if p != Path::new("-") => Payload::File(p.to_path_buf()),
            _ => Payload::Stdin,
        }
    }

    /// The reader, and the file's size when it is a file: a small file gets a
    /// small buffer, so a 1 KiB check does not fault in pages it never uses
    /// (most of a short process's time on this kind of VM).
    fn open(&self) -> Result<(Box<dyn Read>, Option<u64>)> {
        match self {
            Payload::Stdin => {
                let stdin = io::stdin();
                if stdin.is_terminal() {
                    return Err(Error::input("no payload: stdin is a terminal").with_hint(
                        "pass --payload-file FILE, or pipe the body in (wm-hooks sign < body.json)",
                    ));
                }
                Ok((Box::new(stdin.lock()), None))
            }
            Payload::File(path) => {
                let file = super::open(path).map_err(|e| self.read_error(&e))?;
                // Only a regular file's size is its length: a device or a pipe
                // (`/dev/zero`, `<(cat body)`) says 0, which would make every
                // read one byte.
                let size = file
                    .metadata()
                    .ok()
                    .filter(std::fs::Metadata::is_file)
                    .map(|m| m.len());
                Ok((Box::new(file), size))
            }
        }
    }

    fn read_error(&self, err: &io::Error) -> Error {
        match self {
            Payload::Stdin => super::cannot_read("the payload from stdin", err),
            Payload::File(path) => {
                super::cannot_read(format_args!("the payload file {}", path.display()), err)
            }
        }
    }

    /// Reads the whole payload into memory: at most [`MAX_HELD`] bytes, a
    /// larger one (`/dev/zero`, a file picked by mistake) is an input error.
    pub fn read_all(&self) -> Result<Vec<u8>> {
        super::read_at_most(self.open()?.0, MAX_HELD)
            .map_err(|e| self.read_error(&e))?
            .ok_or_else(|| self.too_large(MAX_HELD, "the most a payload may be"))
    }

    /// The error for a payload past `limit`, which `why` explains.
    fn too_large(&self, limit: u64, why: &str) -> Error {
        let what = match self {
            Payload::Stdin => "the payload on stdin".to_string(),
            Payload::File(path) => format!("the payload file {}", path.display()),
        };
        Error::input(format!("{what} is larger than {} MiB, {why}", limit >> 20))
            .with_hint("webhook deliveries are far smaller; is this the right file?")
    }

    /// Streams the payload through an HMAC keyed with `secret`: at most
    /// [`MAX_STREAMED`] bytes, a larger one is an input error (a file's size
    /// is known before any of it is read).
    pub fn digest(&self, secret: &[u8]) -> Result<Digested> {
        const WHY: &str = "the most sign and verify-signature read";
        let (mut reader, size) = self.open()?;
        if size.is_some_and(|n| n > MAX_STREAMED) {
            return Err(self.too_large(MAX_STREAMED, WHY));
        }
        let mut verifier = Verifier::new(secret);
        let mut kept = matches!(self, Payload::Stdin).then(Vec::new);
        // One more byte than the file holds, so the first read can see the end.
        let piece = size.map_or(PIECE, |n| {
            usize::try_from(n).map_or(PIECE, |n| n.saturating_add(1).min(PIECE))
        });
        let mut buf = vec![0u8; piece];
        let mut len = 0u64;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.read_error(&e)),
            };
            len += n as u64;
            if len > MAX_STREAMED {
                return Err(self.too_large(MAX_STREAMED, WHY));
            }
            verifier.update(&buf[..n]);
            if let Some(copy) = &mut kept {
                if len <= MAX_HELD {
                    copy.extend_from_slice(&buf[..n]);
                } else {
                    kept = None;
                }
            }
        }
        Ok(Digested {
            verifier,
            len,
            kept,
        })
    }

    /// The whole body for diagnosis, when it is small enough to hold.
    pub fn small_body(&self, digested: Digested) -> Option<Vec<u8>> {
        if digested.len > MAX_HELD {
            return None;
        }
        match self {
            Payload::Stdin => digested.kept,
            Payload::File(_) => self.read_all().ok(),
        }
    }
}
