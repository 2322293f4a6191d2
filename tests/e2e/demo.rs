//! The demo suite (`examples/demo/plume.toml`, its plugin built from source)
//! against the real demo service: all green when healthy, and for every fault
//! in the catalogue exactly the checks that catch it go red, with the rest of
//! the suite still reported and exit code 1.

use std::collections::BTreeSet;
use std::path::Path;

use plume_demo_service::faults::{Fault, Faults};
use plume_demo_service::{Options, start_in_background};

use crate::support::harness::{Run, plume_command};

const ADMIN_PASSWORD: &str = "e2e-admin-password";
/// Every check of the demo suite, whatever the fault.
const CHECKS: usize = 52;

/// The checks each fault must turn red: no more, no fewer. The match is
/// exhaustive, so a new fault cannot be added without saying what catches it.
fn caught_by(fault: Fault) -> &'static [&'static str] {
    match fault {
        Fault::StaleManifest => &["release.binary.matches_manifest"],
        Fault::EmptyMemoryAccepted => &["memories.store.empty_rejected"],
        Fault::DedupBroken => &[
            "memories.store.dedup_same_id",
            "memories.list.one_row",
            "memories.delete.removes",
        ],
        Fault::RevokeNoop => &["apikeys.revoked.rejected"],
        Fault::LogoutNoop => &["auth.logout.revokes_session"],
        Fault::MissingBillingPlan => &["admin.customer.billing_plan"],
        Fault::SseRejectsToken => &["sse.key.stream_open", "sse.key.ready_event"],
        Fault::WrongErrorCode => &["auth.signin.wrong_password_401"],
        Fault::AdminDown => &[
            "health.admin.up",
            "public.pricing.plans",
            "public.pricing.free_plan",
            "public.auth_config.shape",
            "public.auth_config.password_rule",
            "public.unknown_route.404",
            "discovery.as_metadata.keys",
            "discovery.as_metadata.issuer",
            "discovery.as_metadata.endpoints",
            "discovery.as_metadata.pkce_s256",
            "discovery.www_authenticate.on_401",
            "release.manifest.shape",
        ],
        Fault::SlowQuery => &["memories.query.marker_present"],
    }
}

/// Starts the service with `faults` and runs the demo suite against it.
fn run_demo(faults: &[Fault], env: &[(&str, &str)]) -> Run {
    let addresses = start_in_background(Options {
        admin_port: 0,
        mcp_port: 0,
        faults: Faults::new(faults.iter().copied()),
        admin_password: ADMIN_PASSWORD.to_owned(),
    })
    .expect("demo service starts");
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo/plume.toml");
    let plugin_dir = Path::new(plume_test_guests::DEMO).parent().unwrap();
    let mut cmd = plume_command();
    cmd.arg("run")
        .arg(suite)
        .arg("--var")
        .arg(format!("admin_url={}", addresses.admin_url()))
        .arg("--var")
        .arg(format!("mcp_url={}", addresses.mcp_url()))
        .arg("--var")
        .arg(format!("plugin_dir={}", plugin_dir.display()))
        .env("SMOKE_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env_remove("EXPECTED_VERSION")
        .env_remove("EXPECTED_SHA");
    for (k, v) in env {
        cmd.env(k, v);
    }
    Run::from_output(cmd.output().expect("run plume"))
}

fn red(run: &Run) -> BTreeSet<String> {
    run.names()
        .into_iter()
        .filter(|n| !n.starts_with("cleanup.") && run.outcome(n) == "err")
        .collect()
}

fn checks(run: &Run) -> usize {
    run.names()
        .iter()
        .filter(|n| !n.starts_with("cleanup."))
        .count()
}

#[test]
fn the_healthy_service_is_all_green_with_stated_skips() {
    let r = run_demo(&[], &[]);
    assert_eq!(red(&r), BTreeSet::new(), "{}", r.stdout);
    assert_eq!(checks(&r), CHECKS, "{}", r.stdout);
    r.expect(
        "release.expected.version",
        "skip",
        "expected_version is not set",
    );
    r.expect("release.expected.sha", "skip", "expected_sha is not set");
    r.expect(
        "release.origin.same_binary",
        "skip",
        "origin_url is not set",
    );
    r.expect(
        "release.sums.matches",
        "ok",
        "SHA256SUMS lists plume-demo-agent.bin",
    );
    r.expect(
        "public.pricing.free_plan",
        "ok",
        "/plans/0/id = \"free\", /plans/0/monthly_price = 0",
    );
    r.expect(
        "memories.query.marker_present",
        "ok",
        "marker found in answer (1 hit",
    );
    for cleanup in [
        "cleanup.account",
        "cleanup.shared-api-key",
        "cleanup.api-key",
        "cleanup.memory",
    ] {
        assert_eq!(r.outcome(cleanup), "ok", "{}", r.stdout);
    }
    assert!(
        r.stdout.contains("48 passed, 0 failed, 4 skipped"),
        "{}",
        r.stdout
    );
    assert_eq!(r.code, 0);
}

#[test]
fn expected_version_and_sha_come_from_the_environment() {
    let sha = plume_demo_service::state::Release::generate().sha256;
    let version = plume_demo_service::state::VERSION;
    let r = run_demo(
        &[],
        &[("EXPECTED_VERSION", version), ("EXPECTED_SHA", &sha)],
    );
    r.expect(
        "release.expected.version",
        "ok",
        &format!("version {version} as expected"),
    );
    r.expect("release.expected.sha", "ok", &sha[..12]);
    assert_eq!(r.code, 0, "{}", r.stdout);

    let r = run_demo(
        &[],
        &[("EXPECTED_VERSION", "9.9.9"), ("EXPECTED_SHA", &sha)],
    );
    r.expect(
        "release.expected.version",
        "err",
        &format!("manifest version {version} != expected version 9.9.9"),
    );
    assert_eq!(r.code, 1);
}

#[test]
fn every_fault_in_the_catalogue_is_caught_by_exactly_its_checks() {
    let results: Vec<(Fault, Run)> = std::thread::scope(|scope| {
        let handles: Vec<_> = Fault::ALL
            .into_iter()
            .map(|fault| scope.spawn(move || (fault, run_demo(&[fault], &[]))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("run thread"))
            .collect()
    });
    for (fault, r) in &results {
        let expected: BTreeSet<String> = caught_by(*fault).iter().map(|s| s.to_string()).collect();
        assert!(
            !expected.is_empty(),
            "fault {fault} has no check that catches it"
        );
        assert_eq!(red(r), expected, "fault {fault}:\n{}", r.stdout);
        assert_eq!(
            checks(r),
            CHECKS,
            "fault {fault}: every check still reports:\n{}",
            r.stdout
        );
        assert_eq!(r.code, 1, "fault {fault}");
    }
    let (_, stale) = results
        .iter()
        .find(|(f, _)| *f == Fault::StaleManifest)
        .expect("stale run");
    let line = stale.line("release.binary.matches_manifest");
    assert!(
        line.contains("served sha ") && line.contains(" != version.json sha "),
        "{line}"
    );
}

#[test]
fn a_wrong_url_is_one_preflight_line_not_a_red_run() {
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo/plume.toml");
    let r = Run::from_output(
        plume_command()
            .arg("run")
            .arg(suite)
            .args([
                "--var",
                "admin_url=http://127.0.0.1:9",
                "--var",
                "mcp_url=http://127.0.0.1:9",
            ])
            .output()
            .expect("run plume"),
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("preflight: http://127.0.0.1:9/health did not answer")
            && r.stderr
                .contains("start it with: cargo run -p plume-demo-service"),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains("[err "), "{}", r.stdout);
}
