//! `plume:check/http`: requests on a plugin's behalf, under its allow-list.
//!
//! Redirects are followed here, not by the HTTP client, so every hop is
//! checked against the allow-list before it is sent. Bodies are read under a
//! size cap; `open` hands the body over chunk by chunk with a deadline per
//! read; `fetch-digest` hashes the body as it streams and never buffers it.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, LOCATION};
use reqwest::{Method, StatusCode};
use sha2::{Digest, Sha256};
use tokio::sync::OwnedSemaphorePermit;
use url::Url;
use wasmtime::component::Resource;

use crate::bindings::http::{
    Chunk, DigestResponse, Headers, Host, HostBodyStream, HttpError, RedirectPolicy, Request,
    Response, ResponseHead,
};
use crate::egress::AllowList;
use crate::state::{HttpSettings, PluginNet, StoreState};

/// A streamed response body held for the guest.
pub struct BodyStream {
    response: reqwest::Response,
    /// Bytes received but not yet handed over (a chunk larger than the read asked for).
    pending: bytes::Bytes,
    /// The connection slot the stream holds until the guest drops it.
    _slot: OwnedSemaphorePermit,
}

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
    while let Some(chunk) = response.chunk().await.map_err(|e| classify(&e))? {
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

fn deadline(settings: &HttpSettings, timeout_ms: Option<u32>) -> Duration {
    timeout_ms
        .map(|ms| Duration::from_millis(u64::from(ms)))
        .unwrap_or(settings.default_timeout)
}

fn timeout_error(limit: Duration, url: &str) -> HttpError {
    HttpError::Timeout(format!(
        "no complete response from {url} within {} ms",
        limit.as_millis()
    ))
}

fn too_large(cap: u64, what: &str) -> HttpError {
    HttpError::TooLarge(format!("body over the {cap}-byte cap ({what})"))
}

/// Maps a client error onto the contract's error kinds: its root cause and
/// the URL (`connect: Connection refused (os error 111) for http://...`).
pub fn classify(e: &reqwest::Error) -> HttpError {
    let mut causes: Vec<String> = Vec::new();
    let mut tls = false;
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        tls |= s.downcast_ref::<rustls::Error>().is_some();
        causes.push(s.to_string());
        source = s.source();
    }
    let blocked = causes_blocked(e);
    let root = causes.last().cloned().unwrap_or_else(|| e.to_string());
    let text = match e.url() {
        Some(url) => format!("{root} for {url}"),
        None => root,
    };
    if let Some(blocked) = blocked {
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

/// The resolver's refusal, if that is why the request failed.
fn causes_blocked(e: &reqwest::Error) -> Option<String> {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(b) = s.downcast_ref::<crate::egress::BlockedAddresses>() {
            return Some(b.to_string());
        }
        source = s.source();
    }
    None
}

/// `kind: message` for an HTTP error.
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

fn header_map(headers: &Headers) -> Result<HeaderMap, HttpError> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| HttpError::Invalid(format!("bad header name {name:?}")))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| HttpError::Invalid(format!("bad value for header {name}")))?;
        map.append(name, value);
    }
    Ok(map)
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

fn millis(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

impl StoreState {
    fn trace<T>(
        &mut self,
        req: &Request,
        start: Instant,
        result: &Result<T, HttpError>,
        status: Option<u16>,
    ) {
        let took = start.elapsed().as_millis();
        if let Err(HttpError::Denied(_)) = result {
            self.run.ledger.denied();
        }
        let line = match (result, status) {
            (Ok(_), Some(s)) => format!("{} {} -> {s} in {took} ms", req.method, req.url),
            (Ok(_), None) => format!("{} {} in {took} ms", req.method, req.url),
            (Err(e), _) => format!(
                "{} {} -> {} after {took} ms",
                req.method,
                req.url,
                describe_error(e)
            ),
        };
        self.log("trace", &line);
    }
}

impl StoreState {
    /// This plugin's client and connection slots.
    fn net(&self) -> Result<PluginNet, HttpError> {
        self.run
            .clients
            .for_plugin(&self.plugin, self.run.http.max_connections)
            .map_err(HttpError::Invalid)
    }
}

/// Waits, within `limit`, for one of the plugin's connection slots.
async fn slot(
    net: &PluginNet,
    limit: Duration,
    cap: usize,
) -> Result<OwnedSemaphorePermit, HttpError> {
    match tokio::time::timeout(limit, net.slots.clone().acquire_owned()).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(_)) => Err(HttpError::Invalid(
            "the plugin's connection slots are closed".to_owned(),
        )),
        Err(_) => Err(HttpError::Timeout(format!(
            "all {cap} connections of this plugin stayed busy for {} ms (max-connections)",
            limit.as_millis()
        ))),
    }
}

impl Host for StoreState {
    async fn send(&mut self, req: Request) -> wasmtime::Result<Result<Response, HttpError>> {
        let start = Instant::now();
        let run = self.run.clone();
        let limit = deadline(&run.http, req.timeout_ms);
        let result = match self.net() {
            Ok(net) => match slot(&net, limit, run.http.max_connections).await {
                Ok(_permit) => send_request(&net.client, &self.plugin.allow, &run.http, &req).await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        let status = result.as_ref().ok().map(|r| r.status);
        self.trace(&req, start, &result, status);
        Ok(result)
    }

    async fn open(
        &mut self,
        req: Request,
    ) -> wasmtime::Result<Result<(ResponseHead, Resource<BodyStream>), HttpError>> {
        let start = Instant::now();
        let run = self.run.clone();
        let limit = deadline(&run.http, req.timeout_ms);
        let net = self.net();
        let work = async {
            let net = net?;
            let permit = slot(&net, limit, run.http.max_connections).await?;
            let response = exchange(&net.client, &self.plugin.allow, &req).await?;
            Ok((permit, response))
        };
        let result = tokio::time::timeout(limit, work).await.unwrap_or_else(|_| {
            Err(HttpError::Timeout(format!(
                "no response headers from {} within {} ms",
                req.url,
                limit.as_millis()
            )))
        });
        let status = result.as_ref().ok().map(|(_, r)| r.status().as_u16());
        self.trace(&req, start, &result, status);
        let (permit, response) = match result {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        let head = ResponseHead {
            status: response.status().as_u16(),
            headers: headers_of(response.headers()),
            elapsed_ms: millis(start.elapsed()),
        };
        let stream = self.table.push(BodyStream {
            response,
            pending: bytes::Bytes::new(),
            _slot: permit,
        })?;
        Ok(Ok((head, stream)))
    }

    async fn fetch_digest(
        &mut self,
        req: Request,
    ) -> wasmtime::Result<Result<DigestResponse, HttpError>> {
        let start = Instant::now();
        let run = self.run.clone();
        let limit = deadline(&run.http, req.timeout_ms);
        let cap = run.http.max_digest_body;
        let net = self.net();
        let work = async {
            let net = net?;
            let _permit = slot(&net, limit, run.http.max_connections).await?;
            let mut response = exchange(&net.client, &self.plugin.allow, &req).await?;
            let mut hasher = Sha256::new();
            let mut bytes = 0u64;
            while let Some(chunk) = response.chunk().await.map_err(|e| classify(&e))? {
                bytes += chunk.len() as u64;
                if bytes > cap {
                    return Err(too_large(cap, &format!("more than {cap} bytes received")));
                }
                hasher.update(&chunk);
            }
            Ok(DigestResponse {
                status: response.status().as_u16(),
                headers: headers_of(response.headers()),
                bytes,
                sha256: hex::encode(hasher.finalize()),
                elapsed_ms: millis(start.elapsed()),
            })
        };
        let result = tokio::time::timeout(limit, work)
            .await
            .unwrap_or_else(|_| Err(timeout_error(limit, &req.url)));
        let status = result.as_ref().ok().map(|r| r.status);
        self.trace(&req, start, &result, status);
        Ok(result)
    }
}

impl HostBodyStream for StoreState {
    async fn read(
        &mut self,
        stream: Resource<BodyStream>,
        max_bytes: u32,
        timeout_ms: u32,
    ) -> wasmtime::Result<Result<Chunk, HttpError>> {
        let max = usize::try_from(max_bytes.max(1)).unwrap_or(usize::MAX);
        let body = self.table.get_mut(&stream)?;
        if body.pending.is_empty() {
            let wait = Duration::from_millis(u64::from(timeout_ms));
            match tokio::time::timeout(wait, body.response.chunk()).await {
                Err(_) => return Ok(Ok(Chunk::Idle)),
                Ok(Err(e)) => return Ok(Err(classify(&e))),
                Ok(Ok(None)) => return Ok(Ok(Chunk::End)),
                Ok(Ok(Some(bytes))) => body.pending = bytes,
            }
        }
        let take = max.min(body.pending.len());
        let data = body.pending.split_to(take);
        Ok(Ok(Chunk::Data(data.to_vec())))
    }

    async fn drop(&mut self, stream: Resource<BodyStream>) -> wasmtime::Result<()> {
        self.table.delete(stream)?;
        Ok(())
    }
}
