//! Raw HTTP/1.1 over a `TcpStream`, for the tests of `plume monitor`'s
//! listener: half requests that stall, connections held open, answers read
//! to the peer's close.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Half a request head: a line and a header, never ended.
pub const HALF_HEAD: &str = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";

/// A connection that has sent `bytes` and then nothing more.
pub fn open(addr: &str, bytes: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).expect("connect to the monitor");
    stream.write_all(bytes.as_bytes()).expect("send");
    stream
}

/// Reads until the peer closes or `within` passes: what came, and whether it closed.
pub fn read_to_close(stream: &mut TcpStream, within: Duration) -> (String, bool) {
    let deadline = Instant::now() + within;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return (String::from_utf8_lossy(&got).into_owned(), false);
        }
        stream.set_read_timeout(Some(left)).expect("read timeout");
        match stream.read(&mut buf) {
            Ok(0) => return (String::from_utf8_lossy(&got).into_owned(), true),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return (String::from_utf8_lossy(&got).into_owned(), false);
            }
            Err(_) => return (String::from_utf8_lossy(&got).into_owned(), true),
        }
    }
}

/// Sends one whole request (`Connection: close`) with `headers`: status and body.
pub fn raw_get(addr: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut head = format!("GET {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = open(addr, &head);
    let (answer, closed) = read_to_close(&mut stream, Duration::from_secs(30));
    assert!(closed, "no whole answer to {path}: {answer}");
    status_and_body(&answer)
}

pub fn status_and_body(answer: &str) -> (u16, String) {
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"));
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, body.to_owned())
}
