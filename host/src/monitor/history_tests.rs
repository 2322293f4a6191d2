use std::time::{Duration, SystemTime};

use super::*;
use crate::monitor::collect::{CheckSample, RunLabels, RunResult};

fn retention() -> Retention {
    Retention {
        keep: Duration::from_secs(30 * 86_400),
        max_bytes: 1 << 30,
    }
}

fn run(success: bool, ago: Duration) -> RunResult {
    let mut r = RunResult::not_started(
        RunLabels {
            suite: "shop".to_owned(),
            env: "prod".to_owned(),
        },
        "x".to_owned(),
        Duration::from_millis(120),
    );
    r.success = success;
    r.error = None;
    r.finished_at = SystemTime::now() - ago;
    r.headline = if success { "1 passed" } else { "1 failed" }.to_owned();
    r.checks = vec![CheckSample {
        group: "api".to_owned(),
        check: "health".to_owned(),
        outcome: if success { Outcome::Ok } else { Outcome::Err },
        duration: Duration::from_millis(40),
    }];
    r
}

fn minutes(n: u64) -> Duration {
    Duration::from_secs(60 * n)
}

#[test]
fn a_new_database_is_migrated_to_the_current_schema_and_a_newer_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let state = StateDir::Dir(dir.path().to_owned());
    {
        let h = History::open(&state, retention()).unwrap();
        h.record("shop", "prod", &run(true, minutes(1)), Some(b"{}\n"))
            .unwrap();
    }
    let conn = Connection::open(dir.path().join(DATABASE)).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    // Reopening migrates nothing again and keeps the runs.
    {
        let h = History::open(&state, retention()).unwrap();
        assert_eq!(h.recent("shop", "prod", 10).unwrap().runs.len(), 1);
    }
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    let err = History::open(&state, retention()).unwrap_err();
    assert!(matches!(err, HistoryError::Newer { .. }), "{err}");
    assert!(err.to_string().contains("newer than this plume's"), "{err}");
}

#[test]
fn each_migration_runs_once_from_version_zero() {
    let mut conn = Connection::open_in_memory().unwrap();
    let path = PathBuf::from(":memory:");
    migrate(&mut conn, &path).unwrap();
    migrate(&mut conn, &path).unwrap();
    let tables: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('runs', 'checks')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 2);
}

#[test]
fn a_second_monitor_on_the_same_directory_is_refused_until_the_first_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let state = StateDir::Dir(dir.path().to_owned());
    let first = History::open(&state, retention()).unwrap();
    let err = History::open(&state, retention()).unwrap_err();
    assert!(matches!(err, HistoryError::Locked { .. }), "{err}");
    drop(first);
    History::open(&state, retention()).unwrap();
}

#[test]
fn the_state_since_when_and_the_history_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let state = StateDir::Dir(dir.path().to_owned());
    {
        let h = History::open(&state, retention()).unwrap();
        for (ok, ago) in [
            (true, 50),
            (false, 40),
            (true, 30),
            (false, 20),
            (false, 10),
        ] {
            h.record("shop", "prod", &run(ok, minutes(ago)), None)
                .unwrap();
        }
        h.record("other", "prod", &run(true, minutes(5)), None)
            .unwrap();
    }
    let h = History::open(&state, retention()).unwrap();
    assert_eq!(h.recent("shop", "prod", 10).unwrap().runs.len(), 5);
    let recent = h.recent("shop", "prod", 3).unwrap();
    assert_eq!(recent.runs.len(), 3);
    let kept_for = SystemTime::now()
        .duration_since(recent.oldest.unwrap())
        .unwrap();
    assert!(kept_for > minutes(49), "{kept_for:?}");
    assert!(!recent.runs[0].success);
    // Red since the run 20 minutes ago, the first of the current streak.
    let since = recent.since.unwrap();
    let age = SystemTime::now().duration_since(since).unwrap();
    assert!(age > minutes(19) && age < minutes(21), "{age:?}");
    assert_eq!(recent.checks.len(), 3);
    assert!(recent.checks.iter().all(|c| c.name == "api.health"));
}

#[test]
fn runs_older_than_keep_are_pruned() {
    let h = History::open(
        &StateDir::Memory,
        Retention {
            keep: minutes(60),
            max_bytes: 1 << 30,
        },
    )
    .unwrap();
    h.record("shop", "prod", &run(true, minutes(120)), None)
        .unwrap();
    h.record("shop", "prod", &run(true, minutes(90)), None)
        .unwrap();
    assert_eq!(h.recent("shop", "prod", 10).unwrap().runs.len(), 0);
    h.record("shop", "prod", &run(true, minutes(1)), None)
        .unwrap();
    let recent = h.recent("shop", "prod", 10).unwrap();
    assert_eq!(recent.runs.len(), 1);
    assert_eq!(recent.checks.len(), 1, "the pruned runs' checks went too");
}

#[test]
fn the_oldest_runs_are_pruned_while_the_data_passes_its_cap() {
    let cap = 256 * 1024;
    let h = History::open(
        &StateDir::Memory,
        Retention {
            keep: minutes(60 * 24),
            max_bytes: cap,
        },
    )
    .unwrap();
    let events = vec![b'x'; 8 * 1024];
    let mut last = 0;
    for i in 0..200 {
        last = h
            .record(
                "shop",
                "prod",
                &run(i % 2 == 0, minutes(200 - i)),
                Some(&events),
            )
            .unwrap();
    }
    assert!(
        h.used_bytes().unwrap() <= cap,
        "{} bytes",
        h.used_bytes().unwrap()
    );
    let recent = h.recent("shop", "prod", 1000).unwrap();
    let kept = recent.runs.len();
    assert!(kept < 200 && kept > 5, "{kept}");
    assert_eq!(recent.runs[0].id, last, "the newest run is kept");
    assert!(h.events(last).unwrap().unwrap().is_some());
    assert!(h.events(1).unwrap().is_none(), "the oldest went first");
}
