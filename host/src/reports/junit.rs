//! `--report junit`: JUnit XML for CI systems, written with `quick-junit`.
//!
//! One `<testsuite>` named after the suite; a `<testcase>` per check
//! (`classname` = group, `name` = check) with its time, `<skipped
//! message=...>` for skips, `<failure message=...>` with the detail and the
//! status for errors, the attempts a retry made before the last as
//! `<flakyFailure>` (it then passed) or `<rerunFailure>` (it still failed),
//! and the plugin's log lines in `<system-out>`; each
//! cleanup is a testcase of classname `cleanup`. Written when the run ends.
//!
//! Texts arrive as one safe line (see [`crate::record::ledger`]); characters XML 1.0
//! does not allow are removed all the same (quick-junit escapes the rest), so
//! the file always parses.

use std::borrow::Cow;
use std::collections::HashMap;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestRerun, TestSuite};

use super::Out;
use crate::events::{Event, Outcome, Sink};

pub struct JunitReport {
    out: Option<Out>,
    suite: String,
    cases: Vec<TestCase>,
    logs: HashMap<(String, String), String>,
}

impl JunitReport {
    pub fn new(out: Out, suite: &str) -> Self {
        JunitReport {
            out: Some(out),
            suite: suite.to_owned(),
            cases: Vec::new(),
            logs: HashMap::new(),
        }
    }

    fn case(
        &mut self,
        classname: &str,
        name: &str,
        outcome: Outcome,
        status: Option<u16>,
        detail: &str,
        elapsed: std::time::Duration,
    ) -> TestCase {
        let (classname, name, detail) = (xml(classname), xml(name), xml(detail));
        let (classname, name, detail) = (&*classname, &*name, &*detail);
        let status_text = status.map_or_else(|| "-".to_owned(), |s| s.to_string());
        let case_status = match outcome {
            Outcome::Ok => TestCaseStatus::success(),
            Outcome::Skip => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(detail);
                s
            }
            Outcome::Err => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(detail);
                s.set_type(format!("status {status_text}"));
                s.set_description(format!("{classname}.{name}  {status_text}  {detail}"));
                s
            }
        };
        let mut case = TestCase::new(name, case_status);
        case.set_classname(classname);
        case.set_time(elapsed);
        if outcome == Outcome::Ok && !detail.is_empty() {
            case.add_property(quick_junit::Property::new("detail", detail));
            case.add_property(quick_junit::Property::new("status", status_text));
        }
        case
    }

    fn write(&mut self, summary: &crate::events::Summary) {
        let Some(mut out) = self.out.take() else {
            return;
        };
        let mut suite = TestSuite::new(self.suite.as_str());
        suite.set_time(summary.elapsed);
        if let Some(why) = &summary.stopped {
            suite.add_property(quick_junit::Property::new("stopped", why.as_str()));
        }
        suite.add_test_cases(std::mem::take(&mut self.cases));
        let mut report = Report::new("plume");
        report.set_time(summary.elapsed);
        report.add_test_suite(suite);
        let _ = report.serialize(&mut out);
        let _ = out.flush();
    }
}

/// `text` without the characters XML 1.0 does not allow (C0 controls but
/// tab, LF and CR; U+FFFE and U+FFFF).
fn xml(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
            || c >= '\u{10000}'
    };
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| allowed(c)).collect())
    }
}

impl Sink for JunitReport {
    fn name(&self) -> &'static str {
        "the junit report"
    }

    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::Log {
                group,
                check,
                level,
                message,
            } => {
                let text = self
                    .logs
                    .entry(((*group).to_owned(), (*check).to_owned()))
                    .or_default();
                text.push_str(&format!("{}: {}\n", xml(level), xml(message)));
            }
            Event::CheckFinished(r) => {
                let mut case = self.case(
                    &r.group, &r.check, r.outcome, r.status, &r.detail, r.elapsed,
                );
                // Earlier attempts: `<flakyFailure>` under a pass, `<rerunFailure>`
                // under a failure (the Surefire/Maven convention CI systems read).
                // Under a pass only the erred ones: a poll that did not hold yet
                // is no flaky failure.
                let rerun = |a: &&crate::events::FailedAttempt| {
                    r.outcome != Outcome::Ok || a.kind == crate::events::AttemptKind::Erred
                };
                case.status
                    .add_reruns(r.earlier.iter().filter(rerun).map(|a| {
                        let status_text =
                            a.status.map_or_else(|| "-".to_owned(), |s| s.to_string());
                        let mut rerun = TestRerun::new(NonSuccessKind::Failure);
                        rerun.set_message(xml(&a.detail));
                        rerun.set_type(format!("status {status_text}"));
                        rerun.set_time(a.elapsed);
                        rerun
                    }));
                if let Some(log) = self
                    .logs
                    .remove(&(r.group.to_string(), r.check.to_string()))
                {
                    case.set_system_out(log);
                }
                self.cases.push(case);
            }
            Event::CleanupFinished(r) => {
                let case = self.case(
                    "cleanup", &r.label, r.outcome, r.status, &r.detail, r.elapsed,
                );
                self.cases.push(case);
            }
            Event::Finished(summary) => self.write(summary),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_forbids_are_removed() {
        assert_eq!(xml("a\u{0}b\x1bc\u{fffe}\u{ffff}d\te"), "abcd\te");
        assert!(matches!(xml("plain é 🦀"), Cow::Borrowed(_)));
    }
}
