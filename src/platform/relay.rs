//! Playing the platform toward the user's app for `deliver`: where each event
//! goes ([`Route`], `--to [EVENT=]URL`), when a failed one is tried again
//! ([`Schedule`], the platform's 30s, 2m, 15m, 1h, 6h by default), and one
//! attempt ([`Connections::send`], on a kept-alive connection): the stored
//! body's exact bytes, signed anew as
//! `listen --forward-to` signs, with the entry id and the attempt number in
//! `X-WM-Hooks-Delivery` and `X-WM-Hooks-Attempt`. Never prints.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, StatusCode};

use crate::contract::events::EventKind;
use crate::contract::signature;
use crate::error::Result;
use crate::http::sender::{Client, ClientOptions, Endpoint, FailureKind, Session};
use crate::input::secret::Secret;

/// The header naming the store entry a delivery carries: the same on every
/// attempt, so an app can deduplicate retries by it.
pub const DELIVERY_HEADER: &str = "x-wm-hooks-delivery";
/// The header counting attempts, from 1.
pub const ATTEMPT_HEADER: &str = "x-wm-hooks-attempt";
/// The longest a single wait in `--retry-schedule` may be.
const MAX_WAIT: Duration = Duration::from_secs(7 * 24 * 3600);
const MAX_STEPS: usize = 32;

/// `--to`: every event (`event: None`) or one event type to a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub event: Option<String>,
    pub url: reqwest::Url,
}

impl Route {
    pub fn parse(text: &str) -> Result<Route, String> {
        let text = text.trim();
        let (event, url) = if text.starts_with("http://") || text.starts_with("https://") {
            (None, text)
        } else {
            match text.split_once('=') {
                Some((event, url)) if !event.is_empty() && !event.contains(char::is_whitespace) => {
                    (Some(event.to_string()), url)
                }
                _ => {
                    return Err(format!(
                        "`{}` is neither a URL nor EVENT=URL (such as \
                         message.status=http://127.0.0.1:3000/statuses)",
                        crate::contract::redact::raw_url(text)
                    ));
                }
            }
        };
        let shown = || crate::contract::redact::raw_url(url);
        if url.is_empty() {
            return Err(format!(
                "`{}` names no URL after the `=`",
                text.escape_default()
            ));
        }
        let parsed =
            reqwest::Url::parse(url).map_err(|e| format!("`{}` is not a URL: {e}", shown()))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(format!("`{}` is not an http:// or https:// URL", shown()));
        }
        Ok(Route { event, url: parsed })
    }

    /// Whether `routes` can be used as given: every `EVENT=` names an event
    /// type the stores hold (a typo would send every event of the real type
    /// to the dead letters), and no event type, nor every event, has two
    /// routes (the second would never be taken).
    pub fn check(routes: &[Route]) -> Result<(), RouteProblem> {
        let mut seen: Vec<Option<&str>> = Vec::with_capacity(routes.len());
        for route in routes {
            let event = route.event.as_deref();
            if let Some(name) = event {
                if EventKind::from_name(name).is_none() {
                    return Err(RouteProblem::UnknownEvent(name.to_string()));
                }
            }
            if seen.contains(&event) {
                return Err(RouteProblem::Twice(event.map(str::to_string)));
            }
            seen.push(event);
        }
        Ok(())
    }

    /// The route an event takes: its own, else the one for every event.
    pub fn pick<'a>(routes: &'a [Route], event: Option<&str>) -> Option<&'a Route> {
        routes
            .iter()
            .find(|r| r.event.is_some() && r.event.as_deref() == event)
            .or_else(|| routes.iter().find(|r| r.event.is_none()))
    }
}

/// Why [`Route::check`] refused a set of routes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteProblem {
    /// `EVENT=URL` with a name that is no event type.
    UnknownEvent(String),
    /// A second route for one event type (`Some`) or for every event (`None`).
    Twice(Option<String>),
}

/// `--retry-schedule`: the waits after each failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule(pub Vec<Duration>);

impl Schedule {
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let mut waits = Vec::new();
        for part in text.split(',') {
            let part = part.trim();
            if part.is_empty() {
                return Err("has an empty wait: two commas in a row, or one at an end?".into());
            }
            // Read as every other duration flag reads its value.
            let wait =
                crate::text::duration(part, MAX_WAIT, "100ms, 30s, 2m, 6h", ("s", "seconds"))
                    .map_err(|e| format!("`{part}` {e}"))?;
            waits.push(wait);
        }
        if waits.len() > MAX_STEPS {
            return Err(format!("at most {MAX_STEPS} retries"));
        }
        Ok(Schedule(waits))
    }

    /// The wait after failed attempt number `attempts` (from 1), scaled;
    /// `None` when it was the last one.
    pub fn after(&self, attempts: u32, scale: f64) -> Option<Duration> {
        let index = usize::try_from(attempts).ok()?.checked_sub(1)?;
        self.0
            .get(index)
            .map(|wait| crate::platform::delivery::scaled(*wait, scale))
    }
}

/// One attempt's outcome: the app's status, or why there was none.
pub struct Attempted {
    pub latency: Duration,
    pub answer: Result<StatusCode, String>,
}

impl Attempted {
    pub fn delivered(&self) -> bool {
        self.answer.as_ref().is_ok_and(|s| s.is_success())
    }

    /// The error a retry or a dead letter keeps.
    pub fn error(&self) -> Option<String> {
        match &self.answer {
            Ok(status) if status.is_success() => None,
            Ok(status) if status.is_redirection() => Some(format!(
                "the app answered {} (deliver does not follow redirects: give --to the URL \
                 it redirects to)",
                crate::http::status_text(*status)
            )),
            Ok(status) => Some(format!(
                "the app answered {}",
                crate::http::status_text(*status)
            )),
            Err(why) => Some(why.clone()),
        }
    }
}

/// What one attempt sends.
pub struct Outgoing<'a> {
    pub route: &'a Route,
    pub signature_header: &'a HeaderName,
    pub secret: &'a Secret,
    pub id: &'a str,
    pub attempt: u32,
    pub content_type: Option<&'a str>,
    pub body: Vec<u8>,
}

/// Keep-alive connections to the routes' apps, reused attempt after attempt:
/// an attempt takes an idle one of its route's (or opens a new one) and gives
/// it back after the answer, so there are never more connections to an app
/// than attempts in flight. hyper's own HTTP/1.1 client ([`Session`]), which
/// costs about half the CPU per request of a pooled reqwest client.
pub struct Connections {
    client: Client,
    idle: HashMap<String, (Arc<Endpoint>, Mutex<Vec<Session>>)>,
}

impl Connections {
    /// Connections for `routes`; `timeout` bounds each attempt, connecting included.
    pub fn new(routes: &[Route], timeout: Duration) -> Result<Connections> {
        let client = Client::new(ClientOptions {
            insecure: false,
            budget: timeout,
            give_up_after: timeout,
        });
        let mut idle = HashMap::new();
        for route in routes {
            let endpoint = Arc::new(Endpoint::parse(route.url.as_str())?);
            idle.insert(route.url.to_string(), (endpoint, Mutex::new(Vec::new())));
        }
        Ok(Connections { client, idle })
    }

    /// POSTs one stored event to its route's app.
    pub async fn send(&self, out: Outgoing<'_>) -> Attempted {
        let started = Instant::now();
        let Some((endpoint, idle)) = self.idle.get(out.route.url.as_str()) else {
            return Attempted {
                latency: started.elapsed(),
                answer: Err(format!("no connections for {}", out.route.url)),
            };
        };
        let signature = signature::sign(out.secret.bytes(), &out.body).to_string();
        let mut headers = HeaderMap::with_capacity(5);
        let mut add = |name: HeaderName, value: &str| {
            // Values from the store: one that is not a valid header goes unsent.
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        };
        add(out.signature_header.clone(), &signature);
        add(HeaderName::from_static(DELIVERY_HEADER), out.id);
        add(
            HeaderName::from_static(ATTEMPT_HEADER),
            &out.attempt.to_string(),
        );
        if let Some(content_type) = out.content_type {
            add(header::CONTENT_TYPE, content_type);
        }
        let request = endpoint.request(Method::POST, headers, Bytes::from(out.body));
        let taken = idle.lock().ok().and_then(|mut sessions| sessions.pop());
        let mut session =
            taken.unwrap_or_else(|| Session::new(self.client.clone(), Arc::clone(endpoint)));
        let answer = session.send(request).await;
        if let Ok(mut sessions) = idle.lock() {
            sessions.push(session);
        }
        Attempted {
            latency: started.elapsed(),
            answer: match answer {
                Ok(answer) => Ok(answer.status),
                Err(failure) if failure.kind == FailureKind::Timeout => {
                    Err("no answer within --timeout".to_string())
                }
                Err(failure) if failure.kind.is_unreachable() => {
                    Err(format!("cannot connect: {}", failure.detail))
                }
                Err(failure) => Err(failure.detail),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_attempt_error_says_what_the_app_answered_and_that_redirects_are_not_followed() {
        let answered = |status: u16| {
            Attempted {
                latency: Duration::ZERO,
                answer: Ok(StatusCode::from_u16(status).unwrap()),
            }
            .error()
        };
        assert_eq!(answered(204), None);
        assert_eq!(
            answered(500).as_deref(),
            Some("the app answered 500 Internal Server Error")
        );
        let moved = answered(308).unwrap();
        assert!(
            moved.starts_with("the app answered 308 Permanent Redirect (deliver does not follow"),
            "{moved}"
        );
    }

    #[test]
    fn routes_parse() {
        let all = Route::parse("http://127.0.0.1:3000/webhooks/whatsapp?a=b").unwrap();
        assert_eq!(all.event, None);
        assert_eq!(all.url.query(), Some("a=b"));
        let one = Route::parse("message.status=https://app.example/s").unwrap();
        assert_eq!(one.event.as_deref(), Some("message.status"));
        for bad in [
            "",
            "=http://x/",
            "message.status",
            "x=ftp://h/",
            "x=nope",
            "a b=http://h/",
        ] {
            assert!(Route::parse(bad).is_err(), "{bad:?}");
        }
        let empty = Route::parse("message.status=").unwrap_err();
        assert!(empty.contains("names no URL after the `=`"), "{empty}");
        let routes = [all.clone(), one.clone()];
        assert_eq!(Route::pick(&routes, Some("message.status")), Some(&one));
        assert_eq!(Route::pick(&routes, Some("message.received")), Some(&all));
        assert_eq!(Route::pick(&routes, None), Some(&all));
        assert_eq!(Route::pick(&routes[1..], Some("template.status")), None);
    }

    #[test]
    fn routes_name_known_event_types_and_each_at_most_once() {
        let routes = |texts: &[&str]| -> Vec<Route> {
            texts.iter().map(|t| Route::parse(t).unwrap()).collect()
        };
        let fine = routes(&[
            "http://h/all",
            "message.received=http://h/r",
            "message.status=http://h/s",
            "template.status=http://h/t",
        ]);
        assert_eq!(Route::check(&fine), Ok(()));
        assert_eq!(Route::check(&[]), Ok(()));
        for (texts, problem) in [
            (
                &["message.recieved=http://h/"][..],
                RouteProblem::UnknownEvent("message.recieved".into()),
            ),
            // Meta's own field names are stored under the event types.
            (
                &["http://h/", "messages=http://h/m"],
                RouteProblem::UnknownEvent("messages".into()),
            ),
            (&["http://h/a", "http://h/b"], RouteProblem::Twice(None)),
            (
                &[
                    "message.status=http://h/a",
                    "http://h/",
                    "message.status=http://h/b",
                ],
                RouteProblem::Twice(Some("message.status".into())),
            ),
        ] {
            assert_eq!(Route::check(&routes(texts)), Err(problem), "{texts:?}");
        }
    }

    #[test]
    fn schedules_parse_and_scale() {
        let platform = Schedule::parse("30s,2m,15m,1h,6h").unwrap();
        assert_eq!(platform.0.len(), 5);
        assert_eq!(platform.after(1, 1.0), Some(Duration::from_secs(30)));
        assert_eq!(platform.after(5, 1.0), Some(Duration::from_secs(6 * 3600)));
        assert_eq!(platform.after(6, 1.0), None);
        assert_eq!(platform.after(0, 1.0), None);
        assert_eq!(platform.after(1, 0.001), Some(Duration::from_millis(30)));
        assert_eq!(
            Schedule::parse("100ms, 1s").unwrap().0,
            [Duration::from_millis(100), Duration::from_secs(1)]
        );
        for bad in ["", "0s", "1s,,2s", "1s,", "soon", "8days"] {
            assert!(Schedule::parse(bad).is_err(), "{bad:?}");
        }
        // In the words of every other duration flag.
        let refused = |text: &str| Schedule::parse(text).unwrap_err();
        assert_eq!(
            refused("1s,5"),
            "`5` has no unit: `5s` is 5 seconds (units: ms, s, m, h, d)"
        );
        assert!(refused("5x").starts_with("`5x` has an unknown unit `x`: use ms, s, m, h or d"));
        assert_eq!(refused("8days"), "`8days` must be at most 7days");
        assert_eq!(refused("0s"), "`0s` must be longer than zero");
        assert!(refused("1s,,2s").contains("two commas in a row"));
    }

    proptest! {
        #[test]
        fn any_route_or_schedule_text_parses_or_fails_cleanly(text in "\\PC{0,40}") {
            let _ = Route::parse(&text);
            let _ = Schedule::parse(&text);
        }
    }
}
