//! `plume run --shard K/N` and `plume report merge`: for every K of N = 1..4
//! the shards run each group exactly once, each with the groups it depends
//! on; merging their JSON events gives the counts, the red names and the exit
//! code one unsharded run gives, green and red, with `--only`/`--skip`;
//! every event's time is RFC 3339 and in order; bad `--shard` values and bad
//! event files are one line and exit 2.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::bad_input::one_line_exit_2;
use crate::reports::basic_suite;
use crate::support::harness::{Run, plume, run};
use crate::support::server::TestServer;

/// Which groups depend on which in the basic guest's suite (12 groups, 16
/// checks: 10 ok, 3 err, 3 skip; 5 cleanups, 1 err).
const DEPENDS_ON: &[(&str, &str)] = &[("consumer", "producer"), ("after_failing", "failing")];

/// A run's JSON events, with the run's line output.
struct Events {
    run: Run,
    path: PathBuf,
    events: Vec<Value>,
}

impl Events {
    fn of(&self, kind: &str) -> Vec<&Value> {
        self.events.iter().filter(|e| e["event"] == kind).collect()
    }

    fn started(&self) -> &Value {
        &self.events[0]
    }

    fn finished(&self) -> &Value {
        self.events.last().expect("events")
    }

    /// `group.check` -> outcome, of every check_finished.
    fn outcomes(&self) -> BTreeMap<String, String> {
        self.of("check_finished")
            .iter()
            .map(|e| {
                (
                    format!("{}.{}", text(&e["group"]), text(&e["check"])),
                    text(&e["outcome"]),
                )
            })
            .collect()
    }

    /// The groups this run reported checks of.
    fn groups(&self) -> BTreeSet<String> {
        self.of("check_finished")
            .iter()
            .map(|e| text(&e["group"]))
            .collect()
    }

    /// passed, failed, skipped, cleanups_ok, cleanups_failed of run_finished.
    fn counts(&self) -> [u64; 5] {
        let f = self.finished();
        [
            "passed",
            "failed",
            "skipped",
            "cleanups_ok",
            "cleanups_failed",
        ]
        .map(|k| f[k].as_u64().unwrap_or_else(|| panic!("{k} in {f}")))
    }
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_owned()
}

fn read_events(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("events written");
    let events: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(events[0]["event"], "run_started", "{text}");
    assert_eq!(events.last().unwrap()["event"], "run_finished", "{text}");
    events
}

/// Runs the suite with `args` and `--report json=DIR/NAME`.
fn run_json(suite: &Path, dir: &Path, name: &str, args: &[&str]) -> Events {
    let path = dir.join(name);
    let report = format!("json={}", path.display());
    let mut all = args.to_vec();
    all.extend(["--report", &report]);
    let run = run(suite, &all);
    assert!(
        run.code == 0 || run.code == 1,
        "{name}: exit {}\n{}\n{}",
        run.code,
        run.stdout,
        run.stderr
    );
    let events = read_events(&path);
    Events { run, path, events }
}

/// RFC 3339 in UTC with milliseconds, e.g. `2026-11-26T19:51:17.123Z`.
fn instant(v: &Value) -> OffsetDateTime {
    let s = text(v);
    assert!(
        s.ends_with('Z') && s.len() == "2026-11-26T19:51:17.123Z".len(),
        "UTC with milliseconds: {s}"
    );
    OffsetDateTime::parse(&s, &Rfc3339).unwrap_or_else(|e| panic!("{s} is not RFC 3339: {e}"))
}

/// Every event has an `at`, in order; the run's start and end bracket them
/// and are `duration_ms` apart.
fn assert_times_in_order(events: &[Value]) {
    let ats: Vec<OffsetDateTime> = events.iter().map(|e| instant(&e["at"])).collect();
    for pair in ats.windows(2) {
        assert!(pair[0] <= pair[1], "out of order: {pair:?}");
    }
    let (first, last) = (&events[0], events.last().unwrap());
    let started = instant(&first["started_at"]);
    assert_eq!(started, instant(&last["started_at"]));
    let finished = instant(&last["finished_at"]);
    assert!(started <= ats[0] && finished <= *ats.last().unwrap());
    let took = (finished - started).whole_milliseconds();
    let said = i128::from(last["duration_ms"].as_u64().expect("duration_ms"));
    assert!((took - said).abs() <= 1, "{took} ms vs duration_ms {said}");
    for e in events.iter().filter(|e| e.get("duration_ms").is_some()) {
        assert!(e["duration_ms"].is_u64(), "{e}");
    }
}

/// Runs every shard of `count` with `args`, checking each reports its shard.
fn run_shards(suite: &Path, dir: &Path, count: usize, args: &[&str]) -> Vec<Events> {
    (1..=count)
        .map(|k| {
            let shard = format!("{k}/{count}");
            let mut all = args.to_vec();
            all.extend(["--shard", &shard]);
            let e = run_json(suite, dir, &format!("shard-{k}-of-{count}.ndjson"), &all);
            assert_eq!(e.started()["shard"], shard.as_str());
            assert!(
                e.run.stdout.starts_with(&format!("shard {shard}: ")),
                "{}",
                e.run.stdout
            );
            assert_times_in_order(&e.events);
            e
        })
        .collect()
}

/// `plume report merge` of the shards, writing JUnit and JSON into `dir`.
fn merge(shards: &[Events], dir: &Path, name: &str) -> (Run, Events, String) {
    let json = dir.join(format!("{name}.ndjson"));
    let junit = dir.join(format!("{name}.xml"));
    let mut args: Vec<String> = vec!["report".into(), "merge".into()];
    args.extend(shards.iter().map(|s| s.path.display().to_string()));
    args.extend([
        "--report".into(),
        format!("json={}", json.display()),
        "--report".into(),
        format!("junit={}", junit.display()),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = plume(&args);
    let events = read_events(&json);
    let junit = std::fs::read_to_string(&junit).expect("junit written");
    let merged = Events {
        run: Run {
            code: run.code,
            stdout: run.stdout.clone(),
            stderr: run.stderr.clone(),
        },
        path: json,
        events,
    };
    (run, merged, junit)
}

/// The summary line without its time: `10 passed, 3 failed, 3 skipped; cleanups: 4 ok, 1 failed`.
fn headline(run: &Run) -> String {
    let line = run
        .stdout
        .lines()
        .rev()
        .find(|l| l.contains(" passed, "))
        .unwrap_or_else(|| panic!("no summary in {}", run.stdout));
    let (counts, rest) = line.split_once(" in ").expect("in 1.23s");
    let after = rest
        .split_once(';')
        .map_or(String::new(), |(_, r)| format!(";{r}"));
    format!("{counts}{after}")
}

/// (tests, failures, skipped) of a JUnit file, counted from its testcases.
fn junit_counts(xml: &str) -> (usize, usize, usize) {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let with = |tag: &str| {
        cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name(tag)))
            .count()
    };
    (cases.len(), with("failure"), with("skipped"))
}

/// Shards 1..=N of a selection against the whole run: each check once, the
/// same outcomes; the merge's counts, line, JUnit and exit code the same.
fn shards_match_whole(suite: &Path, args: &[&str], counts: &[usize]) -> Events {
    let dir = tempfile::tempdir().unwrap();
    let whole = run_json(suite, dir.path(), "whole.ndjson", args);
    assert_eq!(whole.started()["shard"], Value::Null);
    assert_times_in_order(&whole.events);
    for &count in counts {
        let shards = run_shards(suite, dir.path(), count, args);
        // Each group in exactly one shard, with the groups it depends on.
        let mut shard_of: BTreeMap<String, usize> = BTreeMap::new();
        for (k, s) in shards.iter().enumerate() {
            for g in s.groups() {
                assert_eq!(
                    shard_of.insert(g.clone(), k),
                    None,
                    "{g} in two shards of {count}"
                );
            }
        }
        assert_eq!(
            shard_of.keys().cloned().collect::<BTreeSet<_>>(),
            whole.groups()
        );
        for (group, dependency) in DEPENDS_ON {
            if let (Some(a), Some(b)) = (shard_of.get(*group), shard_of.get(*dependency)) {
                assert_eq!(a, b, "{group} without {dependency} in N = {count}");
            }
        }
        let mut outcomes = BTreeMap::new();
        for s in &shards {
            outcomes.extend(s.outcomes());
        }
        assert_eq!(outcomes, whole.outcomes(), "N = {count}");

        let (run, merged, junit) = merge(&shards, dir.path(), &format!("merged-{count}"));
        assert_eq!(
            run.code, whole.run.code,
            "N = {count}: {}{}",
            run.stdout, run.stderr
        );
        assert_eq!(headline(&run), headline(&whole.run), "N = {count}");
        assert_eq!(merged.counts(), whole.counts(), "N = {count}");
        assert_eq!(merged.outcomes(), whole.outcomes());
        let red = |e: &Events| -> BTreeSet<String> {
            e.finished()["red"]
                .as_array()
                .expect("red")
                .iter()
                .map(text)
                .collect()
        };
        assert_eq!(red(&merged), red(&whole));
        assert_eq!(merged.started()["shard"], Value::Null);
        assert_times_in_order(&merged.events);
        let c = whole.counts();
        let total = (c[0] + c[1] + c[2] + c[3] + c[4]) as usize;
        assert_eq!(
            junit_counts(&junit),
            (total, (c[1] + c[4]) as usize, c[2] as usize)
        );
    }
    whole
}

#[test]
fn every_shard_of_one_to_four_runs_each_group_once_and_merges_to_the_whole_run() {
    let server = TestServer::start();
    let s = basic_suite(&server);
    let whole = shards_match_whole(&s.path, &[], &[1, 2, 3, 4]);
    assert_eq!(whole.run.code, 1, "the basic suite has red checks");
    assert_eq!(whole.counts(), [10, 3, 3, 4, 1]);
    assert_eq!(whole.groups().len(), 12);
}

#[test]
fn shards_follow_only_and_skip_and_an_empty_shard_is_green_and_says_so() {
    let server = TestServer::start();
    let s = basic_suite(&server);
    // producer+consumer, marker, digest: three components, all green.
    let only = ["--only", "consumer", "--only", "marker", "--only", "digest"];
    let whole = shards_match_whole(&s.path, &only, &[2, 3]);
    assert_eq!((whole.run.code, whole.counts()), (0, [4, 0, 0, 1, 0]));

    // Four shards of three components: the last one has nothing to run.
    let dir = tempfile::tempdir().unwrap();
    let shards = run_shards(&s.path, dir.path(), 4, &only);
    let empty = &shards[3];
    assert_eq!(empty.run.code, 0);
    assert!(
        empty.run.stdout.contains("shard 4/4: no group to run"),
        "{}",
        empty.run.stdout
    );
    assert_eq!(empty.started()["checks"], serde_json::json!([]));
    assert_eq!(empty.counts(), [0; 5]);
    let (run, merged, _) = merge(&shards, dir.path(), "merged");
    assert_eq!((run.code, merged.counts()), (0, [4, 0, 0, 1, 0]));

    // --skip producer: consumer is skipped for it in whichever shard it lands.
    let skip = [
        "--only", "consumer", "--only", "marker", "--skip", "producer",
    ];
    let whole = shards_match_whole(&s.path, &skip, &[2]);
    assert_eq!((whole.run.code, whole.counts()), (0, [1, 0, 1, 0, 0]));
}

#[test]
fn bad_shard_values_are_one_line_and_exit_2() {
    let server = TestServer::start();
    let s = basic_suite(&server);
    for (value, why) in [
        ("0/3", "K counts from 1 to N: use 1/3 to 3/3"),
        ("5/4", "K counts from 1 to N: use 1/4 to 4/4"),
        ("a/b", "K and N must be whole numbers"),
        ("3", "expected K/N"),
        ("1/0", "N must be at least 1"),
    ] {
        let r = run(&s.path, &["--shard", value]);
        one_line_exit_2(&r, &format!("invalid --shard `{value}`: {why}"));
        assert!(server.log().is_empty(), "nothing ran for {value}");
    }
}

#[test]
fn bad_event_files_are_one_line_and_exit_2() {
    let server = TestServer::start();
    let s = basic_suite(&server);
    let dir = tempfile::tempdir().unwrap();
    let only = ["--only", "marker", "--only", "digest", "--only", "consumer"];
    let shards = run_shards(&s.path, dir.path(), 3, &only);
    let file = |i: usize| shards[i].path.display().to_string();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let merge = |files: &[&str]| {
        let mut args = vec!["report", "merge"];
        args.extend_from_slice(files);
        plume(&args)
    };
    let (one, two, three) = (file(0), file(1), file(2));
    one_line_exit_2(&merge(&[&one, &two]), "shard 3/3 missing");
    one_line_exit_2(
        &merge(&[&one, &two, &three, &two]),
        "shard 2/3 is given twice",
    );

    let whole = run_json(&s.path, dir.path(), "whole.ndjson", &only);
    let whole = whole.path.display().to_string();
    one_line_exit_2(&merge(&[&one, &whole]), "is shard 1/3 and");
    one_line_exit_2(&merge(&[&whole, &one]), "is a whole run, not a shard");

    let missing = dir.path().join("nope.ndjson").display().to_string();
    one_line_exit_2(&merge(&[&missing]), "nope.ndjson: cannot read the events");
    let junk = write("junk.ndjson", "{\"event\": \"run_started\"\nnot json\n");
    one_line_exit_2(&merge(&[&junk]), "junk.ndjson: line 1 is not a plume event");
    let empty = write("empty.ndjson", "");
    one_line_exit_2(&merge(&[&empty]), "empty.ndjson: holds no events");

    // Shard 1 without its last line: the run never finished.
    let text = std::fs::read_to_string(&one).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let cut = write("cut.ndjson", &lines[..lines.len() - 1].join("\n"));
    one_line_exit_2(
        &merge(&[&cut, &two, &three]),
        "cut.ndjson: has no run_finished event",
    );
    // ... or without one check's outcome.
    let outcome = lines
        .iter()
        .position(|l| l.contains("\"check_finished\""))
        .expect("a check in shard 1");
    let mut holed = lines.clone();
    holed.remove(outcome);
    let holed = write("holed.ndjson", &holed.join("\n"));
    one_line_exit_2(
        &merge(&[&holed, &two, &three]),
        "was planned but has no outcome",
    );
    let other_schema = write(
        "schema.ndjson",
        &text.replacen("plume.events/1", "plume.events/9", 1),
    );
    one_line_exit_2(
        &merge(&[&other_schema, &two, &three]),
        "events of schema `plume.events/9`",
    );
    let mut timeless = lines.clone();
    let dated = timeless[outcome].replacen("\"at\":\"", "\"at\":\"yesterday ", 1);
    timeless[outcome] = dated.as_str();
    let bad_time = write("time.ndjson", &timeless.join("\n"));
    one_line_exit_2(
        &merge(&[&bad_time, &two, &three]),
        "is not an RFC 3339 time",
    );

    // The good files still merge.
    assert_eq!(merge(&[&three, &one, &two]).code, 0);
}

#[test]
fn report_merge_help_ends_with_examples() {
    for args in [&["report", "--help"][..], &["report", "merge", "--help"]] {
        let r = plume(args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(
            r.stdout.contains("Examples:\n  plume report merge "),
            "{args:?}:\n{}",
            r.stdout
        );
    }
    let r = plume(&["run", "--help"]);
    assert!(r.stdout.contains("--shard <K/N>"), "{}", r.stdout);
}
