//! `tls`: the certificates a product's hosts present (contract 0.1.1's
//! `tls` interface). For each configured `https://` URL, four checks: days
//! to expiry against a warning threshold, the host name, the chain against
//! the trusted roots, and the negotiated version against a minimum. One
//! handshake per host serves its four checks. See `plugins/tls/README.md`.

mod config;
mod date;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use plume_sdk::Peer;
use plume_sdk::prelude::*;

use config::{Config, VERSIONS};

/// Handshakes already made by this instance (one group), by URL: one
/// attempt per host serves its four checks, failed or not.
static SEEN: Mutex<Option<HashMap<String, Result<Peer, String>>>> = Mutex::new(None);

/// The config table, read and checked once per instance; `None` when no
/// key is set (`plume inspect`). A bad one refuses the config, naming the key.
static CONFIG: OnceLock<Option<Config>> = OnceLock::new();

fn config() -> Option<&'static Config> {
    CONFIG
        .get_or_init(|| {
            plume_sdk::config_table_or_reject("(see plugins/tls/README.md)", Config::check)
        })
        .as_ref()
}

/// `host:port` of a URL, for check names.
fn label(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or(rest)
        .to_owned()
}

fn peer(ctx: &Ctx, url: &str) -> Result<Peer, Halt> {
    let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
    let map = seen.get_or_insert_with(HashMap::new);
    let result = map.entry(url.to_owned()).or_insert_with(|| {
        ctx.tls(url).map_err(|halt| match halt {
            Halt::Err { detail, .. } => detail,
            Halt::Skip { reason } => reason,
        })
    });
    result.clone().map_err(Halt::err)
}

fn leaf(p: &Peer) -> Result<&plume_sdk::Certificate, Halt> {
    p.chain
        .first()
        .ok_or_else(|| Halt::err("the server presented no certificate"))
}

/// The certificate of the presented chain that expires first, and what to
/// call it: the leaf, or an intermediate by its subject (a chain is only
/// as valid as its shortest-lived link). A self-signed certificate sent
/// along is a root: clients take theirs from their own store, so it is
/// left out.
fn first_to_expire(chain: &[plume_sdk::Certificate]) -> Option<(&plume_sdk::Certificate, String)> {
    chain
        .iter()
        .enumerate()
        .filter(|(i, c)| *i == 0 || c.subject != c.issuer)
        .min_by_key(|(_, c)| c.not_after)
        .map(|(i, c)| {
            let what = if i == 0 {
                String::new()
            } else {
                format!("the intermediate {} ", c.subject)
            };
            (c, what)
        })
}

/// The certificate of the presented chain whose validity starts after
/// `now`, if one does (a self-signed root sent along is left out), and what
/// to call it.
fn first_not_yet_valid(
    chain: &[plume_sdk::Certificate],
    now: i64,
) -> Option<(&plume_sdk::Certificate, String)> {
    chain
        .iter()
        .enumerate()
        .filter(|(i, c)| (*i == 0 || c.subject != c.issuer) && c.not_before > now)
        .max_by_key(|(_, c)| c.not_before)
        .map(|(i, c)| {
            let what = if i == 0 {
                "the certificate ".to_owned()
            } else {
                format!("the intermediate {} ", c.subject)
            };
            (c, what)
        })
}

fn expiry(ctx: &Ctx, url: &str, config: &Config) -> Check {
    let p = peer(ctx, url)?;
    let leaf = leaf(&p)?;
    let (first, what) = first_to_expire(&p.chain).unwrap_or((leaf, String::new()));
    let warn = i64::from(config.warn_days());
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    if let Some((early, what)) = first_not_yet_valid(&p.chain, now) {
        return fail(
            None,
            format!(
                "{what}is not valid yet: valid from {} ({} days from now)",
                date::ymd(early.not_before),
                (early.not_before - now).div_euclid(86_400)
            ),
        );
    }
    let left = first.not_after - now;
    let days = left.div_euclid(86_400);
    let on = date::ymd(first.not_after);
    if left < 0 {
        return fail(None, format!("{what}expired on {on} ({} days ago)", -days));
    }
    if days < warn {
        return fail(
            None,
            format!("{what}expires in {days} days (on {on}), under warn_days {warn}"),
        );
    }
    ok(None, format!("{what}expires in {days} days (on {on})"))
}

fn hostname(ctx: &Ctx, url: &str, _: &Config) -> Check {
    let p = peer(ctx, url)?;
    let leaf = leaf(&p)?;
    let host = label(url);
    let host = host.rsplit_once(':').map_or(host.as_str(), |(h, _)| h);
    if p.name_matches {
        ok(
            None,
            format!("valid for {host} (names: {})", leaf.names.join(", ")),
        )
    } else {
        fail(
            None,
            format!(
                "the certificate is for [{}], not {host}",
                leaf.names.join(", ")
            ),
        )
    }
}

fn chain(ctx: &Ctx, url: &str, _: &Config) -> Check {
    let p = peer(ctx, url)?;
    let leaf = leaf(&p)?;
    match &p.chain_error {
        None => ok(
            None,
            format!(
                "{} certificate(s) verify to a trusted root; issuer {}",
                p.chain.len(),
                leaf.issuer
            ),
        ),
        Some(why) => fail(
            None,
            format!("the chain does not verify: {why}; issuer {}", leaf.issuer),
        ),
    }
}

/// A check of one configured URL.
type CheckOn = fn(&Ctx, &str, &Config) -> Check;

fn version(ctx: &Ctx, url: &str, config: &Config) -> Check {
    let p = peer(ctx, url)?;
    let min = config.min_version();
    let rank = |v: &str| VERSIONS.iter().position(|k| k.eq_ignore_ascii_case(v));
    let want = rank(min).unwrap_or(0);
    match rank(&p.version) {
        Some(got) if got >= want => ok(None, format!("negotiated {} (minimum {min})", p.version)),
        _ => fail(
            None,
            format!("negotiated {}, below min_version {min}", p.version),
        ),
    }
}

fn plugin() -> Plugin {
    let plugin =
        Plugin::new("tls", env!("CARGO_PKG_VERSION")).config(plume_sdk::config_keys::<Config>());
    // Unconfigured (`plume inspect`): say what the pack reads and check
    // nothing; `plume run` refuses a plugin that checks nothing.
    let Some(config) = config() else {
        return plugin;
    };
    plugin.group("tls", &[], move |mut g| {
        for url in config.urls() {
            let name = label(&url);
            let checks: [(&str, CheckOn); 4] = [
                ("expiry", expiry),
                ("hostname", hostname),
                ("chain", chain),
                ("version", version),
            ];
            for (what, run) in checks {
                let url = url.clone();
                g = g.check(&format!("{name}.{what}"), move |ctx| run(ctx, &url, config));
            }
        }
        g
    })
}

plume_sdk::export_plugin!(plugin);

#[cfg(test)]
mod tests {
    use plume_sdk::Certificate;

    use super::first_to_expire;

    fn cert(subject: &str, issuer: &str, not_after: i64) -> Certificate {
        Certificate {
            subject: subject.to_owned(),
            issuer: issuer.to_owned(),
            names: Vec::new(),
            not_before: 0,
            not_after,
        }
    }

    #[test]
    fn the_chain_expires_with_its_first_link_to_expire_roots_left_out() {
        let leaf = cert("CN=site", "CN=Inter", 900);
        let inter = cert("CN=Inter", "CN=Root", 300);
        let root = cert("CN=Root", "CN=Root", 100);
        let chain = [leaf.clone(), inter, root];
        let (first, what) = first_to_expire(&chain).unwrap();
        assert_eq!(
            (first.not_after, what.as_str()),
            (300, "the intermediate CN=Inter ")
        );
        let (first, what) = first_to_expire(&chain[..1]).unwrap();
        assert_eq!((first.not_after, what.as_str()), (900, ""));
        // A self-signed leaf (the only certificate) still counts.
        let alone = [cert("CN=me", "CN=me", 50)];
        assert_eq!(first_to_expire(&alone).unwrap().0.not_after, 50);
        assert!(first_to_expire(&[]).is_none());
    }
}
