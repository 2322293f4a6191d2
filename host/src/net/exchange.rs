//! One exchange with a server on a plugin's behalf: send under the
//! allow-list (following redirects hop by hop, each hop checked), read the
//! body under its cap and deadline, and say what went wrong in the
//! contract's error kinds (`kind: message`, as the WIT's `http-error` states).

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, LOCATION};
use reqwest::{Method, StatusCode};
use url::Url;

use crate::limits::{REQUEST_HEADER_BYTES_MAX, REQUEST_HEADERS_MAX};
use crate::net::clients::HttpSettings;
use crate::net::message::{Headers, HttpError, RedirectPolicy, Request, Response};
use crate::net::policy::AllowList;

/// Sends `req` (following redirects as it asks) and returns the response
/// whose body is still to be read, with the time the headers took.
pub async fn exchange(
    client: &reqwest::Client,
    allow: &AllowList,
    req: &Request,
) -> Result<reqwest::Response, HttpError> {
    let mut method = Method::from_bytes(req.method.as_bytes())
        .map_err(|_| HttpError::Invalid(format!("bad method {:?}", req.method)))?;
    let mut url = Url::parse(&req.url)
        .map_err(|e| HttpError::Invalid(format!("bad url {:?}: {e}", req.url)))?;
    let mut headers = header_map(&req.headers)?;
    let mut body = req.body.clone();
    let max_hops = match req.redirects {
        RedirectPolicy::None => 0,
        RedirectPolicy::Follow(n) => n,
    };
    let mut hops = 0u8;
    loop {
        allow.check(&url).map_err(HttpError::Denied)?;
        check_virtual_host(allow, &url, &headers)?;
        let mut builder = client
            .request(method.clone(), url.clone())
            .headers(headers.clone());
        if let Some(b) = &body {
            builder = builder.body(b.clone());
        }
        let response = builder.send().await.map_err(|e| classify(&e))?;
        let status = response.status();
        let location = response.headers().get(LOCATION).cloned();
        let (true, Some(location)) = (status.is_redirection(), location) else {
            return Ok(response);
        };
        if matches!(req.redirects, RedirectPolicy::None) {
            return Ok(response);
        }
        if hops >= max_hops {
            return Err(HttpError::Invalid(format!(
                "more than {max_hops} redirects (last hop {status} from {url})"
            )));
        }
        hops += 1;
        let next = location
            .to_str()
            .ok()
            .and_then(|l| url.join(l).ok())
            .ok_or_else(|| HttpError::Invalid(format!("bad Location header from {url}")))?;
        if next.origin() != url.origin() {
            headers.remove(reqwest::header::AUTHORIZATION);
            headers.remove(reqwest::header::COOKIE);
            headers.remove(reqwest::header::HOST);
        }
        let keeps_method = matches!(
            status,
            StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
        );
        if !keeps_method && method != Method::HEAD {
            method = Method::GET;
            body = None;
        }
        url = next;
    }
}

/// Reads a whole body, failing with `too-large` past `cap` bytes.
pub async fn read_capped(
    response: &mut reqwest::Response,
    cap: usize,
) -> Result<Vec<u8>, HttpError> {
    if let Some(len) = response.content_length()
        && len > cap as u64
    {
        return Err(too_large(cap as u64, &format!("Content-Length {len}")));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| body_error(&e, response, body.len() as u64))?
    {
        if body.len() + chunk.len() > cap {
            return Err(too_large(
                cap as u64,
                &format!("more than {cap} bytes received"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Sends a request and reads its body: what `send` and deferred cleanups do.
pub async fn send_request(
    client: &reqwest::Client,
    allow: &AllowList,
    settings: &HttpSettings,
    req: &Request,
) -> Result<Response, HttpError> {
    let limit = deadline(settings, req.timeout_ms);
    let start = Instant::now();
    let work = async {
        let mut response = exchange(client, allow, req).await?;
        let body = read_capped(&mut response, settings.max_body).await?;
        Ok(Response {
            status: response.status().as_u16(),
            headers: headers_of(response.headers()),
            body,
            elapsed_ms: millis(start.elapsed()),
        })
    };
    tokio::time::timeout(limit, work)
        .await
        .unwrap_or_else(|_| Err(timeout_error(limit, &req.url)))
}

pub fn deadline(settings: &HttpSettings, timeout_ms: Option<u32>) -> Duration {
    timeout_ms
        .map(|ms| Duration::from_millis(u64::from(ms)))
        .unwrap_or(settings.default_timeout)
}

pub fn timeout_error(limit: Duration, url: &str) -> HttpError {
    HttpError::Timeout(format!(
        "no complete response from {url} within {} ms",
        limit.as_millis()
    ))
}

pub fn too_large(cap: u64, what: &str) -> HttpError {
    HttpError::TooLarge(format!("body over the {cap}-byte cap ({what})"))
}

/// Maps a client error onto the contract's error kinds: its root cause and
/// the URL (`connect: Connection refused (os error 111) for http://...`).
pub fn classify(e: &reqwest::Error) -> HttpError {
    let mut causes: Vec<String> = Vec::new();
    let mut tls = false;
    let mut certificate = None;
    let mut malformed = None;
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(refused) = rustls_error(s) {
            tls = true;
            certificate = Some(crate::net::tls_words::in_words(refused, None));
        }
        if let Some(h) = s.downcast_ref::<hyper::Error>()
            && h.is_parse()
        {
            malformed = Some(malformed_response(h));
        }
        causes.push(s.to_string());
        source = s.source();
    }
    let blocked = causes_blocked(e);
    let root =
        certificate.unwrap_or_else(|| causes.last().cloned().unwrap_or_else(|| e.to_string()));
    let url = e.url().map(ToString::to_string);
    let text = match &url {
        Some(url) => format!("{root} for {url}"),
        None => root,
    };
    if let Some(why) = malformed {
        let from = url.map(|u| format!(" from {u}")).unwrap_or_default();
        HttpError::Invalid(format!("the response{from} is malformed: {why}"))
    } else if let Some(blocked) = blocked {
        HttpError::Denied(blocked)
    } else if e.is_timeout() {
        HttpError::Timeout(text)
    } else if tls || causes.iter().any(|c| c.contains("certificate")) {
        HttpError::Tls(text)
    } else if e.is_builder() {
        HttpError::Invalid(text)
    } else {
        HttpError::Connect(text)
    }
}

/// The TLS error `e` is, or carries: the TLS stream reports it wrapped in
/// an `io::Error` (the connector in another), whose `source` skips it.
fn rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut at: &(dyn std::error::Error + 'static) = e;
    loop {
        if let Some(refused) = at.downcast_ref::<rustls::Error>() {
            return Some(refused);
        }
        let inner = at.downcast_ref::<std::io::Error>()?.get_ref()?;
        at = inner;
    }
}

/// What is wrong with a response head the client refused to parse.
fn malformed_response(e: &hyper::Error) -> String {
    let text = e.to_string();
    if text.contains("content-length") {
        "its Content-Length headers conflict or do not parse, and HTTP/1.1 clients must refuse \
         such a response (RFC 9112 §6.3)"
            .to_owned()
    } else {
        text
    }
}

/// An error while reading a body whose headers had arrived (`response`).
pub fn body_error(e: &reqwest::Error, response: &reqwest::Response, received: u64) -> HttpError {
    broken_body(
        e,
        response.url().as_str(),
        response.status().as_u16(),
        received,
    )
}

/// An error while reading the body of a `status` answer from `url` after
/// `received` bytes. A broken connection stays the contract's `connect`
/// kind — a variant's cases are closed in the component model, so a new
/// `body` case would stop every 0.1.x plugin from loading — and its message
/// starts with `body:` and says how far the body got:
/// `connect: body: broke after 3145728 bytes of a 200 answer from http://…: connection closed before message completed`.
pub fn broken_body(e: &reqwest::Error, url: &str, status: u16, received: u64) -> HttpError {
    match classify(e) {
        HttpError::Connect(_) => HttpError::Connect(format!(
            "body: broke after {received} bytes of a {status} answer from {url}: {}",
            root_cause(e)
        )),
        other => other,
    }
}

/// The innermost cause of a client error, as text.
fn root_cause(e: &reqwest::Error) -> String {
    let mut root = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        root = s.to_string();
        source = s.source();
    }
    root
}

/// The resolver's refusal, if that is why the request failed.
fn causes_blocked(e: &reqwest::Error) -> Option<String> {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(b) = s.downcast_ref::<crate::net::policy::BlockedAddresses>() {
            return Some(b.to_string());
        }
        source = s.source();
    }
    None
}

/// `kind: message` for an HTTP error (`connect: ...`): the one-line form stated
/// in the doc of `http-error` in `wit/plume.wit`.
pub fn describe_error(e: &HttpError) -> String {
    match e {
        HttpError::Timeout(m) => format!("timeout: {m}"),
        HttpError::Connect(m) => format!("connect: {m}"),
        HttpError::Tls(m) => format!("tls: {m}"),
        HttpError::Denied(m) => format!("denied: {m}"),
        HttpError::TooLarge(m) => format!("too-large: {m}"),
        HttpError::Invalid(m) => format!("invalid: {m}"),
    }
}

/// Headers the host sets itself: framing and the connection are the
/// client's, so a plugin cannot desynchronise a pooled connection.
const HOST_OWNED: [&str; 6] = [
    "connection",
    "content-length",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
];

/// A plugin's request headers as a map; refused (`invalid`) past
/// [`REQUEST_HEADERS_MAX`] or [`REQUEST_HEADER_BYTES_MAX`], or naming a header the host sets.
pub fn header_map(headers: &Headers) -> Result<HeaderMap, HttpError> {
    if headers.len() > REQUEST_HEADERS_MAX {
        return Err(HttpError::Invalid(format!(
            "{} request headers; at most {REQUEST_HEADERS_MAX}",
            headers.len()
        )));
    }
    let bytes: usize = headers.iter().map(|(k, v)| k.len() + v.len()).sum();
    if bytes > REQUEST_HEADER_BYTES_MAX {
        return Err(HttpError::Invalid(format!(
            "request headers of {bytes} bytes; at most {REQUEST_HEADER_BYTES_MAX}"
        )));
    }
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| HttpError::Invalid(format!("bad header name {name:?}")))?;
        if HOST_OWNED.contains(&name.as_str()) {
            return Err(HttpError::Invalid(format!(
                "header {name} is set by the host, not by a plugin"
            )));
        }
        let value = HeaderValue::from_str(value)
            .map_err(|_| HttpError::Invalid(format!("bad value for header {name}")))?;
        map.try_append(name, value)
            .map_err(|_| HttpError::Invalid("too many request headers".to_owned()))?;
    }
    Ok(map)
}

/// A `host` header names the virtual host a shared server routes to, so it
/// must pass the allow-list as the URL's host does (`https://127.0.0.1`
/// with `host: app.example` reaches `app.example` only when that is
/// allowed).
fn check_virtual_host(allow: &AllowList, url: &Url, headers: &HeaderMap) -> Result<(), HttpError> {
    let Some(value) = headers.get(reqwest::header::HOST) else {
        return Ok(());
    };
    let named = value
        .to_str()
        .ok()
        .and_then(|host| Url::parse(&format!("{}://{host}/", url.scheme())).ok())
        .filter(|named| {
            named.host().is_some()
                && named.username().is_empty()
                && named.password().is_none()
                && named.path() == "/"
                && named.query().is_none()
                && named.fragment().is_none()
        })
        .ok_or_else(|| HttpError::Invalid(format!("bad value for header host: {value:?}")))?;
    allow
        .check(&named)
        .map_err(|e| HttpError::Denied(format!("header host: {e}")))
}

/// Response headers as the contract carries them (names lowercase).
pub fn headers_of(map: &HeaderMap) -> Headers {
    map.iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

pub fn millis(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

/// The exchange driven directly against a real server on 127.0.0.1, with no
/// guest: what is allowed goes out, what is not never leaves, caps hold.
#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::routing::get;

    use super::*;
    use crate::net::clients::client_builder;

    /// Serves `/ok`, `/big` (64 KiB) and `/away` (a redirect to `away`);
    /// returns its base URL and the paths it was asked for.
    async fn serve(away: &str) -> (String, Arc<Mutex<Vec<String>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let away = away.to_owned();
        let app = Router::new()
            .route("/ok", get(|| async { "fine" }))
            .route("/big", get(|| async { vec![b'x'; 64 * 1024] }))
            .route(
                "/away",
                get(move || async move { (StatusCode::FOUND, [(LOCATION, away.clone())], "") }),
            )
            .layer(axum::middleware::from_fn(
                move |req: axum::extract::Request, next: axum::middleware::Next| {
                    log.lock().unwrap().push(req.uri().path().to_owned());
                    next.run(req)
                },
            ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (base, seen)
    }

    fn get_request(url: &str, follow: u8) -> Request {
        Request {
            method: "GET".into(),
            url: url.into(),
            headers: vec![],
            body: None,
            timeout_ms: Some(5_000),
            redirects: RedirectPolicy::Follow(follow),
        }
    }

    #[tokio::test]
    async fn allowed_requests_go_out_and_others_never_leave() {
        let (base, seen) = serve("http://127.0.0.1:9/elsewhere").await;
        let client = client_builder(&[]).unwrap().build().unwrap();
        let allow = AllowList::parse(std::slice::from_ref(&base)).unwrap();
        let settings = HttpSettings {
            max_body: 1024,
            ..HttpSettings::default()
        };

        let ok = send_request(
            &client,
            &allow,
            &settings,
            &get_request(&format!("{base}/ok"), 0),
        )
        .await
        .unwrap();
        assert_eq!((ok.status, ok.body.as_slice()), (200, &b"fine"[..]));

        let elsewhere = get_request("http://127.0.0.1:9/ok", 0);
        let denied = send_request(&client, &allow, &settings, &elsewhere).await;
        assert!(matches!(denied, Err(HttpError::Denied(_))), "{denied:?}");

        let big = send_request(
            &client,
            &allow,
            &settings,
            &get_request(&format!("{base}/big"), 0),
        )
        .await;
        assert!(matches!(big, Err(HttpError::TooLarge(_))), "{big:?}");

        // The redirect's next hop is checked before it is sent.
        let hop = send_request(
            &client,
            &allow,
            &settings,
            &get_request(&format!("{base}/away"), 3),
        )
        .await;
        let Err(HttpError::Denied(why)) = hop else {
            panic!("{hop:?}")
        };
        assert!(why.contains("127.0.0.1:9"), "{why}");
        assert_eq!(*seen.lock().unwrap(), ["/ok", "/big", "/away"]);
    }

    #[tokio::test]
    async fn request_headers_are_bounded_and_a_virtual_host_must_be_allowed() {
        let (base, seen) = serve("/ok").await;
        let client = client_builder(&[]).unwrap().build().unwrap();
        let allow = AllowList::parse(std::slice::from_ref(&base)).unwrap();
        let settings = HttpSettings::default();
        let with = |headers: Vec<(String, String)>| Request {
            headers,
            ..get_request(&format!("{base}/ok"), 0)
        };
        let send = |req: Request| {
            let (client, allow, settings) = (&client, &allow, &settings);
            async move { send_request(client, allow, settings, &req).await }
        };

        let long = vec![("x-long".to_owned(), "v".repeat(REQUEST_HEADER_BYTES_MAX))];
        let Err(HttpError::Invalid(why)) = send(with(long)).await else {
            panic!("a header past the byte bound went out")
        };
        assert_eq!(why, "request headers of 65542 bytes; at most 65536");

        let many = (0..=REQUEST_HEADERS_MAX)
            .map(|i| (format!("x-h{i}"), "v".to_owned()))
            .collect();
        let Err(HttpError::Invalid(why)) = send(with(many)).await else {
            panic!("a request past the header count bound went out")
        };
        assert_eq!(why, "257 request headers; at most 256");

        let authority = base.trim_start_matches("http://").to_owned();
        let same = send(with(vec![("host".into(), authority)])).await.unwrap();
        assert_eq!(same.status, 200);

        let bad = send(with(vec![("host".into(), "a.example/path".into())])).await;
        let Err(HttpError::Invalid(why)) = bad else {
            panic!("{bad:?}")
        };
        assert!(why.starts_with("bad value for header host"), "{why}");

        let other = send(with(vec![("host".into(), "admin.internal".into())])).await;
        assert!(matches!(other, Err(HttpError::Denied(_))), "{other:?}");
        assert_eq!(*seen.lock().unwrap(), ["/ok"]);
    }
}
