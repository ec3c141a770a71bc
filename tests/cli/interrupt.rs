//! Ctrl-C (SIGINT) and SIGTERM sent to a running `send-test`, `verify` or
//! `check`: the first stops starting anything new (a retry wait ends at once),
//! lets the request in flight finish, reports what ran with the rest marked as
//! not run (`--json` and `--junit` stay whole documents), and exits 130; a
//! second one cuts the request in flight.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::check::{ALL, SECRET};
use crate::check_formats::well_formed;
use crate::util::listen::{Listener, wait_for};
use crate::util::server::{self, TestServer};

fn running(args: &[&str]) -> Listener {
    Listener::sender(args, &[("WM_HOOKS_SECRET", SECRET)])
}

/// A receiver that answers like `behavior` after `delay`, and its webhook URL.
fn slow_receiver(
    delay: Duration,
    behavior: impl Fn(&server::Recorded, usize) -> server::Reply + Send + Sync + 'static,
) -> (TestServer, String) {
    let server = TestServer::start(server::slow(delay, behavior));
    let url = server.url("/webhooks/whatsapp");
    (server, url)
}

/// Each stdout line, as JSON.
fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

/// Waits (bounded) until `server` has seen `n` requests.
fn wait_requests(server: &TestServer, n: usize) {
    wait_for(
        || server.requests().len().to_string(),
        |seen| seen.parse::<usize>().unwrap() >= n,
        "requests",
    );
}

#[test]
fn ctrl_c_in_a_retry_wait_prints_the_summary_and_exits_130() {
    let server = TestServer::start(server::status(500));
    let url = server.url("/webhooks/whatsapp");
    // The first retry waits 30 s × 0.2 = 6 s: the stop must not wait it out.
    let sender = running(&[
        "send-test",
        "all",
        "--to",
        &url,
        "--retry",
        "--retry-scale",
        "0.2",
    ]);
    sender.wait_stdout(|out| out.contains("retry 1 of 5 in 6s"));
    let asked = Instant::now();
    let stopped = sender.stop_with("INT");
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "the retry wait was waited out: {:?}",
        asked.elapsed()
    );
    assert_eq!(stopped.code, Some(130), "{}", stopped.stderr);
    assert!(
        stopped
            .stderr
            .contains("Stopping: sending nothing more, finishing the requests in flight"),
        "{}",
        stopped.stderr
    );
    assert!(
        stopped.stdout.contains("✘ 1 of 3 deliveries failed"),
        "{}",
        stopped.stdout
    );
    assert!(
        stopped
            .stdout
            .contains("interrupted: 2 of 3 deliveries not sent or cut in flight"),
        "{}",
        stopped.stdout
    );
    assert!(stopped.stderr.contains("hint: the receiver failed"));
    assert_eq!(server.posts().len(), 1, "nothing was sent after the stop");
}

#[test]
fn the_delivery_in_flight_finishes_and_json_ends_with_a_summary() {
    let (server, url) = slow_receiver(Duration::from_millis(1500), server::accepts_anything());
    let sender = running(&["send-test", "all", "--json", "--to", &url]);
    wait_requests(&server, 1);
    let stopped = sender.stop_with("TERM");
    assert_eq!(stopped.code, Some(130), "{}", stopped.stderr);
    let lines = json_lines(&stopped.stdout);
    assert_eq!(lines.len(), 2, "{}", stopped.stdout);
    assert_eq!(lines[0]["type"], "delivery");
    assert_eq!(lines[0]["result"], "pass", "the one in flight finished");
    let summary = &lines[1];
    assert_eq!(summary["type"], "summary");
    assert_eq!(
        (&summary["passed"], &summary["failed"], &summary["skipped"]),
        (&1.into(), &0.into(), &2.into())
    );
    assert_eq!(summary["interrupted"], true);
    assert_eq!(
        summary["result"], "inconclusive",
        "what passed so far is not a pass"
    );
    assert_eq!(server.posts().len(), 1);
}

#[test]
fn a_second_ctrl_c_cuts_the_request_in_flight() {
    let (server, url) = slow_receiver(Duration::from_secs(30), server::accepts_anything());
    let sender = running(&["send-test", "--to", &url, "--timeout", "40s"]);
    wait_requests(&server, 1);
    sender.signal("INT");
    wait_for(|| sender.stderr(), |err| err.contains("Stopping"), "stderr");
    let asked = Instant::now();
    let stopped = sender.stop_with("INT");
    assert!(asked.elapsed() < Duration::from_secs(10));
    assert_eq!(stopped.code, Some(130), "{}", stopped.stderr);
    assert!(
        stopped
            .stdout
            .contains("interrupted: 1 of 1 delivery not sent or cut in flight"),
        "{}",
        stopped.stdout
    );
}

#[test]
fn an_interrupted_check_reports_every_check_in_every_format() {
    let (_server, url) = slow_receiver(Duration::from_millis(300), server::correct(SECRET));
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("report.xml");
    let junit_arg = junit.to_str().unwrap();
    let checker = running(&["check", "--url", &url, "--json", "--junit", junit_arg]);
    checker.wait_stdout(|out| out.lines().count() >= 2);
    let stopped = checker.stop_with("INT");
    assert_eq!(stopped.code, Some(130), "{}", stopped.stderr);
    let lines = json_lines(&stopped.stdout);
    let (summary, checks) = lines.split_last().expect("lines");
    let names: Vec<&str> = checks.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ALL, "every check has its line, run or not");
    let skipped: Vec<&Value> = checks.iter().filter(|l| l["result"] == "skipped").collect();
    assert!(!skipped.is_empty() && skipped.len() < ALL.len());
    for line in &skipped {
        assert_eq!(line["got"], "not run: interrupted (Ctrl-C or SIGTERM)");
    }
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["interrupted"], true);
    assert_eq!(summary["skipped"], skipped.len());
    assert_ne!(
        summary["result"], "pass",
        "a run cut short proves nothing of the rest"
    );
    assert!(
        stopped
            .stderr
            .contains(&format!("; {} not run (interrupted)", skipped.len())),
        "{}",
        stopped.stderr
    );
    let xml = std::fs::read_to_string(&junit).expect("the JUnit report is written");
    assert_eq!(well_formed(&xml).testcases, ALL.len());
    assert_eq!(xml.matches("<skipped ").count(), skipped.len());
}

#[test]
fn an_interrupted_check_card_marks_the_rest_as_not_run() {
    let (server, url) = slow_receiver(Duration::from_millis(300), server::correct(SECRET));
    let checker = running(&["check", "--url", &url]);
    wait_requests(&server, 2);
    let stopped = checker.stop_with("INT");
    assert_eq!(stopped.code, Some(130), "{}", stopped.stderr);
    assert!(
        stopped.stdout.contains("✔ handshake.challenge"),
        "{}",
        stopped.stdout
    );
    assert!(stopped.stdout.contains("- budget"), "{}", stopped.stdout);
    assert!(stopped.stdout.contains("not run (interrupted)"));
}

#[test]
fn an_interrupted_verify_reports_the_probe_in_flight_and_the_rest_as_not_run() {
    let (server, url) = slow_receiver(Duration::from_millis(500), server::correct(SECRET));
    let verifier = running(&["verify", "--url", &url, "--json"]);
    wait_requests(&server, 1);
    let stopped = verifier.stop_with("INT");
    assert_eq!(stopped.code, Some(130), "{}", stopped.stderr);
    assert!(
        stopped
            .stderr
            .contains("Stopping: finishing the check in flight (Ctrl-C again stops now)"),
        "{}",
        stopped.stderr
    );
    let lines = json_lines(&stopped.stdout);
    let (summary, checks) = lines.split_last().expect("lines");
    let names: Vec<&str> = checks.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, &ALL[..3], "every probe has its line, sent or not");
    assert_eq!(checks[0]["result"], "pass", "the probe in flight finished");
    for line in &checks[1..] {
        assert_eq!(line["result"], "skipped", "{line}");
        assert_eq!(line["got"], "not run: interrupted (Ctrl-C or SIGTERM)");
    }
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["interrupted"], true);
    assert_eq!(
        (&summary["passed"], &summary["skipped"]),
        (&1.into(), &2.into())
    );
    assert_eq!(summary["result"], "inconclusive");
    assert_eq!(
        server.requests().len(),
        1,
        "nothing was sent after the stop"
    );
}

#[test]
fn a_second_ctrl_c_cuts_verifys_probe_in_flight() {
    let (server, url) = slow_receiver(Duration::from_secs(30), server::correct(SECRET));
    let verifier = running(&["verify", "--url", &url, "--timeout", "40s"]);
    wait_requests(&server, 1);
    verifier.signal("INT");
    wait_for(
        || verifier.stderr(),
        |err| err.contains("Stopping"),
        "stderr",
    );
    let asked = Instant::now();
    let stopped = verifier.stop_with("INT");
    assert!(asked.elapsed() < Duration::from_secs(10));
    assert_eq!(stopped.code, Some(130), "{}", stopped.stderr);
    assert!(
        stopped.stdout.contains(
            "not sent (interrupted): handshake.challenge, handshake.wrong-token, \
             handshake.wrong-mode"
        ),
        "{}",
        stopped.stdout
    );
}

/// Interrupted before `budget` ran: the late answers timed before the stop
/// already prove it failed, so it says so (a pass would not be proved).
#[test]
fn an_interrupted_check_still_fails_the_budget_on_a_late_answer_it_saw() {
    let (_server, url) = slow_receiver(Duration::from_millis(1100), server::correct(SECRET));
    let checker = running(&["check", "--url", &url, "--json", "--timeout", "1s"]);
    checker.wait_stdout(|out| out.contains("\"signature.valid.message-received\""));
    let stopped = checker.stop_with("INT");
    assert_eq!(stopped.code, Some(130), "{}", stopped.stderr);
    let lines = json_lines(&stopped.stdout);
    let budget = lines
        .iter()
        .find(|l| l["name"] == "budget")
        .expect("a budget line");
    assert_eq!(budget["result"], "fail", "{budget}");
    let got = budget["got"].as_str().unwrap();
    assert!(
        got.contains("over 1s: signature.valid.message-received 1.1"),
        "{got}"
    );
    assert!(
        budget["sent"].as_str().unwrap().contains("interrupted"),
        "{budget}"
    );
}
