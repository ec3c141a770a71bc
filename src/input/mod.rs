//! What the user hands in beside the flags: the webhook [`secret`] (a flag, a
//! file or the environment), a [`payload`] file or stdin, read as raw bytes,
//! the [`record_file`] `send-test --replay` reads, line by line, and the
//! [`headers`] file `-H @FILE` names.
//! Every file is opened through [`open`], which waits a bounded time for it
//! (a FIFO with no writer would make open(2) wait for ever), and every file
//! or stdin read whole goes through [`read_at_most`].
//! Reads files and the environment; never prints.

pub mod headers;
pub mod payload;
pub mod record_file;
pub mod secret;

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use crate::error::Error;

/// How long [`open`] and [`create`] wait for a file to open. Only a FIFO (a
/// named pipe) with nothing at its other end, or a device that waits for its
/// line, makes open(2) wait; `<(command)`, `>(command)` and `/dev/stdin` are
/// pipes that already have their other end. Once open, reading waits as long
/// as the writer takes (a secret typed at `/dev/stdin`, a `pass` that asks
/// for its passphrase first).
pub const OPEN_WAIT: Duration = Duration::from_secs(10);

/// Opens `path` for reading, waiting at most [`OPEN_WAIT`]: past it, an
/// error of kind `TimedOut` that [`cannot_read`] explains.
pub fn open(path: &Path) -> io::Result<File> {
    open_within(path, false, OPEN_WAIT)
}

/// Creates (or truncates) `path` for writing, waiting as [`open`] does; past
/// the wait, an error that [`cannot_write`] explains.
pub fn create(path: &Path) -> io::Result<File> {
    open_within(path, true, OPEN_WAIT)
}

/// Whether `a` and `b` name one file that exists (the same device and inode,
/// whatever the paths: a link, `./`): an output must never be an input.
pub fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// The file at `path`, whole, at most `max` bytes (`Ok(None)` past them):
/// [`open`], then [`read_at_most`].
pub fn read_file_at_most(path: &Path, max: u64) -> io::Result<Option<Vec<u8>>> {
    read_at_most(open(path)?, max)
}

/// The error for `what` (`the secret file F`) that could not be opened or
/// read: `cannot read {what}: {err}`, with a hint when nothing came to write it.
pub fn cannot_read(what: impl fmt::Display, err: &io::Error) -> Error {
    explained(format!("cannot read {what}: {err}"), err)
}

/// The error for `what` (`the JUnit report F`) that could not be created or
/// written: `cannot write {what}: {err}`, with a hint when nothing came to read it.
pub fn cannot_write(what: impl fmt::Display, err: &io::Error) -> Error {
    explained(format!("cannot write {what}: {err}"), err)
}

/// An input error saying `message`, with the hint for a FIFO when `err` is
/// [`open_within`] giving up.
fn explained(message: String, err: &io::Error) -> Error {
    let stuck = err
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<Stuck>());
    let hint = stuck.map(|stuck| {
        if stuck.writing {
            "is it a FIFO with no reader? start the program that reads it first, \
             or pass it as >(command)"
        } else {
            "is it a FIFO with no writer? start the program that writes it first, \
             or pass its output as <(command)"
        }
    });
    Error::input(message).with_hint_if(hint)
}

/// Opens `path` for reading, or `writing` (created or truncated), waiting at
/// most `wait` (a parameter so that the unit tests need not take
/// [`OPEN_WAIT`]). The open runs on a thread of its own: one still waiting
/// when the time is up is left to end with the process (or to close the
/// file, should the other end come after all).
fn open_within(path: &Path, writing: bool, wait: Duration) -> io::Result<File> {
    let mut options = File::options();
    if writing {
        options.write(true).create(true).truncate(true);
    } else {
        options.read(true);
    }
    let (sender, opened) = mpsc::sync_channel(1);
    let owned = path.to_path_buf();
    std::thread::Builder::new()
        .name("open".into())
        // It only makes one syscall.
        .stack_size(64 * 1024)
        .spawn(move || {
            let _ = sender.send(options.open(owned));
        })?;
    match opened.recv_timeout(wait) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            Stuck { wait, writing },
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(io::Error::other("the thread opening it stopped"))
        }
    }
}

/// Why [`open_within`] gave up: nothing opened the file's other end in time.
#[derive(Debug)]
struct Stuck {
    wait: Duration,
    /// Opened for writing: it waited for a reader, not a writer.
    writing: bool,
}

impl fmt::Display for Stuck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let other = if self.writing {
            "nothing is reading it"
        } else {
            "nothing is writing to it"
        };
        write!(
            f,
            "it did not open within {} ({other})",
            humantime::format_duration(self.wait)
        )
    }
}

impl std::error::Error for Stuck {}

/// Reads `reader` to its end, at most `max` bytes: `Ok(None)` when there are
/// more, so that `/dev/zero` or a file picked by mistake is an input error,
/// never memory without end. Every file and stdin the tool reads whole goes
/// through here.
pub fn read_at_most(reader: impl Read, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    /// A FIFO in a fresh directory, which nothing writes to yet.
    fn fifo() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("mkfifo (coreutils)");
        assert!(status.success());
        (dir, path)
    }

    #[test]
    fn a_fifo_without_a_writer_times_out_with_a_hint() {
        let (_dir, path) = fifo();
        let started = Instant::now();
        let err = super::open_within(&path, false, Duration::from_millis(200)).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
        let error = super::cannot_read(format_args!("the secret file {}", path.display()), &err);
        assert!(
            error
                .message
                .ends_with("did not open within 200ms (nothing is writing to it)"),
            "{}",
            error.message
        );
        assert!(error.hint.unwrap().contains("FIFO with no writer"));
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(super::cannot_read("x", &missing).hint, None);
    }

    #[test]
    fn a_fifo_without_a_reader_times_out_when_created() {
        let (_dir, path) = fifo();
        let err = super::open_within(&path, true, Duration::from_millis(200)).unwrap_err();
        let error = super::cannot_write("the JUnit report", &err);
        assert!(
            error
                .message
                .starts_with("cannot write the JUnit report: it did not open")
                && error.message.ends_with("(nothing is reading it)"),
            "{}",
            error.message
        );
        assert!(error.hint.unwrap().contains("FIFO with no reader"));
        // A regular file is created at once.
        let file = path.with_file_name("report.xml");
        super::open_within(&file, true, Duration::from_secs(30)).unwrap();
        assert!(file.is_file());
    }

    #[test]
    fn a_fifo_whose_writer_comes_within_the_wait_is_read() {
        let (_dir, path) = fifo();
        let writer = {
            let path = path.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(100));
                std::fs::write(path, b"s3cret").unwrap();
            })
        };
        let file = super::open_within(&path, false, Duration::from_secs(30)).unwrap();
        assert_eq!(super::read_at_most(file, 64).unwrap().unwrap(), b"s3cret");
        writer.join().unwrap();
    }

    #[test]
    fn reads_up_to_the_limit_and_refuses_one_byte_more() {
        let read = |n: usize| super::read_at_most(&vec![7u8; n][..], 4).unwrap();
        assert_eq!(read(4), Some(vec![7; 4]));
        assert_eq!(read(0), Some(Vec::new()));
        assert_eq!(read(5), None);
    }
}
