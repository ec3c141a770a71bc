//! The webhook signature: `sha256=<lowercase hex HMAC-SHA256(secret, raw body)>`.
//!
//! Pure code: no I/O, no clock. Signing produces a [`Signature`]; parsing turns a
//! header value into one (or says precisely why it is not one); verifying feeds the
//! body through a [`Verifier`] in pieces, so a caller can stream a file of any size,
//! and compares digests in constant time with `hmac`'s `verify_slice`.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// What every signature header value starts with.
pub const PREFIX: &str = "sha256=";
/// Hex digits in a SHA-256 digest.
pub const HEX_LEN: usize = 64;

/// A parsed or computed HMAC-SHA256 digest. Displays as the header value.
#[derive(Clone, PartialEq, Eq)]
pub struct Signature([u8; 32]);

impl Signature {
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // On the stack: send-test formats one per delivery, tens of thousands a second.
        let mut digits = [0u8; HEX_LEN];
        hex::encode_to_slice(self.0, &mut digits).expect("64 digits for 32 bytes");
        f.write_str(PREFIX)?;
        f.write_str(std::str::from_utf8(&digits).expect("hex digits are ASCII"))
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({self})")
    }
}

/// Why a header value is not a well-formed `sha256=` signature. Each variant is a
/// near miss that a person can fix, so the caller can turn it into a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Nothing but whitespace.
    Empty,
    /// 64 hex digits with no `sha256=` in front (what some senders put in the header).
    BareHex,
    /// Another `algo=` prefix, such as GitHub's older `sha1=`.
    OtherAlgorithm(String),
    /// No `algo=` prefix and not bare hex either.
    NoPrefix,
    /// `sha256=` followed by this many hex digits instead of 64.
    WrongLength(usize),
    /// `sha256=` followed by something that is not hex.
    NotHex,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Empty => write!(f, "the signature is empty"),
            ParseError::BareHex => write!(f, "the signature has no `{PREFIX}` prefix"),
            ParseError::OtherAlgorithm(algo) => {
                write!(f, "the signature uses `{algo}=`, not `{PREFIX}`")
            }
            ParseError::NoPrefix => write!(f, "the signature does not start with `{PREFIX}`"),
            ParseError::WrongLength(n) => {
                write!(
                    f,
                    "the signature has {n} hex digits after `{PREFIX}`, not {HEX_LEN}"
                )
            }
            ParseError::NotHex => {
                write!(
                    f,
                    "the signature has characters after `{PREFIX}` that are not hex digits"
                )
            }
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses a header value. Surrounding ASCII whitespace is ignored (HTTP's
/// optional whitespace; Unicode spaces such as NBSP are not), the prefix must be
/// exactly `sha256=`, and the 64 digits may be upper or lower case: the value is
/// decoded before it is compared, so case cannot change the verdict.
pub fn parse(value: &str) -> Result<Signature, ParseError> {
    let value = value.trim_ascii();
    if value.is_empty() {
        return Err(ParseError::Empty);
    }
    let Some(digits) = value.strip_prefix(PREFIX) else {
        return Err(classify_prefix(value));
    };
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ParseError::NotHex);
    }
    if digits.len() != HEX_LEN {
        return Err(ParseError::WrongLength(digits.len()));
    }
    let mut digest = [0u8; 32];
    hex::decode_to_slice(digits, &mut digest).map_err(|_| ParseError::NotHex)?;
    Ok(Signature(digest))
}

fn classify_prefix(value: &str) -> ParseError {
    if value.len() == HEX_LEN && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return ParseError::BareHex;
    }
    match value.split_once('=') {
        Some((algo, _))
            if !algo.is_empty()
                && algo.len() <= 16
                && algo.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
        {
            ParseError::OtherAlgorithm(algo.to_string())
        }
        _ => ParseError::NoPrefix,
    }
}

/// Signs a whole body held in memory.
pub fn sign(secret: &[u8], body: &[u8]) -> Signature {
    let mut verifier = Verifier::new(secret);
    verifier.update(body);
    verifier.finish()
}

/// Checks a whole body held in memory against a signature, in constant time.
pub fn verify(secret: &[u8], body: &[u8], expected: &Signature) -> bool {
    let mut verifier = Verifier::new(secret);
    verifier.update(body);
    verifier.matches(expected)
}

/// An HMAC-SHA256 in progress, fed the body piece by piece.
#[derive(Clone)]
pub struct Verifier(HmacSha256);

impl Verifier {
    pub fn new(secret: &[u8]) -> Self {
        // HMAC accepts keys of any length; the error case cannot happen.
        Verifier(HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length"))
    }

    pub fn update(&mut self, piece: &[u8]) {
        self.0.update(piece);
    }

    /// The signature of everything fed so far.
    pub fn finish(self) -> Signature {
        Signature(self.0.finalize().into_bytes().into())
    }

    /// Constant-time comparison of everything fed so far with `expected`.
    pub fn matches(self, expected: &Signature) -> bool {
        self.0.verify_slice(&expected.0).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hex_of(sig: &Signature) -> String {
        hex::encode(sig.as_bytes())
    }

    #[test]
    fn github_public_vector() {
        let sig = sign(b"It's a Secret to Everybody", b"Hello, World!");
        assert_eq!(
            sig.to_string(),
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        );
    }

    /// RFC 4231 test cases 1-4, 6 and 7 (case 5 truncates the output, which
    /// this scheme never does).
    #[test]
    fn rfc_4231_vectors() {
        let cases: [(Vec<u8>, Vec<u8>, &str); 6] = [
            (
                vec![0x0b; 20],
                b"Hi There".to_vec(),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                vec![0xaa; 20],
                vec![0xdd; 50],
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            ),
            (
                (1..=25).collect(),
                vec![0xcd; 50],
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            ),
            (
                vec![0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
            (
                vec![0xaa; 131],
                b"This is a test using a larger than block-size key and a larger than \
                  block-size data. The key needs to be hashed before being used by the \
                  HMAC algorithm."
                    .to_vec(),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            ),
        ];
        for (key, data, want) in cases {
            let sig = sign(&key, &data);
            assert_eq!(hex_of(&sig), want);
            assert!(verify(
                &key,
                &data,
                &parse(&format!("sha256={want}")).unwrap()
            ));
        }
    }

    #[test]
    fn streaming_equals_one_shot() {
        let body = b"{\"event\":\"message.received\"}".repeat(1000);
        let mut verifier = Verifier::new(b"s");
        for piece in body.chunks(7) {
            verifier.update(piece);
        }
        assert_eq!(verifier.finish(), sign(b"s", &body));
    }

    #[test]
    fn parse_table() {
        let good = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert!(parse(good).is_ok());
        assert!(
            parse(&format!("  {good}\r\n")).is_ok(),
            "whitespace is trimmed"
        );
        for unicode_space in ['\u{a0}', '\u{2028}', '\u{85}', '\u{3000}'] {
            assert_eq!(
                parse(&format!("{good}{unicode_space}")),
                Err(ParseError::NotHex),
                "{unicode_space:?} is not HTTP whitespace"
            );
        }
        assert_eq!(
            parse(&good.to_uppercase().replace("SHA256=", "sha256=")),
            parse(good)
        );
        let bare = &good[7..];
        let cases: Vec<(String, ParseError)> = vec![
            (String::new(), ParseError::Empty),
            ("   ".into(), ParseError::Empty),
            ("sha256=".into(), ParseError::WrongLength(0)),
            (good[..good.len() - 1].into(), ParseError::WrongLength(63)),
            (format!("{good}0"), ParseError::WrongLength(65)),
            (format!("sha256={}", "g".repeat(64)), ParseError::NotHex),
            (format!("sha256={}", "é".repeat(32)), ParseError::NotHex),
            (bare.into(), ParseError::BareHex),
            (
                "sha1=0123456789abcdef0123456789abcdef01234567".into(),
                ParseError::OtherAlgorithm("sha1".into()),
            ),
            (
                format!("SHA256={bare}"),
                ParseError::OtherAlgorithm("SHA256".into()),
            ),
            ("hello world".into(), ParseError::NoPrefix),
            (
                format!("sha256={}", "a".repeat(20_000)),
                ParseError::WrongLength(20_000),
            ),
            ("x".repeat(20_000), ParseError::NoPrefix),
        ];
        for (input, want) in cases {
            assert_eq!(parse(&input), Err(want), "input {input:.40}");
        }
    }

    proptest! {
        #[test]
        fn sign_then_verify_holds(secret in proptest::collection::vec(any::<u8>(), 1..80),
                                  body in proptest::collection::vec(any::<u8>(), 0..300)) {
            let sig = sign(&secret, &body);
            prop_assert!(verify(&secret, &body, &sig));
            prop_assert_eq!(parse(&sig.to_string()), Ok(sig));
        }

        #[test]
        fn any_flipped_byte_fails(secret in proptest::collection::vec(any::<u8>(), 1..80),
                                  body in proptest::collection::vec(any::<u8>(), 1..300),
                                  index in any::<prop::sample::Index>(),
                                  flip in 1u8..=255) {
            let sig = sign(&secret, &body);

            let mut bad_body = body.clone();
            let i = index.index(bad_body.len());
            bad_body[i] ^= flip;
            prop_assert!(!verify(&secret, &bad_body, &sig));

            let mut bad_secret = secret.clone();
            let i = index.index(bad_secret.len());
            bad_secret[i] ^= flip;
            prop_assert!(!verify(&bad_secret, &body, &sig));

            let mut bad_sig = *sig.as_bytes();
            let i = index.index(bad_sig.len());
            bad_sig[i] ^= flip;
            prop_assert!(!verify(&secret, &body, &Signature(bad_sig)));
        }
    }
}
