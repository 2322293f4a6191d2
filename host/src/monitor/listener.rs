//! The monitor's accept loop, on hyper's HTTP/1 connection builder rather
//! than `axum::serve` (which sets no head timeout, no connection limit, and
//! waits for every connection on shutdown). What it guarantees:
//!
//! - at most `max_connections` connections at once (`--max-client-connections`,
//!   default [`crate::limits::MONITOR_MAX_CONNECTIONS`]): past it, new ones
//!   wait in the kernel's backlog until one closes (never accepted unbounded);
//! - a request head must arrive whole within [`REQUEST_HEAD_TIMEOUT`] of the
//!   connection opening or of the previous response (hyper's
//!   `header_read_timeout`, which also bounds an idle keep-alive connection);
//! - a response the client stops reading is given up after
//!   [`RESPONSE_STALL_TIMEOUT`] without progress, and the connection closed;
//! - on stop, the listener closes at once, so do connections with no request
//!   being answered (idle ones, and heads still coming); answers in flight
//!   get [`SHUTDOWN_GRACE`] to finish, then whatever is still open is
//!   dropped, so stalled clients cannot hold the process.
//!
//! HTTP/1.1 only: Prometheus and curl speak it, and there is no HTTP/2
//! state to bound.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Sleep;

use super::{Shutdown, signalled};
use crate::limits::{REQUEST_HEAD_TIMEOUT, RESPONSE_STALL_TIMEOUT, SHUTDOWN_GRACE};

/// Serves `app` on `listener`, `max_connections` at a time, until `stop`
/// fires; returns at most [`SHUTDOWN_GRACE`] later.
pub async fn serve(listener: TcpListener, app: Router, max_connections: usize, stop: Shutdown) {
    let slots = Arc::new(Semaphore::new(max_connections.max(1)));
    let (closing, closed) = watch::channel(false);
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            _ = signalled(stop.clone()) => break,
        };
        let Ok(slot) = slot else { break };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
            _ = signalled(stop.clone()) => break,
        };
        connections.spawn(connection(stream, app.clone(), slot, closed.clone()));
    }
    drop(listener);
    let _ = closing.send(true);
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, drained).await.is_err() {
        connections.abort_all();
    }
}

/// A failed accept: out of file descriptors or a connection reset before it
/// was taken. Waits a little, as `axum::serve` does, so the loop does not spin.
async fn accept_failed(e: &io::Error) {
    let transient = matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    );
    if !transient {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One connection, holding its `slot` until it closes.
async fn connection(
    stream: TcpStream,
    app: Router,
    _slot: OwnedSemaphorePermit,
    mut closing: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let io = TokioIo::new(StallLimited::new(stream, RESPONSE_STALL_TIMEOUT));
    let answering = Arc::new(AtomicUsize::new(0));
    let service = {
        let app = TowerToHyperService::new(app);
        let answering = answering.clone();
        hyper::service::service_fn(move |request| {
            let answer = Answering::start(&answering);
            let response = hyper::service::Service::call(&app, request);
            async move {
                let response = response.await;
                drop(answer);
                response
            }
        })
    };
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(REQUEST_HEAD_TIMEOUT)
        .serve_connection(io, service);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = closing.wait_for(|c| *c) => {}
    }
    // A connection with no request being answered (idle, or a head still
    // coming) closes now; one being answered finishes that answer.
    if answering.load(Ordering::Acquire) == 0 {
        return;
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

/// One request being answered on a connection, counted until dropped.
struct Answering(Arc<AtomicUsize>);

impl Answering {
    fn start(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::AcqRel);
        Answering(count.clone())
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A stream whose writes fail with `TimedOut` once one has made no progress
/// for `limit`: a client that stops reading cannot hold a connection.
struct StallLimited<T> {
    inner: T,
    limit: Duration,
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<T> StallLimited<T> {
    fn new(inner: T, limit: Duration) -> Self {
        StallLimited {
            inner,
            limit,
            stalled: None,
        }
    }

    /// Passes on a write's poll: progress resets the clock, waiting runs it.
    fn watch<R>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        if polled.is_ready() {
            self.stalled = None;
            return polled;
        }
        let limit = self.limit;
        let clock = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        ready!(clock.as_mut().poll(cx));
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the client took none of the response for the stall limit",
        )))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for StallLimited<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for StallLimited<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch(cx, polled)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_flush(cx);
        self.watch(cx, polled)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.watch(cx, polled)
    }
}
