//! The secret `wm-hooks listen` generates is saved (0600, in XDG_STATE_HOME)
//! and reused: by the next `listen`, and by `send-test`, `verify` and `check`
//! when they are given no secret; `--new-secret` replaces it; a secret given
//! explicitly always wins. Each run of the binary has its own HOME and state
//! directory unless a test shares one on purpose.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::util::listen::Listener;
use crate::util::{Ended, fresh_state_home, wm_hooks};

fn saved_file(state: &Path) -> PathBuf {
    state.join("wm-hooks").join("secret")
}

/// `listen` with nothing but this state directory, and its banner.
fn listen_in(state: &Path, args: &[&str]) -> (Listener, String) {
    let listener = Listener::start_with(args, &[("XDG_STATE_HOME", state.to_str().unwrap())]);
    let banner = listener.stderr();
    (listener, banner)
}

fn exported(banner: &str) -> Option<String> {
    banner
        .lines()
        .find_map(|l| l.strip_prefix("export WM_HOOKS_SECRET="))
        .map(str::to_string)
}

#[test]
fn listen_saves_its_secret_and_the_next_start_reuses_it() {
    let state = fresh_state_home();
    let (listener, banner) = listen_in(&state, &[]);
    let secret = exported(&banner).unwrap_or_else(|| panic!("no export line: {banner}"));
    let path = saved_file(&state);
    assert!(
        banner.contains(&format!("generated and saved in {}", path.display())),
        "{banner}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("{secret}\n")
    );
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    listener.stop();

    let (listener, banner) = listen_in(&state, &[]);
    assert_eq!(exported(&banner), None, "{banner}");
    assert!(!banner.contains(&secret), "never again in full: {banner}");
    assert!(
        banner.contains(&format!(
            "(the one saved in {}; --new-secret makes a fresh one)",
            path.display()
        )),
        "{banner}"
    );
    listener.stop();

    let (listener, banner) = listen_in(&state, &["--new-secret"]);
    let fresh = exported(&banner).unwrap_or_else(|| panic!("no export line: {banner}"));
    assert_ne!(fresh, secret);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("{fresh}\n")
    );
    listener.stop();
}

#[test]
fn send_test_verify_and_check_use_the_saved_secret_and_say_so() {
    let state = fresh_state_home();
    let (listener, _) = listen_in(&state, &[]);
    let says = format!(
        "secret: the one `wm-hooks listen` saved in {}",
        saved_file(&state).display()
    );
    let runs: [&[&str]; 3] = [
        &["send-test", "all", "--to", &listener.url],
        &["verify", "--url", &listener.url],
        &["check", "--only", "signature", "--url", &listener.url],
    ];
    for args in runs {
        let err = Ended::run(wm_hooks().args(args).env("XDG_STATE_HOME", &state))
            .exited(0)
            .stderr;
        assert_eq!(err.matches(&says).count(), 1, "{args:?}: {err}");
    }
    // Exit 0 above is the proof: the listener answers 401 to any other secret.
    listener.stop();
}

#[test]
fn an_explicit_secret_wins_over_the_saved_one() {
    let state = fresh_state_home();
    let (listener, _) = listen_in(&state, &[]);
    // The listener refuses it.
    let err = Ended::run(
        wm_hooks()
            .args(["send-test", "--to", &listener.url])
            .env("XDG_STATE_HOME", &state)
            .env("WM_HOOKS_SECRET", "another-secret-entirely"),
    )
    .exited(1)
    .stderr;
    assert!(!err.contains("saved in"), "{err}");
    listener.stop();

    // And listen itself: a given secret is used and the saved one left alone.
    let before = std::fs::read(saved_file(&state)).unwrap();
    let listener = Listener::start_with(
        &["--new-secret"],
        &[
            ("XDG_STATE_HOME", state.to_str().unwrap()),
            ("WM_HOOKS_SECRET", "another-secret-entirely"),
        ],
    );
    let banner = listener.stderr();
    assert!(
        banner.contains("warning: --new-secret: WM_HOOKS_SECRET is set and wins"),
        "{banner}"
    );
    assert!(banner.contains("(from WM_HOOKS_SECRET)"), "{banner}");
    listener.stop();
    assert_eq!(std::fs::read(saved_file(&state)).unwrap(), before);
}

#[test]
fn with_nothing_saved_the_error_says_how_to_get_one() {
    wm_hooks()
        .args(["send-test", "--to", "http://127.0.0.1:9/"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("error: no webhook secret given"))
        .stderr(predicates::str::contains(
            "start `wm-hooks listen` once on this machine",
        ));
}

/// A saved secret that cannot be used (emptied by hand) is an error that
/// says how to replace it, for listen and for the senders alike.
#[test]
fn an_empty_saved_secret_says_how_to_make_a_new_one() {
    let state = fresh_state_home();
    let path = saved_file(&state);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    for args in [
        &["listen", "--port", "0"][..],
        &["send-test", "--to", "http://127.0.0.1:9/"],
    ] {
        Ended::run(wm_hooks().args(args).env("XDG_STATE_HOME", &state))
            .exited(2)
            .stderr_has("is empty")
            .stderr_has("`wm-hooks listen --new-secret` saves a new one in its place");
    }
    let (listener, banner) = listen_in(&state, &["--new-secret"]);
    assert!(exported(&banner).is_some(), "{banner}");
    listener.stop();
}

#[test]
fn a_secret_saved_under_home_is_not_seen_by_other_runs() {
    // No usable XDG_STATE_HOME (a relative one is ignored): the secret goes
    // under the listener's own HOME, which no other run shares.
    let (listener, banner) = listen_in(Path::new("relative"), &[]);
    assert!(banner.contains("/.local/state/wm-hooks/secret"), "{banner}");
    wm_hooks()
        .args(["send-test", "--to", &listener.url])
        .env("XDG_STATE_HOME", "relative")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("error: no webhook secret given"));
    listener.stop();
}
