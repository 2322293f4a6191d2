use std::time::Duration;

use super::page::{SCRIPT, STYLE, csp_hash};
use super::*;
use crate::events::{
    AttemptKind, CheckRecord, CleanupRecord, Earlier, Event, FailedAttempt, Outcome, Sink, Summary,
};
use crate::reports::fixtures::{RunClock, safe};

/// A report whose clock the test moves, and the page it writes.
struct Fixture {
    clock: RunClock,
    sink: HtmlReport,
    page: PageBuffer,
}

impl Fixture {
    fn new() -> Fixture {
        let clock = RunClock::new();
        let page = PageBuffer::default();
        let sink = HtmlReport::new(Box::new(page.clone()), clock.run());
        Fixture { clock, sink, page }
    }

    fn at(&mut self, ms: u64, event: &Event<'_>) {
        self.clock.at(ms);
        self.sink.event(event);
    }

    fn check(
        &mut self,
        group: &str,
        check: &str,
        from: u64,
        to: u64,
        outcome: Outcome,
        detail: &str,
    ) {
        self.at(from, &Event::CheckStarted { group, check });
        let record = record(group, check, outcome, detail, to - from);
        self.at(to, &Event::CheckFinished(&record));
    }

    fn finish(mut self, ms: u64, summary: Summary) -> String {
        let summary = Summary {
            elapsed: Duration::from_millis(ms),
            ..summary
        };
        self.at(ms, &Event::Finished(&summary));
        self.page.text()
    }
}

fn record(group: &str, check: &str, outcome: Outcome, detail: &str, ms: u64) -> CheckRecord {
    CheckRecord {
        group: safe(group),
        check: safe(check),
        outcome,
        status: Some(200),
        detail: safe(detail),
        elapsed: Duration::from_millis(ms),
        earlier: Earlier::default(),
    }
}

const HOSTILE: &str = "<img src=x onerror=alert(1)><script>window.__pwned=1</script>\"'&";

#[test]
fn a_plugins_text_is_escaped_everywhere_and_only_the_pages_own_script_is_a_script() {
    let mut f = Fixture::new();
    let planned = vec![("g<b>".to_owned(), "c\"x".to_owned())];
    f.at(0, &Event::Planned(&planned));
    f.check("g<b>", "c\"x", 1, 20, Outcome::Err, HOSTILE);
    f.at(
        21,
        &Event::Log {
            group: "g<b>",
            check: "c\"x",
            level: "info",
            message: HOSTILE,
        },
    );
    let cleanup = CleanupRecord {
        label: safe("<svg onload=alert(2)>"),
        outcome: Outcome::Err,
        status: None,
        detail: safe(HOSTILE),
        elapsed: Duration::from_millis(3),
    };
    f.at(30, &Event::CleanupFinished(&cleanup));
    let page = f.finish(31, Summary::default());
    assert!(!page.contains("<img"), "{page}");
    assert!(!page.contains("<svg onload"), "{page}");
    assert!(!page.contains("<b>"), "{page}");
    assert!(page.contains(
        "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;"
    ));
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(page.contains(&format!("<script>{SCRIPT}</script>")));
}

#[test]
fn the_policy_forbids_every_fetch_and_allows_exactly_the_inline_style_and_script() {
    let mut f = Fixture::new();
    f.at(0, &Event::Planned(&[]));
    let page = f.finish(5, Summary::default());
    let policy = page
        .split("http-equiv=\"Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a policy");
    assert!(policy.starts_with("default-src 'none';"), "{policy}");
    assert!(policy.contains(&format!("style-src {};", csp_hash(STYLE))));
    assert!(policy.contains(&format!("script-src {};", csp_hash(SCRIPT))));
    assert!(!policy.contains("unsafe"), "{policy}");
    let style = page
        .split("<style>")
        .nth(1)
        .unwrap()
        .split("</style>")
        .next()
        .unwrap();
    assert_eq!(style, STYLE);
    // The policy comes before anything it governs.
    assert!(page.find("Content-Security-Policy").unwrap() < page.find("<style>").unwrap());
}

#[test]
fn the_timeline_has_a_lane_per_group_a_bar_per_check_and_the_critical_path() {
    let mut f = Fixture::new();
    let planned = vec![
        ("auth".to_owned(), "login".to_owned()),
        ("auth".to_owned(), "whoami".to_owned()),
        ("cart".to_owned(), "add".to_owned()),
    ];
    f.at(0, &Event::Planned(&planned));
    f.check("cart", "add", 0, 50, Outcome::Ok, "fine");
    f.check("auth", "login", 0, 100, Outcome::Ok, "fine");
    f.check("auth", "whoami", 101, 400, Outcome::Skip, "no token");
    let page = f.finish(420, Summary::default());
    assert_eq!(page.matches("<rect class=\"bar ").count(), 3, "{page}");
    assert_eq!(page.matches("class=\"lane\"").count(), 2);
    assert_eq!(
        page.matches("(critical path)").count(),
        2,
        "login then whoami"
    );
    assert!(page.contains("bar skip critical slowest"), "{page}");
    // The skipped check is open, before the timeline.
    let open = page
        .find("<details open class=\"card skip\"")
        .expect("open card");
    assert!(open < page.find("id=\"timeline\"").unwrap());
}

#[test]
fn a_flaky_check_shows_its_attempts_and_the_header_the_run() {
    let mut f = Fixture::new();
    f.at(0, &Event::Planned(&[]));
    f.at(
        0,
        &Event::CheckStarted {
            group: "deploy",
            check: "ready",
        },
    );
    let mut r = record("deploy", "ready", Outcome::Ok, "ready", 900);
    r.earlier = Earlier::from(vec![FailedAttempt {
        kind: AttemptKind::Erred,
        status: Some(404),
        detail: safe("expected status 200, got 404"),
        elapsed: Duration::from_millis(3),
    }]);
    f.at(900, &Event::CheckFinished(&r));
    let summary = Summary {
        passed: 1,
        flaky: 1,
        ..Summary::default()
    };
    let page = f.finish(1000, summary);
    assert!(page.contains("Flaky: passed on a retry"));
    assert!(page.contains("expected status 200, got 404"));
    assert!(page.contains("<dd>staging</dd>"));
    assert!(page.contains("<dt>Exit code</dt><dd>0</dd>"));
    assert!(page.contains("2027-01-15T08:00:00.000Z"), "{page}");
}

#[test]
#[allow(clippy::print_stdout)] // the page size is printed, a measurement beside the bound it asserts
fn a_hundred_checks_make_a_small_page() {
    let mut f = Fixture::new();
    let planned: Vec<(String, String)> = (0..100)
        .map(|i| (format!("group{}", i % 10), format!("check{i}")))
        .collect();
    f.at(0, &Event::Planned(&planned));
    let detail = "x".repeat(200);
    for (i, (g, c)) in planned.iter().enumerate() {
        let from = (i as u64 / 10) * 100;
        let outcome = if i % 17 == 0 {
            Outcome::Err
        } else {
            Outcome::Ok
        };
        f.at(from, &Event::CheckStarted { group: g, check: c });
        for n in 0..3 {
            let line = format!("GET http://127.0.0.1:8080/api/item/{n} -> 200 in 3 ms");
            f.at(
                from + 1,
                &Event::Log {
                    group: g,
                    check: c,
                    level: "trace",
                    message: &line,
                },
            );
        }
        let r = record(g, c, outcome, &detail, 90);
        f.at(from + 90, &Event::CheckFinished(&r));
    }
    let page = f.finish(1000, Summary::default());
    println!(
        "a page of 100 checks (200-byte details, 3 trace lines each): {} bytes",
        page.len()
    );
    assert!(page.len() < 300 * 1024, "{} bytes", page.len());
}

#[test]
fn traces_past_their_limit_are_counted_not_kept() {
    let mut f = Fixture::new();
    f.at(0, &Event::Planned(&[]));
    f.at(
        0,
        &Event::CheckStarted {
            group: "g",
            check: "c",
        },
    );
    let line = "t".repeat(4096);
    let lines = 2 * crate::limits::HTML_LOGS_MAX / line.len();
    for _ in 0..lines {
        f.at(
            1,
            &Event::Log {
                group: "g",
                check: "c",
                level: "trace",
                message: &line,
            },
        );
    }
    let r = record("g", "c", Outcome::Ok, "fine", 5);
    f.at(5, &Event::CheckFinished(&r));
    let page = f.finish(6, Summary::default());
    let kept = crate::limits::HTML_LOGS_MAX / line.len();
    assert!(
        page.contains(&format!("{} trace lines are not shown", lines - kept)),
        "cut note"
    );
    assert!(
        page.len() < crate::limits::HTML_LOGS_MAX + 64 * 1024,
        "{} bytes",
        page.len()
    );
}
