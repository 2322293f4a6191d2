//! `plume:check/http`: the WIT's door to [`crate::net`].
//!
//! Each call takes one of the plugin's connection slots, runs the exchange
//! under the plugin's allow-list and deadline ([`crate::net::exchange`]), and
//! leaves a trace line. `open` hands the body over chunk by chunk with a
//! deadline per read; `fetch-digest` hashes the body as it streams and never
//! buffers it. [`HttpView`] is all it reaches of the Store.

use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::component::{HasData, Resource, ResourceTable};

use crate::engine::bindings::http::{
    Chunk, DigestResponse, Host, HostBodyStream, HttpError as WitHttpError, Request as WitRequest,
    Response as WitResponse, ResponseHead,
};
use crate::engine::check_log::CheckLog;
use crate::engine::resources::BodyStream;
use crate::engine::state::StoreState;

use super::{Calls, Egress};
use crate::net::exchange::{
    body_error, broken_body, deadline, exchange, headers_of, millis, send_request, timeout_error,
    too_large,
};
use crate::net::message::{HttpError, Request};

/// What `plume:check/http` reaches: the plugin's egress, the guest's open
/// bodies, the call the check waits on with its trace line, and the body
/// the check is between two reads of.
pub struct HttpView<'a> {
    pub egress: Egress<'a>,
    /// Where the open [`BodyStream`]s live.
    pub table: &'a mut ResourceTable,
    pub calls: Calls<'a>,
    /// The response body the check last read from and has not finished:
    /// its URL and the bytes received so far.
    pub arriving: &'a mut Option<(String, u64)>,
}

/// Names [`HttpView`] for the linker.
pub struct Http;

impl HasData for Http {
    type Data<'a> = HttpView<'a>;
}

/// The HTTP capability's view of `state`.
pub fn view(state: &mut StoreState) -> HttpView<'_> {
    let StoreState {
        run,
        plugin,
        table,
        position,
        pending,
        arriving,
        log_bytes,
        ..
    } = state;
    HttpView {
        egress: Egress::of(run, plugin),
        table,
        calls: Calls {
            pending,
            log: CheckLog::new(&run.ledger, position, log_bytes),
        },
        arriving,
    }
}

impl Host for HttpView<'_> {
    async fn send(
        &mut self,
        req: WitRequest,
    ) -> wasmtime::Result<Result<WitResponse, WitHttpError>> {
        let req = Request::from(req);
        let start = self.calls.waiting_on(format!("{} {}", req.method, req.url));
        let Egress {
            settings, allow, ..
        } = self.egress;
        let limit = deadline(settings, req.timeout_ms);
        let result = match self.egress.net() {
            Ok(net) => match net.slot(limit, settings.max_connections).await {
                Ok(_permit) => send_request(&net.client, allow, settings, &req).await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        let status = result.as_ref().ok().map(|r| r.status);
        self.calls.trace(
            &format!("{} {}", req.method, req.url),
            start,
            &result,
            status.map(|s| s.to_string()),
        );
        Ok(result.map(Into::into).map_err(Into::into))
    }

    async fn open(
        &mut self,
        req: WitRequest,
    ) -> wasmtime::Result<Result<(ResponseHead, Resource<BodyStream>), WitHttpError>> {
        let req = Request::from(req);
        let start = self.calls.waiting_on(format!("{} {}", req.method, req.url));
        let Egress {
            settings, allow, ..
        } = self.egress;
        let limit = deadline(settings, req.timeout_ms);
        let net = self.egress.net();
        let work = async {
            let net = net?;
            let permit = net.slot(limit, settings.max_connections).await?;
            let response = exchange(&net.client, allow, &req).await?;
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
        self.calls.trace(
            &format!("{} {}", req.method, req.url),
            start,
            &result,
            status.map(|s| s.to_string()),
        );
        let (permit, response) = match result {
            Ok(r) => r,
            Err(e) => return Ok(Err(e.into())),
        };
        let head = ResponseHead {
            status: response.status().as_u16(),
            headers: headers_of(response.headers()),
            elapsed_ms: millis(start.elapsed()),
        };
        let stream = self.table.push(BodyStream {
            url: response.url().to_string(),
            response,
            pending: bytes::Bytes::new(),
            slot: permit,
            received: 0,
        })?;
        Ok(Ok((head, stream)))
    }

    async fn fetch_digest(
        &mut self,
        req: WitRequest,
    ) -> wasmtime::Result<Result<DigestResponse, WitHttpError>> {
        let req = Request::from(req);
        let start = self
            .calls
            .waiting_on(format!("{} {} (hashing its body)", req.method, req.url));
        let Egress {
            settings, allow, ..
        } = self.egress;
        let limit = deadline(settings, req.timeout_ms);
        let cap = settings.max_digest_body;
        let net = self.egress.net();
        let work = async {
            let net = net?;
            let _permit = net.slot(limit, settings.max_connections).await?;
            let mut response = exchange(&net.client, allow, &req).await?;
            let mut hasher = Sha256::new();
            let mut bytes = 0u64;
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| body_error(&e, &response, bytes))?
            {
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
        self.calls.trace(
            &format!("{} {}", req.method, req.url),
            start,
            &result,
            status.map(|s| s.to_string()),
        );
        Ok(result.map_err(Into::into))
    }
}

impl HostBodyStream for HttpView<'_> {
    async fn read(
        &mut self,
        stream: Resource<BodyStream>,
        max_bytes: u32,
        timeout_ms: u32,
    ) -> wasmtime::Result<Result<Chunk, WitHttpError>> {
        let max = usize::try_from(max_bytes.max(1)).unwrap_or(usize::MAX);
        let (url, received) = {
            let body = self.table.get(&stream)?;
            (body.url.clone(), body.received)
        };
        self.calls.waiting_on(format!(
            "the body of {url}, still arriving ({received} bytes received)"
        ));
        let body = self.table.get_mut(&stream)?;
        let chunk = if body.pending.is_empty() {
            let wait = Duration::from_millis(u64::from(timeout_ms));
            match tokio::time::timeout(wait, body.response.chunk()).await {
                Err(_) => Ok(Chunk::Idle),
                Ok(Err(e)) => Err(broken_body(
                    &e,
                    &body.url,
                    body.response.status().as_u16(),
                    body.received,
                )),
                Ok(Ok(None)) => Ok(Chunk::End),
                Ok(Ok(Some(bytes))) => {
                    body.received += bytes.len() as u64;
                    body.pending = bytes;
                    Ok(take_chunk(&mut body.pending, max))
                }
            }
        } else {
            Ok(take_chunk(&mut body.pending, max))
        };
        *self.arriving = match &chunk {
            Ok(Chunk::Data(_) | Chunk::Idle) => Some((url, body.received)),
            Ok(Chunk::End) | Err(_) => None,
        };
        self.calls.pending.end();
        Ok(chunk.map_err(Into::into))
    }

    async fn drop(&mut self, stream: Resource<BodyStream>) -> wasmtime::Result<()> {
        let body = self.table.delete(stream)?;
        if self
            .arriving
            .as_ref()
            .is_some_and(|(url, _)| *url == body.url)
        {
            *self.arriving = None;
        }
        Ok(())
    }
}

/// Up to `max` of the bytes received and not yet handed over.
fn take_chunk(pending: &mut bytes::Bytes, max: usize) -> Chunk {
    if pending.len() <= max {
        // The whole chunk: no copy when the receive buffer is not shared.
        return Chunk::Data(Vec::from(std::mem::take(pending)));
    }
    Chunk::Data(pending.split_to(max).to_vec())
}
