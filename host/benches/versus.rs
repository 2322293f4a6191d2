//! Plume against Hurl and a plain Rust program on a real suite, whole
//! process: each comparison's two commands run alternately, pair by pair,
//! and the standalone rows under `hyperfine`.
//!
//! The workload, built in a temporary folder: nginx (Debian's `nginx-light`)
//! on a loopback port serving a small JSON document and a 256 MiB binary;
//! 100 declarative checks of the `http` pack (GET the document, status 200,
//! `/status` equal to `"ok"`) as 10 groups of 10, as 1 group of 100 and as
//! one check; the same 100 checks as Hurl files (10 files of 10, one of
//! 100); and this benchmark's own binary as the native program (reqwest +
//! tokio, the same requests and assertions in 10 tasks). Then the digest
//! rows: the `release-artifact` pack and the host's `fetch-digest` (the
//! `basic` test guest) hashing the 256 MiB binary, against
//! `curl | openssl dgst -sha256`.
//!
//! Run: `cargo bench -p plume --bench versus` (release build). Needs
//! `hyperfine` and `nginx` (Debian); Hurl 8.0.1 is taken from `$HURL`, the
//! `PATH` or `~/.cargo/bin` (`cargo install hurl --version 8.0.1 --locked`
//! after `apt-get install libcurl4-openssl-dev libxml2-dev pkg-config
//! libclang1-14 libclang-common-14-dev`), and its rows are left out with a
//! note when it is missing. `VERSUS_RUNS` sets hyperfine's runs and the number of pairs (20).
//! To measure another build the same way (the "before" numbers of the
//! README), set `VERSUS_PLUME` to its `plume` binary and `VERSUS_GUESTS` to
//! a folder holding its `plume_pack_http.wasm`,
//! `plume_pack_release_artifact.wasm` and `guest_basic.wasm`.
//! Every command is run once and must pass before it is timed. It prints
//! medians, ratios and the peak RSS of a run; it asserts nothing about time.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

#[path = "../../tests/e2e/support/nginx.rs"]
#[allow(dead_code)]
mod nginx;
#[path = "../../tests/e2e/support/tools.rs"]
#[allow(dead_code)]
mod tools;

/// The checks of the suite, and how many groups (or Hurl files, or tasks) share them.
const CHECKS: usize = 100;
const GROUPS: usize = 10;
/// The binary the digest rows hash.
const BIG_MIB: usize = 256;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("native") {
        std::process::exit(native::main(&args[1..]));
    }
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path();
    let guests = Guests::chosen();
    let workload = Workload::build(dir, &guests);
    let own = std::env::var("VERSUS_PLUME").ok();
    let plume = own.as_deref().unwrap_or(env!("CARGO_BIN_EXE_plume"));
    let cache = dir.join("cache");
    let cache_arg = format!("--cache-dir={}", cache.display());
    // Warm the compiled-plugin cache: the rows measure warm starts.
    must_pass(&[
        plume,
        "compile",
        &cache_arg,
        &guests.http,
        &guests.release,
        &guests.basic,
    ]);

    let suite = |name: &str| dir.join(name).display().to_string();
    let ten = suite("ten-groups.toml");
    let one = suite("one-group.toml");
    let single = suite("one-check.toml");
    let run = |s: &str| -> Vec<String> { argv(&[plume, "run", &cache_arg, s]) };
    let self_exe = std::env::current_exe().expect("own path");
    let self_exe = self_exe.to_str().expect("utf-8 path");
    let native = argv(&[self_exe, "native", &workload.item_url, "10", "10"]);
    let hurl = find_hurl();

    let mut rows: Vec<Row> = Vec::new();
    let runs = std::env::var("VERSUS_RUNS").unwrap_or_else(|_| "20".into());
    let time = |label: &str, cmd: &[String]| -> Timing {
        must_pass_argv(cmd);
        hyperfine(dir, label, cmd, &runs)
    };

    // Each comparison runs its two commands alternately, pair by pair, so a
    // machine that speeds up or slows down during the benchmark (a shared
    // VM does, by a third from one minute to the next) weighs on both sides
    // alike; the ratio is the median of the pairs' ratios.
    let pairs: usize = runs.parse().unwrap_or(20);
    let native_pair = paired(
        ("plume: 10 groups of 10", &run(&ten)),
        ("native: 10 tasks of 10", &native),
        pairs,
    );
    let list = time("plume list", &argv(&[plume, "list", &cache_arg, &ten]));
    let single_ms = time("plume: one check", &run(&single));
    match &hurl {
        Some(hurl) => {
            let mut files = argv(&[hurl, "--test", "--jobs", "10"]);
            files.extend(workload.hurl_files.iter().cloned());
            let ten_pair = paired(
                ("plume: 10 groups of 10", &run(&ten)),
                ("hurl --test --jobs 10, 10 files", &files),
                pairs,
            );
            let one_pair = paired(
                ("plume: 1 group of 100", &run(&one)),
                (
                    "hurl --test, one file",
                    &argv(&[hurl, "--test", &workload.hurl_all]),
                ),
                pairs,
            );
            rows.push(Row::paired(
                "10 groups of 10 vs hurl --test --jobs 10",
                &ten_pair,
                0.8,
            ));
            rows.push(Row::paired("1 group of 100 vs hurl --test", &one_pair, 0.8));
        }
        None => println!(
            "note: hurl 8.0.1 not found ($HURL, PATH, ~/.cargo/bin): its rows are left out; \
             install it with `cargo install hurl --version 8.0.1 --locked`"
        ),
    }
    rows.push(Row::paired(
        "10 groups vs the native program, 10 tasks",
        &native_pair,
        1.5,
    ));
    rows.push(Row::alone("plume list (no request)", list, 8.0));
    rows.push(Row::alone("plume run, one check", single_ms, 8.0));

    let release = time(
        "plume: release-artifact, 256 MiB",
        &run(&suite("release.toml")),
    );
    let fetch = time("plume: fetch-digest, 256 MiB", &run(&suite("digest.toml")));
    let curl = time(
        "curl piped to openssl dgst -sha256",
        &argv(&[
            "sh",
            "-c",
            &format!("curl -s {} | openssl dgst -sha256", workload.big_url),
        ]),
    );
    for (label, ms) in [
        ("release-artifact, whole process", release),
        ("fetch-digest, whole process", fetch),
        ("curl piped to openssl dgst -sha256", curl),
    ] {
        rows.push(Row::rate(label, ms));
    }

    let rss = run_once(&run(&ten)).peak_rss_mib;
    println!();
    println!("| comparison | ratio, wall (CPU) | goal | Plume | other |");
    println!("|---|---|---|---|---|");
    for row in &rows {
        println!("{}", row.line());
    }
    println!("| peak RSS, 10 groups of 10 | — | ≤ 40 MB | {rss:.1} MiB | — |");
}

/// What hyperfine measured of one command: the median wall time and the
/// mean CPU time (user + system), in milliseconds. On a shared machine the
/// CPU time is the steadier of the two.
#[derive(Clone, Copy)]
struct Timing {
    wall: f64,
    cpu: f64,
}

impl std::fmt::Display for Timing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.1} ms (CPU {:.1} ms)", self.wall, self.cpu)
    }
}

/// One line of the results table.
struct Row {
    label: String,
    text: String,
}

impl Row {
    fn paired(label: &str, pair: &Paired, goal: f64) -> Row {
        let met = if pair.ratio <= goal { "met" } else { "missed" };
        let cpu = pair.a.cpu / pair.b.cpu;
        Row {
            label: label.to_owned(),
            text: format!(
                "{:.2} (CPU {cpu:.2}; pairs {:.2}–{:.2}) | ≤ {goal} ({met}) | {} | {}",
                pair.ratio, pair.low, pair.high, pair.a, pair.b
            ),
        }
    }

    fn alone(label: &str, t: Timing, goal: f64) -> Row {
        let met = if t.wall <= goal { "met" } else { "missed" };
        Row {
            label: label.to_owned(),
            text: format!("— | ≤ {goal} ms ({met}) | {t} | —"),
        }
    }

    fn rate(label: &str, t: Timing) -> Row {
        let rate = BIG_MIB as f64 / (t.wall / 1000.0);
        Row {
            label: label.to_owned(),
            text: format!("— | ≥ 800 MiB/s | {t}: {rate:.0} MiB/s | —"),
        }
    }

    fn line(&self) -> String {
        format!("| {} | {} |", self.label, self.text)
    }
}

/// The plugins the suites run: this build's, or those in `$VERSUS_GUESTS`.
struct Guests {
    http: String,
    release: String,
    basic: String,
}

impl Guests {
    fn chosen() -> Guests {
        match std::env::var("VERSUS_GUESTS") {
            Ok(dir) => {
                let file = |name: &str| Path::new(&dir).join(name).display().to_string();
                Guests {
                    http: file("plume_pack_http.wasm"),
                    release: file("plume_pack_release_artifact.wasm"),
                    basic: file("guest_basic.wasm"),
                }
            }
            Err(_) => Guests {
                http: plume_test_guests::PACK_HTTP.to_owned(),
                release: plume_test_guests::PACK_RELEASE_ARTIFACT.to_owned(),
                basic: plume_test_guests::BASIC.to_owned(),
            },
        }
    }
}

/// The files of the comparison and the URLs nginx serves them at.
struct Workload {
    _nginx: nginx::Nginx,
    item_url: String,
    big_url: String,
    hurl_files: Vec<String>,
    hurl_all: String,
}

impl Workload {
    fn build(dir: &Path, guests: &Guests) -> Workload {
        let root = dir.join("root");
        std::fs::create_dir_all(&root).expect("root");
        let item = r#"{"status":"ok","n":7,"name":"plume","items":[1,2,3]}"#;
        std::fs::write(root.join("item.json"), item).expect("item.json");
        let (sha, size) = write_big(&root.join("big.bin"));
        let nginx = nginx::Nginx::serve(&[&root]);
        let base = nginx.url(0);
        let manifest = format!(
            r#"{{"version":"1.0.0","sha256":"{sha}","size":{size},"download_url":"{base}/big.bin","updated_at":"2026-11-25T00:00:00Z"}}"#
        );
        std::fs::write(root.join("version.json"), manifest).expect("version.json");
        std::fs::write(root.join("blob.sha256"), &sha).expect("blob.sha256");
        // The basic guest's digest check fetches `/blob`.
        std::fs::hard_link(root.join("big.bin"), root.join("blob")).expect("blob");

        let item_url = format!("{base}/item.json");
        let write = |name: &str, text: &str| {
            let path = dir.join(name);
            std::fs::write(&path, text).expect("write");
            path.display().to_string()
        };
        let http = &guests.http;
        write("ten-groups.toml", &http_suite(http, &base, GROUPS, CHECKS));
        write("one-group.toml", &http_suite(http, &base, 1, CHECKS));
        write("one-check.toml", &http_suite(http, &base, 1, 1));
        let limits = "check-timeout = \"60s\"\nceiling = \"120s\"\nmax-digest-mib = 1024\n";
        write(
            "release.toml",
            &format!(
                "{limits}[plugins.release]\npath = \"{}\"\nallow-hosts = [\"{base}\"]\n\
                 [plugins.release.config]\nmanifest_url = \"{base}/version.json\"\nmax_mib = 1024\n",
                guests.release
            ),
        );
        write(
            "digest.toml",
            &format!(
                "{limits}[plugins.basic]\npath = \"{}\"\nallow-hosts = [\"{base}\"]\n\
                 groups = [\"digest\"]\nconfig = {{ base_url = \"{base}\" }}\n",
                guests.basic
            ),
        );
        let entry =
            format!("GET {item_url}\nHTTP 200\n[Asserts]\njsonpath \"$.status\" == \"ok\"\n\n");
        let hurl_files = (0..GROUPS)
            .map(|i| write(&format!("checks-{i}.hurl"), &entry.repeat(CHECKS / GROUPS)))
            .collect();
        let hurl_all = write("all.hurl", &entry.repeat(CHECKS));
        Workload {
            _nginx: nginx,
            big_url: format!("{base}/big.bin"),
            item_url,
            hurl_files,
            hurl_all,
        }
    }
}

/// `total` checks of the `http` pack in `groups` groups, each a GET of the
/// document with its status and one JSON pointer.
fn http_suite(pack: &str, base: &str, groups: usize, total: usize) -> String {
    let mut suite = format!("[plugins.site]\npath = \"{pack}\"\nallow-hosts = [\"{base}\"]\n");
    for i in 0..total {
        let _ = write!(
            suite,
            "[[plugins.site.config.checks]]\ngroup = \"g{}\"\nname = \"c{i}\"\n\
             url = \"{base}/item.json\"\nexpect.status = 200\n\
             expect.json = [{{ pointer = \"/status\", equals = \"ok\" }}]\n",
            i % groups
        );
    }
    suite
}

/// Writes `BIG_MIB` MiB of pseudo-random bytes, 1 MiB at a time (the
/// benchmark's own memory would otherwise count in its children's peak RSS,
/// which Linux carries over `exec`); returns their SHA-256 and length.
fn write_big(path: &Path) -> (String, usize) {
    use sha2::{Digest, Sha256};
    use std::io::Write as _;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("big.bin"));
    let mut hasher = Sha256::new();
    let chunk = 1024 * 1024;
    for start in (0..BIG_MIB * chunk).step_by(chunk) {
        let part: Vec<u8> = (start..start + chunk)
            .map(|i| (i as u32).wrapping_mul(2654435761).to_le_bytes()[3])
            .collect();
        hasher.update(&part);
        file.write_all(&part).expect("big.bin");
    }
    file.flush().expect("big.bin");
    (hex::encode(hasher.finalize()), BIG_MIB * chunk)
}

fn argv(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|p| (*p).to_owned()).collect()
}

fn must_pass(parts: &[&str]) {
    must_pass_argv(&argv(parts));
}

/// Runs `cmd` once; it must exit 0 (a benchmark of a failing run means nothing).
fn must_pass_argv(cmd: &[String]) {
    let out = Command::new(&cmd[0])
        .args(&cmd[1..])
        .output()
        .expect("start a benchmarked command");
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Hurl 8.0.1, from `$HURL`, the `PATH` or `~/.cargo/bin`.
fn find_hurl() -> Option<String> {
    let home = std::env::var("HOME").unwrap_or_default();
    let candidates = [
        std::env::var("HURL").ok(),
        Some("hurl".to_owned()),
        Some(format!("{home}/.cargo/bin/hurl")),
    ];
    candidates.into_iter().flatten().find(|hurl| {
        Command::new(hurl)
            .arg("--version")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).starts_with("hurl 8.0.1"))
    })
}

/// The times of `cmd` by hyperfine (no shell, 3 warm-up runs).
fn hyperfine(dir: &Path, label: &str, cmd: &[String], runs: &str) -> Timing {
    let json = dir.join("hyperfine.json");
    let status = Command::new("hyperfine")
        .args(["-N", "--warmup", "3", "--runs", runs, "--style", "basic"])
        .arg("--command-name")
        .arg(label)
        .arg("--export-json")
        .arg(&json)
        .arg(shell_words(cmd))
        .stdout(Stdio::inherit())
        .status()
        .expect("hyperfine is not installed: apt-get install hyperfine");
    assert!(status.success(), "hyperfine failed for {label}");
    let text = std::fs::read_to_string(&json).expect("hyperfine's JSON");
    let value: serde_json::Value = serde_json::from_str(&text).expect("hyperfine's JSON");
    let field = |key: &str| {
        value["results"][0][key]
            .as_f64()
            .expect("hyperfine's numbers")
            * 1000.0
    };
    Timing {
        wall: field("median"),
        cpu: field("user") + field("system"),
    }
}

/// Two commands timed alternately: medians of each, and the median, lower
/// and upper quartile of the per-pair ratios (a / b).
struct Paired {
    a: Timing,
    b: Timing,
    ratio: f64,
    low: f64,
    high: f64,
}

/// Runs `a` and `b` alternately `pairs` times after 3 warm-up pairs, the
/// order swapped every pair; each run's wall time from the clock, its CPU
/// time (user + system) from `wait4`. Each command must pass once first.
fn paired(a: (&str, &[String]), b: (&str, &[String]), pairs: usize) -> Paired {
    must_pass_argv(a.1);
    must_pass_argv(b.1);
    let (mut wall_a, mut wall_b, mut cpu_a, mut cpu_b) = (vec![], vec![], 0.0, 0.0);
    let mut ratios = vec![];
    for i in 0..pairs.max(1) + 3 {
        let (ua, ub) = if i % 2 == 0 {
            let ua = run_once(a.1);
            (ua, run_once(b.1))
        } else {
            let ub = run_once(b.1);
            (run_once(a.1), ub)
        };
        if i < 3 {
            continue;
        }
        wall_a.push(ua.wall_ms);
        wall_b.push(ub.wall_ms);
        cpu_a += ua.cpu_ms;
        cpu_b += ub.cpu_ms;
        ratios.push(ua.wall_ms / ub.wall_ms);
    }
    let n = ratios.len() as f64;
    let quantile = |v: &mut Vec<f64>, q: f64| {
        v.sort_by(f64::total_cmp);
        v[((v.len() - 1) as f64 * q).round() as usize]
    };
    let result = Paired {
        a: Timing {
            wall: quantile(&mut wall_a, 0.5),
            cpu: cpu_a / n,
        },
        b: Timing {
            wall: quantile(&mut wall_b, 0.5),
            cpu: cpu_b / n,
        },
        ratio: quantile(&mut ratios, 0.5),
        low: quantile(&mut ratios, 0.25),
        high: quantile(&mut ratios, 0.75),
    };
    println!(
        "paired, {} pairs: {}: {}; {}: {}; median ratio {:.2} (quartiles {:.2}–{:.2})",
        ratios.len(),
        a.0,
        result.a,
        b.0,
        result.b,
        result.ratio,
        result.low,
        result.high
    );
    result
}

/// What one run of a command used.
struct Usage {
    wall_ms: f64,
    cpu_ms: f64,
    peak_rss_mib: f64,
}

/// One run of `cmd` (output discarded): its wall time from the clock, its
/// CPU time (user + system) and peak RSS from `wait4`.
// The child is reaped by `wait4`, not `wait`.
#[allow(clippy::zombie_processes)]
fn run_once(cmd: &[String]) -> Usage {
    let start = std::time::Instant::now();
    let child = Command::new(&cmd[0])
        .args(&cmd[1..])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a benchmarked command");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, reaped here and nowhere else.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall_ms = start.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(waited, pid, "wait4");
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    Usage {
        wall_ms,
        cpu_ms: ms(usage.ru_utime) + ms(usage.ru_stime),
        peak_rss_mib: usage.ru_maxrss as f64 / 1024.0,
    }
}

/// `cmd` as one command line for hyperfine's `-N` (which splits on white
/// space and honours quotes).
fn shell_words(cmd: &[String]) -> String {
    cmd.iter()
        .map(|w| {
            if w.contains(' ') || w.contains('|') {
                format!("'{w}'")
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The native program: what the suite checks, written by hand with reqwest
/// and tokio, as a plain Rust program would.
mod native {
    /// `native URL TASKS PER_TASK`: `TASKS` tasks each GET `URL` `PER_TASK`
    /// times and check its status and `/status`; exit 1 when one fails.
    pub fn main(args: &[String]) -> i32 {
        let [url, tasks, per_task] = args else {
            eprintln!("usage: versus native URL TASKS PER_TASK");
            return 2;
        };
        let (Ok(tasks), Ok(per_task)) = (tasks.parse::<usize>(), per_task.parse::<usize>()) else {
            eprintln!("TASKS and PER_TASK are numbers");
            return 2;
        };
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let failed = runtime.block_on(run(url.clone(), tasks, per_task));
        i32::from(failed > 0)
    }

    async fn run(url: String, tasks: usize, per_task: usize) -> usize {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder().build().expect("client");
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..tasks {
            let (client, url) = (client.clone(), url.clone());
            set.spawn(async move {
                let mut failed = 0;
                for _ in 0..per_task {
                    if !check(&client, &url).await {
                        failed += 1;
                    }
                }
                failed
            });
        }
        set.join_all().await.into_iter().sum()
    }

    async fn check(client: &reqwest::Client, url: &str) -> bool {
        let Ok(response) = client.get(url).send().await else {
            return false;
        };
        if response.status() != 200 {
            return false;
        }
        let Ok(body) = response.bytes().await else {
            return false;
        };
        serde_json::from_slice::<serde_json::Value>(&body)
            .is_ok_and(|v| v.pointer("/status") == Some(&serde_json::json!("ok")))
    }
}
