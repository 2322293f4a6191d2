//! A plugin built against `plume:check@0.1.0` (the contract as released
//! before 0.1.1 added `tls`, frozen in `wit/`): a host serving 0.1.1 must
//! load it and serve its imports unchanged.

wit_bindgen::generate!({ path: "wit", world: "plugin" });

use plume::check::http::{self, RedirectPolicy, Request};
use plume::check::types::{GroupInfo, Outcome};

struct Old;

impl Guest for Old {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "contract-0.1.0".to_owned(),
            version: "0.1.0".to_owned(),
            groups: vec![GroupInfo {
                name: "old".to_owned(),
                checks: vec!["send".to_owned()],
                depends_on: Vec::new(),
            }],
            config_keys: vec!["url".to_owned()],
            secrets: Vec::new(),
        }
    }

    fn run_check(_group: String, _check: String) -> CheckResult {
        let url = plume::check::config::get("url").unwrap_or_default();
        let request = Request {
            method: "GET".to_owned(),
            url,
            headers: Vec::new(),
            body: None,
            timeout_ms: None,
            redirects: RedirectPolicy::None,
        };
        match http::send(&request) {
            Ok(r) => CheckResult {
                outcome: if r.status == 200 {
                    Outcome::Ok
                } else {
                    Outcome::Err
                },
                status: Some(r.status),
                detail: format!("a 0.1.0 plugin got {} bytes", r.body.len()),
            },
            Err(e) => CheckResult {
                outcome: Outcome::Err,
                status: None,
                detail: format!("{e:?}"),
            },
        }
    }
}

export!(Old);
