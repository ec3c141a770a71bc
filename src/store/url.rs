//! The store URL of `--store` and `--from`: `sqlite:PATH`, or
//! `redis://[:PASSWORD@]HOST[:PORT][/DB][?stream=NAME]` (`rediss://` for TLS),
//! or `redis+unix:///PATH[?db=N][&user=U][&pass=P][&stream=NAME]` for a Redis
//! on the same machine (a Unix socket costs less than loopback TCP).
//! Pure. A password in the URL is never shown: [`StoreUrl`]'s `Display` masks it.

use std::fmt;
use std::path::{Path, PathBuf};

use super::DEFAULT_STREAM;
use crate::contract::redact;

/// A parsed store URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    Sqlite(PathBuf),
    Redis(RedisUrl),
}

/// Where a Redis store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisUrl {
    /// The URL for the client, without `stream`.
    pub connect: String,
    pub stream: String,
    /// The URL as shown to a person: the password masked.
    shown: String,
    /// Whether the URL holds a password.
    password: bool,
}

const HINT: &str = "use sqlite:PATH (such as sqlite:wm-hooks.db), redis://HOST:PORT/DB or \
                    redis+unix:///PATH/redis.sock, optionally with ?stream=NAME";

impl StoreUrl {
    /// Whether the URL holds a password (Redis's, in it or as `?pass=`).
    pub fn has_password(&self) -> bool {
        matches!(self, StoreUrl::Redis(redis) if redis.password)
    }

    /// `id` as this store spells its entry ids, when it can be one: a row
    /// id (a positive 64-bit integer) for SQLite, `MS-SEQ` (two 64-bit
    /// numbers) for a Redis stream; leading zeros dropped, so `01` is `1`.
    pub fn entry_id(&self, id: &str) -> Option<String> {
        let number = |part: &str| {
            (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<u64>().ok())
                .flatten()
        };
        match self {
            StoreUrl::Sqlite(_) => number(id)
                .filter(|n| i64::try_from(*n).is_ok_and(|n| n > 0))
                .map(|n| n.to_string()),
            StoreUrl::Redis(_) => {
                let (ms, seq) = id.split_once('-')?;
                Some(format!("{}-{}", number(ms)?, number(seq)?))
            }
        }
    }

    /// What [`StoreUrl::entry_id`] takes, in words.
    pub fn entry_id_form(&self) -> &'static str {
        match self {
            StoreUrl::Sqlite(_) => "a SQLite store's ids are numbers (1, 42)",
            StoreUrl::Redis(_) => "a Redis store's ids are stream ids (1733270400000-0)",
        }
    }

    pub fn parse(text: &str) -> Result<StoreUrl, String> {
        let text = text.trim();
        if let Some(path) = text.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() || path.contains('\0') {
                return Err(format!("`{text}` names no file; {HINT}"));
            }
            if in_memory(path) {
                return Err(format!(
                    "`{text}` is a database in memory, gone when the process ends: a store \
                     must be a file, so that what was answered 2xx is kept; {HINT}"
                ));
            }
            if let Some(parameter) = unsafe_uri_parameter(path) {
                return Err(format!(
                    "`{}` opens the file with `{}`, which takes away the locking or the \
                     writes that ingest and deliver need to share it safely; name the file \
                     alone, such as sqlite:wm-hooks.db",
                    text.escape_default(),
                    parameter.escape_default()
                ));
            }
            return Ok(StoreUrl::Sqlite(PathBuf::from(path)));
        }
        if !text.contains(':') {
            // A bare path, most likely: `foo.db`.
            return Err(format!(
                "`{}` is not a store URL: a file is sqlite:{0}, a Redis server \
                 redis://HOST:PORT/DB",
                redact::raw_url(text).escape_default()
            ));
        }
        let url = reqwest::Url::parse(text).map_err(|e| {
            format!(
                "`{}` is not a store URL ({e}); {HINT}",
                redact::raw_url(text)
            )
        })?;
        let unix = matches!(url.scheme(), "redis+unix" | "unix");
        if !unix && !matches!(url.scheme(), "redis" | "rediss") {
            return Err(format!(
                "`{}` is not a store URL: the scheme must be sqlite:, redis://, rediss:// \
                 or redis+unix://",
                redact::raw_url(text)
            ));
        }
        if url.fragment().is_some() {
            return Err(format!(
                "`{}` has a #fragment, which no store URL has (a `#` in a password is \
                 written %23)",
                redact::raw_url(text)
            ));
        }
        if unix {
            if url.host_str().is_some_and(|host| !host.is_empty()) || url.path().len() < 2 {
                return Err(format!(
                    "`{}` names no socket file; write redis+unix:///PATH/redis.sock, \
                     optionally with ?db=N&stream=NAME",
                    redact::raw_url(text)
                ));
            }
        } else if url.host_str().is_none_or(str::is_empty) {
            return Err(format!("`{}` names no host; {HINT}", redact::raw_url(text)));
        } else {
            let db = url.path().trim_start_matches('/');
            if !db.is_empty() && db.parse::<u16>().is_err() {
                return Err(format!(
                    "`{}`: the path must be a database number such as /0, not /{db}",
                    redact::raw_url(text)
                ));
            }
        }
        let mut stream = None;
        // What a socket URL passes on to the client: `db`, `user` and `pass`
        // are its query parameters (a TCP URL has them in its host and path).
        let mut client = Vec::new();
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "stream" if stream.is_none() => stream = Some(value.into_owned()),
                "stream" => return Err("the store URL names ?stream= twice".into()),
                "db" if unix && value.parse::<u16>().is_err() => {
                    return Err(format!(
                        "`db={}` is not a database number such as db=0",
                        value.escape_default()
                    ));
                }
                "db" | "user" | "pass" if unix && !client.iter().any(|(k, _)| *k == key) => {
                    client.push((key.into_owned(), value.into_owned()));
                }
                other if unix => {
                    return Err(format!(
                        "the store URL has an unknown or repeated parameter `{other}`: only \
                         ?db=N, user=, pass= and stream=NAME"
                    ));
                }
                other => {
                    return Err(format!(
                        "the store URL has an unknown parameter `{other}`: only ?stream=NAME"
                    ));
                }
            }
        }
        let stream = stream.unwrap_or_else(|| DEFAULT_STREAM.to_string());
        if stream.is_empty() || stream.contains(|c: char| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "the stream name `{}` is empty or has spaces",
                stream.escape_default()
            ));
        }
        // The client's parameters; in the URL shown, the password masked.
        let with_query = |mut url: reqwest::Url, masked: bool| {
            url.set_query(None);
            if !client.is_empty() {
                url.query_pairs_mut()
                    .extend_pairs(client.iter().map(|(key, value)| {
                        let value = if masked && key == "pass" {
                            redact::MASK
                        } else {
                            value
                        };
                        (key.as_str(), value)
                    }));
            }
            url
        };
        let password = url.password().is_some() || client.iter().any(|(key, _)| key == "pass");
        let connect = with_query(url.clone(), false).to_string();
        let joiner = if client.is_empty() { '?' } else { '&' };
        let shown = format!(
            "{}{joiner}stream={stream}",
            redact::url(&with_query(url, true))
        );
        Ok(StoreUrl::Redis(RedisUrl {
            connect,
            stream,
            shown,
            password,
        }))
    }
}

/// Whether SQLite would open `path` as a database in memory: `:memory:`, or
/// a `file:` URI (SQLite reads those) with `:memory:` or `mode=memory`.
fn in_memory(path: &str) -> bool {
    path == ":memory:"
        || path
            .strip_prefix("file:")
            .is_some_and(|uri| uri.starts_with(":memory:") || uri.contains("mode=memory"))
}

/// A parameter of a `file:` URI (SQLite reads those) that would open the
/// file without its locks (`nolock`, `immutable`, a `vfs` such as
/// `unix-none`) or read-only (`mode=ro`): two processes on it could then
/// overwrite each other's commits, or every write fail.
fn unsafe_uri_parameter(path: &str) -> Option<&str> {
    let (_, query) = path.strip_prefix("file:")?.split_once('?')?;
    let query = query.split('#').next().unwrap_or("");
    query.split('&').find(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match name {
            "nolock" | "immutable" | "vfs" => true,
            "mode" => !matches!(value, "rw" | "rwc"),
            _ => false,
        }
    })
}

/// The file SQLite opens for `path`: the path itself, or for a `file:` URI
/// (which the SQLite store opens as SQLite reads it) the URI's path, its
/// `?query` and `#fragment` cut off and its `%HH` escapes decoded, after an
/// empty or `localhost` authority. A URI naming another host is returned
/// as given: SQLite refuses it, and no file of that name exists.
pub fn sqlite_file(path: &Path) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    let Some(uri) = bytes.strip_prefix(b"file:") else {
        return path.to_path_buf();
    };
    let uri = match uri.strip_prefix(b"//") {
        Some(rest) => {
            let slash = rest.iter().position(|&b| b == b'/').unwrap_or(rest.len());
            if !matches!(&rest[..slash], b"" | b"localhost") {
                return path.to_path_buf();
            }
            &rest[slash..]
        }
        None => uri,
    };
    let end = uri.iter().position(|&b| matches!(b, b'?' | b'#'));
    let file: Vec<u8> =
        percent_encoding::percent_decode(&uri[..end.unwrap_or(uri.len())]).collect();
    PathBuf::from(std::ffi::OsStr::from_bytes(&file))
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreUrl::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            StoreUrl::Redis(redis) => f.write_str(&redis.shown),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn entry_ids_are_read_in_each_stores_form() {
        let sqlite = StoreUrl::parse("sqlite:x.db").unwrap();
        let redis = StoreUrl::parse("redis://127.0.0.1:6379/0").unwrap();
        let id = |url: &StoreUrl, text: &str| url.entry_id(text);
        assert_eq!(id(&sqlite, "42").as_deref(), Some("42"));
        assert_eq!(id(&sqlite, "01").as_deref(), Some("1"));
        for bad in [
            "",
            "0",
            "-1",
            "abc",
            " 3",
            "1-0",
            "99999999999999999999",
            "9223372036854775808",
        ] {
            assert_eq!(id(&sqlite, bad), None, "{bad:?}");
        }
        assert_eq!(
            id(&redis, "1733270400000-0").as_deref(),
            Some("1733270400000-0")
        );
        assert_eq!(id(&redis, "01-02").as_deref(), Some("1-2"));
        for bad in ["1733270400000", "a-b", "-1", "1-", "18446744073709551616-0"] {
            assert_eq!(id(&redis, bad), None, "{bad:?}");
        }
    }

    fn redis(text: &str) -> RedisUrl {
        match StoreUrl::parse(text).unwrap() {
            StoreUrl::Redis(r) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn store_urls_parse() {
        assert_eq!(
            StoreUrl::parse("sqlite:wm-hooks.db").unwrap(),
            StoreUrl::Sqlite("wm-hooks.db".into())
        );
        assert_eq!(
            StoreUrl::parse("sqlite:///var/lib/x.db").unwrap(),
            StoreUrl::Sqlite("/var/lib/x.db".into())
        );
        let r = redis("redis://127.0.0.1:6379/2");
        assert_eq!(r.stream, DEFAULT_STREAM);
        assert_eq!(r.connect, "redis://127.0.0.1:6379/2");
        let r = redis("rediss://:hunter2@cache.internal:6380/0?stream=prod:events");
        assert_eq!(r.stream, "prod:events");
        assert_eq!(r.connect, "rediss://:hunter2@cache.internal:6380/0");
        let shown = StoreUrl::parse("rediss://:hunter2@cache.internal:6380/0")
            .unwrap()
            .to_string();
        assert!(
            !shown.contains("hunter2") && shown.contains("****"),
            "{shown}"
        );
        assert_eq!(redis("redis://localhost").connect, "redis://localhost");
        let shown = StoreUrl::parse("redis://alice:hunter2@h:1/0")
            .unwrap()
            .to_string();
        assert_eq!(shown, "redis://alice:****@h:1/0?stream=wm-hooks:events");
        let r = redis("redis+unix:///run/redis/redis.sock");
        assert_eq!(r.connect, "redis+unix:///run/redis/redis.sock");
        let shown = StoreUrl::Redis(r).to_string();
        assert_eq!(
            shown,
            "redis+unix:///run/redis/redis.sock?stream=wm-hooks:events"
        );
        let r = redis("unix:///r.sock?db=2&pass=hunter2&stream=s");
        assert_eq!(r.connect, "unix:///r.sock?db=2&pass=hunter2");
        assert_eq!(r.stream, "s");
        let shown = StoreUrl::Redis(r).to_string();
        assert_eq!(shown, "unix:///r.sock?db=2&pass=****&stream=s");
        for safe in [
            "sqlite:file:x.db?mode=rwc&cache=private",
            "sqlite:nolock=1.db",
        ] {
            assert!(StoreUrl::parse(safe).is_ok(), "{safe}");
        }
        // A bare path is most likely a file: say how to write it.
        let bare = StoreUrl::parse("foo.db").unwrap_err();
        assert!(bare.contains("a file is sqlite:foo.db"), "{bare}");
    }

    #[test]
    fn bad_store_urls_say_why_and_never_show_a_password() {
        for (text, says) in [
            ("sqlite:", "names no file"),
            ("sqlite::memory:", "in memory"),
            ("sqlite:file::memory:?cache=shared", "in memory"),
            ("sqlite:file:x.db?mode=memory", "in memory"),
            ("sqlite:file:x.db?nolock=1", "`nolock=1`"),
            ("sqlite:file:x.db?cache=shared&immutable=1", "`immutable=1`"),
            ("sqlite:file:x.db?vfs=unix-none", "`vfs=unix-none`"),
            ("sqlite:file:x.db?mode=ro", "`mode=ro`"),
            ("postgres://x/y", "scheme"),
            ("wm-hooks.db", "not a store URL"),
            ("redis:///0", "names no host"),
            ("redis://h/db1", "database number"),
            ("redis://h/0?stream=", "empty"),
            ("redis://h/0?stream=a&stream=b", "twice"),
            ("redis://h/0?timeout=1", "unknown parameter"),
            ("redis://:pw@h/x", "database number"),
            ("http://:pw@h/x", "scheme"),
            ("redis://:pw@h/0#x", "#fragment"),
            ("redis+unix://host/r.sock", "names no socket"),
            ("redis+unix:///", "names no socket"),
            ("redis+unix:///r.sock?db=x&pass=pw", "database number"),
            (
                "redis+unix:///r.sock?pass=pw&timeout=1",
                "unknown or repeated",
            ),
            ("redis+unix:///r.sock?db=1&db=2", "unknown or repeated"),
        ] {
            let error = StoreUrl::parse(text).unwrap_err();
            assert!(error.contains(says), "{text}: {error}");
            assert!(
                !error.contains(":pw@") && !error.contains("pass=pw"),
                "{text}: {error}"
            );
        }
    }

    #[test]
    fn a_file_uri_opens_its_path_part_decoded() {
        for (given, file) in [
            ("events.db", "events.db"),
            ("/var/lib/x.db", "/var/lib/x.db"),
            ("a?b.db", "a?b.db"),
            ("file:x.db", "x.db"),
            ("file:x.db?mode=rwc&cache=private", "x.db"),
            ("file:/var/lib/x.db#part", "/var/lib/x.db"),
            ("file:///var/lib/x.db?mode=rw", "/var/lib/x.db"),
            ("file://localhost/var/lib/x.db", "/var/lib/x.db"),
            ("file:my%20events%3F.db?cache=private", "my events?.db"),
            ("file:100%.db", "100%.db"),
            ("file:%zz%4", "%zz%4"),
            ("file://elsewhere/x.db", "file://elsewhere/x.db"),
        ] {
            assert_eq!(sqlite_file(Path::new(given)), Path::new(file), "{given}");
        }
    }
    proptest! {
        #[test]
        fn any_text_parses_or_fails_cleanly(text in "\\PC{0,60}") {
            let _ = StoreUrl::parse(&text);
        }

        #[test]
        fn a_socket_url_never_shows_its_password(
            path in "(/[a-z0-9._-]{1,12}){1,4}",
            password in "[a-zA-Z0-9]{8,20}",
            rest in "[ -~]{0,30}",
        ) {
            let text = format!("redis+unix://{path}?pass={password}{rest}");
            let shown = match StoreUrl::parse(&text) {
                Ok(url) => url.to_string(),
                Err(error) => error,
            };
            prop_assert!(!shown.contains(&password), "{}", shown);
        }

        #[test]
        fn redis_urls_keep_their_parts(
            host in "[a-z][a-z0-9-]{0,20}",
            port in 1u16..,
            db in 0u16..16,
            stream in "[a-zA-Z0-9:_.-]{1,30}",
        ) {
            let r = redis(&format!("redis://{host}:{port}/{db}?stream={stream}"));
            prop_assert_eq!(r.stream, stream);
            // Redis has no default port in the URL standard: it is kept as given.
            prop_assert_eq!(r.connect, format!("redis://{host}:{port}/{db}"));
        }

        #[test]
        fn sqlite_paths_round_trip(path in "[^\\x00]{1,60}") {
            let text = format!("sqlite:{path}");
            match StoreUrl::parse(&text) {
                Ok(StoreUrl::Sqlite(got)) => {
                    let trimmed = text.trim();
                    let want = trimmed["sqlite:".len()..].strip_prefix("//").unwrap_or(&trimmed["sqlite:".len()..]);
                    prop_assert_eq!(got, PathBuf::from(want));
                }
                Ok(other) => prop_assert!(false, "{other:?}"),
                Err(_) => prop_assert!(
                    text.trim().len() <= "sqlite://".len()
                        || text.contains("memory")
                        || unsafe_uri_parameter(text.trim()["sqlite:".len()..].trim_start_matches('/')).is_some()
                ),
            }
        }
    }
}
