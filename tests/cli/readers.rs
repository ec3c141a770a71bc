//! The README's own consumer group readers ("Reading the queue"), run against
//! what a real `ingest` stored in the test's own redis-server: the Python one
//! with Debian's python3-redis, the Node one with ioredis (which `.ci/run`
//! installs with npm into a cache it names in NODE_PATH: Debian has no
//! package of it). Each snippet is cut from the README itself, and only what
//! makes it a test is changed: the port, a bounded loop with a short block,
//! and a `handle` that prints each event and the SHA-256 of its body. Each
//! runs first on an empty Redis, as a worker started before `ingest` would.

use crate::util::listen::{Listener, SECRET, post_signed};
use crate::util::store::{TestStore, status_body};

/// The code block of `lang` that follows `intro` in the README.
fn readme_block(intro: &str, lang: &str) -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("the README");
    let after = &readme[readme
        .find(intro)
        .unwrap_or_else(|| panic!("`{intro}` in the README"))..];
    let fence = format!("```{lang}\n");
    let start = after.find(&fence).expect("a code block after it") + fence.len();
    let end = start + after[start..].find("```").expect("the block's end");
    after[start..end].to_string()
}

/// `snippet` with each `from` (which must occur exactly once) replaced.
fn edited(snippet: &str, edits: &[(&str, &str)]) -> String {
    let mut text = snippet.to_string();
    for (from, to) in edits {
        assert_eq!(
            text.matches(from).count(),
            1,
            "`{from}` once in the README's snippet:\n{snippet}"
        );
        text = text.replace(from, to);
    }
    text
}

/// Whether `program` runs `check` successfully; without it the test skips
/// with one line, unless WM_HOOKS_REQUIRE_REDIS=1 (CI) makes that a failure.
fn usable(program: &str, check: &[&str], missing: &str, test: &str) -> bool {
    let ok = std::process::Command::new(program)
        .args(check)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("WM_HOOKS_REQUIRE_REDIS").is_none_or(|v| v != "1"),
            "{test}: {missing} and WM_HOOKS_REQUIRE_REDIS=1"
        );
        eprintln!("skipped {test}: {missing}");
    }
    ok
}

/// Five events stored by a real `ingest`; what `handle` prints for each.
fn ingested(store: &TestStore) -> Vec<String> {
    let running = Listener::run(
        &["ingest", "--port", "0", "--store", &store.url],
        &[("WM_HOOKS_SECRET", SECRET)],
    );
    let bodies: Vec<Vec<u8>> = (0..5).map(status_body).collect();
    for body in &bodies {
        assert_eq!(post_signed(&running.url, body).status, 200);
    }
    running.stop();
    bodies
        .iter()
        .map(|b| {
            format!(
                "message.status {}",
                hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b))
            )
        })
        .collect()
}

/// Runs `program` on `script` (a file in a temp dir); its stdout's lines.
fn run_reader(program: &str, file: &str, script: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(file);
    std::fs::write(&path, script).unwrap();
    let output = std::process::Command::new(program)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{program} {file}:\n{}\n{script}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_readme_redis_py_reader_reads_what_ingest_stored() {
    let test = "readers::the_readme_redis_py_reader";
    let python = "/usr/bin/python3";
    if !usable(
        python,
        &["-c", "import redis"],
        "python3-redis is not installed",
        test,
    ) {
        return;
    }
    let Some(store) = TestStore::redis(test) else {
        return;
    };
    let port = store.redis.as_ref().unwrap().port.to_string();
    let snippet = readme_block("in Python with redis-py:", "python");
    let script = format!(
        "import hashlib\n\
         def handle(event, body):\n    print(event, hashlib.sha256(body).hexdigest(), flush=True)\n{}",
        edited(
            &snippet,
            &[
                ("port=6379", &format!("port={port}")),
                ("while True:", "for _ in range(3):"),
                ("block=5000", "block=500"),
            ]
        )
    );
    // A worker started before the first event must wait for it, not fail.
    assert_eq!(
        run_reader(python, "reader.py", &script),
        Vec::<String>::new()
    );
    let want = ingested(&store);
    assert_eq!(
        run_reader(python, "reader.py", &script),
        want,
        "the raw bodies, in order"
    );
}

#[test]
fn the_readme_ioredis_reader_reads_what_ingest_stored() {
    let test = "readers::the_readme_ioredis_reader";
    let missing = "node or ioredis is missing (.ci/run installs ioredis and sets NODE_PATH)";
    if !usable("node", &["-e", "require('ioredis')"], missing, test) {
        return;
    }
    let Some(store) = TestStore::redis(test) else {
        return;
    };
    let port = store.redis.as_ref().unwrap().port.to_string();
    let snippet = readme_block("And in Node with ioredis:", "js");
    let script = format!(
        "const crypto = require(\"crypto\");\n\
         async function handle(event, body) {{\n  \
           console.log(event, crypto.createHash(\"sha256\").update(body).digest(\"hex\"));\n}}\n{}",
        edited(
            &snippet,
            &[
                (":6379/", &format!(":{port}/")),
                ("for (;;) {", "for (let round = 0; round < 3; round++) {"),
                ("\"BLOCK\", 5000", "\"BLOCK\", 500"),
                ("main().catch(", "main().then(() => r.quit()).catch("),
            ]
        )
    );
    // A worker started before the first event must wait for it, not fail.
    assert_eq!(
        run_reader("node", "reader.js", &script),
        Vec::<String>::new()
    );
    let want = ingested(&store);
    assert_eq!(
        run_reader("node", "reader.js", &script),
        want,
        "the raw bodies, in order"
    );
}
