//! `plume run --push-gateway URL`: one run's metrics to a Prometheus
//! Pushgateway, for CronJobs and CI where nothing stays up to be scraped.
//!
//! The metrics go in the Prometheus text format (0.0.4) with a `PUT`, which
//! replaces the whole group, to `URL/metrics/job/plume/suite@base64/…/env@base64/…`:
//! the grouping key is the suite and the environment, each value base64url
//! encoded so any name is one path segment. The gateway URL's user name,
//! password and credential query values never show in an error: the URL is
//! shown with them masked, and the error's text is redacted of them.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;

use super::MonitorError;
use super::collect::RunResult;
use super::metrics::{Format, Snapshot};
use crate::limits::PUSH_TIMEOUT;

/// The `job` label of every push.
pub const JOB: &str = "plume";

/// A grouping key value as a path segment (the Pushgateway's `=` is the empty value).
fn segment(value: &str) -> String {
    if value.is_empty() {
        "=".to_owned()
    } else {
        URL_SAFE.encode(value)
    }
}

/// Where `run`'s group lives on the gateway at `gateway`.
pub fn group_url(gateway: &url::Url, run: &RunResult) -> String {
    format!(
        "{}/metrics/job/{JOB}/suite@base64/{}/env@base64/{}",
        gateway.as_str().trim_end_matches('/'),
        segment(&run.labels.suite),
        segment(&run.labels.env)
    )
}

/// Replaces the run's group on the gateway with its metrics.
pub async fn push(
    client: &reqwest::Client,
    gateway: &url::Url,
    run: Arc<RunResult>,
) -> Result<(), MonitorError> {
    let url = group_url(gateway, &run);
    let body = Snapshot {
        runs: vec![run],
        counters: Vec::new(),
        plugins_compiled: None,
    }
    .encode(Format::Prometheus);
    // The gateway's credentials (from the command line) are secrets like
    // the suite's: masked in the URL shown and in whatever the error quotes.
    let credentials = crate::redact::url_credentials(gateway);
    crate::console::remember_secrets(credentials.iter().map(String::as_str));
    let secrets = crate::redact::Redactor::new(credentials.iter().map(String::as_str));
    let failed = |reason: String| MonitorError::Push {
        url: crate::redact::url_shown(gateway),
        reason: secrets
            .line(&reason, crate::limits::DETAIL_MAX)
            .into_string(),
    };
    let response = client
        .put(&url)
        .header(
            reqwest::header::CONTENT_TYPE,
            Format::Prometheus.content_type(),
        )
        .body(body)
        .timeout(PUSH_TIMEOUT)
        .send()
        .await
        .map_err(|e| {
            failed(crate::net::exchange::describe_error(
                &crate::net::exchange::classify(&e),
            ))
        })?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let said = response.text().await.unwrap_or_default();
    Err(failed(format!(
        "it answered {status}: {}",
        secrets.line(said.trim(), crate::limits::LABEL_MAX)
    )))
}
