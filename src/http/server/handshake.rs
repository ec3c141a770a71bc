//! The answer to the platform's verification GET: `hub.mode`, `hub.verify_token`
//! (compared in constant time) and `hub.challenge`, decoded from the query
//! exactly, echoed or refused.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};
use subtle::ConstantTimeEq;

use super::plain;

/// The longest `hub.challenge` echoed back; a longer one gets 400.
pub const MAX_CHALLENGE: usize = 256;

/// The answer to the platform's verification GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handshake {
    /// 200 with exactly this body.
    Accepted { challenge: String },
    /// `hub.mode` was not `subscribe` (or absent): 403.
    WrongMode(Option<String>),
    /// `hub.verify_token` was not the secret (or absent): 403.
    WrongToken { given: bool },
    /// Mode and token right, but no `hub.challenge` to echo: 400.
    NoChallenge,
    /// A challenge of this many bytes, over [`MAX_CHALLENGE`]: 400.
    ChallengeTooLong(usize),
    /// A challenge whose decoded bytes are not UTF-8 (`%FF`): 400, since
    /// echoing it as text would change it.
    ChallengeNotText,
}

impl Handshake {
    pub fn status(&self) -> StatusCode {
        match self {
            Handshake::Accepted { .. } => StatusCode::OK,
            Handshake::WrongMode(_) | Handshake::WrongToken { .. } => StatusCode::FORBIDDEN,
            Handshake::NoChallenge
            | Handshake::ChallengeTooLong(_)
            | Handshake::ChallengeNotText => StatusCode::BAD_REQUEST,
        }
    }

    pub(super) fn response(&self) -> Response<Full<Bytes>> {
        match self {
            Handshake::Accepted { challenge } => plain(StatusCode::OK, challenge.clone()),
            // What the API document's own handler answers.
            Handshake::WrongMode(_) | Handshake::WrongToken { .. } => {
                plain(StatusCode::FORBIDDEN, "Forbidden")
            }
            Handshake::NoChallenge => plain(
                StatusCode::BAD_REQUEST,
                "Bad Request: hub.challenge is missing\n",
            ),
            Handshake::ChallengeTooLong(n) => plain(
                StatusCode::BAD_REQUEST,
                format!("Bad Request: hub.challenge has {n} bytes, more than {MAX_CHALLENGE}\n"),
            ),
            Handshake::ChallengeNotText => plain(
                StatusCode::BAD_REQUEST,
                "Bad Request: hub.challenge does not decode to UTF-8 text\n",
            ),
        }
    }
}

/// Decides the handshake from the request's query string.
pub fn handshake(query: Option<&str>, secret: &[u8]) -> Handshake {
    let (mut mode, mut challenge, mut token) = (None::<Vec<u8>>, None, None::<Vec<u8>>);
    for (key, value) in query_pairs(query.unwrap_or("")) {
        let slot = match key.as_str() {
            "hub.mode" => &mut mode,
            "hub.challenge" => &mut challenge,
            "hub.verify_token" => &mut token,
            _ => continue,
        };
        slot.get_or_insert(value);
    }
    if mode.as_deref() != Some(b"subscribe".as_slice()) {
        let mode = mode.map(|m| String::from_utf8_lossy(&m).into_owned());
        return Handshake::WrongMode(mode);
    }
    match token {
        Some(token) if constant_time_eq(&token, secret) => {}
        token => {
            return Handshake::WrongToken {
                given: token.is_some(),
            };
        }
    }
    match challenge {
        None => Handshake::NoChallenge,
        Some(challenge) if challenge.len() > MAX_CHALLENGE => {
            Handshake::ChallengeTooLong(challenge.len())
        }
        Some(challenge) => match String::from_utf8(challenge) {
            Ok(challenge) => Handshake::Accepted { challenge },
            Err(_) => Handshake::ChallengeNotText,
        },
    }
}

/// Decodes `application/x-www-form-urlencoded` pairs (`+` is a space, `%XX` a
/// byte): names as text (bad UTF-8 replaced, so they never match), values as
/// the exact bytes, so a challenge is echoed exactly or refused.
fn query_pairs(query: &str) -> Vec<(String, Vec<u8>)> {
    let decode = |part: &str| -> Vec<u8> {
        let spaced = part.replace('+', " ");
        percent_encoding::percent_decode_str(&spaced).collect()
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (
                String::from_utf8_lossy(&decode(key)).into_owned(),
                decode(value),
            )
        })
        .collect()
}

/// Compares without stopping at the first difference, so the time taken does
/// not say how much of a guessed token was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"s3cret";
    #[test]
    fn handshake_table() {
        use Handshake::*;
        let long = "c".repeat(MAX_CHALLENGE + 1);
        let long = format!("hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge={long}");
        let cases: Vec<(Option<&str>, Handshake)> = vec![
            (
                Some("hub.mode=subscribe&hub.challenge=abc&hub.verify_token=s3cret"),
                Accepted {
                    challenge: "abc".into(),
                },
            ),
            (
                Some("hub.verify_token=s3cret&hub.challenge=a+b%2Fc%26&hub.mode=subscribe"),
                Accepted {
                    challenge: "a b/c&".into(),
                },
            ),
            (
                Some("hub.mode=subscribe&hub.challenge=&hub.verify_token=s3cret"),
                Accepted {
                    challenge: "".into(),
                },
            ),
            (
                Some("hub.mode=unsubscribe&hub.challenge=abc&hub.verify_token=s3cret"),
                WrongMode(Some("unsubscribe".into())),
            ),
            (None, WrongMode(None)),
            (
                Some("hub.mode=subscribe&hub.challenge=abc&hub.verify_token=s3cre"),
                WrongToken { given: true },
            ),
            (
                Some("hub.mode=subscribe&hub.challenge=abc"),
                WrongToken { given: false },
            ),
            (
                Some("hub.mode=subscribe&hub.verify_token=s3cret"),
                NoChallenge,
            ),
            (Some(&long), ChallengeTooLong(MAX_CHALLENGE + 1)),
            (
                // Echoed as text, %FF would come back as U+FFFD.
                Some("hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=a%FFb"),
                ChallengeNotText,
            ),
            (
                Some("hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=%E2%9C%94+ok"),
                Accepted {
                    challenge: "✔ ok".into(),
                },
            ),
            (
                // The first of a repeated parameter counts.
                Some(
                    "hub.mode=subscribe&hub.verify_token=nope&hub.verify_token=s3cret&hub.challenge=x",
                ),
                WrongToken { given: true },
            ),
        ];
        for (query, want) in cases {
            assert_eq!(handshake(query, SECRET), want, "{query:?}");
        }
        assert_eq!(WrongToken { given: true }.status(), StatusCode::FORBIDDEN);
        assert_eq!(NoChallenge.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn tokens_are_compared_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd") && !constant_time_eq(b"abc", b"ab"));
    }

    /// A query as a sender's URL library writes it: the pairs form-encoded, in order.
    fn encoded(pairs: &[(&str, &str)]) -> String {
        let mut url = reqwest::Url::parse("http://127.0.0.1/").unwrap();
        url.query_pairs_mut().extend_pairs(pairs);
        url.query().unwrap_or("").to_string()
    }

    proptest::proptest! {
        #[test]
        fn any_query_is_decided_without_panicking(query in "\\PC{0,80}") {
            let decided = handshake(Some(&query), SECRET);
            if let Handshake::Accepted { challenge } = &decided {
                proptest::prop_assert!(challenge.len() <= MAX_CHALLENGE);
            }
        }

        #[test]
        fn an_encoded_handshake_is_decided_exactly(
            challenge in "\\PC{0,90}",
            mode in proptest::prop_oneof![proptest::strategy::Just("subscribe".to_string()), "\\PC{0,10}"],
            token in proptest::prop_oneof![proptest::strategy::Just("s3cret".to_string()), "\\PC{0,10}"],
            other in "[a-z.]{0,8}",
            order in 0usize..6,
        ) {
            let mut pairs = vec![
                ("hub.mode", mode.as_str()),
                ("hub.challenge", challenge.as_str()),
                ("hub.verify_token", token.as_str()),
            ];
            pairs.rotate_left(order % 3);
            if order >= 3 {
                pairs.swap(0, 1);
            }
            pairs.push(("x", other.as_str()));
            let query = encoded(&pairs);
            let expected = if mode != "subscribe" {
                Handshake::WrongMode(Some(mode.clone()))
            } else if token.as_bytes() != SECRET {
                Handshake::WrongToken { given: true }
            } else if challenge.len() > MAX_CHALLENGE {
                Handshake::ChallengeTooLong(challenge.len())
            } else {
                Handshake::Accepted { challenge: challenge.clone() }
            };
            proptest::prop_assert_eq!(handshake(Some(&query), SECRET), expected, "{}", query);
        }
    }
}
