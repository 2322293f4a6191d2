//! What a plugin prints to stdout and stderr: kept per check, bounded per
//! group.
//!
//! After each check the host takes what was printed since the last one
//! (nothing is copied twice), and a group's instance may print
//! [`Capture::new`]'s bound in all; past it the rest is dropped and counted
//! (the check's log says how much), never a trap, so a chatty plugin keeps
//! running. wasmtime-wasi's `MemoryOutputPipe` copied its whole buffer at
//! every read and trapped the guest past its capacity.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

/// One output stream of one instance; clones share it.
#[derive(Clone)]
pub struct Capture(Arc<Mutex<Held>>);

struct Held {
    /// Printed since the last [`Capture::take`].
    new: Vec<u8>,
    /// Bytes kept so far, against `bound`.
    kept: usize,
    /// Bytes dropped past `bound` since the last take.
    dropped: usize,
    bound: usize,
}

impl Capture {
    /// A stream keeping at most `bound` bytes over the instance's life.
    pub fn new(bound: usize) -> Self {
        Capture(Arc::new(Mutex::new(Held {
            new: Vec::new(),
            kept: 0,
            dropped: 0,
            bound,
        })))
    }

    fn held(&self) -> std::sync::MutexGuard<'_, Held> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, bytes: &[u8]) {
        let mut held = self.held();
        let room = held.bound - held.kept;
        let n = bytes.len().min(room);
        held.new.extend_from_slice(&bytes[..n]);
        held.kept += n;
        held.dropped += bytes.len() - n;
    }

    /// What was printed since the last take (invalid UTF-8 replaced), and
    /// how many bytes past the bound were dropped meanwhile.
    pub fn take(&self) -> (String, usize) {
        let mut held = self.held();
        let new = std::mem::take(&mut held.new);
        let dropped = std::mem::take(&mut held.dropped);
        (String::from_utf8_lossy(&new).into_owned(), dropped)
    }
}

impl OutputStream for Capture {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.push(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    /// Always room: what does not fit is dropped, not refused.
    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 * 1024)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for Capture {
    async fn ready(&mut self) {}
}

impl AsyncWrite for Capture {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.push(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl IsTerminal for Capture {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for Capture {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::Capture;

    #[test]
    fn each_take_returns_only_what_is_new_and_the_bound_drops_the_rest() {
        let c = Capture::new(10);
        c.push(b"hello ");
        assert_eq!(c.take(), ("hello ".to_owned(), 0));
        assert_eq!(c.take(), (String::new(), 0));
        c.push(b"world, and more");
        assert_eq!(c.take(), ("worl".to_owned(), 11));
        c.push(b"x");
        assert_eq!(c.take(), (String::new(), 1));
    }
}
