//! The one masking rule, wherever a secret or key is shown: a value whose
//! private part is shorter than 16 characters is `****`; a longer one shows its
//! public prefix (`sk_live_`, `whsec_`) and its last 4 characters.

use crate::util::listen::Listener;
use crate::util::{Ended, wm_hooks};

#[test]
fn the_listen_banner_masks_short_secrets_whole() {
    // A 12-character secret used to print as `abc…ijkl`, 7 of its 12 characters.
    let short = "abcdefghijkl";
    let listener = Listener::start_with(&[], &[("WM_HOOKS_SECRET", short)]);
    let stopped = listener.stop();
    assert!(
        stopped
            .stderr
            .contains("Webhook secret: **** (from WM_HOOKS_SECRET)"),
        "{}",
        stopped.stderr
    );
    assert!(!stopped.stderr.contains("ijkl"), "{}", stopped.stderr);

    let long = "whsec_9c1e4b7a2d8f3e6b1a5c";
    let listener = Listener::start_with(&[], &[("WM_HOOKS_SECRET", long)]);
    let stopped = listener.stop();
    assert!(
        stopped
            .stderr
            .contains("Webhook secret: whsec_…1a5c (from WM_HOOKS_SECRET)"),
        "{}",
        stopped.stderr
    );
}

#[test]
fn a_dry_run_masks_credentials_by_the_same_rule() {
    let out = Ended::run(
        wm_hooks()
            .args(["send-test", "--to", "http://127.0.0.1:9/w", "--dry-run"])
            .args(["-H", "Authorization: Bearer sk_live_1234567890abcdef"])
            .args(["-H", "X-Api-Key: shortkey123"])
            .env("WM_HOOKS_SECRET", "listen-test-secret"),
    )
    .exited(0);
    let shown = format!("{}{}", out.stdout, out.stderr);
    assert!(
        shown.contains("Authorization: Bearer sk_live_…cdef"),
        "{shown}"
    );
    assert!(shown.contains("X-Api-Key: ****"), "{shown}");
    assert!(!shown.contains("1234567890"), "{shown}");
    assert!(!shown.contains("shortkey"), "{shown}");
}
