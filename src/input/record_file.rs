//! Reads a `listen --record` file for `send-test --replay`: line by line, each
//! line at most [`MAX_LINE`] bytes and the whole file at most [`MAX_FILE`], so
//! neither a giant line (`/dev/zero`) nor a giant file grows memory without
//! end. What a line says is [`crate::contract::record`]'s business. Reads the
//! file; never prints.

use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The longest record line: room for a body of the largest size sent
/// ([`super::payload::MAX_HELD`]) in base64 or as escaped JSON text, and its
/// headers.
pub const MAX_LINE: usize = 64 * 1024 * 1024;
/// The largest record file replayed; split a larger one (`split -l`, `grep`).
pub const MAX_FILE: u64 = 256 * 1024 * 1024;

/// Why a line could not be read.
#[derive(Debug)]
pub enum LineError {
    /// Line `number` (from 1) is longer than `max` bytes.
    TooLong {
        number: usize,
        max: usize,
    },
    /// The file holds more than `max` bytes.
    TooLarge {
        max: u64,
    },
    /// Line `number` is not UTF-8 text.
    NotText {
        number: usize,
    },
    Io(io::Error),
}

/// The lines of a reader, without their LF or CRLF, numbered from 1, within
/// the two limits: the first line past one is an error, and the last.
pub struct Lines<R> {
    reader: R,
    max_line: usize,
    max_total: u64,
    read: u64,
    number: usize,
    failed: bool,
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R, max_line: usize, max_total: u64) -> Lines<R> {
        Lines {
            reader,
            max_line,
            max_total,
            read: 0,
            number: 0,
            failed: false,
        }
    }

    fn read_line(&mut self) -> std::result::Result<Option<(usize, String)>, LineError> {
        self.number += 1;
        let number = self.number;
        // One byte more than may come, to tell "at the limit" from "past it".
        let room = (self.max_line as u64 + 1).min(self.max_total - self.read + 1);
        let mut line = Vec::new();
        let n = (&mut self.reader)
            .take(room)
            .read_until(b'\n', &mut line)
            .map_err(LineError::Io)?;
        if n == 0 {
            return Ok(None);
        }
        self.read += n as u64;
        if self.read > self.max_total {
            return Err(LineError::TooLarge {
                max: self.max_total,
            });
        }
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        } else if line.len() > self.max_line {
            return Err(LineError::TooLong {
                number,
                max: self.max_line,
            });
        }
        String::from_utf8(line)
            .map(|line| Some((number, line)))
            .map_err(|_| LineError::NotText { number })
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = std::result::Result<(usize, String), LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let line = self.read_line().transpose();
        self.failed = matches!(line, Some(Err(_)));
        line
    }
}

/// The lines of the record file at `path`, within [`MAX_LINE`] and
/// [`MAX_FILE`]; each failure is an input error naming the file (and the line).
pub fn lines(path: &Path) -> Result<impl Iterator<Item = Result<(usize, String)>> + use<>> {
    let file = super::open(path)
        .map_err(|e| super::cannot_read(format_args!("the record file {}", path.display()), &e))?;
    let path: PathBuf = path.to_path_buf();
    let lines = Lines::new(BufReader::new(file), MAX_LINE, MAX_FILE);
    Ok(lines.map(move |line| line.map_err(|e| describe(&path, e))))
}

fn describe(path: &Path, error: LineError) -> Error {
    let path = path.display();
    match error {
        LineError::TooLong { number, max } => Error::input(format!(
            "{path} line {number} is longer than {} MiB, the most a record line may be",
            max >> 20
        ))
        .with_hint("record files are written by `wm-hooks listen --record FILE`; is this one?"),
        LineError::TooLarge { max } => Error::input(format!(
            "{path} is larger than {} MiB, the most a record file may be",
            max >> 20
        ))
        .with_hint("replay a part of it: split -l, or grep the lines you want into a new file"),
        LineError::NotText { number } => Error::input(format!(
            "{path} line {number} is not a record: it is not UTF-8 text"
        ))
        .with_hint("record files are written by `wm-hooks listen --record FILE`"),
        LineError::Io(e) => Error::input(format!("cannot read the record file {path}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read(
        input: &[u8],
        max_line: usize,
        max_total: u64,
    ) -> Vec<std::result::Result<String, String>> {
        Lines::new(input, max_line, max_total)
            .map(|line| line.map(|(_, l)| l).map_err(|e| format!("{e:?}")))
            .collect()
    }

    #[test]
    fn lines_within_the_limits() {
        let ok = |l: &str| Ok(l.to_string());
        assert_eq!(read(b"", 4, 100), vec![]);
        assert_eq!(
            read(b"ab\ncd\r\n\nef", 4, 100),
            vec![ok("ab"), ok("cd"), ok(""), ok("ef")]
        );
        // Exactly at the line limit, with or without its newline.
        assert_eq!(read(b"abcd\nabcd", 4, 100), vec![ok("abcd"), ok("abcd")]);
        assert_eq!(
            read(b"ab\nabcde\nzz\n", 4, 100),
            vec![ok("ab"), Err("TooLong { number: 2, max: 4 }".into())]
        );
        assert_eq!(read(b"abcd\n", 4, 5), vec![ok("abcd")]);
        assert_eq!(
            read(b"ab\ncd\n", 4, 5),
            vec![ok("ab"), Err("TooLarge { max: 5 }".into())]
        );
        assert_eq!(
            read(b"ok\n\xff\n", 4, 100),
            vec![ok("ok"), Err("NotText { number: 2 }".into())]
        );
    }

    /// What the lines of `input` are, read the plain way (split at each LF),
    /// then judged against the limits.
    fn split_plainly(
        input: &[u8],
        max_line: usize,
        max_total: u64,
    ) -> Vec<std::result::Result<String, String>> {
        let mut lines = Vec::new();
        let mut read = 0u64;
        let mut rest = input;
        for number in 1.. {
            if rest.is_empty() {
                break;
            }
            let end = rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |i| i + 1);
            let (raw, after) = rest.split_at(end);
            rest = after;
            // A line longer than the limit is read only to one byte past it.
            read += raw.len().min(max_line + 1) as u64;
            let ended = raw.ends_with(b"\n");
            let content = raw.strip_suffix(b"\n").unwrap_or(raw);
            let judged = if read > max_total {
                Err(format!("TooLarge {{ max: {max_total} }}"))
            } else if content.len() > max_line {
                Err(format!("TooLong {{ number: {number}, max: {max_line} }}"))
            } else {
                // CRLF ends a line; a CR alone at the end of the file is text.
                let content = match content.strip_suffix(b"\r") {
                    Some(stripped) if ended => stripped,
                    _ => content,
                };
                String::from_utf8(content.to_vec())
                    .map_err(|_| format!("NotText {{ number: {number} }}"))
            };
            let failed = judged.is_err();
            lines.push(judged);
            if failed {
                break;
            }
        }
        lines
    }

    proptest! {
        /// Any bytes and limits: the same lines as a plain split, up to the
        /// first limit passed, which is the one error.
        #[test]
        fn any_input_reads_as_a_plain_split_within_the_limits(
            input in proptest::collection::vec(
                prop_oneof![Just(b'\n'), Just(b'\r'), Just(b'a'), Just(0xffu8), any::<u8>()], 0..64),
            max_line in 0usize..10,
            max_total in 0u64..70,
        ) {
            prop_assert_eq!(
                read(&input, max_line, max_total),
                split_plainly(&input, max_line, max_total)
            );
        }
    }
}
