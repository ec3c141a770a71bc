//! `wm-hooks events`: the list and the samples, and a closed pipe.

use std::io::Read;
use std::process::Stdio;

use crate::util::{stdout_of, wm_hooks};

#[test]
fn lists_each_event_on_one_line() {
    let out = wm_hooks()
        .arg("events")
        .assert()
        .success()
        .stderr("")
        .get_output()
        .clone();
    let text = stdout_of(&out);
    let names: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        names,
        ["message.received", "message.status", "template.status"]
    );
}

#[test]
fn prints_a_sample_as_pretty_json() {
    let out = wm_hooks()
        .args(["events", "message.status"])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = stdout_of(&out);
    assert!(text.starts_with("{\n  \"event\": \"message.status\",\n"));
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["data"]["status"], "delivered");
    assert_eq!(value["data"]["message_id"], "msg_abc123");
}

#[test]
fn unknown_event_is_a_usage_error_listing_the_names() {
    wm_hooks()
        .args(["events", "message.deleted"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "message.received, message.status, template.status",
        ));
}

#[test]
fn a_closed_stdout_exits_quietly() {
    let cmd = wm_hooks();
    let mut child = std::process::Command::new(cmd.get_program())
        .args(["completions", "zsh"])
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(err, "");
}

#[test]
fn help_describes_each_event_in_the_same_words_as_the_list() {
    let list = stdout_of(&wm_hooks().arg("events").output().unwrap());
    let help = stdout_of(&wm_hooks().args(["events", "--help"]).output().unwrap());
    let help: Vec<String> = help
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    for line in list.lines() {
        let (name, about) = line.split_once(' ').unwrap();
        let want = format!("- {name}: {}", about.trim());
        assert!(help.contains(&want), "{want:?} not in --help");
    }
}
