//! Which hosts a plugin may reach: the suite's `allow-hosts`.
//!
//! An entry is `[scheme://]host[:port]`, optionally a whole URL whose path is
//! ignored (so `allow-hosts = ["${admin_url}"]` works). `*.example.com`
//! matches any subdomain of example.com (not example.com itself). Without a
//! scheme both http and https match; without a port the scheme's default port
//! matches; `:*` matches any port. An empty list denies everything. Every
//! request, every redirect hop and every deferred cleanup is checked before
//! anything is sent.
//!
//! Names are resolved once by [`PolicyResolver`], which drops every address
//! in a blocked range ([`blocked_range`]: loopback, private, link-local, cloud
//! metadata, the other special-purpose blocks that are not globally reachable,
//! and IPv6 forms that embed such an IPv4 address) unless the plugin has
//! `allow-private = true`; the client connects only to the addresses that
//! survived, so a name cannot be re-pointed between the check and the
//! connection. An address written as a literal in `allow-hosts` is allowed as
//! listed.

use std::net::SocketAddr;

pub use super::ranges::blocked_range;

use url::Url;

/// One `allow-hosts` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    text: String,
    scheme: Option<String>,
    host: HostPattern,
    port: PortPattern,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Exact(String),
    /// `*.suffix`: the suffix is stored with its leading dot.
    Subdomains(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PortPattern {
    Default,
    Any,
    Exact(u16),
}

/// A plugin's allow-list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    rules: Vec<Rule>,
}

impl AllowList {
    /// Parses `allow-hosts` entries; an error names the bad entry.
    pub fn parse(entries: &[String]) -> Result<Self, String> {
        let rules = entries
            .iter()
            .map(|e| Rule::parse(e))
            .collect::<Result<_, _>>()?;
        Ok(AllowList { rules })
    }

    /// `Ok` when `url` may be requested; otherwise the `denied:` reason.
    pub fn check(&self, url: &Url) -> Result<(), String> {
        let scheme = url.scheme();
        if scheme != "http" && scheme != "https" {
            return Err(format!(
                "scheme {scheme}: is not allowed (only http and https)"
            ));
        }
        let host = url
            .host_str()
            .ok_or_else(|| format!("{url} has no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let port = url.port_or_known_default().unwrap_or(0);
        if self.rules.iter().any(|r| r.matches(scheme, &host, port)) {
            return Ok(());
        }
        let origin = format!("{scheme}://{}:{port}", url.host_str().unwrap_or_default());
        if self.rules.is_empty() {
            Err(format!(
                "{origin} is not in allow-hosts (the plugin's allow-hosts is empty)"
            ))
        } else {
            let listed: Vec<&str> = self.rules.iter().map(|r| r.text.as_str()).collect();
            Err(format!(
                "{origin} is not in allow-hosts [{}]",
                listed.join(", ")
            ))
        }
    }
}

impl Rule {
    fn parse(entry: &str) -> Result<Rule, String> {
        let bad = |why: &str| format!("allow-hosts entry \"{entry}\": {why}");
        let trimmed = entry.trim();
        let (scheme, rest) = match trimmed.split_once("://") {
            Some((s, r)) => {
                let s = s.to_ascii_lowercase();
                if s != "http" && s != "https" {
                    return Err(bad("the scheme must be http or https"));
                }
                (Some(s), r)
            }
            None => (None, trimmed),
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(bad("user info is not allowed"));
        }
        let (host, port) = split_host_port(authority).map_err(|why| bad(&why))?;
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let host = host.to_ascii_lowercase();
        let host = match host.strip_prefix("*.") {
            Some(suffix) if !suffix.is_empty() && !suffix.contains('*') => HostPattern::Subdomains(
                format!(".{}", canonical_host(suffix).map_err(|w| bad(&w))?),
            ),
            _ if host.contains('*') => {
                return Err(bad("`*` may only start a host, as in *.example.com"));
            }
            _ => HostPattern::Exact(canonical_host(&host).map_err(|w| bad(&w))?),
        };
        let port = match port {
            None => PortPattern::Default,
            Some("*") => PortPattern::Any,
            Some(p) => PortPattern::Exact(
                p.parse()
                    .map_err(|_| bad("the port must be a number or *"))?,
            ),
        };
        Ok(Rule {
            text: entry.to_owned(),
            scheme,
            host,
            port,
        })
    }

    fn matches(&self, scheme: &str, host: &str, port: u16) -> bool {
        if self.scheme.as_deref().is_some_and(|s| s != scheme) {
            return false;
        }
        let host_ok = match &self.host {
            HostPattern::Exact(h) => h == host,
            HostPattern::Subdomains(suffix) => {
                host.ends_with(suffix.as_str()) && host.len() > suffix.len()
            }
        };
        let port_ok = match self.port {
            PortPattern::Any => true,
            PortPattern::Exact(p) => p == port,
            PortPattern::Default => match &self.scheme {
                Some(s) => default_port(s) == port,
                None => port == 80 || port == 443,
            },
        };
        host_ok && port_ok
    }
}

/// A host as the `url` crate writes it in a URL, so that an entry and a
/// request name the same host the same way: IPv6 compressed (`::1`, however
/// the entry spelled it), international names in punycode
/// (`xn--bcher-kva.example`), IPv4 in dotted decimal.
fn canonical_host(host: &str) -> Result<String, String> {
    let bracketed = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    match url::Host::parse(&bracketed) {
        Ok(url::Host::Ipv6(addr)) => Ok(addr.to_string()),
        Ok(parsed) => Ok(parsed.to_string()),
        Err(e) => Err(format!("{host:?} is not a host name or address ({e})")),
    }
}

fn default_port(scheme: &str) -> u16 {
    if scheme == "https" { 443 } else { 80 }
}

/// Splits `host:port`, `[v6]:port`, `host` or `[v6]`.
fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), String> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or("unclosed `[` in an IPv6 address")?;
        return match after.strip_prefix(':') {
            Some(port) => Ok((host, Some(port))),
            None if after.is_empty() => Ok((host, None)),
            None => Err("unexpected text after the IPv6 address".to_owned()),
        };
    }
    Ok(match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

/// Every resolved address of a name was blocked.
#[derive(Debug, thiserror::Error)]
#[error(
    "{name} resolves only to blocked addresses ({addresses}); set allow-private = true for this plugin to reach them"
)]
pub struct BlockedAddresses {
    pub name: String,
    pub addresses: String,
}

/// Keeps the resolved addresses the policy allows; when every address of
/// `name` is blocked, says which ranges they fell in.
pub fn keep_allowed(
    name: &str,
    resolved: Vec<SocketAddr>,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, BlockedAddresses> {
    let (kept, dropped): (Vec<SocketAddr>, Vec<SocketAddr>) = resolved
        .into_iter()
        .partition(|a| allow_private || blocked_range(a.ip()).is_none());
    if kept.is_empty() && !dropped.is_empty() {
        let addresses = dropped
            .iter()
            .map(|a| format!("{}: {}", a.ip(), blocked_range(a.ip()).unwrap_or("blocked")))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(BlockedAddresses {
            name: name.to_owned(),
            addresses,
        });
    }
    Ok(kept)
}

/// Why a host could not be resolved under the policy.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("cannot resolve {host}: {source}")]
    Lookup {
        host: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Blocked(#[from] BlockedAddresses),
}

/// Resolves `host` once and keeps only the addresses the policy allows. A
/// literal address is not resolved: it passed the allow-list as written.
#[cfg(feature = "runtime")]
pub async fn resolve(
    host: &str,
    port: u16,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, ResolveError> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let all: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|source| ResolveError::Lookup {
            host: host.to_owned(),
            source,
        })?
        .collect();
    Ok(keep_allowed(host, all, allow_private)?)
}

/// The plugins' HTTP clients resolve names through [`resolve`].
#[cfg(feature = "runtime")]
#[derive(Debug, Clone, Copy)]
pub struct PolicyResolver {
    pub allow_private: bool,
}

#[cfg(feature = "runtime")]
impl reqwest::dns::Resolve for PolicyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let kept = resolve(name.as_str(), 0, allow_private).await.map_err(
                |e| -> Box<dyn std::error::Error + Send + Sync> {
                    match e {
                        // The io error as it was, so the HTTP error names it as before.
                        ResolveError::Lookup { source, .. } => Box::new(source),
                        ResolveError::Blocked(blocked) => Box::new(blocked),
                    }
                },
            )?;
            let addrs: reqwest::dns::Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(entries: &[&str]) -> AllowList {
        AllowList::parse(&entries.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn allowed(l: &AllowList, url: &str) -> bool {
        l.check(&Url::parse(url).unwrap()).is_ok()
    }

    #[test]
    fn exact_entries_match_scheme_host_and_port() {
        let l = list(&["http://127.0.0.1:7701/ignored/path"]);
        assert!(allowed(&l, "http://127.0.0.1:7701/health"));
        assert!(!allowed(&l, "http://127.0.0.1:7702/health"));
        assert!(!allowed(&l, "https://127.0.0.1:7701/health"));
    }

    #[test]
    fn wildcards_match_subdomains_only() {
        let l = list(&["https://*.example.com"]);
        assert!(allowed(&l, "https://api.example.com/x"));
        assert!(!allowed(&l, "https://example.com/x"));
        assert!(!allowed(&l, "https://evilexample.com/x"));
        assert!(!allowed(&l, "https://api.example.com:8443/x"));
    }

    #[test]
    fn no_scheme_means_both_default_ports_and_star_any_port() {
        let l = list(&["example.com", "[::1]:*"]);
        assert!(allowed(&l, "http://example.com/"));
        assert!(allowed(&l, "https://example.com/"));
        assert!(!allowed(&l, "http://example.com:8080/"));
        assert!(allowed(&l, "http://[::1]:9999/"));
    }

    #[test]
    fn entries_name_hosts_the_way_urls_do() {
        let l = list(&[
            "[0:0:0:0:0:0:0:1]:*",
            "http://B\u{fc}cher.example",
            "*.Xn--Caf-dma.example",
        ]);
        assert!(allowed(&l, "http://[::1]:8080/"));
        assert!(allowed(&l, "http://xn--bcher-kva.example/"));
        assert!(allowed(&l, "http://b\u{fc}cher.example/"));
        assert!(allowed(&l, "https://api.caf\u{e9}.example/"));
        assert!(!allowed(&l, "http://[::2]:8080/"));
        assert!(AllowList::parse(&["exa mple.com".to_string()]).is_err());
    }

    #[test]
    fn empty_list_denies_everything_and_says_so() {
        let err = AllowList::default()
            .check(&Url::parse("http://a.b/").unwrap())
            .unwrap_err();
        assert!(err.contains("allow-hosts is empty"), "{err}");
    }

    #[test]
    fn only_allowed_addresses_are_kept_and_a_denial_names_each_range() {
        let addr = |s: &str| SocketAddr::new(s.parse().unwrap(), 443);
        let kept = keep_allowed(
            "mixed.example",
            vec![addr("64:ff9b::a00:1"), addr("64:ff9b::808:808")],
            false,
        )
        .unwrap();
        assert_eq!(kept, vec![addr("64:ff9b::808:808")]);

        let all = vec![addr("::127.0.0.1"), addr("198.18.0.1")];
        let err = keep_allowed("bench.example", all.clone(), false).unwrap_err();
        assert_eq!(
            err.addresses,
            "::7f00:1: loopback, 198.18.0.1: benchmarking"
        );
        assert_eq!(
            keep_allowed("bench.example", all.clone(), true).unwrap(),
            all
        );
    }

    #[test]
    fn bad_entries_are_named() {
        let err = AllowList::parse(&["ftp://x".to_string()]).unwrap_err();
        assert!(err.contains("ftp://x"), "{err}");
        assert!(AllowList::parse(&["a.*.com".to_string()]).is_err());
    }
}
