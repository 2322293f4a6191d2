//! Deferred cleanups: recorded while checks run, walked in reverse at the end.
//!
//! A check registers its cleanup *before* the work that needs it, so an
//! account or key is undone whatever happens next: pass, fail, timeout, trap,
//! the run ceiling or a signal. Each request goes through the same allow-list
//! as the plugin's own requests, and one that fails is reported and does not
//! stop the others.
//!
//! The walk is fair between plugins: each plugin's cleanups are walked in
//! reverse order of registration by a walk of their own, the plugins' walks
//! run side by side, and each has the whole cleanup budget. A plugin whose
//! cleanup never answers, or that registered thousands, spends only its own
//! walk's time; every other plugin's cleanups run as they would without it.
//! The whole stays bounded by the budget: what a walk could not reach in time
//! is reported `not run`.

use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use futures::FutureExt as _;

use crate::events::Outcome;
use crate::net::exchange::{describe_error, send_request};
use crate::net::message::HttpError;
use crate::record::RunShared;
use crate::record::cleanups::Deferred;

/// Runs every registered cleanup within `budget`: one walk per plugin,
/// newest first, all walks at once.
pub async fn run_all(run: &RunShared, budget: Duration) {
    let deadline = Instant::now() + budget;
    let mut walks: Vec<(String, Vec<Deferred>)> = Vec::new();
    for item in run.cleanups.take() {
        let plugin = item.plugin.name.clone();
        match walks.iter_mut().find(|(name, _)| *name == plugin) {
            Some((_, items)) => items.push(item),
            None => walks.push((plugin, vec![item])),
        }
    }
    let walks = walks
        .into_iter()
        .map(|(_, items)| walk(run, items, budget, deadline));
    futures::future::join_all(walks).await;
}

/// One plugin's cleanups, newest first, until `deadline`.
async fn walk(run: &RunShared, items: Vec<Deferred>, budget: Duration, deadline: Instant) {
    for item in items.into_iter().rev() {
        let start = Instant::now();
        // Lines use the suite's names: the plugin's group prefix applies to labels too.
        let prefix = &item.plugin.group_prefix;
        let label = format!("{prefix}{}", item.label);
        let label = label.as_str();
        let req = &item.request;
        let origin = format!("registered by {prefix}{}.{}", item.group, item.check);
        let left = deadline.saturating_duration_since(start);
        if left.is_zero() {
            let detail = format!(
                "not run: the cleanup budget ({} ms) was spent; {} {} ({origin})",
                budget.as_millis(),
                req.method,
                req.url
            );
            run.ledger
                .cleanup(label, Outcome::Err, None, &detail, Duration::ZERO);
            continue;
        }
        let attempt = async {
            let net = run
                .clients
                .for_plugin(
                    &item.plugin.name,
                    item.plugin.allow_private,
                    &item.plugin.tls_roots,
                    run.http.max_connections,
                )
                .map_err(HttpError::Invalid)?;
            send_request(&net.client, &item.plugin.allow, &run.http, req).await
        };
        // A fault in the host while sending one cleanup is that cleanup's
        // line; the walk goes on with the others.
        let attempt = async {
            AssertUnwindSafe(attempt)
                .catch_unwind()
                .await
                .unwrap_or_else(|_| {
                    Err(HttpError::Invalid(
                        "internal error in the host while sending it (please report it)".to_owned(),
                    ))
                })
        };
        let result = tokio::time::timeout(left, attempt)
            .await
            .unwrap_or_else(|_| {
                Err(HttpError::Timeout(format!(
                    "the cleanup budget ({} ms) ran out",
                    budget.as_millis()
                )))
            });
        let took = start.elapsed();
        let (outcome, status, detail) = match result {
            Ok(resp) if (200..400).contains(&resp.status) => (
                Outcome::Ok,
                Some(resp.status),
                format!(
                    "{} {} -> {} in {} ms ({origin})",
                    req.method,
                    req.url,
                    resp.status,
                    took.as_millis()
                ),
            ),
            Ok(resp) if resp.status == 404 || resp.status == 410 => (
                Outcome::Ok,
                Some(resp.status),
                format!(
                    "{} {} -> {}: already gone ({origin})",
                    req.method, req.url, resp.status
                ),
            ),
            Ok(resp) => (
                Outcome::Err,
                Some(resp.status),
                format!(
                    "{} {} -> {}; body: {} ({origin})",
                    req.method,
                    req.url,
                    resp.status,
                    crate::matchers::excerpt(&resp.body)
                ),
            ),
            Err(e) => (
                Outcome::Err,
                None,
                format!(
                    "{} {} failed: {} ({origin})",
                    req.method,
                    req.url,
                    describe_error(&e)
                ),
            ),
        };
        run.ledger.cleanup(label, outcome, status, &detail, took);
    }
}
