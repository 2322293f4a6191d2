//! One plugin cannot hurt the host or the reader: the forger guest
//! (`tests/guests/forger`) puts escape sequences, line separators, forged
//! `[ok  ]` lines, workflow commands, TAP points and Markdown rows in its
//! details, log lines, cleanup labels and metadata, a secret in names, labels,
//! URLs, JSON and Basic headers, and 16 MiB in a detail; every output — the
//! lines, JSON, JUnit, TAP, GitHub and its step summary — stays one line per
//! check, free of control characters and of every form of the secret.

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use serde_json::Value;

use crate::support::harness::{Run, SuiteFile, plume, plume_command, suite};
use crate::support::server::TestServer;

/// Secrets with characters every encoding treats differently.
const PW: &str = "Zq@8<k>x!pw/9";
const JQ: &str = "J\"q 'u{o}`t\\e";

fn forger_suite(server: &TestServer, mode: &str) -> SuiteFile {
    let toml = format!(
        r#"
[plugins.forger]
path = "@forger@"
allow-hosts = ["@url@", "http://127.0.0.1:1"]
config = {{ base_url = "@url@", dead_url = "http://127.0.0.1:1", mode = "{mode}" }}
secrets = {{ pw = {{ env = "PLUME_FORGER_PW" }}, jq = {{ env = "PLUME_FORGER_JQ" }} }}
"#
    );
    suite(&toml, &server.url())
}

/// A run with every report written to a file of its own.
struct Reported {
    dir: tempfile::TempDir,
    run: Run,
}

const FILES: [&str; 5] = [
    "events.ndjson",
    "out.xml",
    "out.tap",
    "github.txt",
    "summary.md",
];

impl Reported {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// Standard output, standard error and every report.
    fn everything(&self) -> String {
        let mut all = format!("{}{}", self.run.stdout, self.run.stderr);
        for file in FILES {
            all.push_str(&self.read(file));
        }
        all
    }
}

fn run_reported(s: &SuiteFile, extra: &[&str]) -> Reported {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = plume_command();
    cmd.arg("run").arg(&s.path).args(extra);
    for (format, file) in [
        ("json", "events.ndjson"),
        ("junit", "out.xml"),
        ("tap", "out.tap"),
        ("github", "github.txt"),
    ] {
        cmd.arg("--report")
            .arg(format!("{format}={}", dir.path().join(file).display()));
    }
    cmd.env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"))
        .env("PLUME_FORGER_PW", PW)
        .env("PLUME_FORGER_JQ", JQ);
    let run = Run::from_output(cmd.output().unwrap());
    Reported { dir, run }
}

/// A character no output may hold raw: controls (but LF), DEL, C1, line and
/// paragraph separators, bidi formatting.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{61c}' | '\u{200e}' | '\u{200f}'
        )
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

fn assert_clean(what: &str, text: &str) {
    if let Some((i, c)) = text.char_indices().find(|&(_, c)| unsafe_char(c)) {
        let from = text.floor_char_boundary(i.saturating_sub(60));
        panic!("{what}: raw {c:?} at {i}: {:?}", &text[from..i]);
    }
}

/// Every form of the secrets a leak could take, computed here independently.
fn secret_forms() -> Vec<String> {
    let mut forms = vec![
        PW.to_owned(),
        JQ.to_owned(),
        "Zq@8%3Ck%3Ex!pw/9".to_owned(),
        "Zq%408%3Ck%3Ex!pw%2F9".to_owned(),
        "Zq@8&lt;k&gt;x!pw/9".to_owned(),
        serde_json::to_string(JQ)
            .unwrap()
            .trim_matches('"')
            .to_owned(),
    ];
    let mut u = url::Url::parse("http://h/").unwrap();
    u.set_query(Some(JQ));
    forms.push(u.query().unwrap().to_owned());
    u.set_fragment(Some(JQ));
    forms.push(u.fragment().unwrap().to_owned());
    u.set_path(&format!("/{JQ}"));
    forms.push(u.path()[1..].to_owned());
    // The middle of `user:secret` in base64, for users of every length mod 3:
    // characters that depend on the secret's bytes alone.
    for user in ["", "a", "ab", "user"] {
        for engine in [STANDARD, URL_SAFE] {
            let encoded = engine.encode(format!("{user}:{PW}"));
            forms.push(encoded[8..16].to_owned());
        }
    }
    forms
}

fn assert_no_secret(everything: &str) {
    for form in secret_forms() {
        assert!(
            !everything.contains(&form),
            "{form:?} leaked:\n{}",
            everything
                .lines()
                .filter(|l| l.contains(&form))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// The `|` that end table cells, as GitHub's table parser splits a row: a
/// backslash escapes the character after it, whatever it is.
fn cell_borders(row: &str) -> usize {
    let mut borders = 0;
    let mut chars = row.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '|' => borders += 1,
            _ => {}
        }
    }
    borders
}

const CHECKS: usize = 12;
const CLEANUPS: usize = 11;

#[test]
fn forged_lines_escapes_and_secrets_reach_no_output() {
    let server = TestServer::start();
    let s = forger_suite(&server, "");
    let r = run_reported(&s, &["-v"]);
    let out = &r.run;
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);

    // The lines: one per check and cleanup, nothing forged, nothing raw.
    assert_clean("stdout", &out.stdout);
    assert_clean("stderr", &out.stderr);
    let long = format!("forge.{}", "n".repeat(120));
    let mut names = out.names();
    names.sort();
    let checks = "forge.escapes forge.log_cr forge.labels forge.skip_forged secret.query \
        secret.path secret.userinfo secret.basic secret.json secret.label s-***.n-*** \
        cleanup.undo-*** cleanup.h\\x1b[1A\\x1b[2K\\u{202e}desrever";
    let mut expected: Vec<String> = checks
        .split_whitespace()
        .map(str::to_owned)
        .chain([long.clone()])
        .chain("abcdefgij".chars().map(|c| format!("cleanup.{c}")))
        .collect();
    expected.sort();
    assert_eq!(names, expected, "{}", out.stdout);
    for line in out.stdout.lines() {
        let known = ["[ok  ] ", "[err ] ", "[skip] ", "       ", "red: "]
            .iter()
            .any(|p| line.starts_with(p))
            || line.contains(" passed, ");
        assert!(known, "a line no sink printed: {line:?}");
        assert!(!line.trim_start().starts_with("::"), "{line:?}");
    }
    out.expect(
        "forge.escapes",
        "err",
        "\\x1b[32m[ok  ] looks green\\x1b[0m",
    );
    out.expect("forge.escapes", "err", "\\x1b]52;c;Zm9yZ2Vk\\x07");
    out.expect("forge.escapes", "err", "\\u{202e}desrever\\u{202c}");
    out.expect(
        "forge.escapes",
        "err",
        "\\x1b[1A\\x1b[2Kerased above | VT | FF | NEL \\u{9b}31mC1",
    );
    out.expect(
        "forge.skip_forged",
        "skip",
        "a reason | ok 995 forged | Bail out!",
    );
    out.expect(&long, "ok", "fine");
    out.expect("cleanup.b", "ok", "cleanup.b | ::error::forged ");
    out.expect("cleanup.f", "ok", "f | row | injection | | | **err** |");
    out.expect("secret.query", "err", "connect: ");
    out.expect("secret.query", "err", "?pw=***&jq=***&n=1");
    out.expect("secret.basic", "ok", "echoed authorization=Basic ");
    out.expect("secret.json", "ok", r#"json {"jq":"***","pw":"***"}"#);
    out.expect("cleanup.undo-***", "ok", "undo-*** | ::error::");
    assert!(
        out.stdout
            .contains("       forge.log_cr info: [ok  ] forge.cr_forged"),
        "a lone CR ends a log line, which is shown as a log line:\n{}",
        out.stdout
    );
    let red = out.stdout.lines().find_map(|l| l.strip_prefix("red: "));
    let mut red: Vec<&str> = red.expect("a red: line").split(", ").collect();
    red.sort();
    assert_eq!(
        red,
        [
            "forge.escapes",
            "secret.path",
            "secret.query",
            "secret.userinfo"
        ]
    );
    assert!(
        out.stdout.contains("7 passed, 4 failed, 1 skipped in ")
            && out.stdout.contains("; cleanups: 11 ok, 0 failed"),
        "{}",
        out.stdout
    );

    // JSON: one event per line, each parses, no raw separators.
    let json = r.read("events.ndjson");
    assert_clean("json", &json);
    let events: Vec<Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let count = |kind: &str| events.iter().filter(|e| e["event"] == kind).count();
    assert_eq!(
        (count("check_finished"), count("cleanup_finished")),
        (CHECKS, CLEANUPS)
    );
    assert_eq!(events.last().unwrap()["event"], "run_finished");
    assert!(
        events
            .iter()
            .any(|e| e["group"] == "s-***" && e["check"] == "n-***")
    );
    let escapes = events
        .iter()
        .find(|e| e["event"] == "check_finished" && e["check"] == "escapes")
        .unwrap();
    assert!(
        escapes["detail"]
            .as_str()
            .unwrap()
            .contains("LS | PS | DEL\\x7f end")
    );

    // JUnit: parses, a testcase per check and cleanup.
    let xml = r.read("out.xml");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let cases = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    assert_eq!(cases, CHECKS + CLEANUPS);

    // TAP: only the real points, in order, no bail-out, YAML indented.
    let tap = r.read("out.tap");
    assert_clean("tap", &tap);
    let mut n = 0;
    for line in tap.lines() {
        if line.starts_with("ok ") || line.starts_with("not ok ") {
            n += 1;
            let number = line.trim_start_matches("not ").split(' ').nth(1).unwrap();
            assert_eq!(number, n.to_string(), "{line}");
        } else {
            let known = line == "TAP version 14"
                || line == format!("1..{}", CHECKS + CLEANUPS)
                || line.starts_with("  ");
            assert!(known, "a forged TAP line: {line:?}");
        }
    }
    assert_eq!(n, CHECKS + CLEANUPS);
    assert!(tap.contains(" - cleanup.j \\# SKIP forged \\\\\n"), "{tap}");

    // GitHub: the four red checks' annotations and nothing else.
    let github = r.read("github.txt");
    assert_clean("github", &github);
    assert_eq!(github.lines().count(), 4, "{github}");
    assert!(
        github
            .lines()
            .all(|l| l.starts_with("::error title=plume%3A ")),
        "{github}"
    );
    let summary = r.read("summary.md");
    assert_clean("summary", &summary);
    let rows: Vec<&str> = summary.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(rows.len(), 2 + CHECKS + CLEANUPS, "{summary}");
    for row in &rows {
        assert_eq!(cell_borders(row), 5, "a row with another cell: {row}");
    }
    assert!(summary.contains("f \\| row \\| injection \\|"), "{summary}");

    // No secret, in any form, anywhere.
    let everything = r.everything();
    assert_no_secret(&everything);
    assert!(json.contains("pw=***"), "the URL, redacted: {json}");
}

#[test]
fn a_name_too_long_or_unsafe_is_refused_at_load_in_one_line() {
    let server = TestServer::start();
    for (mode, says) in [
        ("long-name", "check name `nnnn"),
        ("long-group", "group name `gggg"),
        ("bidi-name", "contains the unsafe character \\u{202e}"),
    ] {
        let s = forger_suite(&server, mode);
        let r = plume(&["run", s.path.to_str().unwrap()]);
        assert_eq!(r.code, 2, "{mode}: {}{}", r.stdout, r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{mode}: {}", r.stderr);
        assert!(r.stderr.len() < 400, "{mode}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{mode}: {}", r.stderr);
        assert_clean(mode, &r.stderr);
        assert!(
            !r.stdout.contains('['),
            "{mode}: no check ran: {}",
            r.stdout
        );
    }
    let s = forger_suite(&server, "long-name");
    let r = plume(&["run", s.path.to_str().unwrap()]);
    assert!(
        r.stderr
            .contains("in group long is 70000 characters long; the limit is 128"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_16_mib_detail_and_a_64_kib_label_are_cut_with_a_note() {
    let server = TestServer::start();
    let s = forger_suite(&server, "huge");
    let r = run_reported(&s, &[]);
    let out = &r.run;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.len() < 16 * 1024,
        "{} bytes of lines",
        out.stdout.len()
    );
    out.expect("huge.detail", "err", "xxx… (cut: 16777216 bytes in all)");
    let label = out
        .stdout
        .lines()
        .find(|l| l.contains("cleanup.LLL"))
        .unwrap_or_else(|| panic!("no cleanup line:\n{}", out.stdout));
    assert!(label.starts_with("[ok  ] "), "{label}");
    assert!(
        label.contains("LLL… (cut: 65536 bytes in all)"),
        "{label:.400}"
    );
    assert!(label.len() < 1024, "{label}");
    for file in FILES {
        let size = std::fs::metadata(r.path(file)).unwrap().len();
        assert!(size < 64 * 1024, "{file} is {size} bytes");
    }
    roxmltree::Document::parse(&r.read("out.xml")).expect("well-formed XML");
    for line in r.read("events.ndjson").lines() {
        serde_json::from_str::<Value>(line).expect("one JSON object per line");
    }
}

#[test]
fn list_and_inspect_show_plugin_metadata_as_safe_lines() {
    let r = plume(&["inspect", plume_test_guests::FORGER]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_clean("inspect", &r.stdout);
    let prefixes = [
        "plugin:  ",
        "file:    ",
        "compiled: ",
        "config:  ",
        "secrets: ",
        "groups:",
        "  ",
    ];
    for line in r.stdout.lines() {
        assert!(prefixes.iter().any(|p| line.starts_with(p)), "{line:?}");
        assert!(!line.trim_start().starts_with("::"), "{line:?}");
    }
    assert!(
        r.stdout.contains(
            "plugin:  forger\\x1b]0;meta\\x07 | ::error::forged-meta 0.1.0\\u{202e} | [ok  ] meta"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("mode | ::stop-commands::meta"),
        "{}",
        r.stdout
    );

    let server = TestServer::start();
    let s = forger_suite(&server, "");
    let mut cmd = plume_command();
    cmd.args(["list", s.path.to_str().unwrap()])
        .env("PLUME_FORGER_PW", PW)
        .env("PLUME_FORGER_JQ", JQ);
    let r = Run::from_output(cmd.output().unwrap());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_clean("list", &r.stdout);
    for line in r.stdout.lines() {
        assert!(!line.trim_start().starts_with("::"), "{line:?}");
    }
    assert!(r.stdout.contains("    s-***.n-***\n"), "{}", r.stdout);
    assert_no_secret(&r.stdout);
}

#[test]
fn a_terminal_gets_no_escape_sequence_from_a_plugin() {
    let server = TestServer::start();
    let s = forger_suite(&server, "");
    let mut cmd = std::process::Command::new("script");
    cmd.args([
        "-qfec",
        &format!(
            "{} run {} -v --only forge",
            env!("CARGO_BIN_EXE_plume"),
            s.path.display()
        ),
        "/dev/null",
    ]);
    cmd.env("PLUME_CACHE_DIR", crate::support::harness::shared_cache())
        .env_remove("NO_COLOR");
    let shown = String::from_utf8_lossy(&cmd.output().expect("script runs").stdout).into_owned();
    assert!(shown.contains("forge.escapes"), "{shown:?}");
    assert!(
        shown.contains("\x1b[32m") || shown.contains("\x1b[31m"),
        "colour is on: {shown:?}"
    );
    // The host's own sequences are colours (`ESC [ ... m`) and erasing its live indicator.
    let mut rest = shown.as_str();
    while let Some(at) = rest.find('\x1b') {
        let seq = &rest[at..];
        let end = seq.find('m').unwrap_or(seq.len());
        let ok = seq.starts_with("\x1b[2K")
            || (seq.starts_with("\x1b[")
                && seq[2..end].chars().all(|c| c.is_ascii_digit() || c == ';'));
        assert!(
            ok,
            "a sequence the host did not write: {:?}",
            &seq[..seq.len().min(20)]
        );
        rest = &seq[1..];
    }
    for c in [
        '\u{9b}', '\u{202e}', '\u{2028}', '\u{85}', '\x07', '\x0b', '\x0c',
    ] {
        assert!(!shown.contains(c), "{c:?} reached the terminal");
    }
}
