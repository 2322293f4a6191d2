//! What values a plugin masks at run time (`log.mask`) cost the run's
//! redactor, at the bound a plugin may reach (256 values, 256 KiB in all)
//! and below it: building the redactor for them, redacting a 4 KiB detail
//! and a 256 KiB log message with it, and the worst order of calls — a
//! plugin alternating one mask with one line, so every line rebuilds the
//! redactor ([`GrowingRedactor`] builds one automaton per batch of masks,
//! merging the smaller ones before it).
//!
//! Prints, per size: the forms looked for, the automaton's heap, and each
//! time (median of several). Not run in CI; asserts nothing.
//!
//! Run: `cargo bench -p plume --bench masking`.

use std::time::{Duration, Instant};

use plume::redact::{GrowingRedactor, Redactor};

/// Values of `each` bytes, `count` of them, all different.
fn values(count: usize, each: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let head = format!("v{i:04}-");
            let fill: String = (0..each.saturating_sub(head.len()))
                .map(|k| {
                    char::from(b"abcdefghijklmnopqrstuvwxyz0123456789+/="[(i * 7 + k * 13) % 39])
                })
                .collect();
            format!("{head}{fill}")
        })
        .collect()
}

/// The median of `runs` timings of `work`.
fn median(runs: usize, mut work: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn main() {
    let detail =
        "expected status 200, got 500; body: ".to_owned() + &"lorem ipsum dolor ".repeat(225);
    let log = "a plugin's log line with nothing secret in it\n".repeat(5_700);
    println!(
        "| values × bytes | forms | automaton heap | build | 4 KiB detail | 256 KiB log | 1 mask + 1 line, each value | automata then |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (count, each) in [(10, 64), (10, 2048), (256, 64), (256, 1024)] {
        let all = values(count, each);
        let build = median(5, || {
            std::hint::black_box(Redactor::new(all.iter().map(String::as_str)));
        });
        let redactor = Redactor::new(all.iter().map(String::as_str));
        let (forms, _, heap) = redactor.size();
        let line = median(21, || {
            std::hint::black_box(redactor.line(&detail, 4096));
        });
        let logged = median(5, || {
            std::hint::black_box(redactor.redact(&log));
        });
        let start = Instant::now();
        let growing = GrowingRedactor::new(Redactor::default());
        for v in &all {
            growing.add(v);
            std::hint::black_box(growing.current().line("one line of the run", 4096));
        }
        let alternating = start.elapsed();
        let (_, parts, _) = growing.current().size();
        println!(
            "| {count} × {each} B | {forms} | {:.1} MiB | {:.1} ms | {:.3} ms | {:.1} ms | {:.2} s in all | {parts} |",
            heap as f64 / (1 << 20) as f64,
            build.as_secs_f64() * 1e3,
            line.as_secs_f64() * 1e3,
            logged.as_secs_f64() * 1e3,
            alternating.as_secs_f64(),
        );
    }
}
