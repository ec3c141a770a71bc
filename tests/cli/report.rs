//! The one report format: `verify --json`, `check --json` and `send-test
//! --json` all print lines that follow the same field rules (README,
//! "Reports"), against a correct receiver and against broken ones.

use serde_json::Value;

use crate::util::server::{self, TestServer};
use crate::util::{Ended, wm_hooks};

const SECRET: &str = "whsec_report_0123456789abcdef";
const PATH: &str = "/webhooks/whatsapp";

/// The fields every check or delivery line has, in this order.
pub(crate) const LINE_FIELDS: [&str; 10] = [
    "type",
    "name",
    "result",
    "passed",
    "required",
    "latency_ms",
    "sent",
    "expected",
    "got",
    "hint",
];

/// A report line's field names, in the order it printed them.
pub(crate) fn fields(line: &Value) -> Vec<&str> {
    let object = line.as_object().expect("a JSON object");
    object.keys().map(String::as_str).collect()
}

/// Asserts that `stdout` is report lines of `kind` closed by one summary,
/// and returns the lines.
fn follows_the_schema(stdout: &str, kind: &str) -> Vec<Value> {
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let (summary, items) = lines.split_last().expect("at least the summary");
    assert!(!items.is_empty(), "{stdout}");
    for line in items {
        assert_eq!(&fields(line)[..LINE_FIELDS.len()], LINE_FIELDS, "{line}");
        assert_eq!(line["type"], kind, "{line}");
        let name = line["name"].as_str().unwrap();
        assert!(
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b)),
            "{name}"
        );
        let result = line["result"].as_str().unwrap();
        assert!(
            ["pass", "fail", "inconclusive", "skipped"].contains(&result),
            "{line}"
        );
        assert_eq!(line["passed"], result == "pass", "{line}");
        assert!(line["required"].is_boolean(), "{line}");
        match &line["latency_ms"] {
            Value::Null => {}
            Value::Number(n) => {
                let ms = n.as_f64().unwrap();
                assert!(
                    ms >= 0.0 && ((ms * 100.0).round() - ms * 100.0).abs() < 1e-6,
                    "{line}"
                );
            }
            other => panic!("latency_ms {other}"),
        }
        for text in ["sent", "expected", "got"] {
            assert!(line[text].is_string(), "{text}: {line}");
        }
        assert!(line["hint"].is_string() || line["hint"].is_null(), "{line}");
        if result == "pass" && kind == "check" {
            assert!(!line["got"].as_str().unwrap().is_empty(), "{line}");
        }
    }
    assert_eq!(summary["type"], "summary", "{summary}");
    let result = summary["result"].as_str().unwrap();
    assert!(["pass", "fail"].contains(&result), "{summary}");
    for count in ["passed", "failed", "inconclusive", "skipped"] {
        assert!(summary[count].is_u64(), "{count}: {summary}");
    }
    assert!(
        summary["root_cause"].is_string() || summary["root_cause"].is_null(),
        "{summary}"
    );
    lines
}

fn json_of(args: &[&str], url_flag: &str, url: &str) -> (i32, String) {
    let out = Ended::run(
        wm_hooks()
            .args(args)
            .args([url_flag, url, "--json"])
            .env("WM_HOOKS_SECRET", SECRET),
    );
    (out.code.unwrap(), out.stdout)
}

#[test]
fn verify_check_and_send_test_share_one_schema() {
    let receivers = [
        TestServer::start(server::correct(SECRET)),
        TestServer::start(server::correct("another secret")),
        TestServer::start(server::status(500)),
    ];
    for (i, srv) in receivers.iter().enumerate() {
        let url = srv.url(PATH);
        let want = if i == 0 { 0 } else { 1 };
        let (code, verify) = json_of(&["verify"], "--url", &url);
        assert_eq!(code, want, "verify {i}");
        let verify = follows_the_schema(&verify, "check");
        let (code, check) = json_of(&["check"], "--url", &url);
        assert_eq!(code, want, "check {i}");
        let check = follows_the_schema(&check, "check");
        let (code, send) = json_of(&["send-test", "all"], "--to", &url);
        assert_eq!(code, want, "send-test {i}");
        follows_the_schema(&send, "delivery");
        // verify's checks are check's handshake checks, by name and verdict.
        let handshake = |lines: &[Value]| -> Vec<(Value, Value)> {
            lines
                .iter()
                .filter(|l| {
                    l["name"]
                        .as_str()
                        .unwrap_or_default()
                        .starts_with("handshake.")
                })
                .map(|l| (l["name"].clone(), l["result"].clone()))
                .collect()
        };
        assert_eq!(handshake(&verify), handshake(&check), "receiver {i}");
    }
}

#[test]
fn a_line_with_nothing_come_back_has_a_null_latency_in_every_command() {
    let url = format!("http://127.0.0.1:{}{PATH}", server::closed_port());
    for (args, flag, kind) in [
        (&["verify"][..], "--url", "check"),
        (&["check"][..], "--url", "check"),
        (&["send-test", "all"][..], "--to", "delivery"),
    ] {
        let (code, out) = json_of(args, flag, &url);
        assert_eq!(code, 3, "{args:?}: {out}");
        let lines = follows_the_schema(&out, kind);
        for line in &lines[..lines.len() - 1] {
            assert!(line["latency_ms"].is_null(), "{args:?}: {line}");
        }
    }
}
