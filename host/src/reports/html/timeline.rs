//! The run's timeline as an inline SVG drawn here: one lane per group (in
//! plan order), each check a bar from its start to its outcome on one time
//! axis, then a lane for the cleanup walk. Bars on the critical path are
//! outlined, the slowest check is marked, each bar links to its check's row
//! and names it in a tooltip. Every text goes through maud (escaped).

use std::time::Duration;

use maud::{Markup, html};

use super::model::RunModel;

const WIDTH: f64 = 960.0;
const LABEL: f64 = 180.0;
const RIGHT: f64 = 16.0;
const AXIS: f64 = 28.0;
const LANE: f64 = 24.0;
const BAR: f64 = 14.0;
/// Characters of a lane's name shown; the whole name is in its tooltip.
const LABEL_CHARS: usize = 24;

/// `850 ms`, `1.25 s`, `2 min 5 s`.
pub fn duration_text(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000)
    }
}

/// A tick step (1, 2 or 5 × 10^k ms) giving at most ten ticks over `total`.
fn tick_step(total: Duration) -> u128 {
    let total = total.as_millis().max(1);
    let mut step = 1u128;
    loop {
        for m in [1, 2, 5] {
            if total / (step * m) <= 10 {
                return step * m;
            }
        }
        step *= 10;
    }
}

fn shortened(name: &str) -> String {
    if name.chars().count() <= LABEL_CHARS {
        name.to_owned()
    } else {
        let mut s: String = name.chars().take(LABEL_CHARS - 1).collect();
        s.push('…');
        s
    }
}

/// The id of check `i`'s row, which its bar links to.
pub fn check_anchor(i: usize) -> String {
    format!("check-{i}")
}

/// The id of cleanup `i`'s row.
pub fn cleanup_anchor(i: usize) -> String {
    format!("cleanup-{i}")
}

/// `v` to a tenth of a pixel, so the page stays small.
fn tenth(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

pub fn svg(model: &RunModel) -> Markup {
    let total = model.length().max(Duration::from_millis(1));
    let plot = WIDTH - LABEL - RIGHT;
    let x = |d: Duration| tenth(LABEL + d.as_secs_f64() / total.as_secs_f64() * plot);
    let w = |from: Duration, to: Duration| tenth((x(to) - x(from)).max(2.0));
    let has_cleanups = !model.cleanups.is_empty();
    // Before the first check: the preflight and loading the plugins.
    let first = model
        .checks
        .iter()
        .map(|c| c.start)
        .min()
        .unwrap_or_default();
    let prepare = usize::from(first > Duration::ZERO);
    let lanes = prepare + model.groups.len() + usize::from(has_cleanups);
    let height = AXIS + LANE * lanes as f64 + 8.0;
    let step = tick_step(total);
    let ticks = (0..=total.as_millis() / step).map(|k| Duration::from_millis((k * step) as u64));
    let critical = model.critical_path();
    let slowest = model.slowest();
    let lane_y = |lane: usize| AXIS + LANE * (lane + prepare) as f64;
    let lane_of = |group: &str| model.groups.iter().position(|g| g == group).unwrap_or(0);
    html! {
        svg class="timeline" xmlns="http://www.w3.org/2000/svg"
            viewBox={ "0 0 " (WIDTH) " " (height) } width=(WIDTH) height=(height)
            role="group" aria-label="Timeline: each group a lane, each check a bar" {
            @for t in ticks {
                line class="tick" x1=(x(t)) x2=(x(t)) y1=(AXIS - 6.0) y2=(height - 4.0) {}
                text class="axis" x=(x(t)) y=(AXIS - 10.0) text-anchor="middle" { (duration_text(t)) }
            }
            @if prepare == 1 {
                text class="lane-name" x=(LABEL - 8.0) y=(AXIS + LANE / 2.0 + 4.0) text-anchor="end" { "start-up" }
                rect class="bar prepare" x=(x(Duration::ZERO)) y=(AXIS + (LANE - BAR) / 2.0) width=(w(Duration::ZERO, first)) height=(BAR) rx="2" {
                    title { "start-up (preflight, loading and describing the plugins): " (duration_text(first)) }
                }
            }
            @for (lane, group) in model.groups.iter().enumerate() {
                g class="lane" {
                    title { (group) }
                    text class="lane-name" x=(LABEL - 8.0) y=(lane_y(lane) + LANE / 2.0 + 4.0) text-anchor="end" { (shortened(group)) }
                }
                line class="lane-rule" x1=(LABEL) x2=(WIDTH - RIGHT) y1=(lane_y(lane) + LANE) y2=(lane_y(lane) + LANE) {}
            }
            @for (i, c) in model.checks.iter().enumerate() {
                @let y = lane_y(lane_of(&c.record.group)) + (LANE - BAR) / 2.0;
                @let on_path = critical.contains(&i);
                @let mark = if slowest == Some(i) { " slowest" } else { "" };
                @let path = if on_path { " critical" } else { "" };
                a href={ "#" (check_anchor(i)) } class="bar-link" data-outcome=(c.kind()) data-name=(c.record.name()) {
                    rect class={ "bar " (c.kind()) (path) (mark) } x=(x(c.start)) y=(y) width=(w(c.start, c.end)) height=(BAR) rx="2" {
                        title {
                            (c.record.name()) ": " (c.kind()) ", " (duration_text(c.record.elapsed))
                            " from " (duration_text(c.start))
                            @if c.record.attempts() > 1 { ", " (c.record.attempts()) " attempts" }
                            @if on_path { " (critical path)" }
                            @if slowest == Some(i) { " (slowest)" }
                        }
                    }
                }
            }
            @if has_cleanups {
                @let lane = model.groups.len();
                text class="lane-name" x=(LABEL - 8.0) y=(lane_y(lane) + LANE / 2.0 + 4.0) text-anchor="end" { "cleanups" }
                @for (i, c) in model.cleanups.iter().enumerate() {
                    a href={ "#" (cleanup_anchor(i)) } class="bar-link" data-outcome=(c.record.outcome.name()) data-name={ "cleanup." (c.record.label) } {
                        rect class={ "bar cleanup " (c.record.outcome.name()) } x=(x(c.start)) y=(lane_y(lane) + (LANE - BAR) / 2.0) width=(w(c.start, c.end)) height=(BAR) rx="2" {
                            title { "cleanup " (c.record.label) ": " (c.record.outcome.name()) ", " (duration_text(c.record.elapsed)) }
                        }
                    }
                }
            }
        }
    }
}
