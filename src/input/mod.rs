//! What the user hands in beside the flags: the webhook [`secret`] (a flag, a
//! file or the environment), a [`payload`] file or stdin, read as raw bytes,
//! the [`record_file`] `send-test --replay` reads, line by line, and the
//! [`headers`] file `-H @FILE` names.
//! Reads files and the environment; never prints.

pub mod headers;
pub mod payload;
pub mod record_file;
pub mod secret;

use std::io::Read;

/// Reads `reader` to its end, at most `max` bytes: `Ok(None)` when there are
/// more, so that `/dev/zero` or a file picked by mistake is an input error,
/// never memory without end. Every file and stdin the tool reads whole goes
/// through here.
pub fn read_at_most(reader: impl Read, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_up_to_the_limit_and_refuses_one_byte_more() {
        let read = |n: usize| super::read_at_most(&vec![7u8; n][..], 4).unwrap();
        assert_eq!(read(4), Some(vec![7; 4]));
        assert_eq!(read(0), Some(Vec::new()));
        assert_eq!(read(5), None);
    }
}
