//! The page itself: header, what needs attention (open), flaky checks, the
//! timeline, every check, the cleanup walk and the traces. Written with
//! maud: `(value)` is escaped, and `PreEscaped` holds only this file's own
//! style and script, whose SHA-256 hashes the `Content-Security-Policy`
//! names (nothing else may run, load or be fetched).

use base64::Engine as _;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use sha2::{Digest, Sha256};

use super::model::{CheckRow, LogLine, RunModel};
use super::timeline::{self, check_anchor, cleanup_anchor, duration_text};
use crate::events::json::timestamp;
use crate::events::{AttemptKind, Earlier, Outcome};

pub const STYLE: &str = include_str!("report.css");
pub const SCRIPT: &str = include_str!("report.js");

/// `'sha256-…'` of an inline element's text, for the policy.
pub fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The policy every page of Plume carries: nothing may be fetched, only the
/// page's own style and script (by hash) apply; no script at all without one.
pub fn content_security_policy(style: &str, script: Option<&str>) -> String {
    format!(
        "default-src 'none'; style-src {}; script-src {}; img-src 'none'; base-uri 'none'; form-action 'none'",
        csp_hash(style),
        script.map_or_else(|| "'none'".to_owned(), csp_hash)
    )
}

/// The policy of the report's page.
pub fn report_policy() -> String {
    content_security_policy(STYLE, Some(SCRIPT))
}

/// `<head>` of a Plume page titled `title`, with `style` and the policy.
pub fn head(title: &str, style: &str, script: Option<&str>) -> Markup {
    html! {
        meta charset="utf-8";
        meta http-equiv="Content-Security-Policy" content=(content_security_policy(style, script));
        meta name="referrer" content="no-referrer";
        meta name="viewport" content="width=device-width, initial-scale=1";
        title { (title) }
        style { (PreEscaped(style)) }
    }
}

/// An outcome badge: `err`, `ok`, `skip`, `flaky`.
pub fn badge(kind: &str) -> Markup {
    html! { span class={ "badge " (kind) } { (kind) } }
}

fn status_text(status: Option<u16>) -> String {
    status.map_or_else(|| "–".to_owned(), |s| s.to_string())
}

fn logs(lines: &[LogLine]) -> Markup {
    html! {
        @if !lines.is_empty() {
            pre class="logs" {
                @for l in lines { span class={ "lvl " (l.level) } { (l.level) } " " (l.message) "\n" }
            }
        }
    }
}

/// How an earlier attempt ended, in its list item.
fn attempt_verb(kind: AttemptKind) -> &'static str {
    match kind {
        AttemptKind::Erred => "erred",
        AttemptKind::Pending => "not yet (pending)",
    }
}

fn attempts(earlier: &Earlier) -> Markup {
    let dropped = earlier.dropped();
    html! {
        @if !earlier.is_empty() {
            ol class="attempts" {
                @for a in earlier.iter() {
                    li { (attempt_verb(a.kind)) " after " (duration_text(a.elapsed)) ", status " (status_text(a.status)) ": " span class="detail" { (a.detail) } }
                }
            }
        }
        @if dropped.total() > 0 {
            p class="meta" { "and " (dropped.total()) " more, counted, not kept (" (dropped.erred) " erred, " (dropped.pending) " pending)" }
        }
    }
}

/// One check, whole: detail, attempts, traces; `open` for red and skipped ones.
fn check_card(model: &RunModel, i: usize, c: &CheckRow, open: bool) -> Markup {
    let r = &c.record;
    html! {
        details open[open] class={ "card " (c.kind()) } data-outcome=(c.kind()) data-name=(r.name()) {
            summary {
                (badge(c.kind())) " " strong { (r.name()) }
                span class="meta" { " status " (status_text(r.status)) ", " (duration_text(r.elapsed)) ", from " (duration_text(c.start)) }
            }
            p class="detail" { (r.detail) }
            @if r.attempts() > 1 {
                p { (r.attempts()) " attempts; the earlier ones:" }
                (attempts(&r.earlier))
            }
            (logs(model.logs_of(r)))
            p class="meta" { a href={ "#" (check_anchor(i)) } { "its row in all checks" } }
        }
    }
}

fn header(model: &RunModel) -> Markup {
    let summary = model.summary.clone().unwrap_or_default();
    let code = crate::reports::exit_code(&summary);
    let red = code != 0;
    html! {
        header {
            h1 { "Plume report: " (model.suite) }
            p class={ "verdict " (if red { "err" } else { "ok" }) } {
                @if red { "Red" } @else { "Green" } ": " (summary.headline())
            }
            dl class="facts" {
                dt { "Suite" } dd { (model.suite) }
                dt { "Environment" } dd { (model.env.as_deref().unwrap_or("(default)")) }
                @if let Some(shard) = &model.shard { dt { "Shard" } dd { (shard) } }
                dt { "Plume" } dd { (env!("CARGO_PKG_VERSION")) }
                dt { "Started" } dd { (timestamp(model.started_at)) }
                dt { "Duration" } dd { (duration_text(model.length())) }
                dt { "Checks" } dd { (summary.passed) " passed (" (summary.flaky) " flaky), " (summary.failed) " failed, " (summary.skipped) " skipped" }
                dt { "Cleanups" } dd { (summary.cleanups_ok) " ok, " (summary.cleanups_failed) " failed" }
                dt { "Denied requests" } dd { (summary.denied) }
                dt { "Exit code" } dd { (code) }
                @if let Some(why) = &summary.stopped { dt { "Stopped" } dd { (why) } }
            }
        }
    }
}

fn filters() -> Markup {
    html! {
        div id="filters" class="filters" hidden {
            @for (kind, label) in [("err", "failed"), ("skip", "skipped"), ("flaky", "flaky"), ("ok", "passed")] {
                label { input type="checkbox" value=(kind) checked; " " (label) }
            }
            label { "Search by name " input id="search" type="search" placeholder="group.check"; }
            span id="shown" aria-live="polite" {}
        }
    }
}

fn all_checks(model: &RunModel) -> Markup {
    html! {
        table class="checks" {
            caption { "Every check, in the order its outcome came" }
            thead { tr { th scope="col" { "Outcome" } th scope="col" { "Check" } th scope="col" { "Status" } th scope="col" { "Start" } th scope="col" { "Duration" } th scope="col" { "Detail" } } }
            tbody {
                @for (i, c) in model.checks.iter().enumerate() {
                    tr id=(check_anchor(i)) data-outcome=(c.kind()) data-name=(c.record.name()) {
                        td { (badge(c.kind())) }
                        td class="name" { (c.record.name()) }
                        td { (status_text(c.record.status)) }
                        td class="num" { (duration_text(c.start)) }
                        td class="num" { (duration_text(c.record.elapsed)) }
                        td class="detail" { (c.record.detail) }
                    }
                }
            }
        }
    }
}

fn cleanups(model: &RunModel) -> Markup {
    html! {
        @if model.cleanups.is_empty() {
            p { "No cleanup was registered." }
        } @else {
            table class="checks" {
                caption { "The cleanup walk, in the order it ran" }
                thead { tr { th scope="col" { "#" } th scope="col" { "Outcome" } th scope="col" { "Cleanup" } th scope="col" { "Status" } th scope="col" { "Duration" } th scope="col" { "Detail" } } }
                tbody {
                    @for (i, c) in model.cleanups.iter().enumerate() {
                        @let kind = c.record.outcome.name();
                        tr id=(cleanup_anchor(i)) data-outcome=(kind) data-name={ "cleanup." (c.record.label) } {
                            td class="num" { (i + 1) }
                            td { (badge(kind)) }
                            td class="name" { (c.record.label) }
                            td { (status_text(c.record.status)) }
                            td class="num" { (duration_text(c.record.elapsed)) }
                            td class="detail" { (c.record.detail) }
                        }
                    }
                }
            }
        }
    }
}

pub fn render(model: &RunModel) -> String {
    let attention: Vec<(usize, &CheckRow)> = model
        .checks
        .iter()
        .enumerate()
        .filter(|(_, c)| c.record.outcome != Outcome::Ok)
        .collect();
    // Red first, then skipped.
    let attention: Vec<(usize, &CheckRow)> = attention
        .iter()
        .filter(|(_, c)| c.record.outcome == Outcome::Err)
        .chain(
            attention
                .iter()
                .filter(|(_, c)| c.record.outcome == Outcome::Skip),
        )
        .copied()
        .collect();
    let flaky: Vec<(usize, &CheckRow)> = model
        .checks
        .iter()
        .enumerate()
        .filter(|(_, c)| c.record.flaky())
        .collect();
    let traced: Vec<(usize, &CheckRow)> = model
        .checks
        .iter()
        .enumerate()
        .filter(|(_, c)| c.record.outcome == Outcome::Ok && !model.logs_of(&c.record).is_empty())
        .collect();
    let red_cleanups = model
        .cleanups
        .iter()
        .filter(|c| c.record.outcome == Outcome::Err)
        .count();
    let title = format!("Plume report: {}", model.suite);
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head { (head(&title, STYLE, Some(SCRIPT))) }
            body {
                (header(model))
                nav aria-label="Sections" {
                    a href="#attention" { "Needs attention (" (attention.len() + red_cleanups) ")" } " · "
                    a href="#timeline" { "Timeline" } " · "
                    a href="#checks" { "All checks (" (model.checks.len()) ")" } " · "
                    a href="#cleanups" { "Cleanups (" (model.cleanups.len()) ")" }
                }
                main {
                    section id="attention" aria-labelledby="attention-h" {
                        h2 id="attention-h" { "Needs attention" }
                        @if attention.is_empty() && red_cleanups == 0 { p { "No check failed or was skipped." } }
                        @for (i, c) in &attention { (check_card(model, *i, c, true)) }
                        @for (i, c) in model.cleanups.iter().enumerate().filter(|(_, c)| c.record.outcome == Outcome::Err) {
                            details open class="card err" data-outcome="err" data-name={ "cleanup." (c.record.label) } {
                                summary {
                                    (badge("err")) " " strong { "cleanup " (c.record.label) }
                                    span class="meta" { " status " (status_text(c.record.status)) ", " (duration_text(c.record.elapsed)) }
                                }
                                p class="detail" { (c.record.detail) }
                                p class="meta" { a href={ "#" (cleanup_anchor(i)) } { "its place in the cleanup walk" } }
                            }
                        }
                    }
                    @if !flaky.is_empty() {
                        section id="flaky" aria-labelledby="flaky-h" {
                            h2 id="flaky-h" { "Flaky: passed on a retry" }
                            @for (i, c) in &flaky { (check_card(model, *i, c, true)) }
                        }
                    }
                    section id="timeline" aria-labelledby="timeline-h" {
                        h2 id="timeline-h" { "Timeline" }
                        p class="legend" {
                            "Each group is a lane and each check a bar, on one time axis: first the start-up (preflight, loading the plugins), the cleanups after. "
                            span class="key critical-key" { "Outlined" } ": the critical path (the chain of checks, each starting as the one before ended, that the run waited on). "
                            span class="key slowest-key" { "Thick outline" } ": the slowest check"
                            @if let Some(i) = model.slowest() { " (" (model.checks[i].record.name()) ", " (duration_text(model.checks[i].record.elapsed)) ")" }
                            "."
                        }
                        div class="scroll" { (timeline::svg(model)) }
                    }
                    section id="checks" aria-labelledby="checks-h" {
                        h2 id="checks-h" { "All checks" }
                        (filters())
                        div class="scroll" { (all_checks(model)) }
                    }
                    section id="cleanups" aria-labelledby="cleanups-h" {
                        h2 id="cleanups-h" { "Cleanups" }
                        div class="scroll" { (cleanups(model)) }
                    }
                    @if !traced.is_empty() || model.logs_dropped > 0 {
                        section id="traces" aria-labelledby="traces-h" {
                            h2 id="traces-h" { "Traces of the passed checks" }
                            @if model.logs_dropped > 0 {
                                p { (model.logs_dropped) " trace lines are not shown: a report keeps " (crate::limits::HTML_LOGS_MAX / 1024) " KiB of them." }
                            }
                            @for (i, c) in &traced { (check_card(model, *i, c, false)) }
                        }
                    }
                }
                footer { "Written by Plume " (env!("CARGO_PKG_VERSION")) ". This page is self-contained: it loads nothing and sends nothing." }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    };
    page.into_string()
}
