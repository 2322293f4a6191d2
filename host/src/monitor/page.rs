//! The monitor's pages, read-only, from the history ([`super::history`]):
//!
//! - `GET /`: the status page — each suite × environment with its state
//!   (green, red, not run yet), since when, whether it flaps, a strip of its
//!   last runs (each linking to its report) and per check a strip of its
//!   last outcomes and a latency sparkline, drawn here as SVG;
//! - `GET /runs?suite=NAME[&env=ENV][&limit=N]`: the same history as JSON;
//! - `GET /runs/ID`: that run's HTML report (the page `--report html` writes).
//!
//! Guarantees: the pages show only what `/metrics` shows (suite, env and
//! check names and outcomes, through the ledger: redacted), plus the stored
//! run's report, which holds what the `/runs/last` events hold; nothing here
//! changes anything (a run starts only through `/probe`); every page is
//! self-contained, escaped by maud, and served with a `Content-Security-Policy`
//! forbidding every fetch and every script but the report's own.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use super::Monitor;
use super::history::{CheckPoint, History, Recent, RunRow};
use super::target::Target;
use crate::events::Outcome;
use crate::events::json::timestamp;
use crate::limits::MONITOR_RUNS_LISTED_MAX;
use crate::reports::html::{badge, content_security_policy, duration_text, head, report_policy};

/// Runs a strip shows.
pub const STRIP_RUNS: usize = 40;
/// Runs `/runs` answers unless asked for fewer (the most: [`MONITOR_RUNS_LISTED_MAX`]).
const JSON_RUNS: usize = 100;
/// State changes within the strip that make a target flapping.
const FLAPPING_CHANGES: usize = 4;

const STYLE: &str = include_str!("status.css");

pub fn routes() -> Router<Arc<Monitor>> {
    Router::new()
        .route("/", get(status_page))
        .route("/runs", get(runs_json))
        .route("/runs/{id}", get(run_report))
}

fn text(status: StatusCode, line: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{line}\n"),
    )
        .into_response()
}

/// An HTML page with its policy in the headers too.
fn page(body: String, policy: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
            (header::CONTENT_SECURITY_POLICY, policy),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::REFERRER_POLICY, "no-referrer".to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// Reads the history off the async workers.
async fn read<T: Send + 'static>(
    history: &Arc<History>,
    work: impl FnOnce(&History) -> Result<T, super::history::HistoryError> + Send + 'static,
) -> Result<T, Response> {
    let history = history.clone();
    match tokio::task::spawn_blocking(move || work(&history)).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
        Err(_) => Err(text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "reading the history failed inside plume (please report it)".to_owned(),
        )),
    }
}

/// `3 min ago`, `2 h ago`, `5 d ago`.
fn ago(then: SystemTime, now: SystemTime) -> String {
    let s = now.duration_since(then).unwrap_or_default().as_secs();
    match s {
        0..60 => format!("{s} s ago"),
        60..3600 => format!("{} min ago", s / 60),
        3600..86_400 => format!("{} h ago", s / 3600),
        _ => format!("{} d ago", s / 86_400),
    }
}

fn kind(o: Outcome) -> &'static str {
    o.name()
}

/// How often the state changed along `runs` (newest first).
fn changes(runs: &[RunRow]) -> usize {
    runs.windows(2)
        .filter(|w| w[0].success != w[1].success)
        .count()
}

const CELL: f64 = 10.0;
const GAP: f64 = 2.0;

/// The strip of a target's runs, oldest left: each a cell linking to its report.
fn run_strip(runs: &[RunRow]) -> Markup {
    let width = (CELL + GAP) * STRIP_RUNS as f64;
    let oldest_first: Vec<&RunRow> = runs.iter().rev().collect();
    let offset = STRIP_RUNS.saturating_sub(oldest_first.len());
    html! {
        svg class="strip" width=(width) height="18" viewBox={ "0 0 " (width) " 18" } role="group"
            aria-label={ "the last " (runs.len()) " runs, oldest first" } {
            @for i in 0..offset {
                rect class="none" x=(i as f64 * (CELL + GAP)) y="1" width=(CELL) height="16" rx="2" {}
            }
            @for (i, r) in oldest_first.iter().enumerate() {
                @let label = format!("run {} at {}: {}", r.id, timestamp(r.finished), r.headline);
                a href={ "/runs/" (r.id) } aria-label=(label) {
                    rect class=(if r.success { "ok" } else { "err" }) x=((i + offset) as f64 * (CELL + GAP)) y="1" width=(CELL) height="16" rx="2" {
                        title { (label) }
                    }
                }
            }
        }
    }
}

/// One path per outcome: a check's last outcomes, aligned with the run strip.
fn check_strip(runs: &[RunRow], points: &HashMap<i64, &CheckPoint>) -> Markup {
    let width = (CELL + GAP) * STRIP_RUNS as f64;
    let offset = STRIP_RUNS.saturating_sub(runs.len());
    let mut paths: HashMap<&'static str, String> = HashMap::new();
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    let empty = paths.entry("none").or_default();
    for i in 0..offset {
        empty.push_str(&format!(
            "M{} 3h{CELL}v12h-{CELL}z",
            i as f64 * (CELL + GAP)
        ));
    }
    for (i, r) in runs.iter().rev().enumerate() {
        let class = points.get(&r.id).map_or("none", |p| kind(p.outcome));
        *counts.entry(class).or_default() += 1;
        let x = (i + offset) as f64 * (CELL + GAP);
        paths
            .entry(class)
            .or_default()
            .push_str(&format!("M{x} 3h{CELL}v12h-{CELL}z"));
    }
    let label = ["ok", "err", "skip", "none"]
        .iter()
        .filter_map(|k| {
            counts
                .get(k)
                .map(|n| format!("{n} {}", if *k == "none" { "not run" } else { k }))
        })
        .collect::<Vec<_>>()
        .join(", ");
    html! {
        svg width=(width) height="18" viewBox={ "0 0 " (width) " 18" } role="img"
            aria-label={ "last outcomes, oldest first: " (label) } {
            @for (class, d) in &paths { path class=(class) d=(d) {} }
        }
    }
}

/// A sparkline of a check's durations (oldest left), scaled to its slowest.
fn sparkline(runs: &[RunRow], points: &HashMap<i64, &CheckPoint>) -> Markup {
    const W: f64 = 120.0;
    const H: f64 = 22.0;
    let values: Vec<u64> = runs
        .iter()
        .rev()
        .filter_map(|r| points.get(&r.id).map(|p| p.duration_ms))
        .collect();
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let min = values.iter().copied().min().unwrap_or(0);
    let step = if values.len() > 1 {
        W / (values.len() - 1) as f64
    } else {
        0.0
    };
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                i as f64 * step,
                H - 2.0 - (*v as f64 / max as f64) * (H - 4.0)
            )
        })
        .collect();
    html! {
        svg width=(W) height=(H) viewBox={ "0 0 " (W) " " (H) } role="img"
            aria-label={ "durations, oldest first: from " (min) " ms to " (max) " ms" } {
            @if points.len() > 1 { polyline class="spark" points=(points.join(" ")) {} }
        }
    }
}

fn target_card(t: &Target, recent: &Recent, now: SystemTime) -> Markup {
    let state = match recent.runs.first() {
        None => "none",
        Some(r) if r.success => "ok",
        Some(_) => "err",
    };
    let flaps = changes(&recent.runs);
    // Checks in the order the newest run has them, then any older ones.
    let mut names: Vec<&str> = Vec::new();
    let mut by_check: HashMap<&str, HashMap<i64, &CheckPoint>> = HashMap::new();
    for r in &recent.runs {
        for p in recent.checks.iter().filter(|p| p.run_id == r.id) {
            if !by_check.contains_key(p.name.as_str()) {
                names.push(&p.name);
            }
            by_check.entry(&p.name).or_default().insert(r.id, p);
        }
    }
    let env = if t.labels.env.is_empty() {
        "default environment"
    } else {
        &t.labels.env
    };
    html! {
        section class={ "target " (state) } aria-labelledby={ "t-" (t.labels.suite) "-" (t.labels.env) } {
            h2 id={ "t-" (t.labels.suite) "-" (t.labels.env) } {
                (t.labels.suite) " " span class="meta" { "(" (env) ")" }
            }
            p {
                @match recent.runs.first() {
                    None => { (badge("none")) "not run yet" }
                    Some(last) => {
                        (badge(if last.success { "ok" } else { "err" }))
                        @if last.success { "green" } @else { "red" }
                        @if let Some(since) = recent.since { " since " (timestamp(since)) " (" (ago(since, now)) ")" }
                        @if flaps >= FLAPPING_CHANGES { " " span class="badge flapping" { "flapping" } span class="meta" { "changed state " (flaps) " times in the last " (recent.runs.len()) " runs" } }
                    }
                }
            }
            @if let Some(last) = recent.runs.first() {
                p class="headline" {
                    "Last run " a href={ "/runs/" (last.id) } { "#" (last.id) } ", " (ago(last.finished, now)) ": " (last.headline)
                }
                div class="scroll" { (run_strip(&recent.runs)) }
                p class="meta" {
                    "The last " (recent.runs.len()) " runs, oldest first"
                    @if let Some(oldest) = recent.oldest { "; history kept since " (timestamp(oldest)) }
                    "."
                }
                div class="scroll" {
                    table {
                        thead { tr { th scope="col" { "Check" } th scope="col" { "Last outcomes" } th scope="col" { "Duration" } th scope="col" { "Last" } } }
                        tbody {
                            @for name in &names {
                                @let points = &by_check[name];
                                tr {
                                    td class="name" { (name) }
                                    td { (check_strip(&recent.runs, points)) }
                                    td { (sparkline(&recent.runs, points)) }
                                    td class="num" {
                                        @match points.get(&last.id) {
                                            Some(p) => { (badge(kind(p.outcome))) " " (duration_text(Duration::from_millis(p.duration_ms))) }
                                            None => { "not in the last run" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn status_page(State(m): State<Arc<Monitor>>) -> Response {
    let keys: Vec<(String, String)> = m
        .targets
        .iter()
        .map(|t| (t.labels.suite.clone(), t.labels.env.clone()))
        .collect();
    let recents = match read(&m.history, move |h| {
        keys.iter()
            .map(|(suite, env)| h.recent(suite, env, STRIP_RUNS))
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    {
        Ok(r) => r,
        Err(response) => return response,
    };
    let now = SystemTime::now();
    let red = recents
        .iter()
        .filter(|r| r.runs.first().is_some_and(|l| !l.success))
        .count();
    let title = "Plume monitor";
    let body = html! {
        (DOCTYPE)
        html lang="en" {
            head { (head(title, STYLE, None)) }
            body {
                header {
                    h1 { (title) }
                    p class="meta" {
                        (m.targets.len()) " suite(s), " (red) " red; as of " (timestamp(now)) " (reload for newer runs). "
                        "Also: " a href="/metrics" { "/metrics" } ", the history as JSON at /runs?suite=NAME&env=ENV."
                    }
                }
                main {
                    @for (t, recent) in m.targets.iter().zip(&recents) { (target_card(t, recent, now)) }
                }
                footer { "plume " (env!("CARGO_PKG_VERSION")) }
            }
        }
    };
    page(body.into_string(), content_security_policy(STYLE, None))
}

#[derive(Debug, Deserialize)]
struct RunsQuery {
    suite: Option<String>,
    env: Option<String>,
    limit: Option<usize>,
}

async fn runs_json(State(m): State<Arc<Monitor>>, Query(q): Query<RunsQuery>) -> Response {
    let which = super::http::Which {
        suite: q.suite,
        env: q.env,
    };
    let target = match super::http::find(&m, &which) {
        Ok(t) => t.clone(),
        Err((status, line)) => return text(status, line),
    };
    let limit = q
        .limit
        .unwrap_or(JSON_RUNS)
        .clamp(1, MONITOR_RUNS_LISTED_MAX);
    let (suite, env) = (target.labels.suite.clone(), target.labels.env.clone());
    let recent = match read(&m.history, move |h| h.recent(&suite, &env, limit)).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    let runs: Vec<serde_json::Value> = recent
        .runs
        .iter()
        .map(|r| {
            let checks: Vec<serde_json::Value> = recent
                .checks
                .iter()
                .filter(|c| c.run_id == r.id)
                .map(|c| serde_json::json!({"name": c.name, "outcome": kind(c.outcome), "duration_ms": c.duration_ms}))
                .collect();
            serde_json::json!({
                "id": r.id,
                "finished_at": timestamp(r.finished),
                "duration_ms": r.duration_ms,
                "success": r.success,
                "passed": r.passed,
                "failed": r.failed,
                "skipped": r.skipped,
                "headline": r.headline,
                "report": format!("/runs/{}", r.id),
                "checks": checks,
            })
        })
        .collect();
    let body = serde_json::json!({
        "suite": target.labels.suite,
        "env": target.labels.env,
        "state": recent.runs.first().map(|r| if r.success { "ok" } else { "err" }),
        "since": recent.since.map(timestamp),
        "kept_since": recent.oldest.map(timestamp),
        "runs": runs,
    });
    (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn run_report(State(m): State<Arc<Monitor>>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return text(
            StatusCode::NOT_FOUND,
            format!(
                "no run {:?}: a run's id is a number (see /runs?suite=NAME)",
                crate::text::shown(&id, 64)
            ),
        );
    };
    let stored = match read(&m.history, move |h| h.events(id)).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let Some(events) = stored else {
        return text(
            StatusCode::NOT_FOUND,
            format!("no run {id} in the history (it may have been pruned: see --keep)"),
        );
    };
    let Some(events) = events else {
        return text(
            StatusCode::NOT_FOUND,
            format!("run {id} kept no events (it did not start, or its events passed 1 MiB)"),
        );
    };
    let events = String::from_utf8_lossy(&events).into_owned();
    let name = std::path::PathBuf::from(format!("run {id}"));
    match tokio::task::spawn_blocking(move || crate::reports::html::from_events(&name, &events))
        .await
    {
        Ok(Ok(body)) => page(body, report_policy()),
        Ok(Err(e)) => text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(_) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "drawing the report failed inside plume (please report it)".to_owned(),
        ),
    }
}
