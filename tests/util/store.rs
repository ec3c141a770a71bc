//! Stores for the `deliver`, `store` and `ingest` tests: a SQLite file in a
//! temporary directory, or a stream on a [`RedisServer`] of the test's own.
//! Entries are put in through the library (as `ingest` stores them) and
//! counted through the real `wm-hooks store stats --json`.

use std::time::Instant;

use bytes::Bytes;
use wm_hooks::contract::dedup::store_key;
use wm_hooks::contract::events;
use wm_hooks::store::{self, Appended, NewEntry, SecretUsed, Store, StoreUrl};

use super::listen::PATIENCE;
use super::redis::RedisServer;

pub struct TestStore {
    pub url: String,
    pub redis: Option<RedisServer>,
    _dir: Option<tempfile::TempDir>,
}

impl TestStore {
    pub fn sqlite() -> TestStore {
        let dir = tempfile::tempdir().expect("a temp dir");
        TestStore {
            url: format!("sqlite:{}", dir.path().join("events.db").display()),
            redis: None,
            _dir: Some(dir),
        }
    }

    /// A SQLite file at `path`, in a directory the caller keeps.
    pub fn sqlite_at(path: &std::path::Path) -> TestStore {
        TestStore {
            url: format!("sqlite:{}", path.display()),
            redis: None,
            _dir: None,
        }
    }

    /// The store a URL names, run by someone else (a proxy in front of
    /// another test store's server).
    pub fn at_url(url: String) -> TestStore {
        TestStore {
            url,
            redis: None,
            _dir: None,
        }
    }

    pub fn redis(test: &str) -> Option<TestStore> {
        let redis = RedisServer::start(test)?;
        Some(TestStore {
            url: redis.url(),
            redis: Some(redis),
            _dir: None,
        })
    }

    /// SQLite, and Redis when it is there.
    pub fn both(test: &str) -> Vec<TestStore> {
        let mut stores = vec![TestStore::sqlite()];
        stores.extend(TestStore::redis(test));
        stores
    }

    /// Stores each body as `ingest` would; the entry ids.
    pub fn append(&self, bodies: &[Vec<u8>]) -> Vec<String> {
        let url = StoreUrl::parse(&self.url).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let store = store::open(&url, "wm-hooks").unwrap();
            let mut ids = Vec::new();
            for body in bodies {
                let identity = events::identify(body)
                    .ok()
                    .and_then(|i| i.updates.into_iter().next());
                let entry = NewEntry {
                    key: store_key(body),
                    event: identity.as_ref().map(|i| i.event.clone()),
                    message_id: identity.and_then(|i| i.message_id),
                    received_at: humantime::format_rfc3339_millis(std::time::SystemTime::now())
                        .to_string(),
                    headers: r#"{"content-type":"application/json"}"#.into(),
                    headers_base64: None,
                    body: Bytes::copy_from_slice(body),
                    secret: SecretUsed::Current,
                };
                match store
                    .append(vec![entry], std::time::Duration::from_secs(3600))
                    .await
                    .as_deref()
                {
                    Ok([Appended::Stored(id)]) => ids.push(id.clone()),
                    other => panic!("not stored: {other:?}"),
                }
            }
            ids
        })
    }

    /// `wm-hooks store stats --json` for this store.
    pub fn stats(&self) -> serde_json::Value {
        let output = super::wm_hooks()
            .args(["store", "stats", "--json", "--store", &self.url])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "store stats: {}",
            super::stderr_of(&output)
        );
        serde_json::from_slice(&output.stdout).expect("one JSON object")
    }

    /// Polls the stats until `done` holds, for at most [`PATIENCE`] (twice it
    /// for the slower fault tests).
    pub fn wait_stats(&self, done: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        let deadline = Instant::now() + PATIENCE * 2;
        loop {
            let stats = self.stats();
            if done(&stats) {
                return stats;
            }
            assert!(
                Instant::now() < deadline,
                "the store never got there: {stats}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

/// A `message.status` body about message `m{i}`.
pub fn status_body(i: usize) -> Vec<u8> {
    format!(
        r#"{{"event":"message.status","timestamp":"2026-01-15T10:30:00Z","data":{{"message_id":"m{i}","status":"delivered"}}}}"#
    )
    .into_bytes()
}
