//! The plugins' ways out: one HTTP client per plugin, resolving names under
//! its egress policy and trusting its extra roots, with the connection slots
//! that cap how many of its requests are in flight; and the settings every
//! client shares.
//!
//! Every Plume HTTP client is built by [`client_builder`]: redirects are not
//! followed by the client (the exchange follows them hop by hop under the
//! allow-list) and proxy variables are ignored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::OwnedSemaphorePermit;

use crate::error::PlumeError;
use crate::limits::{DEFAULT_REQUEST_TIMEOUT, Limits};
use crate::net::message::HttpError;

/// Host HTTP settings shared by every plugin of a run: the HTTP part of the
/// run's [`Limits`], derived from it (`HttpSettings::from(&limits)`), so
/// they have no defaults of their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    /// Used when a request names no timeout ([`DEFAULT_REQUEST_TIMEOUT`]).
    pub default_timeout: Duration,
    /// Largest body `send` will read (`max-body-mib`).
    pub max_body: usize,
    /// Largest body `fetch-digest` will hash (`max-digest-mib`).
    pub max_digest_body: u64,
    /// Requests (and open streams) one plugin may have in flight at once
    /// (`max-connections`, at least 1).
    pub max_connections: usize,
}

impl From<&Limits> for HttpSettings {
    fn from(limits: &Limits) -> Self {
        HttpSettings {
            default_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_body: usize::try_from(limits.max_body_bytes).unwrap_or(usize::MAX),
            max_digest_body: limits.max_digest_bytes,
            max_connections: limits.max_connections.max(1),
        }
    }
}

/// The settings of a run under the default [`Limits`].
impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings::from(&Limits::default())
    }
}

/// One plugin's way out: its client, resolving names under its policy, and
/// the slots that cap how many of its requests are in flight at once.
#[derive(Clone)]
pub struct PluginNet {
    pub client: reqwest::Client,
    pub slots: Arc<tokio::sync::Semaphore>,
}

impl PluginNet {
    /// Waits, within `limit`, for one of the plugin's connection slots.
    pub async fn slot(
        &self,
        limit: Duration,
        cap: usize,
    ) -> Result<OwnedSemaphorePermit, HttpError> {
        match tokio::time::timeout(limit, self.slots.clone().acquire_owned()).await {
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
}

/// Every plugin's [`PluginNet`], made on first use.
#[derive(Default)]
pub struct Clients(Mutex<HashMap<String, PluginNet>>);

impl Clients {
    /// The network of the plugin `name`, made on first use with
    /// `max_connections` slots: its client resolves names under its address
    /// policy (`allow_private`) and trusts the system's roots and `tls_roots`.
    pub fn for_plugin(
        &self,
        name: &str,
        allow_private: bool,
        tls_roots: &[Vec<u8>],
        max_connections: usize,
    ) -> Result<PluginNet, String> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(net) = map.get(name) {
            return Ok(net.clone());
        }
        let resolver = crate::net::policy::PolicyResolver { allow_private };
        // Never fall back to a default client: it would follow redirects and
        // resolve names outside the egress policy.
        let client = client_builder(tls_roots)?
            .dns_resolver(Arc::new(resolver))
            .build()
            .map_err(|e| format!("cannot build the plugin's HTTP client: {e}"))?;
        let net = PluginNet {
            client,
            slots: Arc::new(tokio::sync::Semaphore::new(max_connections.max(1))),
        };
        map.insert(name.to_owned(), net.clone());
        Ok(net)
    }
}

/// The HTTP client every plugin's requests go through. Redirects are
/// followed by the host itself, hop by hop, under the allow-list.
pub fn http_client() -> Result<reqwest::Client, PlumeError> {
    client_builder(&[])
        .map_err(PlumeError::Engine)?
        .build()
        .map_err(|e| PlumeError::Engine(format!("cannot build the HTTP client: {e}")))
}

/// The settings every Plume HTTP client shares.
///
/// Proxy variables in the environment (`HTTP_PROXY`, `HTTPS_PROXY`,
/// `ALL_PROXY`, lower case too) are ignored: the egress policy resolves each
/// name itself and connects only to the addresses that survived, and a proxy
/// would resolve the name instead, past the policy.
///
/// It trusts the system's roots and `extra_roots` (PEM files), read at its
/// first TLS handshake ([`roots`](crate::net::roots)): building a client
/// reads no certificate directory.
pub fn client_builder(extra_roots: &[Vec<u8>]) -> Result<reqwest::ClientBuilder, String> {
    let tls = crate::net::roots::client_config(extra_roots)?;
    Ok(reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("plume/", env!("CARGO_PKG_VERSION")))
        .tls_backend_preconfigured(tls))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_http_settings_are_the_limits_own() {
        let limits = Limits {
            max_body_bytes: 3 * 1024 * 1024,
            max_digest_bytes: 7,
            max_connections: 0,
            ..Limits::default()
        };
        let settings = HttpSettings::from(&limits);
        assert_eq!(settings.max_body, 3 * 1024 * 1024);
        assert_eq!(settings.max_digest_body, 7);
        assert_eq!(settings.max_connections, 1, "never zero slots");
        assert_eq!(settings.default_timeout, DEFAULT_REQUEST_TIMEOUT);

        let defaults = Limits::default();
        let settings = HttpSettings::default();
        assert_eq!(settings, HttpSettings::from(&defaults));
        assert_eq!(settings.max_body as u64, defaults.max_body_bytes);
        assert_eq!(settings.max_digest_body, defaults.max_digest_bytes);
        assert_eq!(settings.max_connections, defaults.max_connections);
    }
}
