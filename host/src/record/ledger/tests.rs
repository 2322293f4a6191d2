//! The ledger's guarantees: a panicking sink is dropped and the others go
//! on; every text a plugin chose reaches the sinks redacted, on one safe
//! line, cut at its limit without leaving half a secret.

use std::sync::Arc;

use super::*;

/// Everything a sink was told, as text.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

impl Sink for Seen {
    fn event(&mut self, event: &Event<'_>) {
        let line = match event {
            Event::Planned(checks) => format!("planned {checks:?}"),
            Event::CheckStarted { group, check } => format!("started {group}.{check}"),
            Event::CheckFinished(r) => format!("finished {} {}", r.name(), r.detail),
            Event::Log {
                group,
                check,
                message,
                ..
            } => format!("log {group}.{check} {message}"),
            Event::CleanupFinished(r) => format!("cleanup {} {}", r.label, r.detail),
            Event::Finished(s) => format!("red {}", s.red.join(",")),
        };
        self.0.lock().unwrap().push(line);
    }
}

struct Panics;

impl Sink for Panics {
    fn event(&mut self, event: &Event<'_>) {
        if let Event::CheckFinished(r) = event {
            let width = 70_000;
            panic!("{}", format!("{:<width$}", r.name()).len());
        }
    }
}

#[test]
fn a_panicking_sink_is_dropped_and_the_others_go_on() {
    let seen = Seen::default();
    let ledger = Ledger::new(
        Redactor::default(),
        vec![Box::new(Panics), Box::new(seen.clone())],
    );
    ledger.plan(vec![("g".into(), "a".into()), ("g".into(), "b".into())]);
    ledger.finish("g", "a", Outcome::Ok, None, "one");
    ledger.finish("g", "b", Outcome::Err, None, "two");
    ledger.close();
    let all = seen.all();
    assert!(all.contains(&"finished g.a one".to_owned()), "{all:?}");
    assert!(all.contains(&"finished g.b two".to_owned()), "{all:?}");
    assert_eq!(all.last().unwrap(), "red g.b");
    assert_eq!(ledger.lock().sinks.len(), 1, "the panicking sink is gone");
}

#[test]
fn every_text_a_plugin_chose_is_redacted_and_made_one_safe_line() {
    let seen = Seen::default();
    let ledger = Ledger::new(Redactor::new(["hunter2-pw"]), vec![Box::new(seen.clone())]);
    let group = "g-hunter2-pw".to_owned();
    ledger.plan(vec![(group.clone(), "c".into())]);
    ledger.started(&group, "c");
    ledger.log(
        &group,
        "c",
        "info",
        "one\rtwo\u{2028}three \x1b]0;title\x07",
    );
    ledger.finish(
        &group,
        "c",
        Outcome::Err,
        None,
        "red\x1b[32m\u{202e}\n[ok  ] fake",
    );
    ledger.cleanup(
        "undo hunter2-pw\n::error::forged",
        Outcome::Err,
        None,
        &"x".repeat(16 << 20),
        Duration::ZERO,
    );
    ledger.close();
    let all = seen.all();
    let expected = [
        "planned [(\"g-***\", \"c\")]",
        "started g-***.c",
        "log g-***.c one",
        "log g-***.c two",
        "log g-***.c three \\x1b]0;title\\x07",
        "finished g-***.c red\\x1b[32m\\u{202e} | [ok  ] fake",
    ];
    assert_eq!(&all[..6], expected);
    let cleanup = &all[6];
    assert!(
        cleanup.starts_with("cleanup undo *** | ::error::forged xxxx"),
        "{cleanup:.80}"
    );
    assert!(
        cleanup.ends_with("… (cut: 16777216 bytes in all)"),
        "{cleanup:.80}"
    );
    assert!(cleanup.len() < crate::limits::DETAIL_MAX + 400);
    assert_eq!(all[7], "red g-***.c,cleanup.undo *** | ::error::forged");
    assert!(!all.concat().contains("hunter2"));
}

#[test]
fn a_secret_cut_in_half_by_the_limit_is_not_shown_in_half() {
    let seen = Seen::default();
    let ledger = Ledger::new(
        Redactor::new(["0123456789-secret"]),
        vec![Box::new(seen.clone())],
    );
    let detail = format!(
        "{}0123456789-secret",
        "a".repeat(crate::limits::DETAIL_MAX - 5)
    );
    ledger.finish("g", "c", Outcome::Ok, None, &detail);
    let all = seen.all();
    assert!(
        !all[0].contains("01234"),
        "{:?}",
        &all[0][all[0].len() - 60..]
    );
    assert!(all[0].ends_with(&text::cut_note(detail.len())));
}

#[test]
fn each_check_is_recorded_exactly_once() {
    let seen = Seen::default();
    let ledger = Ledger::new(Redactor::default(), vec![Box::new(seen.clone())]);
    ledger.plan(vec![("g".into(), "a".into())]);
    ledger.started("g", "a");
    ledger.finish("g", "a", Outcome::Err, None, "first");
    // A late report for the same check (an aborted task finishing) is dropped.
    ledger.finish("g", "a", Outcome::Ok, None, "second");
    let summary = ledger.close();
    let finished: Vec<String> = seen
        .all()
        .into_iter()
        .filter(|l| l.starts_with("finished"))
        .collect();
    assert_eq!(finished, ["finished g.a first"]);
    assert_eq!((summary.passed, summary.failed), (0, 1));
}

#[test]
fn stop_gives_every_open_check_an_outcome_and_later_reports_are_dropped() {
    let seen = Seen::default();
    let ledger = Ledger::new(Redactor::default(), vec![Box::new(seen.clone())]);
    ledger.plan(vec![
        ("g".into(), "done".into()),
        ("g".into(), "running".into()),
        ("g".into(), "waiting".into()),
    ]);
    ledger.finish("g", "done", Outcome::Ok, None, "fine");
    ledger.started("g", "running");
    ledger.stop("run ceiling of 1000 ms reached");
    ledger.finish("g", "running", Outcome::Ok, None, "finished after the stop");
    ledger.log("g", "running", "info", "logged after the stop");
    let summary = ledger.close();
    let all = seen.all();
    assert!(
        all.iter()
            .any(|l| l.starts_with("finished g.running run ceiling of 1000 ms reached after")),
        "{all:?}"
    );
    assert!(
        all.contains(&"finished g.waiting not started: run ceiling of 1000 ms reached".to_owned()),
        "{all:?}"
    );
    assert!(!all.iter().any(|l| l.contains("after the stop")), "{all:?}");
    assert_eq!((summary.passed, summary.failed, summary.skipped), (1, 1, 1));
    assert_eq!(
        summary.stopped.as_deref(),
        Some("run ceiling of 1000 ms reached")
    );
}

#[test]
fn secrets_are_redacted_before_any_sink_sees_them() {
    let seen = Seen::default();
    let ledger = Ledger::new(
        Redactor::new(["hunter2-secret"]),
        vec![Box::new(seen.clone())],
    );
    ledger.plan(vec![("g".into(), "a".into())]);
    ledger.started("g", "a");
    ledger.log("g", "a", "debug", "token hunter2-secret in a log");
    ledger.finish("g", "a", Outcome::Err, None, "got hunter2-secret back");
    ledger.cleanup(
        "undo-hunter2-secret",
        Outcome::Ok,
        Some(204),
        "DELETE /x?pw=hunter2-secret -> 204",
        Duration::ZERO,
    );
    ledger.close();
    let all = seen.all();
    assert!(all.iter().all(|l| !l.contains("hunter2-secret")), "{all:?}");
    assert!(
        all.contains(&"finished g.a got *** back".to_owned()),
        "{all:?}"
    );
}

#[test]
fn a_cleanup_label_with_invisible_characters_is_shown_escaped() {
    let seen = Seen::default();
    let ledger = Ledger::new(
        Redactor::new(Vec::<&str>::new()),
        vec![Box::new(seen.clone())],
    );
    ledger.cleanup(
        "undo\u{200b}",
        Outcome::Ok,
        Some(204),
        "-> 204",
        Duration::ZERO,
    );
    ledger.close();
    let all = seen.all();
    assert!(
        all.contains(&"cleanup undo\\u{200b} -> 204".to_owned()),
        "{all:?}"
    );
}
