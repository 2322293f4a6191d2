//! The one request path to a registry, and the one place its answers
//! become error lines.
//!
//! - Every request, every redirect hop and the token request go through
//!   [`Transport::send`]: redirects are followed here, hop by hop (at most
//!   [`OCI_MAX_REDIRECTS`]), each target held to the [`Egress`] policy
//!   before anything connects; names resolve through the same policy.
//! - Credentials and tokens go only to the registry's own origin
//!   (`scheme://host:port` of the reference) and to a token service that
//!   [`realm_allowed`] accepts; never to a redirect's other host.
//! - Each read has a timeout ([`OCI_READ_TIMEOUT`]); a body is read only up to
//!   its bound ([`read_bounded`]) and one that announces more is refused
//!   before it is read.
//! - A failure's text: an answer from the registry's own API is shown as
//!   one safe line ([`text::shown`]) with every credential and token
//!   redacted; the body of an answer from anywhere else (a redirect's
//!   target, a token service) is never shown, only its status and origin.

use std::sync::{Arc, Mutex};

use oci_client::errors::{OciEnvelope, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, LOCATION, WWW_AUTHENTICATE,
};
use reqwest::{Method, Response, StatusCode};
use url::Url;

use crate::limits::{OCI_CONNECT_TIMEOUT, OCI_READ_TIMEOUT, OCI_REASON_MAX};
use crate::limits::{OCI_MAX_REDIRECTS, OCI_MAX_SMALL_BODY_BYTES, bytes as shown_bytes};
use crate::oci::auth::{Challenge, challenges, origin_of, realm_allowed, token_of, token_url};
use crate::oci::credentials::Credentials;
use crate::oci::egress::{Egress, EgressResolver, Refused};
use crate::oci::reference::INSECURE_REGISTRIES_VAR;
use crate::oci::{OciError, OciRef, credentials};
use crate::text;

/// A request body and its content type.
pub struct Body {
    pub bytes: bytes::Bytes,
    pub content_type: &'static str,
}

/// Requests to one registry for one reference.
pub struct Transport {
    client: reqwest::Client,
    egress: Arc<Egress>,
    /// `scheme://host:port/` of the registry.
    origin: Url,
    reference: OciRef,
    credentials: Credentials,
    /// What the registry accepted: basic credentials or a token.
    authorization: Mutex<Option<HeaderValue>>,
    /// Tokens obtained at run time, redacted like the credentials.
    tokens: Mutex<Vec<String>>,
    /// `repository:NAME:pull` (`pull,push` to push).
    scope: String,
    insecure: Option<String>,
}

impl Transport {
    /// A transport for `reference`'s registry with its credentials; `push`
    /// asks the token service for push access too.
    pub fn new(reference: &OciRef, push: bool) -> Result<Transport, OciError> {
        let insecure = std::env::var(INSECURE_REGISTRIES_VAR).ok();
        let scheme = if reference.plain_http(insecure.as_deref()) {
            "http"
        } else {
            "https"
        };
        let registry = reference.registry();
        let origin =
            Url::parse(&format!("{scheme}://{registry}/")).map_err(|e| OciError::BadReference {
                given: reference.to_string(),
                reason: format!("its registry is not a host: {e}"),
            })?;
        let egress = Egress::new(registry, if scheme == "http" { 80 } else { 443 });
        let client = crate::net::clients::client_builder(&[])
            .map_err(|reason| OciError::Registry {
                reference: reference.to_string(),
                reason,
            })?
            .dns_resolver(Arc::new(EgressResolver(egress.clone())))
            .connect_timeout(OCI_CONNECT_TIMEOUT)
            .read_timeout(OCI_READ_TIMEOUT)
            .build()
            .map_err(|e| OciError::Registry {
                reference: reference.to_string(),
                reason: format!("cannot build the HTTP client: {e}"),
            })?;
        let credentials = credentials::for_registry(registry)?;
        let authorization = match &credentials.auth {
            RegistryAuth::Bearer(token) => HeaderValue::from_str(&format!("Bearer {token}")).ok(),
            _ => None,
        };
        let access = if push { "pull,push" } else { "pull" };
        Ok(Transport {
            client,
            egress,
            origin,
            scope: format!("repository:{}:{access}", reference.repository()),
            reference: reference.clone(),
            credentials,
            authorization: Mutex::new(authorization),
            tokens: Mutex::new(Vec::new()),
            insecure,
        })
    }

    /// `<origin>/v2/<repository>/<path>`.
    pub fn url(&self, path: &str) -> Url {
        let mut url = self.origin.clone();
        url.set_path(&format!("/v2/{}/{path}", self.reference.repository()));
        url
    }

    /// Sends a request, following redirects under the policy and answering
    /// one authentication challenge; the final answer, whatever its status.
    pub async fn send(
        &self,
        method: Method,
        url: Url,
        accept: Option<&str>,
        body: Option<Body>,
    ) -> Result<Response, OciError> {
        let (mut method, mut url, mut body) = (method, url, body);
        let (mut hops, mut challenged) = (0, false);
        loop {
            self.egress.check_url(&url).await.map_err(|Refused(why)| {
                self.refused(format!(
                    "a request to {} is not allowed: {why}",
                    origin_of(&url)
                ))
            })?;
            let own = self.is_own(&url);
            let mut request = self.client.request(method.clone(), url.clone());
            if let Some(accept) = accept {
                request = request.header(ACCEPT, accept);
            }
            if let Some(body) = &body {
                request = request
                    .header(CONTENT_TYPE, body.content_type)
                    .body(body.bytes.clone());
            }
            if own && let Some(authorization) = self.authorization() {
                request = request.header(AUTHORIZATION, authorization);
            }
            let response = request
                .send()
                .await
                .map_err(|e| self.request_error(&url, &e))?;
            let status = response.status();
            if status.is_redirection()
                && let Some(location) = response.headers().get(LOCATION)
            {
                hops += 1;
                if hops > OCI_MAX_REDIRECTS {
                    return Err(self.refused(format!(
                        "more than {OCI_MAX_REDIRECTS} redirects (the last to {})",
                        origin_of(&url)
                    )));
                }
                let next = location.to_str().ok().and_then(|l| url.join(l).ok());
                url = next.ok_or_else(|| {
                    self.refused("a redirect to an unreadable Location".to_owned())
                })?;
                if status == StatusCode::SEE_OTHER
                    || (method == Method::POST
                        && matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND))
                {
                    method = Method::GET;
                    body = None;
                }
                continue;
            }
            if status == StatusCode::UNAUTHORIZED && own && !challenged {
                challenged = true;
                let offered = challenges(
                    response
                        .headers()
                        .get_all(WWW_AUTHENTICATE)
                        .iter()
                        .filter_map(|v| v.to_str().ok()),
                );
                if self.answer(&offered).await? {
                    continue;
                }
            }
            return Ok(response);
        }
    }

    /// Sets the authorization for a challenge; whether there is one to retry with.
    async fn answer(&self, offered: &[Challenge]) -> Result<bool, OciError> {
        for challenge in offered {
            match (challenge, &self.credentials.auth) {
                (Challenge::Basic, RegistryAuth::Basic(user, password)) => {
                    self.set_authorization(basic(user, password));
                    return Ok(true);
                }
                (
                    Challenge::Bearer { realm, service },
                    RegistryAuth::Basic(..) | RegistryAuth::Anonymous,
                ) => {
                    let token = self.token(realm, service.as_deref()).await?;
                    self.set_authorization(HeaderValue::from_str(&format!("Bearer {token}")).ok());
                    self.tokens
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(token);
                    return Ok(true);
                }
                _ => {}
            }
        }
        Ok(false)
    }

    /// A token from the token service at `realm`, if the policy lets Plume ask it.
    async fn token(&self, realm: &str, service: Option<&str>) -> Result<String, OciError> {
        let unauthorized = |reason: String| OciError::Unauthorized {
            reference: self.reference.to_string(),
            registry: self.reference.registry().to_owned(),
            reason,
        };
        let realm = Url::parse(realm).map_err(|_| {
            self.refused(format!(
                "a token service at {} that is not a URL",
                text::quoted(realm)
            ))
        })?;
        let with_credentials = self.credentials.any();
        realm_allowed(
            self.reference.registry(),
            &realm,
            with_credentials,
            self.insecure.as_deref(),
        )
        .map_err(|why| self.refused(why))?;
        let url = token_url(&realm, service, &self.scope);
        self.egress.check_url(&url).await.map_err(|Refused(why)| {
            self.refused(format!(
                "it names the token service {}: {why}",
                origin_of(&url)
            ))
        })?;
        let mut request = self.client.get(url.clone());
        if let RegistryAuth::Basic(user, password) = &self.credentials.auth
            && let Some(header) = basic(user, password)
        {
            request = request.header(AUTHORIZATION, header);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| self.request_error(&url, &e))?;
        if !response.status().is_success() {
            // The token service's body is not the registry's API: never shown.
            return Err(unauthorized(format!(
                "the token service {} answered HTTP {}",
                origin_of(&url),
                response.status().as_u16()
            )));
        }
        let body = read_bounded(&mut response, OCI_MAX_SMALL_BODY_BYTES)
            .await
            .map_err(|e| self.body_error(&url, "the token service's answer", e))?;
        token_of(&body).ok_or_else(|| {
            unauthorized(format!(
                "the token service {} answered no token",
                origin_of(&url)
            ))
        })
    }

    fn authorization(&self) -> Option<HeaderValue> {
        self.authorization
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn set_authorization(&self, value: Option<HeaderValue>) {
        *self.authorization.lock().unwrap_or_else(|p| p.into_inner()) = value;
    }

    /// Whether `url` is the registry's own origin (its API, where credentials may go).
    fn is_own(&self, url: &Url) -> bool {
        url.scheme() == self.origin.scheme()
            && url.host() == self.origin.host()
            && url.port_or_known_default() == self.origin.port_or_known_default()
    }

    /// Registry text as one safe, bounded line with every secret redacted.
    pub fn shown(&self, raw: &str) -> String {
        let tokens = self
            .tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        text::shown(
            &self.credentials.redactor(&tokens).redact(raw),
            OCI_REASON_MAX,
        )
    }

    /// The reference as error lines name it.
    pub fn reference(&self) -> String {
        self.reference.to_string()
    }

    /// Refused, saying what the registry did.
    pub fn refused(&self, what: String) -> OciError {
        OciError::Refused {
            reference: self.reference(),
            what,
        }
    }

    /// A request that got no answer: the registry down (the store may
    /// stand in), a refused address, or another host that failed.
    fn request_error(&self, url: &Url, e: &reqwest::Error) -> OciError {
        if let Some(Refused(why)) = find_cause::<Refused>(e) {
            return self.refused(format!(
                "a request to {} is not allowed: {why}",
                origin_of(url)
            ));
        }
        let reason = self.shown(&innermost(e));
        let reason = if e.is_timeout() {
            format!(
                "no answer within {} s: {reason}",
                OCI_READ_TIMEOUT.as_secs()
            )
        } else {
            reason
        };
        if self.is_own(url) && (e.is_connect() || e.is_timeout()) {
            OciError::RegistryDown {
                reference: self.reference(),
                registry: self.reference.registry().to_owned(),
                reason,
            }
        } else {
            OciError::Registry {
                reference: self.reference(),
                reason: format!("{}: {reason}", origin_of(url)),
            }
        }
    }

    /// A body that could not be read whole within its bound.
    pub fn body_error(&self, url: &Url, what: &str, e: BodyError) -> OciError {
        match e {
            BodyError::TooLarge { limit } => self.refused(format!(
                "{what} from {} runs past its limit of {}",
                origin_of(url),
                shown_bytes(limit)
            )),
            BodyError::Read(e) => self.request_error(url, &e),
        }
    }

    /// The one line for an answer that is not a success.
    pub async fn status_error(&self, mut response: Response) -> OciError {
        let status = response.status();
        let url = response.url().clone();
        let reference = self.reference();
        if !self.is_own(&url) {
            return OciError::Registry {
                reference,
                reason: format!(
                    "{} answered HTTP {} (the body of an answer from outside the registry's API is not shown)",
                    origin_of(&url),
                    status.as_u16()
                ),
            };
        }
        let body = read_prefix(&mut response, OCI_MAX_SMALL_BODY_BYTES).await;
        let body = String::from_utf8_lossy(&body);
        let envelope = serde_json::from_str::<OciEnvelope>(body.trim()).ok();
        let message = envelope
            .as_ref()
            .map_or_else(|| body.trim().to_owned(), ToString::to_string);
        let reason = self.shown(&format!("HTTP {}: {message}", status.as_u16()));
        let codes: Vec<&OciErrorCode> = envelope
            .iter()
            .flat_map(|e| e.errors.iter().map(|e| &e.code))
            .collect();
        let denied = codes
            .iter()
            .any(|c| matches!(c, OciErrorCode::Unauthorized | OciErrorCode::Denied));
        let unknown = codes.iter().any(|c| {
            matches!(
                c,
                OciErrorCode::ManifestUnknown
                    | OciErrorCode::NameUnknown
                    | OciErrorCode::NotFound
                    | OciErrorCode::BlobUnknown
            )
        });
        if denied || matches!(status.as_u16(), 401 | 403) {
            OciError::Unauthorized {
                reference,
                registry: self.reference.registry().to_owned(),
                reason,
            }
        } else if unknown || status == StatusCode::NOT_FOUND {
            OciError::NotFound { reference, reason }
        } else {
            OciError::Registry { reference, reason }
        }
    }
}

/// A body not read whole.
#[derive(Debug)]
pub enum BodyError {
    /// It announced, or ran past, `limit` bytes.
    TooLarge {
        limit: u64,
    },
    Read(reqwest::Error),
}

/// The whole body, if it is at most `max` bytes: one that announces more is
/// refused before it is read, one that runs past `max` is cut there.
pub async fn read_bounded(response: &mut Response, max: u64) -> Result<Vec<u8>, BodyError> {
    if response.content_length().is_some_and(|n| n > max) {
        return Err(BodyError::TooLarge { limit: max });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if (body.len() + chunk.len()) as u64 > max {
            return Err(BodyError::TooLarge { limit: max });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// At most the first `max` bytes of a body, however long it runs or whatever fails.
async fn read_prefix(response: &mut Response, max: u64) -> Vec<u8> {
    let mut body = Vec::new();
    while (body.len() as u64) < max
        && let Ok(Some(chunk)) = response.chunk().await
    {
        body.extend_from_slice(&chunk);
    }
    body.truncate(usize::try_from(max).unwrap_or(usize::MAX));
    body
}

fn basic(user: &str, password: &str) -> Option<HeaderValue> {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let mut value = HeaderValue::from_str(&format!("Basic {encoded}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// The first cause of type `T` in an error's chain.
fn find_cause<'a, T: std::error::Error + 'static>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if let Some(found) = c.downcast_ref::<T>() {
            return Some(found);
        }
        cause = c.source();
    }
    None
}

/// The deepest cause of an error: "Connection refused (os error 111)".
fn innermost(e: &dyn std::error::Error) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
