//! Which requests the monitor answers at all: one axum layer over the whole
//! router, so every route (and the 404 fallback) is behind it, including
//! routes added later.
//!
//! - `Host` must name this monitor: `localhost`, a loopback address
//!   (`127.0.0.1`, `[::1]`), and, with `--allow-remote`, any IP address and
//!   the names given as `--allow-remote=NAME`. The port is not compared (a
//!   port-forward or a proxy changes it; a browser cannot forge the name). A
//!   page whose own name was re-pointed at this machine (DNS rebinding) sends
//!   its own name and is refused with `421`.
//! - A browser's cross-site or same-site request is refused with `403` before
//!   any handler runs, so a page can neither read an answer nor start a run:
//!   `Sec-Fetch-Site` must be absent, `same-origin` or `none`, and `Origin`,
//!   when sent, must be `http(s)://` plus this very request's `Host`.
//!   Prometheus and curl send neither header.
//!
//! Each refusal is one line of plain text saying what to change.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Loopback names every monitor answers to.
const LOOPBACK_NAMES: [&str; 1] = ["localhost"];

/// Who may reach the listener by which name.
#[derive(Debug, Clone, Default)]
pub struct Admission {
    /// `--allow-remote` given (bare or with names): any IP address is a name.
    pub remote: bool,
    /// The names given as `--allow-remote=NAME`, lower case.
    pub names: Vec<String>,
}

/// Why a request is refused: its status and its line.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub line: String,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (
            self.status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{}\n", self.line),
        )
            .into_response()
    }
}

/// A `--allow-remote=NAME` value: a DNS name, lower-cased; one line on error.
pub fn host_name(text: &str) -> Result<String, String> {
    let name = text.trim().to_ascii_lowercase();
    let valid = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if valid {
        Ok(name)
    } else {
        Err(format!(
            "{:?} is not a host name: give the name clients reach the monitor by, e.g. --allow-remote=monitor.internal (no scheme, port or path)",
            crate::text::shown(text, 128)
        ))
    }
}

fn forbidden(line: String) -> Refusal {
    Refusal {
        status: StatusCode::FORBIDDEN,
        line,
    }
}

/// The name part of a `Host` value (`[::1]:9464` → `::1`), lower-cased;
/// `None` when it is not `name[:port]`.
fn name_of(host: &str) -> Option<String> {
    let authority: axum::http::uri::Authority = host.parse().ok()?;
    if authority.as_str().contains('@') {
        return None;
    }
    let name = authority.host();
    let name = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    Some(name.to_ascii_lowercase())
}

impl Admission {
    fn admits_name(&self, name: &str) -> bool {
        if let Ok(ip) = name.parse::<IpAddr>() {
            return ip.is_loopback() || self.remote;
        }
        LOOPBACK_NAMES.contains(&name) || self.names.iter().any(|n| n == name)
    }

    fn names_line(&self) -> String {
        let mut names = vec!["localhost", "127.0.0.1", "[::1]"];
        if self.remote {
            names.push("any IP address");
        }
        names.extend(self.names.iter().map(String::as_str));
        names.join(", ")
    }

    /// The request's `Host`, checked; then its browser headers.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let Some(host) = headers.get(header::HOST) else {
            return Err(Refusal {
                status: StatusCode::BAD_REQUEST,
                line: "the request has no Host header: send the name you reach the monitor by (HTTP/1.1 clients do)".to_owned(),
            });
        };
        let host = host.to_str().unwrap_or("");
        let named = name_of(host).filter(|name| self.admits_name(name));
        if named.is_none() {
            return Err(Refusal {
                status: StatusCode::MISDIRECTED_REQUEST,
                line: format!(
                    "Host {:?} is not a name of this monitor (it answers to {}); add --allow-remote=NAME for a name it is reached by",
                    crate::text::shown(host, 128),
                    self.names_line()
                ),
            });
        }
        cross_site(headers, host)
    }
}

/// Refuses what a browser marks as coming from another page's site or origin.
fn cross_site(headers: &HeaderMap, host: &str) -> Result<(), Refusal> {
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or("");
        if !matches!(site, "same-origin" | "none") {
            return Err(forbidden(format!(
                "cross-site request refused (Sec-Fetch-Site: {}): the monitor answers Prometheus, command-line clients and its own pages, not other sites' pages",
                crate::text::shown(site, 64)
            )));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let own = ["http://", "https://"].iter().any(|scheme| {
            origin
                .strip_prefix(scheme)
                .is_some_and(|rest| rest.eq_ignore_ascii_case(host))
        });
        if !own {
            return Err(forbidden(format!(
                "request from another origin refused (Origin: {}): the monitor answers only pages of http://{}",
                crate::text::shown(origin, 128),
                crate::text::shown(host, 128)
            )));
        }
    }
    Ok(())
}

/// The layer's function: refuses, or passes the request on untouched.
pub async fn admit(
    State(admission): State<Arc<Admission>>,
    request: Request,
    next: Next,
) -> Response {
    match admission.check(request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().expect("header value"));
        }
        map
    }

    fn status(admission: &Admission, pairs: &[(&'static str, &str)]) -> Option<u16> {
        admission
            .check(&headers(pairs))
            .err()
            .map(|r| r.status.as_u16())
    }

    #[test]
    fn loopback_names_pass_others_are_misdirected() {
        let local = Admission::default();
        for host in [
            "localhost:9464",
            "127.0.0.1:9464",
            "[::1]:9464",
            "LOCALHOST",
            "127.0.0.2:1",
        ] {
            assert_eq!(status(&local, &[("host", host)]), None, "{host}");
        }
        for host in [
            "evil.example:9464",
            "10.0.0.5:9464",
            "localhost.evil.example",
            "user@localhost",
            "",
        ] {
            assert_eq!(status(&local, &[("host", host)]), Some(421), "{host}");
        }
        assert_eq!(status(&local, &[]), Some(400));
    }

    #[test]
    fn allow_remote_adds_addresses_and_the_names_given() {
        let remote = Admission {
            remote: true,
            names: vec!["monitor.internal".into()],
        };
        for host in [
            "10.0.0.5:9464",
            "[fd00::1]:9464",
            "Monitor.Internal:9464",
            "monitor.internal",
        ] {
            assert_eq!(status(&remote, &[("host", host)]), None, "{host}");
        }
        assert_eq!(status(&remote, &[("host", "evil.example:9464")]), Some(421));
        assert_eq!(
            status(&remote, &[("host", "monitor.internal.evil.example")]),
            Some(421)
        );
    }

    #[test]
    fn cross_site_browser_requests_are_forbidden_own_pages_pass() {
        let local = Admission::default();
        let host = ("host", "127.0.0.1:9464");
        for pair in [
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-site", "same-site"),
            ("origin", "http://evil.example"),
            ("origin", "null"),
            ("origin", "http://127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:9464.evil.example"),
        ] {
            assert_eq!(status(&local, &[host, pair]), Some(403), "{pair:?}");
        }
        for pair in [
            ("sec-fetch-site", "same-origin"),
            ("sec-fetch-site", "none"),
            ("origin", "http://127.0.0.1:9464"),
        ] {
            assert_eq!(status(&local, &[host, pair]), None, "{pair:?}");
        }
    }

    #[test]
    fn allow_remote_names_are_dns_names() {
        assert_eq!(
            host_name("Monitor.Internal").as_deref(),
            Ok("monitor.internal")
        );
        for bad in ["", "http://x", "x:9464", "a..b", "-a.b", "x/y", "a b"] {
            assert!(host_name(bad).is_err(), "{bad}");
        }
    }
}
