//! Unit tests of the monitor's pure parts: what the metrics say about a run,
//! how label values are escaped, the events buffer's cut, a probe's limits.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use super::collect::{EventsBuffer, MetricsSink, RunLabels, RunResult};
use super::metrics::{Counters, Format, Snapshot};
use crate::record::ledger::Ledger;
use crate::redact::Redactor;
use crate::run::RunEnd;

/// A run of three checks (ok, err, skip) through a real ledger.
fn run_with(check: &str, secret: &str) -> RunResult {
    let redactor = Redactor::new([secret]);
    let (sink, gatherer) = MetricsSink::new(1000);
    let ledger = Ledger::new(redactor.clone(), vec![Box::new(sink)]);
    let planned = [("g", check), ("g", "bad"), ("g", "later")];
    ledger.plan(
        planned
            .iter()
            .map(|(g, c)| ((*g).to_owned(), (*c).to_owned()))
            .collect(),
    );
    use crate::events::Outcome;
    ledger.finish("g", check, Outcome::Ok, Some(200), "fine");
    ledger.finish("g", "bad", Outcome::Err, Some(500), "broken");
    ledger.finish("g", "later", Outcome::Skip, None, "no secret");
    ledger.close();
    let labels = RunLabels::new("shop", &format!("prod-{secret}"), &redactor);
    RunResult::finished(labels, &gatherer, RunEnd::Completed)
}

fn series<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")))
        .collect()
}

#[test]
fn a_run_shows_each_check_and_a_skip_as_such() {
    let run = Arc::new(run_with("ok", "hunter2-secret"));
    let text = Snapshot {
        runs: vec![run],
        counters: Vec::new(),
        plugins_compiled: None,
    }
    .encode(Format::OpenMetrics);
    assert_eq!(
        series(&text, "plume_check_success"),
        [
            "plume_check_success{suite=\"shop\",env=\"prod-***\",group=\"g\",check=\"ok\"} 1",
            "plume_check_success{suite=\"shop\",env=\"prod-***\",group=\"g\",check=\"bad\"} 0",
        ],
        "{text}"
    );
    assert_eq!(
        series(&text, "plume_check_skipped")
            .iter()
            .filter(|l| l.ends_with(" 1"))
            .count(),
        1
    );
    assert_eq!(
        series(&text, "plume_run_success"),
        ["plume_run_success{suite=\"shop\",env=\"prod-***\"} 0"]
    );
    assert!(text.ends_with("# EOF\n"), "{text}");
    assert!(
        series(&text, "plume_runs_total").is_empty(),
        "no counters for one run"
    );
}

#[test]
fn label_values_are_escaped_and_counters_count() {
    let run = run_with("quote\"back\\slash", "s3cr3t-value");
    let mut counters = Counters::default();
    counters.count(&run);
    counters.count(&run);
    let text = Snapshot {
        counters: vec![(run.labels.clone(), counters)],
        plugins_compiled: None,
        runs: vec![Arc::new(run)],
    }
    .encode(Format::Prometheus);
    assert!(text.contains(r#"check="quote\"back\\slash"} 1"#), "{text}");
    assert!(!text.contains("s3cr3t-value"), "{text}");
    assert!(
        text.contains("plume_runs_failed_total{suite=\"shop\",env=\"prod-***\"} 2"),
        "{text}"
    );
}

#[test]
fn the_events_buffer_keeps_whole_lines_up_to_its_limit() {
    let mut buffer = EventsBuffer::default();
    let line = vec![b'x'; 1000];
    for _ in 0..(crate::limits::MONITOR_EVENTS_MAX / 1001 + 5) {
        buffer.write_all(&line).unwrap();
        buffer.write_all(b"\n").unwrap();
    }
    let (bytes, cut) = buffer.take();
    assert!(cut);
    assert!(bytes.len() <= crate::limits::MONITOR_EVENTS_MAX && bytes.ends_with(b"\n"));
    assert_eq!(bytes.len() % 1001, 0);
}

#[test]
fn a_probe_fits_its_ceiling_and_cleanups_in_its_time() {
    let limits = crate::limits::Limits::default();
    let probe = super::target::bounded(&limits, Some(Duration::from_millis(2500)));
    assert_eq!(probe.ceiling, Duration::from_millis(1750));
    assert_eq!(probe.cleanup_budget, Duration::from_millis(750));
    let scheduled = super::target::bounded(&limits, None);
    assert_eq!(scheduled, limits);
}

#[test]
fn checks_past_the_series_cap_are_counted_not_kept() {
    let (sink, gatherer) = MetricsSink::new(2);
    let ledger = Ledger::new(Redactor::default(), vec![Box::new(sink)]);
    let checks: Vec<(String, String)> = (0..5).map(|i| ("g".to_owned(), format!("c{i}"))).collect();
    ledger.plan(checks.clone());
    for (g, c) in &checks {
        ledger.finish(g, c, crate::events::Outcome::Ok, Some(200), "");
    }
    ledger.close();
    let labels = RunLabels::new("s", "", &Redactor::default());
    let run = RunResult::finished(labels, &gatherer, RunEnd::Completed);
    assert_eq!((run.checks.len(), run.dropped, run.passed), (2, 3, 5));
    let text = Snapshot {
        runs: vec![Arc::new(run)],
        counters: Vec::new(),
        plugins_compiled: None,
    }
    .encode(Format::Prometheus);
    assert_eq!(series(&text, "plume_check_success").len(), 2);
    assert!(
        text.contains("plume_run_check_series_dropped{suite=\"s\",env=\"\"} 3"),
        "{text}"
    );
}
