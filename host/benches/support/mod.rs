//! What the benchmarks share: a server on 127.0.0.1 for them to run against.

use axum::Router;

/// Serves `app` on `listener` from a thread of its own; returns its base URL.
pub fn serve_on(listener: std::net::TcpListener, app: Router) -> String {
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            listener.set_nonblocking(true).expect("nonblocking");
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            axum::serve(listener, app).await.expect("serve");
        });
    });
    base
}
