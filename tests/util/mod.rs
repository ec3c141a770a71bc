//! Shared test fixtures: the binary in a cleaned environment, so that the
//! developer's shell (NO_COLOR, WM_HOOKS_*, HOME) and the other tests' runs
//! cannot change a result, and how a run of it [`Ended`];
//! [`server`] is a recording receiver on 127.0.0.1:0, which also stands in
//! for the StartMessaging API with [`server::scripted`] answers.

pub mod server;

pub mod listen;
pub mod redis;
pub mod store;
pub mod tmpfs;

use std::path::PathBuf;

use assert_cmd::Command;

/// `wm-hooks` with an empty environment but PATH, and a HOME and an
/// XDG_STATE_HOME of its own (so no run finds the secret another test's
/// `listen` saved, nor the developer's own, wherever it was saved).
pub fn wm_hooks() -> Command {
    Command::from_std(wm_hooks_std())
}

/// The same as [`wm_hooks`] as a `std::process::Command`, for runners that
/// take one (a pseudo-terminal).
pub fn wm_hooks_std() -> std::process::Command {
    let run = fresh_dir();
    let home = run.join("home");
    std::fs::create_dir_all(&home).expect("a home directory");
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("wm-hooks"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_STATE_HOME", run.join("state"));
    cmd
}

/// A state directory no other run has used: a test that wants `listen` and a
/// sender to share one sets XDG_STATE_HOME to the same path on both.
pub fn fresh_state_home() -> PathBuf {
    fresh_dir().join("state")
}

/// A path no other run has used, inside one temporary directory that lives as
/// long as this test binary.
fn fresh_dir() -> PathBuf {
    static ROOT: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    ROOT.get_or_init(|| tempfile::tempdir().expect("a temp dir"))
        .path()
        .join(format!("run-{n}"))
}

/// Writes `bytes` to a new file in a temp dir that lives as long as the handle.
pub fn file_with(bytes: impl AsRef<[u8]>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("payload");
    std::fs::write(&path, bytes).expect("write the file");
    (dir, path)
}

/// How a run of the binary ended: its exit code (`None` when a signal ended
/// it) and what it printed. A [`listen::Listener`] that stopped, or a
/// command run to its end ([`Ended::run`]).
pub struct Ended {
    /// The arguments it ran with, for the messages of failed assertions.
    args: String,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ended {
    /// Runs `cmd` to its end.
    pub fn run(cmd: &mut Command) -> Ended {
        let args: Vec<String> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let output = cmd.output().expect("wm-hooks runs");
        Ended {
            args: args.join(" "),
            code: output.status.code(),
            stdout: stdout_of(&output),
            stderr: stderr_of(&output),
        }
    }

    /// Runs `cmd` (from [`wm_hooks_std`]) to its end with its stdout closed
    /// from the start, as by a reader that exits at once (`| head -1`).
    pub fn run_with_closed_stdout(cmd: &mut std::process::Command) -> Ended {
        use std::io::Read;
        let args: Vec<String> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("wm-hooks runs");
        drop(child.stdout.take());
        let mut stderr = String::new();
        let _ = child
            .stderr
            .take()
            .expect("piped")
            .read_to_string(&mut stderr);
        let status = child.wait().expect("wm-hooks ends");
        Ended {
            args: args.join(" "),
            code: status.code(),
            stdout: String::new(),
            stderr,
        }
    }

    /// Asserts that it exited with `code` (its arguments, stderr and stdout
    /// the message when not); itself, for what it printed.
    pub fn exited(self, code: i32) -> Ended {
        assert_eq!(
            self.code,
            Some(code),
            "wm-hooks {}: {}\nstdout: {}",
            self.args,
            self.stderr,
            self.stdout
        );
        self
    }

    /// Asserts that its stderr holds `part` (its arguments and all of stderr
    /// the message when not); itself, for more.
    pub fn stderr_has(self, part: &str) -> Ended {
        assert!(
            self.stderr.contains(part),
            "wm-hooks {}: no {part:?} in stderr: {}",
            self.args,
            self.stderr
        );
        self
    }
}

/// The standard output of a finished command as text.
pub fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The standard error of a finished command as text.
pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
