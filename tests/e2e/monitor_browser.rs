//! A page of another origin in a real browser (Debian's headless chromium,
//! driven by `tests/browser/monitor-cross-site.mjs`) against a real
//! `plume monitor`: it can read none of the monitor's answers and start no
//! run, by `fetch` (with and without `no-cors`), `<img>`, `<script>` or
//! `<iframe>`; the monitor's own page still can. (A DNS-rebinding page
//! cannot be made in a browser on a closed network: the raw `Host` test in
//! `monitor_listener` covers it.)

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use serde_json::Value;

use crate::monitor::demo_suite_vars;
use crate::support::monitor::Monitor;
use crate::support::server::TestServer;

fn browser_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/browser"))
}

/// Serves `html` at `/` on a free loopback port, for as long as the test runs.
fn serve_page(html: String) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind the page's server");
            tx.send(listener.local_addr().expect("address"))
                .expect("send the address");
            let app = Router::new().route("/", get(move || async move { Html(html) }));
            axum::serve(listener, app).await.expect("serve the page");
        });
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("the page's server started")
}

#[test]
fn a_page_of_another_origin_reads_nothing_and_starts_no_run() {
    let service = TestServer::start();
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo/plume.toml");
    let monitor = Monitor::start(
        &demo_suite_vars(&suite, &service.url(), &service.url()),
        &[],
    );
    let html = std::fs::read_to_string(browser_dir().join("monitor-cross-site.html"))
        .expect("the attacking page");
    let page = serve_page(html);

    let out = crate::support::tools::browser_node()
        .arg(browser_dir().join("monitor-cross-site.mjs"))
        .arg(format!("http://{page}/"))
        .arg(&monitor.url)
        .output()
        .expect("run node");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the browser script failed: {stderr}");
    let seen: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));

    // The page read nothing: opaque or failed fetches, failed elements, a
    // frame it cannot look into.
    let attempts = &seen["attempts"];
    for name in ["no-cors /runs/last", "no-cors /metrics", "no-cors /probe"] {
        assert_eq!(attempts[name]["type"], "opaque", "{name}: {attempts}");
        assert_eq!(attempts[name]["body"], "", "{name}: {attempts}");
    }
    for name in ["cors /runs/last", "cors /probe with the scrape header"] {
        assert!(attempts[name]["error"].is_string(), "{name}: {attempts}");
    }
    for name in ["img /probe", "script /runs/last"] {
        assert_eq!(attempts[name]["loaded"], false, "{name}: {attempts}");
    }
    assert_eq!(
        attempts["iframe /runs/last"]["readable"], false,
        "{attempts}"
    );

    // Each request reached the monitor and was refused there: every answer
    // the browser got is a 403 (some the browser then also blocks, as
    // ERR_ABORTED); the fetch with the scrape header went no further than
    // its preflight (OPTIONS).
    let network = seen["network"].as_array().expect("network list");
    let answered = |method: &str, via: &str| {
        network.iter().any(|r| {
            r["method"] == method
                && r["status"] == 403
                && r["url"]
                    .as_str()
                    .is_some_and(|u| u.ends_with(&format!("via={via}")))
        })
    };
    for via in ["fetch", "img", "script", "iframe"] {
        assert!(
            answered("GET", via),
            "the {via} request refused: {network:?}"
        );
    }
    assert!(answered("OPTIONS", "preflight"), "{network:?}");
    assert!(!answered("GET", "preflight"), "{network:?}");
    for answer in network.iter().filter(|r| !r["status"].is_null()) {
        assert_eq!(answer["status"], 403, "refused: {answer}");
    }
    assert_eq!(service.log(), Vec::<String>::new(), "no run started");

    // The monitor's own page reads its answers (same-origin): not refused.
    let own = &seen["own"];
    assert_eq!(own["healthz"]["status"], 200, "{own}");
    assert_eq!(own["healthz"]["body"], "ok\n", "{own}");
    assert_eq!(own["runsLast"]["status"], 404, "{own}");
    assert!(
        own["runsLast"]["body"]
            .as_str()
            .is_some_and(|b| b.contains("has not run yet")),
        "{own}"
    );
}
