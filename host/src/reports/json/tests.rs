//! The JSON events written and read back: every kind of event survives the
//! round trip through a file (what `plume report merge` and `plume report
//! html` rely on), and each line is written byte for byte as schema
//! `plume.events/1` has always written it.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::*;
use crate::events::{
    AttemptKind, CheckRecord, CleanupRecord, Earlier, FailedAttempt, Outcome, OwnedEvent, Summary,
};
use crate::reports::Clock;
use crate::reports::fixtures::{RunClock, safe};
use crate::reports::html::PageBuffer;
use crate::reports::merge::Merged;

/// A sink that keeps what it is told and when.
struct Recorder {
    clock: Clock,
    seen: Arc<Mutex<Vec<(SystemTime, OwnedEvent)>>>,
}

impl Sink for Recorder {
    fn event(&mut self, event: &Event<'_>) {
        let at = (self.clock)();
        self.seen.lock().unwrap().push((at, OwnedEvent::of(event)));
    }
}

/// One run with every kind of event, and the millisecond each happens at.
fn run() -> Vec<(u64, OwnedEvent)> {
    let planned = vec![
        ("api".to_owned(), "health".to_owned()),
        ("api".to_owned(), "login".to_owned()),
        ("web".to_owned(), "home".to_owned()),
    ];
    let health = CheckRecord {
        group: safe("api"),
        check: safe("health"),
        outcome: Outcome::Ok,
        status: Some(200),
        detail: safe("200 OK in 12 ms"),
        elapsed: Duration::from_millis(40),
        earlier: Earlier::from(vec![FailedAttempt {
            kind: AttemptKind::Erred,
            status: Some(503),
            detail: safe("503: \"busy\"\nthen"),
            elapsed: Duration::from_millis(7),
        }]),
    };
    let login = CheckRecord {
        group: safe("api"),
        check: safe("login"),
        outcome: Outcome::Err,
        status: None,
        detail: safe("connect: refused"),
        elapsed: Duration::from_millis(25),
        earlier: Earlier::default(),
    };
    let home = CheckRecord {
        group: safe("web"),
        check: safe("home"),
        outcome: Outcome::Skip,
        status: None,
        detail: safe("not started: the ceiling passed"),
        elapsed: Duration::ZERO,
        earlier: Earlier::default(),
    };
    let cleanup = CleanupRecord {
        label: safe("delete order 7"),
        outcome: Outcome::Err,
        status: Some(404),
        detail: safe("404 Not Found"),
        elapsed: Duration::from_millis(9),
    };
    let summary = Summary {
        passed: 1,
        flaky: 1,
        failed: 1,
        skipped: 1,
        cleanups_ok: 0,
        cleanups_failed: 1,
        denied: 2,
        red: vec!["api.login".to_owned(), "cleanup.delete order 7".to_owned()],
        stopped: Some(safe("the ceiling passed")),
        elapsed: Duration::from_millis(120),
    };
    vec![
        (0, OwnedEvent::Planned(planned)),
        (
            1,
            OwnedEvent::CheckStarted {
                group: "api".into(),
                check: "health".into(),
            },
        ),
        (
            5,
            OwnedEvent::Log {
                group: "api".into(),
                check: "health".into(),
                level: "trace".into(),
                message: "GET http://127.0.0.1:1/ → 503".into(),
            },
        ),
        (41, OwnedEvent::CheckFinished(health)),
        (
            42,
            OwnedEvent::CheckStarted {
                group: "api".into(),
                check: "login".into(),
            },
        ),
        (67, OwnedEvent::CheckFinished(login)),
        (100, OwnedEvent::CheckFinished(home)),
        (110, OwnedEvent::CleanupFinished(cleanup)),
        (120, OwnedEvent::Finished(summary)),
    ]
}

/// `events` written by the json sink, each at its millisecond of the run.
fn written(events: &[(u64, OwnedEvent)]) -> String {
    let clock = RunClock::new();
    let page = PageBuffer::default();
    let mut sink = JsonEvents::new(Box::new(page.clone()), clock.run());
    for (ms, seen) in events {
        clock.at(*ms);
        sink.event(&seen.as_event());
    }
    page.text()
}

/// The events of the file `text`, read back and replayed as `plume report
/// merge` does: the merged totals, and each event with when it happened.
fn replayed(text: &str) -> (Summary, Vec<(SystemTime, OwnedEvent)>) {
    let merged = Merged::from_text(Path::new("events.ndjson"), text).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let summary = merged
        .replay_with(|info| {
            let sink: Box<dyn Sink> = Box::new(Recorder {
                clock: info.clock.clone(),
                seen: seen.clone(),
            });
            Ok(vec![sink])
        })
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    (summary, seen)
}

#[test]
fn every_kind_of_event_reads_back_as_it_was_written() {
    let events = run();
    let text = written(&events);
    let (_, seen) = replayed(&text);
    let start = RunClock::new().start;
    let read: Vec<(u64, OwnedEvent)> = seen
        .iter()
        .map(|(at, s)| {
            let ms = at.duration_since(start).unwrap().as_millis();
            (u64::try_from(ms).unwrap(), s.clone())
        })
        .collect();
    // A merge names where the stop came from: a whole run here.
    let mut expected = events.clone();
    if let Some((_, OwnedEvent::Finished(summary))) = expected.last_mut() {
        summary.stopped = Some(safe("whole run: the ceiling passed"));
    }
    assert_eq!(read.len(), expected.len());
    for (read, expected) in read.iter().zip(&expected) {
        assert_eq!(read, expected);
    }
    // Each kind was written, read and compared.
    let kinds: std::collections::BTreeSet<&str> = text
        .lines()
        .map(|l| match JsonEvent::from_line(l).unwrap() {
            JsonEvent::RunStarted { .. } => "run_started",
            JsonEvent::CheckStarted { .. } => "check_started",
            JsonEvent::CheckFinished { .. } => "check_finished",
            JsonEvent::Log { .. } => "log",
            JsonEvent::CleanupFinished { .. } => "cleanup_finished",
            JsonEvent::RunFinished { .. } => "run_finished",
            JsonEvent::Other => "other",
        })
        .collect();
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    assert!(!kinds.contains("other"));
}

#[test]
fn every_line_reads_back_as_the_same_json_event() {
    for line in written(&run()).lines() {
        let event = JsonEvent::from_line(line).unwrap();
        assert_eq!(event.to_line(), line);
    }
}

#[test]
fn lines_keep_the_bytes_of_plume_events_1() {
    let version = env!("CARGO_PKG_VERSION");
    let expected = [
        format!(
            r#"{{"at":"2027-01-15T08:00:00.000Z","checks":["api.health","api.login","web.home"],"env":"staging","event":"run_started","plume_version":"{version}","schema":"plume.events/1","shard":null,"started_at":"2027-01-15T08:00:00.000Z","suite":"shop"}}"#
        ),
        r#"{"at":"2027-01-15T08:00:00.001Z","check":"health","event":"check_started","group":"api"}"#.to_owned(),
        r#"{"at":"2027-01-15T08:00:00.005Z","check":"health","event":"log","group":"api","level":"trace","message":"GET http://127.0.0.1:1/ → 503"}"#.to_owned(),
        r#"{"at":"2027-01-15T08:00:00.041Z","attempts":2,"check":"health","detail":"200 OK in 12 ms","duration_ms":40,"earlier":[{"detail":"503: \"busy\" | then","duration_ms":7,"kind":"erred","status":503}],"earlier_dropped":{"erred":0,"pending":0},"event":"check_finished","flaky":true,"group":"api","outcome":"ok","status":200}"#.to_owned(),
        r#"{"at":"2027-01-15T08:00:00.042Z","check":"login","event":"check_started","group":"api"}"#.to_owned(),
        r#"{"at":"2027-01-15T08:00:00.067Z","attempts":1,"check":"login","detail":"connect: refused","duration_ms":25,"earlier":[],"earlier_dropped":{"erred":0,"pending":0},"event":"check_finished","flaky":false,"group":"api","outcome":"err","status":null}"#.to_owned(),
        r#"{"at":"2027-01-15T08:00:00.100Z","attempts":1,"check":"home","detail":"not started: the ceiling passed","duration_ms":0,"earlier":[],"earlier_dropped":{"erred":0,"pending":0},"event":"check_finished","flaky":false,"group":"web","outcome":"skip","status":null}"#.to_owned(),
        r#"{"at":"2027-01-15T08:00:00.110Z","detail":"404 Not Found","duration_ms":9,"event":"cleanup_finished","label":"delete order 7","outcome":"err","status":404}"#.to_owned(),
        r#"{"at":"2027-01-15T08:00:00.120Z","cleanups_failed":1,"cleanups_ok":0,"denied":2,"duration_ms":120,"event":"run_finished","exit_code":1,"failed":1,"finished_at":"2027-01-15T08:00:00.120Z","flaky":1,"passed":1,"red":["api.login","cleanup.delete order 7"],"skipped":1,"started_at":"2027-01-15T08:00:00.000Z","stopped":"the ceiling passed"}"#.to_owned(),
    ];
    let text = written(&run());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines, expected);
}

#[test]
fn line_breaks_javascript_sees_are_escaped_and_read_back() {
    let event = JsonEvent::Log {
        at: "2027-01-15T08:00:00.005Z".into(),
        group: "api".into(),
        check: "health".into(),
        level: "info".into(),
        message: "a\u{2028}b\u{2029}c\u{85}d".into(),
    };
    let line = event.to_line();
    assert!(!line.contains(['\u{2028}', '\u{2029}', '\u{85}']), "{line}");
    assert!(
        line.contains(r#""message":"a\u2028b\u2029c\u0085d""#),
        "{line}"
    );
    assert_eq!(JsonEvent::from_line(&line).unwrap(), event);
}

#[test]
fn a_file_without_the_fields_added_within_the_schema_still_reads() {
    // What plume.events/1 held before `env`, `plume_version`, `exit_code`,
    // `attempts`, `flaky` and `earlier`, with an event and a field from a
    // later version that a reader ignores.
    let text = [
        r#"{"event":"run_started","schema":"plume.events/1","suite":"shop","shard":null,"started_at":"2027-01-15T08:00:00.000Z","checks":["api.health"]}"#,
        r#"{"event":"check_started","at":"2027-01-15T08:00:00.001Z","group":"api","check":"health"}"#,
        r#"{"event":"later_kind","at":"2027-01-15T08:00:00.002Z","what":1}"#,
        r#"{"event":"check_finished","at":"2027-01-15T08:00:00.041Z","group":"api","check":"health","outcome":"ok","status":200,"detail":"fine","duration_ms":40,"later_field":[1]}"#,
        r#"{"event":"run_finished","denied":0,"stopped":null,"finished_at":"2027-01-15T08:00:00.050Z"}"#,
    ]
    .join("\n");
    let (summary, seen) = replayed(&text);
    assert_eq!((summary.passed, summary.failed), (1, 0));
    assert_eq!(summary.elapsed, Duration::from_millis(50));
    let finished: Vec<CheckRecord> = seen
        .iter()
        .filter_map(|(_, e)| match e {
            OwnedEvent::CheckFinished(r) => Some(r.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(finished.len(), 1);
    assert_eq!(finished[0].detail, "fine");
    assert_eq!(finished[0].attempts(), 1);
}

#[test]
fn attempts_past_the_bound_read_back_counted_and_a_dropped_erred_one_is_still_flaky() {
    // 32 pending attempts kept, 3 more counted (one of them erred), then a pass.
    let pending = r#"{"kind":"pending","status":404,"detail":"not yet","duration_ms":1}"#;
    let earlier = vec![pending; crate::limits::EARLIER_ATTEMPTS_MAX].join(",");
    let text = [
        r#"{"event":"run_started","schema":"plume.events/1","suite":"s","shard":null,"started_at":"2027-01-15T08:00:00.000Z","checks":["g.c"]}"#.to_owned(),
        format!(
            r#"{{"event":"check_finished","at":"2027-01-15T08:00:00.041Z","group":"g","check":"c","outcome":"ok","status":200,"detail":"fine","duration_ms":40,"attempts":36,"flaky":true,"earlier":[{earlier}],"earlier_dropped":{{"erred":1,"pending":2}}}}"#
        ),
        r#"{"event":"run_finished","denied":0,"stopped":null,"finished_at":"2027-01-15T08:00:00.050Z"}"#.to_owned(),
    ]
    .join("\n");
    let (summary, seen) = replayed(&text);
    assert_eq!((summary.passed, summary.flaky), (1, 1));
    let r = seen
        .iter()
        .find_map(|(_, e)| match e {
            OwnedEvent::CheckFinished(r) => Some(r.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(r.attempts(), 36);
    assert!(r.flaky());
    assert_eq!(r.earlier.len(), crate::limits::EARLIER_ATTEMPTS_MAX);
    assert!(r.earlier.iter().all(|a| a.kind == AttemptKind::Pending));
    let again = written(&[(41, OwnedEvent::CheckFinished(r))]);
    assert!(
        again.contains(r#""attempts":36"#)
            && again.contains(r#""earlier_dropped":{"erred":1,"pending":2}"#)
            && again.contains(r#""flaky":true"#),
        "{again}"
    );
}
