//! `wm-hooks store stats|dead|redrive` against real stores: counts as JSON
//! for scripts, and the exit codes for a missing or unreachable store.

use crate::util::store::{TestStore, status_body};
use crate::util::{stderr_of, stdout_of, wm_hooks};

#[test]
fn stats_count_what_was_stored() {
    for store in TestStore::both("store::stats_count_what_was_stored") {
        store.append(&[status_body(1), status_body(2)]);
        let stats = store.stats();
        for (field, want) in [
            ("stored", 2),
            ("pending", 2),
            ("retrying", 0),
            ("dead", 0),
            ("delivered", 0),
            ("duplicates", 0),
        ] {
            assert_eq!(stats[field], want, "{field} in {stats} ({})", store.url);
        }
        let output = wm_hooks()
            .args(["store", "stats", "--store", &store.url])
            .output()
            .unwrap();
        assert!(output.status.success());
        assert!(
            stdout_of(&output).contains("stored      2\n"),
            "{}",
            stdout_of(&output)
        );
        let output = wm_hooks()
            .args(["store", "dead", "--store", &store.url])
            .output()
            .unwrap();
        assert!(output.status.success());
        assert_eq!(stdout_of(&output), "");
        assert!(
            stderr_of(&output).contains("0 dead letters"),
            "{}",
            stderr_of(&output)
        );
    }
}

#[test]
fn a_missing_store_is_an_input_error_and_an_unreachable_one_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let missing = format!("sqlite:{}", dir.path().join("nope.db").display());
    let output = wm_hooks()
        .args(["store", "stats", "--store", &missing])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output).contains("does not exist"),
        "{}",
        stderr_of(&output)
    );
    assert!(
        !dir.path().join("nope.db").exists(),
        "reading created a store"
    );

    let port = crate::util::server::closed_port();
    let output = wm_hooks()
        .args([
            "store",
            "stats",
            "--store",
            &format!("redis://:hunter2@127.0.0.1:{port}/0"),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr_of(&output));
    let err = stderr_of(&output);
    assert!(
        err.starts_with("error: the store (redis://:****@127.0.0.1:"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");

    let output = wm_hooks()
        .args(["store", "stats", "--store", "postgres://x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = wm_hooks()
        .env("WM_HOOKS_STORE", "nonsense")
        .args(["store", "stats"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output).contains("WM_HOOKS_STORE"),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn redrive_of_unknown_ids_fails_and_needs_ids_or_all() {
    let store = TestStore::sqlite();
    store.append(&[status_body(1)]);
    let output = wm_hooks()
        .args(["store", "redrive", "--store", &store.url, "999"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    assert!(stderr_of(&output).contains("1 of the ids given are not dead letters"));
    let output = wm_hooks()
        .args(["store", "redrive", "--store", &store.url])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}
