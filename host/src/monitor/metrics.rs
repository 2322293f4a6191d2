//! The metrics, in the Prometheus / OpenMetrics text formats (written by
//! `prometheus-client`): the per-run families every answer holds — `/metrics`
//! for each suite's last run, `/probe` and a push for one run — and the
//! counters `/metrics` adds. The metrics reference in `docs/monitoring.md` lists them.
//!
//! Series are built from each suite's last run at every scrape, never kept
//! in a registry of their own: when a suite's checks change, the old checks'
//! series are gone, not accumulated. Label values came through the ledger
//! (secrets redacted, one bounded line) and a run keeps at most a set number
//! of checks as series.

use std::time::UNIX_EPOCH;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeGaugeValue, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;

use super::collect::{CheckSample, RunLabels, RunResult};
use crate::events::Outcome;

/// What `/metrics` counts per suite and environment since the monitor started.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counters {
    pub runs: u64,
    pub runs_failed: u64,
    pub cleanups_failed: u64,
    pub denied: u64,
    pub ceilings: u64,
}

impl Counters {
    /// Adds one run.
    pub fn count(&mut self, run: &RunResult) {
        self.runs += 1;
        self.runs_failed += u64::from(!run.success);
        self.cleanups_failed += run.cleanups_failed as u64;
        self.denied += run.denied as u64;
        self.ceilings += u64::from(run.ceiling_hit);
    }
}

/// The counters' families: name (the encoder adds `_total`), help, value.
type CounterFamily = (&'static str, &'static str, fn(&Counters) -> u64);

const COUNTERS: [CounterFamily; 5] = [
    ("plume_runs", "Runs since the monitor started", |c| c.runs),
    (
        "plume_runs_failed",
        "Runs that did not succeed (see plume_run_success)",
        |c| c.runs_failed,
    ),
    ("plume_cleanups_failed", "Cleanups that erred", |c| {
        c.cleanups_failed
    }),
    (
        "plume_requests_denied",
        "Requests of plugins the egress policy (allow-hosts, blocked addresses) refused",
        |c| c.denied,
    ),
    ("plume_ceilings_hit", "Runs stopped by their ceiling", |c| {
        c.ceilings
    }),
];

/// A text format to answer in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/openmetrics-text; version=1.0.0`.
    OpenMetrics,
    /// `text/plain; version=0.0.4` (what the Pushgateway takes).
    Prometheus,
}

impl Format {
    /// The format a scraper's `Accept` header asks for.
    pub fn for_accept(accept: Option<&str>) -> Format {
        match accept {
            Some(a) if a.contains("application/openmetrics-text") => Format::OpenMetrics,
            _ => Format::Prometheus,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
            Format::Prometheus => prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
        }
    }
}

/// A snapshot to encode: runs, and the counters when it is `/metrics`.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub runs: Vec<std::sync::Arc<RunResult>>,
    pub counters: Vec<(RunLabels, Counters)>,
    /// Distinct compiled plugins the monitor holds (`/metrics` only).
    pub plugins_compiled: Option<usize>,
}

impl Snapshot {
    /// The snapshot as text in `format`.
    pub fn encode(self, format: Format) -> String {
        let mut registry = Registry::default();
        registry.register_collector(Box::new(self));
        let mut out = String::new();
        let written = match format {
            Format::OpenMetrics => prometheus_client::encoding::text::encode(&mut out, &registry),
            Format::Prometheus => {
                prometheus_client::encoding::prometheus_text::encode(&mut out, &registry)
            }
        };
        // Writing to a String cannot fail; the encoder's own checks
        // (names, label keys) are on our constants.
        debug_assert!(written.is_ok());
        out
    }
}

type Labels<'a> = Vec<(&'static str, &'a str)>;

fn run_labels(l: &RunLabels) -> Labels<'_> {
    vec![("suite", &l.suite), ("env", &l.env)]
}

/// One family of `kind`: `series` gives each label set and its metric.
fn family<'a, M, I>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    kind: MetricType,
    series: I,
) -> Result<(), std::fmt::Error>
where
    M: EncodeMetric,
    I: Iterator<Item = (Labels<'a>, M)>,
{
    let mut family = encoder.encode_descriptor(name, help, None, kind)?;
    for (labels, metric) in series {
        metric.encode(family.encode_family(&labels)?)?;
    }
    Ok(())
}

/// One gauge family (flags and counts as integers, times as floats).
fn gauge<'a, V, I>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    series: I,
) -> Result<(), std::fmt::Error>
where
    V: EncodeGaugeValue,
    I: Iterator<Item = (Labels<'a>, V)>,
{
    let series = series.map(|(labels, value)| (labels, ConstGauge::new(value)));
    family(encoder, name, help, MetricType::Gauge, series)
}

fn check_series<'a, V: 'a>(
    runs: &'a [std::sync::Arc<RunResult>],
    value: fn(&CheckSample) -> Option<V>,
) -> impl Iterator<Item = (Labels<'a>, V)> + 'a {
    runs.iter().flat_map(move |run| {
        run.checks.iter().filter_map(move |c| {
            let mut labels = run_labels(&run.labels);
            labels.push(("group", &c.group));
            labels.push(("check", &c.check));
            value(c).map(|v| (labels, v))
        })
    })
}

fn run_series<'a, V: 'a>(
    runs: &'a [std::sync::Arc<RunResult>],
    value: fn(&RunResult) -> V,
) -> impl Iterator<Item = (Labels<'a>, V)> + 'a {
    runs.iter().map(move |r| (run_labels(&r.labels), value(r)))
}

fn flag(b: bool) -> i64 {
    i64::from(b)
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Collector for Snapshot {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let runs = &self.runs;
        let e = &mut encoder;
        gauge(
            e,
            "plume_check_success",
            "1 if the check passed in the last run, 0 if it erred; absent when it was skipped",
            check_series(runs, |c| match c.outcome {
                Outcome::Ok => Some(1),
                Outcome::Err => Some(0),
                Outcome::Skip => None,
            }),
        )?;
        gauge(
            e,
            "plume_check_skipped",
            "1 if the check was skipped in the last run (a missing secret, a dependency that erred), else 0",
            check_series(runs, |c| Some(flag(c.outcome == Outcome::Skip))),
        )?;
        gauge(
            e,
            "plume_check_duration_seconds",
            "How long the check took in the last run",
            check_series(runs, |c| Some(c.duration.as_secs_f64())),
        )?;
        gauge(
            e,
            "plume_run_success",
            "1 if the last run would have exited 0: no check or cleanup erred, no ceiling, no signal",
            run_series(runs, |r| flag(r.success)),
        )?;
        gauge(
            e,
            "plume_run_started",
            "1 if the last run got past its preflight and its plugins' descriptions, else 0",
            run_series(runs, |r| flag(r.error.is_none())),
        )?;
        gauge(
            e,
            "plume_run_duration_seconds",
            "How long the last run took, cleanups included",
            run_series(runs, |r| r.duration.as_secs_f64()),
        )?;
        gauge(
            e,
            "plume_last_run_timestamp_seconds",
            "When the last run ended, in seconds since the Unix epoch",
            run_series(runs, |r| {
                r.finished_at
                    .duration_since(UNIX_EPOCH)
                    .map_or(0.0, |d| d.as_secs_f64())
            }),
        )?;
        let mut outcome = encoder.encode_descriptor(
            "plume_run_checks",
            "Checks of the last run by outcome (ok, err, skip)",
            None,
            MetricType::Gauge,
        )?;
        for r in runs {
            for (name, n) in [("ok", r.passed), ("err", r.failed), ("skip", r.skipped)] {
                let mut labels = run_labels(&r.labels);
                labels.push(("outcome", name));
                ConstGauge::new(count(n)).encode(outcome.encode_family(&labels)?)?;
            }
        }
        let e = &mut encoder;
        gauge(
            e,
            "plume_run_check_series_dropped",
            "Checks of the last run left out of the per-check series (over --max-check-series)",
            run_series(runs, |r| count(r.dropped)),
        )?;
        if let Some(n) = self.plugins_compiled {
            gauge(
                e,
                "plume_plugins_compiled",
                "Distinct compiled plugins the monitor holds: suites whose plugin has the same SHA-256 share one",
                std::iter::once((Labels::new(), count(n))),
            )?;
        }
        let counters = &self.counters;
        if counters.is_empty() {
            return Ok(());
        }
        for (name, help, value) in COUNTERS {
            // The name without `_total`: the encoder adds it.
            let series = counters
                .iter()
                .map(|(l, c)| (run_labels(l), ConstCounter::new(value(c))));
            family(e, name, help, MetricType::Counter, series)?;
        }
        Ok(())
    }
}
