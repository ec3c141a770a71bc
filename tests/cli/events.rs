//! `wm-hooks events`: the list and the samples, and a closed pipe.
use crate::util::{Ended, stdout_of, wm_hooks, wm_hooks_std};

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
        .filter(|l| !l.starts_with(' '))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        names,
        ["message.received", "message.status", "template.status"]
    );
    assert!(text.contains("    --type text image video audio document sticker"));
    assert!(text.contains("    --status sent delivered read played failed"));
}

#[test]
fn prints_every_type_in_both_envelopes() {
    let doc = |args: &[&str]| -> serde_json::Value {
        let out = Ended::run(wm_hooks().arg("events").args(args)).exited(0);
        serde_json::from_str(&out.stdout).unwrap()
    };
    let image = doc(&["message.received", "--type", "image"]);
    assert_eq!(image["data"]["type"], "image");
    assert_eq!(image["data"]["image"]["mime_type"], "image/jpeg");
    let meta = doc(&[
        "message.received",
        "--type",
        "interactive",
        "--reply",
        "list",
        "--profile",
        "meta",
    ]);
    let message = &meta["entry"][0]["changes"][0]["value"]["messages"][0];
    assert_eq!(message["interactive"]["type"], "list_reply");
    assert_eq!(meta["object"], "whatsapp_business_account");
    let failed = doc(&["message.status", "--status", "failed", "--profile", "meta"]);
    let status = &failed["entry"][0]["changes"][0]["value"]["statuses"][0];
    assert_eq!(status["errors"][0]["code"], 131047);
    let rejected = doc(&["template.status", "--template-status", "rejected"]);
    assert_eq!(rejected["data"]["reason"], "INVALID_FORMAT");
    let from_env = Ended::run(
        wm_hooks()
            .args(["events", "message.status"])
            .env("WM_HOOKS_PROFILE", "meta"),
    )
    .exited(0);
    assert!(from_env.stdout.contains("\"statuses\""));
}

#[test]
fn a_variant_flag_must_fit_its_event() {
    for args in [
        &["events", "message.status", "--type", "image"][..],
        &["events", "message.received", "--reply", "list"],
        &["events", "--type", "image"],
    ] {
        wm_hooks()
            .args(args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("error:"));
    }
    // One event at a time: the hint names the event the flag belongs to.
    wm_hooks()
        .args(["events", "template.status", "--status", "read"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "hint: events prints one event's sample: name message.status instead of template.status",
        ));
    wm_hooks()
        .args(["events", "message.status"])
        .env("WM_HOOKS_PROFILE", "facebook")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("WM_HOOKS_PROFILE"));
}

#[test]
fn prints_a_sample_as_pretty_json() {
    let text = Ended::run(wm_hooks().args(["events", "message.status"]))
        .exited(0)
        .stdout;
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
    let ended = Ended::run_with_closed_stdout(wm_hooks_std().args(["completions", "zsh"]));
    assert_eq!(ended.exited(0).stderr, "");
}

#[test]
fn help_describes_each_event_in_the_same_words_as_the_list() {
    let list = Ended::run(wm_hooks().arg("events")).stdout;
    let help = Ended::run(wm_hooks().args(["events", "--help"])).stdout;
    let help: Vec<String> = help
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    // The indented lines under each event name its sample flags.
    for line in list.lines().filter(|l| !l.starts_with(' ')) {
        let (name, about) = line.split_once(' ').unwrap();
        let want = format!("- {name}: {}", about.trim());
        assert!(help.contains(&want), "{want:?} not in --help");
    }
}
