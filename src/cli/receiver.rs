//! The arguments of the receivers: `listen` and `ingest` flatten one
//! `ReceiverArgs` (where to listen, how to check the handshake and signatures,
//! the limits served within), then each adds its own: what `listen` prints and
//! answers, where and how `ingest` stores.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use hyper::header::HeaderName;

use super::store::parse_store;
use super::{
    ForwardSecretArgs, ProfileArgs, SecretArgs, VerifyTokenArgs, duration, parse_size,
    signature_header_name,
};
use crate::store::StoreUrl;

// `wm-hooks listen`: where to listen, how to check and answer, what to print.
#[derive(Debug, Args)]
#[command(
    after_help = examples!(listen),
    after_long_help = concat!(
        "Exit codes: 0 stopped by Ctrl-C or SIGTERM, 1 a record line could not be written \
         (--record or --json; the summary still prints), 2 bad input or the port in use.\n\n",
        examples!(listen)
    )
)]
pub struct ListenArgs {
    #[command(flatten)]
    pub receiver: ReceiverArgs,
    /// Generate a fresh secret instead of reusing the saved one, and save it in its
    /// place ($XDG_STATE_HOME/wm-hooks/secret, else ~/.local/state/wm-hooks/secret)
    #[arg(long, conflicts_with_all = ["secret", "secret_file"])]
    pub new_secret: bool,
    /// Print one JSON record line per request on stdout instead of the pretty output
    #[arg(long)]
    pub json: bool,
    /// Append one JSON record line per request to FILE (never truncated)
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Answer POSTs with a valid signature with this status (to test a sender's retries)
    #[arg(long, value_name = "CODE", value_parser = clap::value_parser!(u16).range(200..=599))]
    pub respond_status: Option<u16>,
    /// Wait this long before answering POSTs with a valid signature (150ms, 2s, 1m)
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub respond_delay: Option<Duration>,
    /// Forward each POST with a valid signature to your app, re-signed, and answer with its status
    #[arg(long, value_name = "URL", conflicts_with = "respond_status")]
    pub forward_to: Option<String>,
    #[command(flatten)]
    pub forward_secret: ForwardSecretArgs,
    /// How long to wait for the app's answer before answering 504
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = duration)]
    pub forward_timeout: Duration,
}

// The receiver's flags that listen and ingest share: where it listens, how it
// checks the handshake and signatures, and the limits it serves within.
#[derive(Debug, Args)]
pub struct ReceiverArgs {
    /// The address to listen on; anything but loopback is reachable from other machines
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub host: String,
    /// The port to listen on; 0 picks a free one
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The path that takes webhooks; other paths get 404
    #[arg(long, value_name = "PATH", default_value = "/webhooks/whatsapp")]
    pub path: String,
    #[command(flatten)]
    pub secret: SecretArgs,
    #[command(flatten)]
    pub verify_token: VerifyTokenArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// The header that carries the signature, in any case [default: the
    /// profile's: X-Signature-256, or X-Hub-Signature-256 under meta]. Both
    /// envelopes are recognised whatever the profile
    #[arg(long, value_name = "NAME", value_parser = signature_header_name)]
    pub signature_header: Option<HeaderName>,
    /// The largest body accepted, in bytes or with a unit (64KiB, 1MiB, 10MB); larger gets 413
    #[arg(long, value_name = "SIZE", default_value = "1MiB", value_parser = parse_size)]
    pub max_body: u64,
    /// How long a client may take to send a request's headers, and then its body; an idle
    /// keep-alive connection is closed after it too
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = duration)]
    pub read_timeout: Duration,
    /// Open connections served at once; at the limit, a new connection makes the longest-idle
    /// one close (never one with a request in service), and is itself closed on arrival only
    /// when every connection has a request in service
    #[arg(long, value_name = "N", default_value_t = 4096,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,
}

// `wm-hooks ingest`: the receiver's flags as in listen, then where and how to store.
#[derive(Debug, Args)]
#[command(after_help = examples!(ingest))]
pub struct IngestArgs {
    #[command(flatten)]
    pub receiver: ReceiverArgs,
    /// Also accept this secret, during a rotation [env: WM_HOOKS_PREVIOUS_SECRET];
    /// prefer the variable or --previous-secret-file
    #[arg(long, value_name = "SECRET", conflicts_with = "previous_secret_file")]
    pub previous_secret: Option<String>,
    /// Read the previous secret from a file (one trailing newline is removed)
    #[arg(long, value_name = "PATH")]
    pub previous_secret_file: Option<PathBuf>,
    /// The store: sqlite:PATH, redis://HOST:PORT/DB (rediss:// for TLS) or
    /// redis+unix:///PATH/redis.sock?db=N, with
    /// ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]
    #[arg(long, value_name = "URL", value_parser = parse_store())]
    pub store: Option<StoreUrl>,
    /// Serve HTTPS with this certificate chain (PEM, leaf first); without it, plain
    /// HTTP for a TLS proxy in front
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM)
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// An event stored within this long is answered 200 and not stored again
    /// (the platform retries for 24h)
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_window)]
    pub dedupe_window: Duration,
    /// Serve Prometheus text at http://ADDR/metrics and a health check at /healthz
    /// (200 while the store answers), such as 127.0.0.1:9100
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<std::net::SocketAddr>,
    /// Print one JSON record line per request on stdout, with the store's entry id
    #[arg(long)]
    pub json: bool,
}

/// A dedupe window: more than zero and at most 30 days.
fn parse_window(text: &str) -> Result<Duration, String> {
    crate::text::duration(
        text,
        Duration::from_secs(30 * 86_400),
        "24h, 90m, 7days",
        ("h", "hours"),
    )
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{Cli, Command};

    #[test]
    fn listen_defaults_and_conflicts() {
        let cli = Cli::try_parse_from(["wm-hooks", "listen"]).unwrap();
        let Command::Listen(args) = cli.command else {
            panic!()
        };
        assert_eq!(
            (args.receiver.host.as_str(), args.receiver.port),
            ("127.0.0.1", 8080)
        );
        assert_eq!(args.receiver.path, "/webhooks/whatsapp");
        assert_eq!(args.receiver.max_body, 1 << 20);
        let conflict = [
            "wm-hooks",
            "listen",
            "--respond-status",
            "500",
            "--forward-to",
            "http://127.0.0.1:1/",
        ];
        assert!(Cli::try_parse_from(conflict).is_err());
        assert!(Cli::try_parse_from(["wm-hooks", "listen", "--forward-secret", "s"]).is_err());
        assert!(Cli::try_parse_from(["wm-hooks", "listen", "--respond-status", "99"]).is_err());
    }
}
