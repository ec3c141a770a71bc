//! The record sinks of `listen`: stdout under `--json` and the `--record`
//! file. Lines are gathered a batch at a time (every request waiting in the
//! receiver's channel) and go out in one `write` per sink; the caller learns how
//! many of the batch's lines were written whole, and acknowledges exactly those
//! to the receiver (the rest are answered 503). A write that fails part way
//! through leaves no torn line: the sink, when it is a regular file, is cut back
//! to the end of the last whole line. A record file that already ends in a torn
//! line (a crash, an older version) is repaired when it is opened.
//!
//! The writes happen on a thread of their own, so that a sink that blocks (a
//! FIFO or a pipe whose reader stopped reading) never blocks the receiver: a
//! sink that takes no byte for [`STALL`] fails like a write that fails, and
//! the thread, still blocked in its write, is left behind.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::error::{Error, Result};
use crate::http::server::Exchange;

/// How much of a file is read at a time while looking for its last newline.
const REPAIR_CHUNK: usize = 64 * 1024;
/// How long a sink may take no byte before it counts as failed: the platform's
/// answer budget, after which a sender waiting on its line has given up anyway.
pub const STALL: Duration = Duration::from_secs(5);
/// The most one `write` call is given, so that a slow reader shows progress
/// (a blocking pipe write returns only once all of it went in).
const WRITE_CHUNK: usize = 256 * 1024;

/// Where record lines go.
pub struct Recorder {
    /// `None` when there are no sinks, or once one has stalled.
    writer: Option<Writer>,
    /// The lines of the batch being gathered.
    batch: Vec<u8>,
    /// Where each line of the batch ends in `batch`.
    ends: Vec<usize>,
    failure: Option<Error>,
}

/// The thread that owns the sinks, and what the receiver sees of its work.
struct Writer {
    jobs: std_mpsc::Sender<Job>,
    thread: std::thread::JoinHandle<()>,
    progress: Arc<Progress>,
    /// What each sink is, for the error line, in write order.
    names: Vec<Target>,
}

/// One batch to write, and where its result goes.
struct Job {
    batch: Vec<u8>,
    ends: Vec<usize>,
    done: oneshot::Sender<Written>,
}

/// A batch written: how much of it is whole in every sink, the error that
/// stopped it, and the buffers to use again.
struct Written {
    whole: usize,
    failure: Option<Error>,
    batch: Vec<u8>,
    ends: Vec<usize>,
}

#[derive(Default)]
struct Progress {
    /// Bytes taken by the sinks so far: moving while a slow reader reads.
    bytes: AtomicU64,
    /// The sink being written to (its index in [`Writer::names`]).
    sink: AtomicU64,
    /// Set once the receiver gave up on a stalled write: the thread writes
    /// nothing more.
    abandoned: AtomicBool,
}

struct Sink {
    file: File,
    /// What the sink is, for the error line.
    what: Target,
}

#[derive(Clone)]
enum Target {
    Stdout,
    File(String),
}

impl Recorder {
    /// `json`: write to stdout. `file`: the record file, opened with [`open`].
    pub fn new(json: bool, file: Option<(File, &Path)>) -> Result<Recorder> {
        let mut sinks = Vec::new();
        if json {
            // A handle of our own on fd 1: std's stdout flushes at every newline.
            use std::os::fd::AsFd;
            let fd = std::io::stdout()
                .as_fd()
                .try_clone_to_owned()
                .map_err(Error::stdout)?;
            sinks.push(Sink {
                file: File::from(fd),
                what: Target::Stdout,
            });
        }
        if let Some((file, path)) = file {
            sinks.push(Sink {
                file,
                what: Target::File(path.display().to_string()),
            });
        }
        let writer = match sinks.is_empty() {
            true => None,
            false => Some(Writer::start(sinks)?),
        };
        Ok(Recorder {
            writer,
            batch: Vec::with_capacity(64 * 1024),
            ends: Vec::new(),
            failure: None,
        })
    }

    pub fn failed(&self) -> bool {
        self.failure.is_some()
    }

    /// Adds the exchange's line to the batch.
    pub fn add(&mut self, exchange: &Exchange) {
        if self.writer.is_some() && !self.failed() {
            exchange.record().write_line(&mut self.batch);
        }
        self.ends.push(self.batch.len());
    }

    /// Writes the batch, one write per sink; how many of its lines (counted
    /// from the first added) are now written whole in every sink. After a
    /// failure that is none, ever again.
    pub async fn commit(&mut self) -> usize {
        let lines = self.ends.len();
        let kept = match (&self.writer, self.failed()) {
            (Some(writer), false) => {
                let batch = std::mem::take(&mut self.batch);
                let ends = std::mem::take(&mut self.ends);
                match writer.write(batch, ends).await {
                    Ok(written) => {
                        self.batch = written.batch;
                        self.ends = written.ends;
                        self.failure = written.failure;
                        let whole = written.whole;
                        self.ends.iter().take_while(|&&end| end <= whole).count()
                    }
                    Err(stalled) => {
                        self.failure = Some(stalled);
                        if let Some(writer) = self.writer.take() {
                            writer.progress.abandoned.store(true, Ordering::Relaxed);
                        }
                        0
                    }
                }
            }
            // Nothing to write: every line is as written as it will be.
            (None, false) => lines,
            (_, true) => 0,
        };
        debug_assert!(kept <= lines);
        self.batch.clear();
        self.ends.clear();
        kept
    }

    /// Syncs the record file; the error that stopped recording, if one did.
    pub fn finish(mut self) -> Option<Error> {
        if let Some(writer) = self.writer.take() {
            // The thread syncs the file and ends once its queue is closed.
            drop(writer.jobs);
            let _ = writer.thread.join();
        }
        self.failure.take()
    }
}

impl Writer {
    fn start(mut sinks: Vec<Sink>) -> Result<Writer> {
        let (jobs, queue) = std_mpsc::channel::<Job>();
        let progress = Arc::new(Progress::default());
        let names = sinks.iter().map(|sink| sink.what.clone()).collect();
        let shared = Arc::clone(&progress);
        let thread = std::thread::Builder::new()
            .name("record".into())
            .spawn(move || {
                for job in queue {
                    let written = write_batch(&mut sinks, job.batch, job.ends, &shared);
                    if shared.abandoned.load(Ordering::Relaxed) {
                        break;
                    }
                    let _ = job.done.send(written);
                }
                for sink in &sinks {
                    if matches!(sink.what, Target::File(_)) {
                        let _ = sink.file.sync_data();
                    }
                }
            })
            .map_err(|e| Error::failed(format!("cannot start the record thread: {e}")))?;
        Ok(Writer {
            jobs,
            thread,
            progress,
            names,
        })
    }

    /// Hands the batch to the thread and waits for it while the sinks take
    /// bytes; a sink that takes none for [`STALL`] is the error.
    async fn write(&self, batch: Vec<u8>, ends: Vec<usize>) -> Result<Written> {
        let (done, mut result) = oneshot::channel();
        let gone = || Error::failed("the record thread stopped");
        self.jobs
            .send(Job { batch, ends, done })
            .map_err(|_| gone())?;
        let mut seen = self.progress.bytes.load(Ordering::Relaxed);
        loop {
            match tokio::time::timeout(STALL, &mut result).await {
                Ok(written) => return written.map_err(|_| gone()),
                Err(_) => {
                    let now = self.progress.bytes.load(Ordering::Relaxed);
                    if now == seen {
                        let sink = self.progress.sink.load(Ordering::Relaxed) as usize;
                        return Err(self.names[sink].stalled());
                    }
                    seen = now;
                }
            }
        }
    }
}

/// Writes a batch to each sink in turn; a later sink gets only what every
/// earlier sink took whole.
fn write_batch(
    sinks: &mut [Sink],
    batch: Vec<u8>,
    ends: Vec<usize>,
    progress: &Progress,
) -> Written {
    let mut whole = batch.len();
    let mut failure = None;
    for (n, sink) in sinks.iter_mut().enumerate() {
        progress.sink.store(n as u64, Ordering::Relaxed);
        let (written, result) = write_counted(&mut sink.file, &batch[..whole], progress);
        if let Err(e) = result {
            let last = ends.iter().copied().take_while(|&end| end <= written);
            let boundary = last.last().unwrap_or(0);
            // Best effort: a pipe cannot be cut, and the error below is
            // what the user must see.
            let _ = cut_back(&mut sink.file, (written - boundary) as u64);
            whole = boundary;
            failure = Some(sink.what.error(e));
            if whole == 0 {
                break;
            }
        }
    }
    Written {
        whole,
        failure,
        batch,
        ends,
    }
}

impl Target {
    fn error(&self, e: io::Error) -> Error {
        match self {
            Target::Stdout => Error::stdout(e),
            Target::File(_) => Error::failed(format!("cannot write to {}: {e}", self.name())),
        }
    }

    /// The sink, as an error line names it.
    fn name(&self) -> String {
        match self {
            Target::Stdout => "stdout".to_string(),
            Target::File(name) => format!("the record file {name}"),
        }
    }

    /// A sink that took nothing for [`STALL`]: a FIFO or pipe nobody reads.
    fn stalled(&self) -> Error {
        Error::failed(format!(
            "{} stopped accepting writes: nothing was taken for {}s, so the receiver \
             stopped rather than hold every answer",
            self.name(),
            STALL.as_secs()
        ))
        .with_hint("keep the program reading it reading, or record to a regular file")
    }
}

/// Writes `bytes` with as many `write` calls as it takes, counting each one's
/// bytes into `progress`: how many were written, and the error that stopped it.
fn write_counted(file: &mut File, bytes: &[u8], progress: &Progress) -> (usize, io::Result<()>) {
    let mut written = 0;
    while written < bytes.len() {
        if progress.abandoned.load(Ordering::Relaxed) {
            return (written, Err(io::ErrorKind::TimedOut.into()));
        }
        let chunk = &bytes[written..bytes.len().min(written + WRITE_CHUNK)];
        match file.write(chunk) {
            Ok(0) => return (written, Err(io::ErrorKind::WriteZero.into())),
            Ok(n) => {
                written += n;
                progress.bytes.fetch_add(n as u64, Ordering::Relaxed);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (written, Err(e)),
        }
    }
    (written, Ok(()))
}

/// Removes the last `torn` bytes written to a regular file, when they are its
/// end (they are, unless someone else writes to it too).
fn cut_back(file: &mut File, torn: u64) -> io::Result<()> {
    if torn == 0 || !file.metadata()?.is_file() {
        return Ok(());
    }
    let len = file.metadata()?.len();
    let position = file.stream_position()?;
    if position != len || torn > len {
        return Ok(());
    }
    file.set_len(len - torn)?;
    file.seek(SeekFrom::Start(len - torn))?;
    Ok(())
}

/// Opens a record file to append to (never truncating: a record holds
/// deliveries nobody can send again), after cutting off a torn last line; how
/// many bytes were cut.
pub fn open(path: &Path) -> Result<(File, u64)> {
    // `--record URL` is `--forward-to` mistaken: no file name starts so.
    let text = path.to_string_lossy();
    if text.starts_with("http://") || text.starts_with("https://") {
        return Err(Error::input(format!(
            "--record takes a file to append records to, not a URL: {}",
            crate::contract::redact::raw_url(&text)
        ))
        .with_hint("to pass each event on to your app, use --forward-to URL"));
    }
    let failed = |e: io::Error| {
        Error::input(format!(
            "cannot open the record file {}: {e}",
            path.display()
        ))
    };
    let file = File::options()
        .read(true)
        .create(true)
        .append(true)
        .open(path)
        .map_err(failed)?;
    let cut = repair(&file).map_err(|e| {
        Error::failed(format!(
            "cannot repair the record file {}: {e}",
            path.display()
        ))
    })?;
    Ok((file, cut))
}

/// Cuts a file back to the end of its last whole line (to nothing when it has
/// no newline at all); how many bytes that removed.
fn repair(file: &File) -> io::Result<u64> {
    let len = file.metadata()?.len();
    let mut chunk = vec![0; REPAIR_CHUNK];
    let mut end = len;
    while end > 0 {
        let start = end.saturating_sub(REPAIR_CHUNK as u64);
        let buffer = &mut chunk[..(end - start) as usize];
        file.read_exact_at(buffer, start)?;
        if let Some(i) = buffer.iter().rposition(|&b| b == b'\n') {
            let keep = start + i as u64 + 1;
            if keep < len {
                file.set_len(keep)?;
            }
            return Ok(len - keep);
        }
        end = start;
    }
    if len > 0 {
        file.set_len(0)?;
    }
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired(content: &[u8]) -> (Vec<u8>, u64) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("record.jsonl");
        std::fs::write(&path, content).unwrap();
        let (_, cut) = open(&path).unwrap();
        (std::fs::read(&path).unwrap(), cut)
    }

    #[test]
    fn torn_tails_are_cut_back_to_the_last_newline() {
        assert_eq!(repaired(b""), (b"".to_vec(), 0));
        assert_eq!(repaired(b"{}\n{}\n"), (b"{}\n{}\n".to_vec(), 0));
        assert_eq!(repaired(b"{}\n{\"a"), (b"{}\n".to_vec(), 3));
        assert_eq!(repaired(b"{\"a"), (b"".to_vec(), 3));
        // A torn line longer than one chunk.
        let mut long = b"{}\n".to_vec();
        long.extend(std::iter::repeat_n(b'x', 3 * REPAIR_CHUNK + 7));
        assert_eq!(
            repaired(&long),
            (b"{}\n".to_vec(), 3 * REPAIR_CHUNK as u64 + 7)
        );
    }

    #[test]
    fn a_failed_write_leaves_whole_lines_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("record.jsonl");
        std::fs::write(&path, b"{}\n").unwrap();
        let mut file = File::options().append(true).open(&path).unwrap();
        file.write_all(b"{\"torn").unwrap();
        cut_back(&mut file, 6).unwrap();
        file.write_all(b"{}\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{}\n{}\n");
    }
}
