//! Extra request headers from a file (`-H @FILE`), so that a gateway's key
//! or token need not be typed on the command line where `ps` and shell
//! history see it: one `Name: value` a line, as curl's `-H @FILE` reads them.
//! Reads the file; never prints, and never quotes a line back (it may hold
//! the key).

use std::path::Path;

use hyper::header::{HeaderName, HeaderValue};

use crate::error::{Error, Result};

/// The largest header file read: a few header lines, not a wrong file.
const MAX_FILE: u64 = 64 * 1024;

/// Every `Name: value` line of `path`; blank lines and lines starting with
/// `#` are skipped, a trailing CR is dropped. `parse` is the `-H` rule for
/// one header; an error names the line by number, never by its text.
pub fn read(
    path: &Path,
    parse: impl Fn(&str) -> std::result::Result<(HeaderName, HeaderValue), String>,
) -> Result<Vec<(HeaderName, HeaderValue)>> {
    let failed = |e: std::io::Error| {
        super::cannot_read(format_args!("the header file {}", path.display()), &e)
    };
    let Some(bytes) = super::read_file_at_most(path, MAX_FILE).map_err(failed)? else {
        return Err(Error::input(format!(
            "the header file {} is larger than {} KiB",
            path.display(),
            MAX_FILE / 1024
        ))
        .with_hint("-H @FILE takes a few `Name: value` lines; is this the right file?"));
    };
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::input(format!(
            "the header file {} is not UTF-8 text",
            path.display()
        ))
    })?;
    let mut headers = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let header = parse(line).map_err(|_| {
            Error::input(format!(
                "line {} of the header file {} is not a header `Name: value` that can be sent",
                n + 1,
                path.display()
            ))
            .with_hint("each line is one header, such as `X-Api-Key: …`; blank lines and # comments are skipped")
        })?;
        headers.push(header);
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> std::result::Result<(HeaderName, HeaderValue), String> {
        let (name, value) = text.split_once(':').ok_or("no colon")?;
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|e| e.to_string())?;
        let value = HeaderValue::from_str(value.trim()).map_err(|e| e.to_string())?;
        Ok((name, value))
    }

    #[test]
    fn lines_comments_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h");
        std::fs::write(
            &path,
            "# gateway\r\nX-Api-Key: k1\r\n\nX-Other: two words\n",
        )
        .unwrap();
        let headers = read(&path, parse).unwrap();
        assert_eq!(headers.len(), 2);
        assert_eq!(headers[0].0, "x-api-key");
        assert_eq!(headers[0].1, "k1");
        assert_eq!(headers[1].1, "two words");
        std::fs::write(&path, "X-Api-Key: k1\nsecret-without-colon\n").unwrap();
        let error = read(&path, parse).unwrap_err();
        assert!(
            error.message.starts_with("line 2 of the header file"),
            "{}",
            error.message
        );
        assert!(!error.message.contains("secret"), "{}", error.message);
        let error = read(Path::new("/dev/zero"), parse).unwrap_err();
        assert!(
            error.message.contains("larger than 64 KiB"),
            "{}",
            error.message
        );
    }
}
