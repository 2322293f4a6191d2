//! The monitor's HTTP side, on axum:
//!
//! - `GET /metrics`: every target's last run and the counters;
//! - `GET /probe?suite=NAME[&env=ENV]`: a run now, answering that run's
//!   metrics (the multi-target exporter pattern of `blackbox_exporter`),
//!   within `X-Prometheus-Scrape-Timeout-Seconds` less half a second; a
//!   target already running answers 503 with the reason (a probe never
//!   waits behind a scheduled run, which could outlast the scrape); the
//!   header is required, and the run keeps its `--max-concurrent-runs` slot
//!   until it ends, even when the scraper hangs up;
//! - `GET /runs/last?suite=NAME[&env=ENV]`: the last run's events, the
//!   `--report json` lines (`plume.events/1`);
//! - `GET /healthz`: `ok` while serving;
//! - the pages of [`super::page`]: `/` (the status page), `/runs`, `/runs/ID`.
//!
//! Errors are one line of plain text. Who may ask at all is
//! [`super::admission`]'s layer, put over this router where it is served.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::Monitor;
use super::metrics::{Format, Snapshot};
use super::target::Target;

/// Taken off the scrape timeout, for the answer to travel (as blackbox_exporter does).
const PROBE_OFFSET: Duration = Duration::from_millis(500);
/// The least time a probe run gets.
const PROBE_MIN: Duration = Duration::from_millis(200);

pub fn router(monitor: Arc<Monitor>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/probe", get(probe))
        .route("/runs/last", get(last_run))
        .route("/healthz", get(healthz))
        .merge(super::page::routes())
        .with_state(monitor)
}

fn text(status: StatusCode, line: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{line}\n"),
    )
        .into_response()
}

async fn healthz() -> Response {
    text(StatusCode::OK, "ok".to_owned())
}

fn format_of(headers: &HeaderMap) -> Format {
    Format::for_accept(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()))
}

fn metrics_response(snapshot: Snapshot, headers: &HeaderMap) -> Response {
    let format = format_of(headers);
    (
        [(header::CONTENT_TYPE, format.content_type())],
        snapshot.encode(format),
    )
        .into_response()
}

async fn metrics(State(m): State<Arc<Monitor>>, headers: HeaderMap) -> Response {
    let snapshot = Snapshot {
        runs: m.targets.iter().filter_map(|t| t.last()).collect(),
        counters: m
            .targets
            .iter()
            .map(|t| (t.labels.clone(), t.counters()))
            .collect(),
        plugins_compiled: Some(m.sandbox.shared_plugins()),
    };
    metrics_response(snapshot, &headers)
}

#[derive(Debug, Deserialize)]
pub(super) struct Which {
    pub(super) suite: Option<String>,
    pub(super) env: Option<String>,
}

/// Why a request is not answered: its status and one line.
pub(super) type Refused = (StatusCode, String);

/// The target `which` names, or why none.
pub(super) fn find<'m>(m: &'m Monitor, which: &Which) -> Result<&'m Arc<Target>, Refused> {
    let Some(suite) = which.suite.as_deref() else {
        return Err((
            StatusCode::BAD_REQUEST,
            format!("name a suite: ?suite=NAME (one of: {})", m.suite_names()),
        ));
    };
    let named: Vec<&Arc<Target>> = m.targets.iter().filter(|t| t.suite_name == suite).collect();
    if named.is_empty() {
        return Err((
            StatusCode::NOT_FOUND,
            format!(
                "no suite {:?} in this monitor; it runs: {}",
                crate::text::shown(suite, 128),
                m.suite_names()
            ),
        ));
    }
    match which.env.as_deref() {
        None => Ok(named[0]),
        Some(env) => named.into_iter().find(|t| t.env_name == env).ok_or_else(|| {
            (
                StatusCode::NOT_FOUND,
                format!(
                    "suite {suite:?} is not monitored in environment {:?} (start the monitor with --env {})",
                    crate::text::shown(env, 128),
                    crate::text::shown(env, 128)
                ),
            )
        }),
    }
}

/// The scrape timeout a probe must carry: Prometheus sends it with every
/// scrape, and a page in a browser cannot send it to another origin without
/// a CORS preflight this server never grants, so no page starts a run.
const SCRAPE_TIMEOUT_HEADER: &str = "x-prometheus-scrape-timeout-seconds";

/// The probe's time: the scraper's timeout less the offset; or why none.
fn probe_budget(headers: &HeaderMap) -> Result<Duration, Refused> {
    let Some(value) = headers.get(SCRAPE_TIMEOUT_HEADER) else {
        return Err((
            StatusCode::BAD_REQUEST,
            "a probe needs the header X-Prometheus-Scrape-Timeout-Seconds (Prometheus sends it; by hand: curl -H 'X-Prometheus-Scrape-Timeout-Seconds: 10' ...)".to_owned(),
        ));
    };
    let timeout = value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0 && *s < 86_400.0)
        .map(Duration::from_secs_f64);
    match timeout {
        Some(timeout) => Ok(timeout.saturating_sub(PROBE_OFFSET).max(PROBE_MIN)),
        None => Err((
            StatusCode::BAD_REQUEST,
            format!(
                "X-Prometheus-Scrape-Timeout-Seconds {:?} is not a number of seconds between 0 and 86400",
                crate::text::shown(&String::from_utf8_lossy(value.as_bytes()), 64)
            ),
        )),
    }
}

async fn probe(
    State(m): State<Arc<Monitor>>,
    Query(which): Query<Which>,
    headers: HeaderMap,
) -> Response {
    let target = match find(&m, &which) {
        Ok(t) => t.clone(),
        Err((status, line)) => return text(status, line),
    };
    let budget = match probe_budget(&headers) {
        Ok(budget) => budget,
        Err((status, line)) => return text(status, line),
    };
    let Ok(slot) = m.slots.clone().try_acquire_owned() else {
        return text(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "all {} run slots are busy (--max-concurrent-runs); try again later",
                m.max_runs
            ),
        );
    };
    let task = match target.try_start(m.sandbox.clone(), Some(budget), m.shutdown.clone()) {
        Ok(task) => task,
        Err(busy) => {
            return text(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "suite {:?} is already running (for {} ms); a probe does not wait behind it: its result will be in /metrics",
                    target.labels.suite,
                    busy.running_for.as_millis()
                ),
            );
        }
    };
    // The slot goes with the run, not with this handler: a scraper that
    // hangs up drops the handler, and the run still counts until it ends.
    let result = tokio::spawn(async move {
        let run = task.await;
        drop(slot);
        run
    })
    .await;
    match result {
        Ok(Ok(run)) => metrics_response(
            Snapshot {
                runs: vec![run],
                counters: Vec::new(),
                plugins_compiled: None,
            },
            &headers,
        ),
        Ok(Err(_)) | Err(_) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the run failed inside plume (please report it)".to_owned(),
        ),
    }
}

async fn last_run(State(m): State<Arc<Monitor>>, Query(which): Query<Which>) -> Response {
    let target = match find(&m, &which) {
        Ok(t) => t,
        Err((status, line)) => return text(status, line),
    };
    match target.events() {
        None => text(
            StatusCode::NOT_FOUND,
            format!("suite {:?} has not run yet", target.labels.suite),
        ),
        Some((events, cut)) => {
            let mut body = events.as_ref().clone();
            if cut {
                body.extend_from_slice(
                    format!(
                        "{{\"event\":\"cut\",\"note\":\"later events dropped: the run's events are kept up to {} bytes\"}}\n",
                        crate::limits::MONITOR_EVENTS_MAX
                    )
                    .as_bytes(),
                );
            }
            ([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response()
        }
    }
}
