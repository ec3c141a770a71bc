//! The first bytes a connection received, kept so that an answer hyper cannot
//! parse is sorted by what it was: bytes that are no HTTP/1 answer at all
//! (TLS from an https server behind an http:// URL, another protocol) or an
//! HTTP answer whose head is malformed. hyper says which part failed only in
//! its error's text; the bytes themselves are the structural answer. It also
//! keeps how the connection's I/O failed, if it did: a reset (not a clean
//! close), and a write that failed (the request was not all sent).

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How many of the first bytes are kept: enough to show and to recognise.
const KEPT: usize = 16;

/// The first bytes one connection read, shared between the connection's
/// I/O ([`Recording`]) and the session that judges its failures.
#[derive(Debug, Clone, Default)]
pub struct Opening(Arc<Seen>);

#[derive(Debug, Default)]
struct Seen {
    first: OnceLock<Box<[u8]>>,
    /// A read or write failed with ECONNRESET (or EPIPE, which follows one).
    reset: AtomicBool,
    /// A write failed with ECONNRESET or EPIPE: what was left of the request
    /// was never sent.
    unsent: AtomicBool,
}

impl Opening {
    /// The first bytes read, once any came.
    pub fn bytes(&self) -> Option<&[u8]> {
        self.0.first.get().map(|b| &b[..])
    }

    fn keep(&self, first: &[u8]) {
        let _ = self.0.first.set(first[..first.len().min(KEPT)].into());
    }

    /// Whether the connection was reset rather than closed: a read or a
    /// write failed with ECONNRESET or EPIPE.
    pub fn was_reset(&self) -> bool {
        self.0.reset.load(Ordering::Relaxed)
    }

    /// Whether a write failed because the receiver reset the connection, so
    /// that the rest of the request was never sent: its answer came before it
    /// had read the whole request.
    pub fn request_unsent(&self) -> bool {
        self.0.unsent.load(Ordering::Relaxed)
    }

    fn note(&self, error: &io::Error, writing: bool) {
        if is_reset(error) {
            self.0.reset.store(true, Ordering::Relaxed);
            if writing {
                self.0.unsent.store(true, Ordering::Relaxed);
            }
        }
    }

    /// Whether what came is not HTTP/1 at all: its first bytes are not (the
    /// start of) `HTTP/`. `false` while nothing came.
    pub fn is_not_http(&self) -> bool {
        const HTTP: &[u8] = b"HTTP/";
        self.bytes().is_some_and(|first| {
            let n = first.len().min(HTTP.len());
            first[..n] != HTTP[..n]
        })
    }

    /// The status of the status line the first bytes begin with
    /// (`HTTP/1.1 413 …`), if they do: the receiver answered, whatever
    /// became of the connection after.
    pub fn status(&self) -> Option<hyper::StatusCode> {
        let first = self.bytes()?;
        let version = first.get(..9)?;
        if !(version.starts_with(b"HTTP/1.") && version[7].is_ascii_digit() && version[8] == b' ') {
            return None;
        }
        let code = first.get(9..12)?;
        if !code.iter().all(u8::is_ascii_digit) {
            return None;
        }
        hyper::StatusCode::from_bytes(code).ok()
    }

    /// The first bytes as a person reads them: quoted text when they are
    /// printable ASCII, else hex (`15 03 03 00 02, a TLS record`).
    pub fn shown(&self) -> Option<String> {
        let first = self.bytes()?;
        if first.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
            return Some(format!("{:?}", String::from_utf8_lossy(first)));
        }
        let hex: Vec<String> = first.iter().map(|b| format!("{b:02x}")).collect();
        let what = if self.is_tls() { ", a TLS record" } else { "" };
        Some(format!("{}{what}", hex.join(" ")))
    }

    /// Whether the first bytes are a TLS record (handshake or alert, version 3.x).
    pub fn is_tls(&self) -> bool {
        self.bytes()
            .is_some_and(|b| b.len() >= 2 && (0x14..=0x17).contains(&b[0]) && b[1] == 0x03)
    }
}

/// Whether an I/O error is the peer's reset: ECONNRESET, or the EPIPE a write
/// gets after one (this side never shuts its writing down first).
fn is_reset(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
    )
}

/// A connection's I/O that keeps its first bytes and how it failed in an
/// [`Opening`]; every read after the first costs one branch.
pub struct Recording<T> {
    io: T,
    opening: Opening,
    seen: bool,
}

impl<T> Recording<T> {
    pub fn new(io: T) -> (Recording<T>, Opening) {
        let opening = Opening::default();
        let io = Recording {
            io,
            opening: opening.clone(),
            seen: false,
        };
        (io, opening)
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Recording<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.io).poll_read(cx, buf);
        match &poll {
            Poll::Ready(Ok(())) if !self.seen => {
                let new = &buf.filled()[before..];
                if !new.is_empty() {
                    self.opening.keep(new);
                    self.seen = true;
                }
            }
            Poll::Ready(Err(e)) => self.opening.note(e, false),
            _ => {}
        }
        poll
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> Recording<T> {
    /// After a write failed because the receiver reset the connection, the
    /// first bytes it sent may still wait unread (a receiver that answered
    /// 413 before reading the body, while the body was being written): they
    /// are read into the [`Opening`] now, since nothing else will read them.
    fn salvage<R>(&mut self, cx: &mut Context<'_>, written: &Poll<io::Result<R>>) {
        let Poll::Ready(Err(e)) = written else {
            return;
        };
        self.opening.note(e, true);
        if self.seen || !is_reset(e) {
            return;
        }
        let mut first = [0u8; KEPT];
        let mut buf = ReadBuf::new(&mut first);
        if let Poll::Ready(Ok(())) = Pin::new(&mut self.io).poll_read(cx, &mut buf) {
            if !buf.filled().is_empty() {
                self.opening.keep(buf.filled());
                self.seen = true;
            }
        }
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Recording<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.io).poll_write(cx, buf);
        self.salvage(cx, &written);
        written
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.salvage(cx, &written);
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn opening(bytes: &[u8]) -> Opening {
        let opening = Opening::default();
        opening.keep(bytes);
        opening
    }

    #[test]
    fn a_status_line_is_read_from_the_first_bytes() {
        let status = |bytes: &[u8]| opening(bytes).status().map(|s| s.as_u16());
        assert_eq!(status(b"HTTP/1.1 413 Payload"), Some(413));
        assert_eq!(status(b"HTTP/1.0 404 Not"), Some(404));
        assert_eq!(status(b"HTTP/1.1 200\r\n"), Some(200));
        assert_eq!(status(b"HTTP/1.1 20"), None, "cut before the code ends");
        assert_eq!(status(b"HTTP/2 200 OK"), None);
        assert_eq!(status(b"HTTP/1.1 abc "), None);
        assert_eq!(status(b"\x15\x03\x03\x00\x02"), None);
        assert_eq!(Opening::default().status(), None);
    }

    #[test]
    fn http_tls_and_other_bytes() {
        assert!(!Opening::default().is_not_http());
        assert!(!opening(b"HTTP/1.1 200 OK").is_not_http());
        assert!(!opening(b"HTTP/2 200").is_not_http(), "HTTP, badly written");
        assert!(!opening(b"HT").is_not_http(), "a start of HTTP");
        assert!(opening(b"SSH-2.0-OpenSSH").is_not_http());
        let alert = opening(&[0x15, 0x03, 0x01, 0x00, 0x02]);
        assert!(alert.is_not_http() && alert.is_tls());
        assert!(!opening(b"HTTP/1.1").is_tls());
        assert_eq!(alert.shown().unwrap(), "15 03 01 00 02, a TLS record");
        assert_eq!(
            opening(b"SSH-2.0-OpenSSH").shown().unwrap(),
            "\"SSH-2.0-OpenSSH\""
        );
        assert_eq!(opening(b"\0\x01").shown().unwrap(), "00 01");
    }

    /// I/O whose reads give `read` and whose writes fail with `write`.
    struct Failing {
        read: Option<io::Result<&'static [u8]>>,
        write: io::ErrorKind,
    }

    impl AsyncRead for Failing {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            Poll::Ready(match self.read.take() {
                Some(Ok(bytes)) => {
                    buf.put_slice(bytes);
                    Ok(())
                }
                Some(Err(e)) => Err(e),
                None => Ok(()),
            })
        }
    }

    impl AsyncWrite for Failing {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            _: &[u8],
        ) -> Poll<io::Result<usize>> {
            Poll::Ready(Err(self.write.into()))
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    #[test]
    fn a_reset_is_told_from_a_close_and_a_failed_write_from_a_sent_request() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            // A write the reset stopped: the answer waiting is salvaged.
            let io = Failing {
                read: Some(Ok(b"HTTP/1.1 413 Pay")),
                write: io::ErrorKind::BrokenPipe,
            };
            let (mut io, opening) = Recording::new(io);
            assert!(io.write_all(b"POST").await.is_err());
            assert!(opening.was_reset() && opening.request_unsent());
            assert_eq!(opening.status().map(|s| s.as_u16()), Some(413));

            // A reset while reading: the request was all sent.
            let io = Failing {
                read: Some(Err(io::ErrorKind::ConnectionReset.into())),
                write: io::ErrorKind::Other,
            };
            let (mut io, opening) = Recording::new(io);
            assert!(io.read(&mut [0u8; 8]).await.is_err());
            assert!(opening.was_reset() && !opening.request_unsent());

            // A clean close (a read of nothing) and a write failing otherwise.
            let io = Failing {
                read: None,
                write: io::ErrorKind::Other,
            };
            let (mut io, opening) = Recording::new(io);
            assert_eq!(io.read(&mut [0u8; 8]).await.unwrap(), 0);
            assert!(io.write_all(b"POST").await.is_err());
            assert!(!opening.was_reset() && !opening.request_unsent());
            assert_eq!(opening.bytes(), None);
        });
    }

    #[test]
    fn the_first_read_is_kept_and_later_ones_pass_through() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let (mut near, far) = tokio::io::duplex(64);
            let (mut far, opening) = Recording::new(far);
            near.write_all(b"HTTP/1.1 200 OK, and more than sixteen bytes")
                .await
                .unwrap();
            let mut read = vec![0u8; 64];
            let n = far.read(&mut read).await.unwrap();
            assert_eq!(&read[..n], b"HTTP/1.1 200 OK, and more than sixteen bytes");
            assert_eq!(opening.bytes(), Some(&b"HTTP/1.1 200 OK,"[..]));
            near.write_all(b"x").await.unwrap();
            assert_eq!(far.read(&mut read).await.unwrap(), 1);
            assert_eq!(opening.bytes(), Some(&b"HTTP/1.1 200 OK,"[..]));
            far.write_all(b"ping").await.unwrap();
            let n = near.read(&mut read).await.unwrap();
            assert_eq!(&read[..n], b"ping");
        });
    }
}
