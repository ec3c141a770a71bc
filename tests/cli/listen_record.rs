//! `listen --record` and `--json` when writing fails: on a full filesystem (a
//! 64 KiB tmpfs, mounted when the tests run as root, as CI does) a request is
//! answered 2xx only when its line is written whole, every other one gets 503,
//! the file is left holding whole lines only, and a torn last line left by an
//! earlier run is repaired when the file is opened again; a FIFO nobody reads
//! stops listen rather than hang it.

use std::path::Path;

use wm_hooks::contract::record;

use crate::util::listen::{Listener, post_signed, post_signed_concurrently};
use crate::util::tmpfs::Tmpfs;

/// 1 KiB signed events, each with its own id.
fn bodies(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let pad = "x".repeat(960);
            format!(
                "{{\"event\":\"message.received\",\"data\":{{\"message_id\":\"wamid.{i:06}\",\"pad\":\"{pad}\"}}}}"
            )
        })
        .collect()
}

/// The one `error:` line of a stopped listener's stderr.
fn only_error(stderr: &str) -> &str {
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    errors[0]
}

/// Checks a record file against the answers: whole lines only, one for every
/// request answered other than 503, none for a 503.
fn holds_exactly_the_answered(file: &Path, answers: &[(String, Option<u16>)]) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "a torn last line: {:?}",
        &text[text.len().saturating_sub(80)..]
    );
    let mut recorded: Vec<String> = text
        .lines()
        .map(|line| {
            let record = record::parse_line(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            String::from_utf8(record.body_bytes().unwrap()).unwrap()
        })
        .collect();
    let mut answered: Vec<String> = answers
        .iter()
        .filter(|(_, status)| status.is_some_and(|s| s != 503))
        .map(|(body, _)| body.clone())
        .collect();
    recorded.sort();
    answered.sort();
    assert_eq!(
        recorded.len(),
        answered.len(),
        "lines in the file vs requests answered other than 503"
    );
    assert!(recorded == answered, "the file holds exactly the answered");
    let refused = answers.iter().filter(|(_, s)| *s == Some(503)).count();
    assert!(refused > 0, "the disk filled up, so some were refused");
    assert!(!answered.is_empty(), "some fit before it filled");
}

#[test]
fn a_full_disk_answers_503_and_leaves_whole_lines() {
    let Some(disk) = Tmpfs::mount("64k") else {
        return;
    };
    let file = disk.path("deliveries.jsonl");
    let listener = Listener::start(&["--record", file.to_str().unwrap()]);
    let answers = post_signed_concurrently(&listener.url, bodies(300), 16);
    let stopped = listener.stop();
    assert_eq!(stopped.code, Some(1), "{}", stopped.stderr);
    let error = only_error(&stopped.stderr);
    assert!(error.contains("cannot write to the record file"), "{error}");
    holds_exactly_the_answered(&file, &answers);
    assert!(
        stopped.stderr.contains("answered 503: not recorded"),
        "{}",
        stopped.stderr
    );
}

#[test]
fn json_into_a_full_disk_answers_503_and_leaves_whole_lines() {
    let Some(disk) = Tmpfs::mount("64k") else {
        return;
    };
    let path = disk.path("stdout.jsonl");
    let out = std::fs::File::create(&path).unwrap();
    let listener = Listener::start_with_stdout_file(&["--json"], out);
    let answers = post_signed_concurrently(&listener.url, bodies(300), 16);
    let stopped = listener.stop();
    assert_eq!(stopped.code, Some(1), "{}", stopped.stderr);
    assert!(
        stopped.stderr.contains("error: cannot write to stdout"),
        "{}",
        stopped.stderr
    );
    holds_exactly_the_answered(&path, &answers);
}

#[test]
fn a_torn_last_line_is_repaired_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deliveries.jsonl");
    let whole = "{\"received_at\":\"2026-01-15T10:30:00.123Z\"}\n";
    std::fs::write(&file, format!("{whole}{{\"received_at\":\"2026-01")).unwrap();
    let listener = Listener::start(&["--record", file.to_str().unwrap()]);
    assert_eq!(post_signed(&listener.url, bodies(1).remove(0)).status, 200);
    let stopped = listener.stop();
    assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
    assert!(
        stopped
            .stderr
            .contains("ended in a partial line (23 bytes) from an interrupted write"),
        "{}",
        stopped.stderr
    );
    let text = std::fs::read_to_string(&file).unwrap();
    let (first, rest) = text.split_once('\n').unwrap();
    assert_eq!(format!("{first}\n"), whole);
    assert_eq!(rest.lines().count(), 1);
    record::parse_line(rest.trim_end()).unwrap();
}

#[test]
fn pretty_output_into_a_closed_pipe_stops_and_says_why() {
    // `wm-hooks listen | head`: the blocks have no reader, so listen stops
    // (exit 0, as a closed pipe is the reader's choice) and says so.
    let listener = Listener::start_with_closed_stdout(&[]);
    let reply = post_signed(&listener.url, r#"{"event":"message.received"}"#);
    assert_eq!(reply.status, 200, "answered before it is shown");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !listener.stderr().contains("Stopped after") {
        assert!(
            std::time::Instant::now() < deadline,
            "{}",
            listener.stderr()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let stopped = listener.stop();
    assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
    assert!(
        stopped.stderr.contains(
            "Stopping: stdout was closed (its reader exited); finishing the requests in flight"
        ),
        "{}",
        stopped.stderr
    );
}

#[test]
fn json_into_a_closed_pipe_answers_503_and_exits_1() {
    // `wm-hooks listen --json | true`: the reader is gone before any line.
    let listener = Listener::start_with_closed_stdout(&["--json"]);
    let reply = post_signed(&listener.url, r#"{"event":"message.received"}"#);
    assert_eq!(reply.status, 503, "not recorded, so not 2xx");
    let stopped = listener.stop();
    assert_eq!(stopped.code, Some(1), "{}", stopped.stderr);
    assert!(
        stopped
            .stderr
            .contains("error: stdout was closed (its reader exited), so the receiver stopped"),
        "{}",
        stopped.stderr
    );
}

#[test]
fn a_fifo_that_stops_being_read_stops_listen_instead_of_hanging_it() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("record.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let listener = Listener::start(&["--record", fifo.to_str().unwrap()]);
    // A reader that opens the FIFO, reads the first line's start, then stops
    // reading while it holds the FIFO open (a `tail -f` that was paused).
    let mut reader = std::fs::File::open(&fifo).unwrap();
    let first = post_signed(&listener.url, &bodies(1)[0]);
    assert_eq!(first.status, 200);
    let mut start = [0u8; 100];
    std::io::Read::read_exact(&mut reader, &mut start).unwrap();
    // 300 KiB of lines: far more than the pipe holds.
    let answers = post_signed_concurrently(&listener.url, bodies(300), 8);
    assert!(
        answers
            .iter()
            .all(|(_, status)| matches!(status, Some(200 | 503) | None)),
        "{:?}",
        answers.iter().map(|(_, s)| s).collect::<Vec<_>>()
    );
    assert!(
        answers.iter().any(|(_, status)| *status == Some(503)),
        "what did not fit in the pipe is answered 503, not dropped"
    );
    let stopped = listener.stop();
    assert_eq!(stopped.code, Some(1), "{}", stopped.stderr);
    let error = only_error(&stopped.stderr);
    assert!(
        error.contains("stopped accepting writes: nothing was taken for 5s"),
        "{error}"
    );
    assert!(stopped.stderr.contains("hint: keep the program reading it"));
    drop(reader);
}
