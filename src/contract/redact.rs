//! What is shown in place of a secret in text we did not write: a
//! [`Redactor`] takes the webhook secret, the verify token or an API key out
//! of whatever an endpoint answered (bodies, headers, messages), and [`url`]
//! and [`raw_url`] show a URL without its password. Pure.
//!
//! The rule for received text: every run of [`PIECE`] or more consecutive
//! characters of a secret (all of it, when it is shorter) becomes `****`,
//! whether the run is written plainly or each character escaped as JSON
//! (`\u00e9`, `\"`, `\/`), percent-encoded as in a query string (`%C3%A9`,
//! `+` for a space) or as an HTML character reference (`&amp;`, `&#233;`),
//! and whatever the case of its ASCII letters. So a secret echoed whole, cut
//! at either end, or escaped the way servers escape a request they quote,
//! never reaches the screen; what may be left is a piece of fewer than 8
//! characters, which tells nothing the mask's own last four do not.

use std::borrow::Cow;

/// What every hidden run becomes.
pub const MASK: &str = "****";

/// The shortest run of a secret's characters that is hidden.
pub const PIECE: usize = 8;

/// Hides the given secrets in received text; the default hides nothing.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<Hidden>,
}

/// One secret, as the ways each of its characters may be written.
#[derive(Debug, Clone)]
struct Hidden {
    /// Per character (or byte that is not UTF-8): its spellings.
    units: Vec<Vec<Vec<u8>>>,
    /// For each last byte (ASCII lower-cased): the (unit, spelling) pairs
    /// that end with it, so that each position of a text tries only those.
    by_last: Vec<Vec<(u16, u16)>>,
    /// The longest spelling, in bytes.
    longest: usize,
    /// The shortest run hidden: [`PIECE`], or the whole of a shorter secret.
    run: usize,
}

impl Redactor {
    /// A redactor for `secrets`; empty ones are ignored, and so is all past
    /// the first 4096 bytes of one (no key is that long).
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a [u8]>) -> Redactor {
        let secrets = secrets
            .into_iter()
            .filter(|s| !s.is_empty())
            .map(|s| Hidden::new(&s[..s.len().min(4096)]))
            .collect();
        Redactor { secrets }
    }

    /// The same redactor, hiding `secret` too.
    pub fn with(mut self, secret: &[u8]) -> Redactor {
        self.secrets.extend(Redactor::new([secret]).secrets);
        self
    }

    /// Whether there is nothing to hide.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// `text` with every run of a secret replaced by [`MASK`].
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match self.bytes(text.as_bytes()) {
            Cow::Borrowed(_) => Cow::Borrowed(text),
            // Runs start and end on character boundaries of valid UTF-8
            // (every spelling is ASCII or a whole character's bytes), but a
            // secret that is not UTF-8 itself may match inside a character.
            Cow::Owned(bytes) => Cow::Owned(
                String::from_utf8(bytes)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            ),
        }
    }

    /// The same for bytes that need not be UTF-8 (a body, a header value).
    pub fn bytes<'a>(&self, text: &'a [u8]) -> Cow<'a, [u8]> {
        let mut current = Cow::Borrowed(text);
        // One pass is enough unless a secret holds `*`, which the mask
        // itself could then complete into a new run; each pass that changes
        // the text hides at least one run.
        let passes = if self.secrets.iter().any(Hidden::has_star) {
            4
        } else {
            1
        };
        for _ in 0..passes {
            match self.pass(&current) {
                Some(next) if next != *current => current = Cow::Owned(next),
                _ => break,
            }
        }
        current
    }

    /// One pass: the text with every run found replaced, or `None` when
    /// none was.
    fn pass(&self, text: &[u8]) -> Option<Vec<u8>> {
        // +1 where a hidden range starts, -1 where it ends.
        let mut edges = vec![0i32; text.len() + 1];
        let mut found = false;
        for secret in &self.secrets {
            found |= secret.mark(text, &mut edges);
        }
        if !found {
            return None;
        }
        let mut out = Vec::with_capacity(text.len());
        let mut depth = 0;
        for (i, &b) in text.iter().enumerate() {
            let was = depth;
            depth += edges[i];
            match (was > 0, depth > 0) {
                (false, true) => out.extend_from_slice(MASK.as_bytes()),
                (_, true) => {}
                (_, false) => out.push(b),
            }
        }
        Some(out)
    }
}

impl Hidden {
    fn new(secret: &[u8]) -> Hidden {
        let mut units = Vec::new();
        for chunk in secret.utf8_chunks() {
            units.extend(chunk.valid().chars().map(spellings));
            units.extend(chunk.invalid().iter().map(|&b| byte_spellings(b)));
        }
        let mut by_last = vec![Vec::new(); 256];
        let mut longest = 0;
        for (u, unit) in units.iter().enumerate() {
            for (s, spelling) in unit.iter().enumerate() {
                let last = spelling[spelling.len() - 1].to_ascii_lowercase();
                by_last[usize::from(last)].push((u as u16, s as u16));
                longest = longest.max(spelling.len());
            }
        }
        let run = PIECE.min(units.len());
        Hidden {
            units,
            by_last,
            longest,
            run,
        }
    }

    fn has_star(&self) -> bool {
        self.units.iter().any(|u| u[0] == b"*")
    }

    /// Marks in `edges` every run of at least `run` consecutive units of the
    /// secret in `text`; whether there was one.
    ///
    /// For each end position `p` and unit `u`, the longest run that ends at
    /// `p` with unit `u` (and where it starts) follows from the rows of the
    /// positions one spelling earlier, so only the last `longest` rows are
    /// kept.
    fn mark(&self, text: &[u8], edges: &mut [i32]) -> bool {
        let units = self.units.len();
        let rows = self.longest + 1;
        // (length in units, start byte) of the longest run ending here.
        let mut ring = vec![vec![(0u32, 0u32); units]; rows];
        let mut found = false;
        for p in 1..=text.len() {
            let mut row = std::mem::take(&mut ring[p % rows]);
            row.fill((0, 0));
            let last = text[p - 1].to_ascii_lowercase();
            for &(u, s) in &self.by_last[usize::from(last)] {
                let (u, spelling) = (usize::from(u), &self.units[usize::from(u)][usize::from(s)]);
                let Some(start) = p.checked_sub(spelling.len()) else {
                    continue;
                };
                if !text[start..p].eq_ignore_ascii_case(spelling) {
                    continue;
                }
                let before = match u {
                    0 => (0, 0),
                    _ => ring[start % rows][u - 1],
                };
                let run = match before {
                    (0, _) => (1, start as u32),
                    (n, from) => (n + 1, from),
                };
                if run.0 > row[u].0 || (run.0 == row[u].0 && run.1 < row[u].1) {
                    row[u] = run;
                }
            }
            if let Some(from) = row
                .iter()
                .filter(|(n, _)| *n as usize >= self.run)
                .map(|&(_, from)| from as usize)
                .min()
            {
                edges[from] += 1;
                edges[p] -= 1;
                found = true;
            }
            ring[p % rows] = row;
        }
        found
    }
}

/// The ways one character of a secret may be written in received text:
/// itself, percent-encoded (and `+` for a space), as a JSON escape and as an
/// HTML character reference.
fn spellings(c: char) -> Vec<Vec<u8>> {
    let mut utf8 = [0u8; 4];
    let raw = c.encode_utf8(&mut utf8).as_bytes().to_vec();
    let mut all = vec![
        raw.clone(),
        raw.iter()
            .flat_map(|b| format!("%{b:02X}").into_bytes())
            .collect(),
        format!("&#{};", c as u32).into_bytes(),
        format!("&#x{:x};", c as u32).into_bytes(),
    ];
    let mut units = [0u16; 2];
    let json: String = c
        .encode_utf16(&mut units)
        .iter()
        .map(|u| format!("\\u{u:04x}"))
        .collect();
    all.push(json.into_bytes());
    let short: &[&str] = match c {
        ' ' => &["+"],
        '"' => &["\\\"", "&quot;"],
        '\\' => &["\\\\"],
        '/' => &["\\/"],
        '\n' => &["\\n"],
        '\r' => &["\\r"],
        '\t' => &["\\t"],
        '\u{8}' => &["\\b"],
        '\u{c}' => &["\\f"],
        '&' => &["&amp;"],
        '<' => &["&lt;"],
        '>' => &["&gt;"],
        '\'' => &["&apos;"],
        _ => &[],
    };
    all.extend(short.iter().map(|s| s.as_bytes().to_vec()));
    all
}

/// A byte of a secret that is not UTF-8: itself, or percent-encoded.
fn byte_spellings(b: u8) -> Vec<Vec<u8>> {
    vec![vec![b], format!("%{b:02X}").into_bytes()]
}

/// A URL as it is shown: a password in it is `****` (the user name stays, it
/// says whose account without opening it).
pub fn url(url: &reqwest::Url) -> String {
    if url.password().is_none() {
        return url.to_string();
    }
    let mut shown = url.clone();
    let _ = shown.set_password(Some(MASK));
    shown.to_string()
}

/// Text meant as a URL that may not parse, shown without what could be a
/// password: all between `://` and the last `@` is `****`, and so is the
/// value of a `pass=` query parameter (where a socket URL carries it).
pub fn raw_url(text: &str) -> String {
    let text = match (text.find("://"), text.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}{MASK}{}", &text[..scheme + 3], &text[at..])
        }
        _ => text.to_string(),
    };
    let Some((head, query)) = text.split_once('?') else {
        return text;
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some(("pass", _)) => format!("pass={MASK}"),
            _ => pair.to_string(),
        })
        .collect();
    format!("{head}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SECRET: &str = "whsec_QWERTYUIOPASDFGHJKLZXCVBNM9876";

    fn redact(text: &str) -> String {
        Redactor::new([SECRET.as_bytes()]).text(text).into_owned()
    }

    #[test]
    fn a_secret_and_its_pieces_are_hidden() {
        let cases = [
            (
                format!("you sent ?hub.verify_token={SECRET}&x=1"),
                "you sent ?hub.verify_token=****&x=1",
            ),
            ("token was whsec_QWER".into(), "token was ****"),
            (format!("got {}!", &SECRET[..SECRET.len() - 3]), "got ****!"),
            (format!("tail {}", &SECRET[10..]), "tail ****"),
            (SECRET.to_lowercase(), "****"),
            ("whsec_QW is 8".into(), "**** is 8"),
            (
                "whsec_Q is 7, QWERTYU too".into(),
                "whsec_Q is 7, QWERTYU too",
            ),
            (format!("{SECRET}{SECRET}"), "****"),
            ("nothing here".into(), "nothing here"),
            ("".into(), ""),
        ];
        for (text, want) in cases {
            assert_eq!(redact(&text), want, "{text}");
        }
    }

    #[test]
    fn escaped_spellings_are_hidden_too() {
        let secret = "tök\"en/with spaces&+é😀";
        let r = Redactor::new([secret.as_bytes()]);
        let json = serde_json::to_string(secret).unwrap();
        let ascii_json = r#""t\u00f6k\"en\/with spaces&+\u00E9\ud83d\ude00""#;
        let query = "t%C3%B6k%22en%2Fwith+spaces%26%2B%c3%a9%F0%9F%98%80";
        let html = "t&#246;k&quot;en/with&#x20;spaces&amp;+&#xe9;&#128512;";
        for (text, want) in [
            (json.as_str(), "\"****\""),
            (ascii_json, "\"****\""),
            (query, "****"),
            (html, "****"),
            ("{\"token\":\"spaces&+\\u00e9\"}", "{\"token\":\"****\"}"),
        ] {
            assert_eq!(r.text(text), want, "{text}");
        }
    }

    #[test]
    fn short_secrets_are_hidden_whole_and_several_at_once() {
        let r = Redactor::new([&b"abc"[..], b"", b"verify-token-123"]);
        assert_eq!(r.text("abc abd ABC verify-token-1"), "**** abd **** ****");
        assert!(Redactor::default().is_empty());
        assert_eq!(Redactor::default().text("abc"), "abc");
        let r = Redactor::default().with(b"topsecret");
        assert_eq!(r.text("a topsecret b"), "a **** b");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_redacted_as_bytes() {
        let r = Redactor::new([&b"\xffsecret-key"[..]]);
        assert_eq!(r.bytes(b"x\xffsecret-key\xfe"), &b"x****\xfe"[..]);
        assert_eq!(r.bytes(b"x%FFsecret-key"), &b"x****"[..]);
        assert_eq!(r.text("é secret-key é"), "é **** é");
    }

    #[test]
    fn a_secret_of_stars_is_not_rebuilt_by_the_mask() {
        let r = Redactor::new([&b"**ab**cd**"[..]]);
        let shown = r.text("x**ab**cd**y");
        assert_eq!(shown, "x****y");
        let r = Redactor::new([&b"*"[..]]);
        assert_eq!(r.text("a*b"), "a****b");
    }

    #[test]
    fn urls_are_shown_without_passwords() {
        let shown = |text: &str| url(&reqwest::Url::parse(text).unwrap());
        assert_eq!(
            shown("http://me:hunter2@127.0.0.1:3000/x"),
            "http://me:****@127.0.0.1:3000/x"
        );
        assert_eq!(shown("redis://:pw@h:1/0"), "redis://:****@h:1/0");
        assert_eq!(shown("http://me@h/x"), "http://me@h/x");
        assert_eq!(shown("http://h/x?a=1"), "http://h/x?a=1");
        assert_eq!(
            raw_url("redis://:hunter2@127.0.0.1:abc/0"),
            "redis://****@127.0.0.1:abc/0"
        );
        assert_eq!(raw_url("not a url"), "not a url");
        assert_eq!(
            raw_url("redis+unix:///r.sock?db=1&pass=hunter2&stream=s"),
            "redis+unix:///r.sock?db=1&pass=****&stream=s"
        );
    }

    /// A secret's characters: letters, digits and what escapes differently.
    const ALPHABET: &str = "[a-zA-Z0-9_ %&+\"\\\\/<>'=?é😀\n-]";

    /// The ways a whole text may be escaped by the server that echoes it.
    fn escaped(text: &str, how: u8) -> String {
        match how {
            0 => text.to_string(),
            1 => serde_json::to_string(text).unwrap(),
            2 => text
                .chars()
                .map(|c| match c {
                    c if c.is_ascii_alphanumeric() => c.to_string(),
                    c => {
                        let mut units = [0u16; 2];
                        c.encode_utf16(&mut units)
                            .iter()
                            .map(|u| format!("\\u{u:04X}"))
                            .collect()
                    }
                })
                .collect(),
            3 => percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
                .to_string(),
            _ => reqwest::Url::parse_with_params("http://x/", [("t", text)])
                .unwrap()
                .query()
                .unwrap()[2..]
                .to_string(),
        }
    }

    proptest! {
        /// Whatever the text and the secrets, redacting never panics, and
        /// text without a run of them comes back unchanged.
        #[test]
        fn any_text_is_redacted_without_panic(
            text in proptest::collection::vec(any::<u8>(), 0..300),
            secrets in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..20), 0..3),
        ) {
            let r = Redactor::new(secrets.iter().map(Vec::as_slice));
            let _ = r.bytes(&text);
            let _ = r.text(&String::from_utf8_lossy(&text));
        }

        /// A secret echoed in a text, whole or cut, plainly or escaped,
        /// leaves no run of PIECE of its characters (all of a shorter one).
        #[test]
        fn no_piece_of_an_echoed_secret_is_left(
            secret in proptest::collection::vec(proptest::string::string_regex(ALPHABET).unwrap(), 1..40),
            before in "[a-z0-9 .:,]{0,30}",
            after in "[a-z0-9 .:,]{0,30}",
            how in 0u8..5,
            cut in 0usize..40,
        ) {
            let secret: String = secret.concat();
            let chars: Vec<char> = secret.chars().collect();
            let echoed: String = chars[cut.min(chars.len() - 1)..].iter().collect();
            let text = format!("{before}{}{after}", escaped(&echoed, how));
            let shown = Redactor::new([secret.as_bytes()]).text(&text).into_owned();
            let run = PIECE.min(chars.len());
            let lower = shown.to_ascii_lowercase();
            for piece in chars.windows(run) {
                let piece: String = piece.iter().collect();
                for how in 0..5 {
                    let piece = escaped(&piece, how);
                    let piece = match how {
                        1 => &piece[1..piece.len() - 1],
                        _ => &piece,
                    };
                    let piece = piece.to_ascii_lowercase();
                    prop_assert!(!lower.contains(&piece), "{:?} in {:?} (from {:?})", piece, shown, text);
                }
            }
        }
    }
}
