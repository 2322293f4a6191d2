//! A blocking HTTP GET for tests that talk to servers (Prometheus, the
//! Pushgateway, `plume monitor`), on Plume's own client.

use std::time::Duration;

/// GETs `url` with `headers`; the status and the body, or the error as text.
pub fn get(url: &str, headers: &[(&str, &str)]) -> Result<(u16, String), String> {
    get_within(url, headers, Duration::from_secs(10))
}

/// GETs `url`, failing if the whole answer takes longer than `within`.
pub fn get_within(
    url: &str,
    headers: &[(&str, &str)],
    within: Duration,
) -> Result<(u16, String), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let client = plume::net::clients::http_client().map_err(|e| e.to_string())?;
        let mut request = client.get(url).timeout(within);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let response = request.send().await.map_err(|e| format!("{e:?}"))?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(|e| format!("{e:?}"))?;
        Ok((status, body))
    })
}

/// `text` as one query-string value.
pub fn url_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
