//! The faulty-server corpus: a raw TCP server on 127.0.0.1 that misbehaves
//! the ways real servers do — headers dribbled out forever, a body that
//! stops halfway, a 1 GiB body, a reset mid-stream, a redirect loop. Each
//! ends as a precise `err` within the request's deadline, and the run goes on.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::Duration;

use crate::support::harness::{run, suite};

/// Serves each connection by the path of its request line.
fn faulty_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream));
        }
    });
    format!("http://{addr}")
}

fn serve(mut stream: TcpStream) {
    let mut request = [0u8; 4096];
    let n = stream.read(&mut request).unwrap_or(0);
    let head = String::from_utf8_lossy(&request[..n]).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let _ = match path.as_str() {
        "/slowloris" => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\n");
            loop {
                std::thread::sleep(Duration::from_millis(300));
                if stream.write_all(b"X").is_err() {
                    break Ok(());
                }
            }
        }
        "/half" => stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n")
            .and_then(|()| stream.write_all(&[b'a'; 500]))
            .and_then(|()| stream.shutdown(Shutdown::Both)),
        "/huge" => stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1073741824\r\n\r\n"),
        "/reset" => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n");
            let _ = stream.write_all(&[b'a'; 1000]);
            // SO_LINGER 0: closing sends a reset instead of a clean end.
            let _ = socket_linger_zero(&stream);
            drop(stream);
            Ok(())
        }
        _ => stream.write_all(
            format!("HTTP/1.1 302 Found\r\nlocation: {path}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n")
                .as_bytes(),
        ),
    };
}

fn socket_linger_zero(stream: &TcpStream) -> std::io::Result<()> {
    socket2::SockRef::from(stream).set_linger(Some(Duration::ZERO))
}

fn probe(path: &str) -> crate::support::harness::Run {
    let url = faulty_server();
    let toml = format!(
        r#"
check-timeout = "5s"
[plugins.hostile]
path = "@hostile@"
allow-hosts = ["{url}"]
config = {{ base_url = "{url}", probe_url = "{url}{path}" }}
"#
    );
    run(&suite(&toml, "").path, &["--only", "probe"])
}

#[test]
fn headers_that_never_finish_time_out() {
    probe("/slowloris").expect("probe.fetch", "err", "timeout: no complete response from");
}

#[test]
fn a_body_that_stops_halfway_is_a_connection_error() {
    let r = probe("/half");
    r.expect(
        "probe.fetch",
        "err",
        "connect: body: broke after 500 bytes of a 200 answer from http://",
    );
    r.expect(
        "probe.fetch",
        "err",
        "/half: end of file before message length reached",
    );
}

#[test]
fn a_one_gib_body_is_refused_by_the_cap() {
    probe("/huge").expect(
        "probe.fetch",
        "err",
        "too-large: body over the 16777216-byte cap (Content-Length 1073741824)",
    );
}

#[test]
fn a_reset_mid_stream_is_a_connection_error() {
    let r = probe("/reset");
    r.expect(
        "probe.fetch",
        "err",
        "connect: body: broke after 1000 bytes of a 200 answer from http://",
    );
    r.expect("probe.fetch", "err", "/reset: Connection reset by peer");
}

#[test]
fn a_redirect_loop_is_capped() {
    probe("/loop").expect(
        "probe.fetch",
        "err",
        "invalid: more than 5 redirects (last hop 302 Found from ",
    );
}
