//! Preflight: before any check runs, the suite's `preflight` URLs must
//! answer (any HTTP status counts). When one does not, the run stops with
//! one message naming the URL, the error and the suite's `hint` — the
//! command that starts the service, say — instead of a screen of red lines
//! that fail for the wrong reason.

use std::time::Duration;

use crate::error::PlumeError;

/// How long each preflight URL gets.
pub const PREFLIGHT_TIMEOUT: Duration = Duration::from_secs(3);

/// Checks every URL at once; the first that does not answer is the error.
pub async fn check(
    client: &reqwest::Client,
    urls: &[String],
    hint: Option<&str>,
) -> Result<(), PlumeError> {
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
