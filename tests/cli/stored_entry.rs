//! What `ingest` stores, read as the README's "Reading the queue" documents
//! it, straight from each store (a Redis stream entry's fields, a SQLite row's
//! columns): a header whose value is not UTF-8 keeps its exact bytes in
//! `headers_base64` beside the `headers` text, as the record format does.

use rusqlite::Connection;

use crate::util::listen::{self, Listener, SECRET};
use crate::util::store::TestStore;

/// A signed POST with a header of Latin-1 bytes (`X-Raw: caf\xe9`) when
/// `raw`, else one of UTF-8 text only; its status line.
fn post(running: &Listener, i: usize, raw: bool) -> String {
    let body = format!(r#"{{"event":"message.received","data":{{"message_id":"h{i}"}}}}"#);
    let signature = wm_hooks::contract::signature::sign(SECRET.as_bytes(), body.as_bytes());
    let mut request = format!(
        "POST /webhooks/whatsapp HTTP/1.1\r\nHost: x\r\nX-Signature-256: {signature}\r\n\
         Content-Length: {}\r\nConnection: close\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(if raw {
        b"X-Raw: caf\xe9\r\n"
    } else {
        "X-Text: café\r\n".as_bytes()
    });
    request.extend_from_slice(b"\r\n");
    request.extend_from_slice(body.as_bytes());
    let answer = listen::raw(running.addr, &request);
    answer.lines().next().unwrap_or_default().to_string()
}

#[test]
fn a_header_that_is_not_utf8_is_stored_with_its_exact_bytes_in_both_stores() {
    for store in TestStore::both("stored_entry::a_header_that_is_not_utf8") {
        let running = Listener::run(
            &["ingest", "--port", "0", "--store", &store.url],
            &[("WM_HOOKS_SECRET", SECRET)],
        );
        assert_eq!(post(&running, 1, true), "HTTP/1.1 200 OK");
        assert_eq!(post(&running, 2, false), "HTTP/1.1 200 OK");
        assert_eq!(running.stop().code, Some(0));
        let exact = r#"{"x-raw":"Y2Fm6Q=="}"#;
        match &store.redis {
            Some(redis) => {
                let reply = redis
                    .command(&["XRANGE", "wm-hooks:events", "-", "+"])
                    .unwrap();
                // Only the first entry has the field, and it holds the bytes.
                assert_eq!(reply.matches("headers_base64").count(), 1, "{reply}");
                let after = reply.split_once("headers_base64").unwrap().1;
                assert!(after.trim_start().contains(exact), "{reply}");
                assert!(reply.contains("caf\u{fffd}"), "{reply}");
            }
            None => {
                let path = store.url.strip_prefix("sqlite:").unwrap();
                let rows: Vec<(String, Option<String>)> = Connection::open(path)
                    .unwrap()
                    .prepare("SELECT headers, headers_base64 FROM events ORDER BY id")
                    .unwrap()
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                    .unwrap()
                    .collect::<rusqlite::Result<_>>()
                    .unwrap();
                assert_eq!(rows.len(), 2);
                assert!(rows[0].0.contains("\"x-raw\":\"caf\u{fffd}\""), "{rows:?}");
                assert_eq!(rows[0].1.as_deref(), Some(exact));
                assert!(rows[1].0.contains("\"x-text\":\"café\""), "{rows:?}");
                assert_eq!(rows[1].1, None, "absent when every value is UTF-8");
            }
        }
    }
}
