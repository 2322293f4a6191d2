//! A plugin built against `plume:check@0.1.3` (the contract as released
//! before 0.1.4 added `log.attempt-failed`, frozen in `wit/`): a host
//! serving 0.1.4 must load it and serve its imports unchanged, 0.1.3's
//! `log.mask` among them.

wit_bindgen::generate!({ path: "wit", world: "plugin" });

use plume::check::http::{self, RedirectPolicy, Request};
use plume::check::log;
use plume::check::types::{GroupInfo, Outcome};

struct Old;

impl Guest for Old {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "contract-0.1.3".to_owned(),
            version: "0.1.3".to_owned(),
            groups: vec![GroupInfo {
                name: "old".to_owned(),
                checks: vec!["masked".to_owned()],
                depends_on: Vec::new(),
            }],
            config_keys: vec!["url".to_owned()],
            secrets: Vec::new(),
        }
    }

    /// Reads a session token, masks it and names it in the detail.
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
            Ok(r) => {
                let body = String::from_utf8_lossy(&r.body).into_owned();
                log::mask(&body);
                CheckResult {
                    outcome: if r.status == 200 {
                        Outcome::Ok
                    } else {
                        Outcome::Err
                    },
                    status: Some(r.status),
                    detail: format!("a 0.1.3 plugin got and masked {body}"),
                }
            }
            Err(e) => CheckResult {
                outcome: Outcome::Err,
                status: None,
                detail: format!("{e:?}"),
            },
        }
    }
}

export!(Old);
