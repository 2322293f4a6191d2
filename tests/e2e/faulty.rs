//! The faulty-server corpus: a raw TCP server on 127.0.0.1 that misbehaves
//! the ways real servers do — headers dribbled out forever, a body that
//! stops halfway, a 1 GiB body, a reset mid-stream, a redirect loop, two
//! Content-Length headers that disagree, a body that trickles in past the
//! check's timeout. Each ends as a precise `err` naming the symptom within
//! the request's deadline, and the run goes on.

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
        "/two-lengths" => stream.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 7\r\n\r\nhello",
        ),
        "/trickle" => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100000000\r\n\r\n");
            loop {
                std::thread::sleep(Duration::from_millis(50));
                if stream.write_all(&[b'a'; 4096]).is_err() {
                    break Ok(());
                }
            }
        }
        "/trickle.json" => {
            let host = head
                .lines()
                .find_map(|l| l.strip_prefix("host: ").or_else(|| l.strip_prefix("Host: ")))
                .unwrap_or("127.0.0.1")
                .trim()
                .to_owned();
            let body = format!(
                "{{\"version\":\"1.0.0\",\"sha256\":\"{}\",\"download_url\":\"http://{host}/trickle\",\
                 \"updated_at\":\"2026-11-25T09:30:00Z\"}}",
                "0".repeat(64)
            );
            stream.write_all(
                format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len())
                    .as_bytes(),
            )
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

#[test]
fn conflicting_content_lengths_are_a_malformed_response_not_a_connection_error() {
    let r = probe("/two-lengths");
    r.expect("probe.fetch", "err", "invalid: the response from http://");
    r.expect(
        "probe.fetch",
        "err",
        "/two-lengths is malformed: its Content-Length headers conflict or do not parse",
    );
}

/// A download whose body is still arriving when the check's timeout passes
/// says so, with the URL and the bytes received.
#[test]
fn a_check_timing_out_while_the_body_arrives_says_so() {
    let url = faulty_server();
    let toml = format!(
        "check-timeout = \"2s\"\n[plugins.release]\npath = \"@release@\"\nallow-hosts = [\"{url}\"]\n\
         [plugins.release.config]\nmanifest_url = \"{url}/trickle.json\"\n"
    );
    let r = run(&suite(&toml, "").path, &[]);
    r.expect("release.manifest.shape", "ok", "version 1.0.0");
    let line = r.line("release.binary.matches_manifest");
    assert!(
        line.contains("timed out after 2000 ms (check timeout) while")
            && line.contains(&format!("the body of {url}/trickle"))
            && line.contains("still arriving (")
            && !line.contains("plugin's own code"),
        "{}",
        r.stdout
    );
}
