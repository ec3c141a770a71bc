//! `wm-hooks check`'s machine-readable reports: every `--json` line has the
//! same fields in the same order, and `--junit` writes a well-formed, escaped
//! JUnit document (its path checked before anything is sent, a URL given for
//! it refused by the parser).

use predicates::prelude::*;
use serde_json::Value;

use crate::check::{ALL, PATH, SECRET, check, posts, run_json};
use crate::report::{LINE_FIELDS, fields};
use crate::util::file_with;
use crate::util::server::{self, Reply, TestServer};

#[test]
fn json_lines_have_a_fixed_shape() {
    let srv = TestServer::start(server::correct(SECRET));
    let (code, lines) = run_json(&mut check(&srv.url(PATH)));
    assert_eq!(code, 0);
    let got: Vec<&str> = lines.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(got, ALL);
    for line in &lines {
        assert_eq!(fields(line), LINE_FIELDS, "{line}");
        assert!(line["latency_ms"].as_f64().unwrap() >= 0.0, "{line}");
        assert!(line["got"].is_string() && line["passed"] == true);
    }
    assert_eq!(lines[0]["hint"], Value::Null);
}

#[test]
fn the_junit_report_is_well_formed_and_escaped() {
    let srv = TestServer::start(posts(|_| Reply::new(200, r#"<ok & "fine">"#)));
    let (ran, xml) = junit_report(&srv.url(PATH), 1);
    ran.stdout(predicate::str::contains(
        "12 of 17 required checks passed in ",
    ))
    .stdout(predicate::str::contains(
        "; failed: signature.missing, signature.wrong-secret, signature.tampered-body, \
         signature.empty, signature.sha1-prefix",
    ));
    let counts = well_formed(&xml);
    assert_eq!(
        (counts.testcases, counts.failures, counts.errors),
        (18, 5, 0),
        "{xml}"
    );
    assert!(
        xml.contains(r#"tests="18" failures="5" errors="0""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<failure message="200 OK, body &quot;&lt;ok &amp; \&quot;fine\&quot;&gt;&quot;" type="signature.missing">"#),
        "{xml}"
    );
    assert!(!xml.contains("<ok"), "{xml}");
    assert!(xml.contains(r#"<testcase name="budget" classname="wm-hooks.check.budget""#));
    assert!(
        xml.contains("<system-out>sent      POST"),
        "information goes to system-out"
    );
}

#[test]
fn an_unwritable_junit_path_fails_before_anything_is_sent() {
    let srv = TestServer::start(server::correct(SECRET));
    let (_dir, file) = file_with("not a directory");
    check(&srv.url(PATH))
        .arg("--junit")
        .arg(file.join("report.xml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot write the JUnit report"));
    assert!(srv.requests().is_empty());
}

#[test]
fn a_url_given_to_junit_is_refused_with_the_url_tip_before_anything_is_sent() {
    let srv = TestServer::start(server::correct(SECRET));
    // Run where that URL is a path that can be written, so only the parser stops it.
    let cwd = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(cwd.path().join("http:/127.0.0.1:9")).unwrap();
    check(&srv.url(PATH))
        .current_dir(cwd.path())
        .args(["--junit", "http://127.0.0.1:9/report.xml"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("error: "))
        .stderr(predicate::str::contains(
            "a URL is not a file to write the report to",
        ))
        .stderr(predicate::str::contains(
            "tip: --junit takes FILE, not a URL; the URL goes to --url URL",
        ));
    assert!(srv.requests().is_empty());
    assert!(!cwd.path().join("http:/127.0.0.1:9/report.xml").exists());
}

/// Element counts of a document that [`well_formed`] accepted.
pub(crate) struct Counts {
    pub(crate) testcases: usize,
    pub(crate) failures: usize,
    pub(crate) errors: usize,
}

/// `check URL --junit FILE`, which must exit `code`: how it ran, for more
/// assertions, and the report it wrote.
pub(crate) fn junit_report(url: &str, code: i32) -> (assert_cmd::assert::Assert, String) {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("report.xml");
    let ran = check(url).arg("--junit").arg(&junit).assert().code(code);
    (ran, std::fs::read_to_string(&junit).unwrap())
}

/// A minimal XML check: tags balance, attribute values are quoted, and text
/// and values hold no raw `<` and only known entities.
pub(crate) fn well_formed(xml: &str) -> Counts {
    let entities = |text: &str| {
        let mut rest = text;
        while let Some(at) = rest.find('&') {
            rest = &rest[at + 1..];
            let end = rest.find(';').expect("an entity ends with ;");
            let name = &rest[..end];
            assert!(
                ["amp", "lt", "gt", "quot", "apos"].contains(&name)
                    || name
                        .strip_prefix('#')
                        .is_some_and(|n| n.parse::<u32>().is_ok()),
                "unknown entity &{name};"
            );
        }
    };
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("an XML declaration");
    let mut stack: Vec<String> = Vec::new();
    let mut counts = Counts {
        testcases: 0,
        failures: 0,
        errors: 0,
    };
    let mut rest = body;
    while let Some(open) = rest.find('<') {
        entities(&rest[..open]);
        let close = rest[open..].find('>').expect("a tag ends") + open;
        let tag = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "balanced </{name}>");
            continue;
        }
        let empty = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let (name, mut attrs) = tag.split_once(' ').unwrap_or((tag, ""));
        while !attrs.trim().is_empty() {
            let (key, value) = attrs.trim_start().split_once("=\"").expect("key=\"value\"");
            assert!(key.bytes().all(|b| b.is_ascii_alphanumeric()), "{key}");
            let end = value.find('"').expect("a closing quote");
            assert!(!value[..end].contains('<'), "{value}");
            entities(&value[..end]);
            attrs = &value[end + 1..];
        }
        match name {
            "testcase" => counts.testcases += 1,
            "failure" => counts.failures += 1,
            "error" => counts.errors += 1,
            _ => {}
        }
        if !empty {
            stack.push(name.to_string());
        }
    }
    assert!(
        stack.is_empty() && rest.trim().is_empty(),
        "unclosed {stack:?}"
    );
    counts
}
