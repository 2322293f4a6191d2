//! Preflight: before any check runs, the suite's `preflight` URLs must
//! answer (any HTTP status counts). When one does not, the run stops with
//! one message naming the URL, the error and the suite's `hint` — the
//! command that starts the service, say — instead of a screen of red lines
//! that fail for the wrong reason. The probes trust what the plugins trust:
//! the system's roots and every plugin's `tls-roots`, so a service behind a
//! private CA passes its preflight as its checks reach it.

use crate::error::PlumeError;
use crate::limits::PREFLIGHT_TIMEOUT;
use crate::suite::Suite;

/// Checks every `preflight` URL of `suite` at once, with `client` (the
/// host's own) or, when a plugin trusts extra roots, a client that trusts
/// them too; the first that does not answer is the error.
pub async fn check(client: &reqwest::Client, suite: &Suite) -> Result<(), PlumeError> {
    let (urls, hint) = (&suite.preflight, suite.hint.as_deref());
    if urls.is_empty() {
        return Ok(());
    }
    let roots: Vec<Vec<u8>> = suite
        .plugins
        .iter()
        .flat_map(|p| p.tls_roots.iter().cloned())
        .collect();
    let with_roots;
    let client = if roots.is_empty() {
        client
    } else {
        with_roots = crate::net::clients::client_builder(&roots)
            .and_then(|b| b.build().map_err(|e| e.to_string()))
            .map_err(|e| PlumeError::Engine(format!("cannot build the preflight's client: {e}")))?;
        &with_roots
    };
    let probes = urls.iter().map(|url| async move {
        let result = client.get(url).timeout(PREFLIGHT_TIMEOUT).send().await;
        (url, result)
    });
    for (url, result) in futures::future::join_all(probes).await {
        if let Err(e) = result {
            let reason = crate::net::exchange::describe_error(&crate::net::exchange::classify(&e));
            return Err(PlumeError::Preflight {
                url: url.clone(),
                reason,
                hint: hint.map(|h| format!("; {h}")).unwrap_or_default(),
            });
        }
    }
    Ok(())
}
