//! Where a registry may send Plume: the address policy for every host a
//! registry names (a redirect's `Location`, a token realm), the same ranges
//! plugin egress blocks ([`blocked_range`]).
//!
//! The registry itself is the user's choice and is reached wherever it is.
//! Any other host it names may resolve only to public addresses, or to the
//! range the registry's own address is in — a registry on loopback may send
//! Plume to loopback, one on a private network to private addresses — and
//! never to a cloud metadata address. An address written as a literal is
//! judged before anything connects ([`Egress::check_url`]); a name is
//! resolved once by [`EgressResolver`], which keeps only the addresses the
//! policy allows, so the connection goes nowhere else.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use tokio::sync::OnceCell;
use url::Url;

use crate::net::policy::blocked_range;

/// The policy for one registry's requests.
#[derive(Debug)]
pub struct Egress {
    /// The registry's host, lowercase, without brackets or port.
    registry_host: String,
    registry_port: u16,
    /// The blocked ranges the registry's own addresses are in, found once.
    home: OnceCell<Vec<&'static str>>,
}

/// A host the registry named is refused; the text says which and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

impl Egress {
    /// The policy for the registry `host:port` (as a reference writes it).
    pub fn new(registry: &str, default_port: u16) -> Arc<Egress> {
        let (host, port) = match Url::parse(&format!("http://{registry}/")) {
            Ok(url) => (
                url.host_str().unwrap_or(registry).to_owned(),
                url.port().unwrap_or(default_port),
            ),
            Err(_) => (registry.to_owned(), default_port),
        };
        Arc::new(Egress {
            registry_host: bare(&host),
            registry_port: port,
            home: OnceCell::new(),
        })
    }

    /// Whether `host` (as a URL writes it) is the registry's own host.
    pub fn is_registry(&self, host: &str) -> bool {
        bare(host) == self.registry_host
    }

    /// The ranges the registry's own addresses fall in (none for a public one).
    async fn home(&self) -> &[&'static str] {
        self.home
            .get_or_init(|| async {
                let addrs: Vec<IpAddr> = match self.registry_host.parse::<IpAddr>() {
                    Ok(ip) => vec![ip],
                    Err(_) => {
                        tokio::net::lookup_host((self.registry_host.as_str(), self.registry_port))
                            .await
                            .map(|found| found.map(|a| a.ip()).collect())
                            .unwrap_or_default()
                    }
                };
                let mut ranges: Vec<&'static str> =
                    addrs.into_iter().filter_map(blocked_range).collect();
                ranges.sort_unstable();
                ranges.dedup();
                ranges
            })
            .await
    }

    /// `Ok` when `url` may be requested; a literal address is judged here,
    /// a name when it is resolved.
    pub async fn check_url(&self, url: &Url) -> Result<(), Refused> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refused(format!(
                "the scheme {}: is not http or https",
                url.scheme()
            )));
        }
        match url.host() {
            Some(url::Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip)).await,
            Some(url::Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip)).await,
            Some(url::Host::Domain(_)) => Ok(()),
            None => Err(Refused("the address has no host".to_owned())),
        }
    }

    async fn check_ip(&self, ip: IpAddr) -> Result<(), Refused> {
        if self.is_registry(&ip.to_string()) {
            return Ok(());
        }
        address_allowed(ip, self.home().await).map_err(Refused)
    }

    /// The addresses of `name` this policy allows; every one for the registry itself.
    async fn resolve(&self, name: &str) -> Result<Vec<SocketAddr>, Refused> {
        let all: Vec<SocketAddr> = tokio::net::lookup_host((name, 0))
            .await
            .map_err(|e| Refused(format!("cannot resolve {name}: {e}")))?
            .collect();
        if self.is_registry(name) {
            return Ok(all);
        }
        let home = self.home().await;
        let (kept, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = all
            .into_iter()
            .partition(|a| address_allowed(a.ip(), home).is_ok());
        if kept.is_empty() && !refused.is_empty() {
            let why: Vec<String> = refused
                .iter()
                .filter_map(|a| address_allowed(a.ip(), home).err())
                .collect();
            return Err(Refused(format!("{name} resolves to {}", why.join(", "))));
        }
        Ok(kept)
    }
}

/// Whether a host the registry named may be at `ip`, given the ranges of the
/// registry's own addresses (`home`); the reason when not: `169.254.169.254
/// (cloud metadata)`.
pub fn address_allowed(ip: IpAddr, home: &[&'static str]) -> Result<(), String> {
    match blocked_range(ip) {
        None => Ok(()),
        Some(range) if range != "cloud metadata" && home.contains(&range) => Ok(()),
        Some(range) => Err(format!("{ip} ({range})")),
    }
}

/// A host without IPv6 brackets, lowercase.
fn bare(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

/// Resolves names for a registry's client under its [`Egress`].
#[derive(Debug, Clone)]
pub struct EgressResolver(pub Arc<Egress>);

impl reqwest::dns::Resolve for EgressResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let egress = self.0.clone();
        Box::pin(async move {
            let kept = egress
                .resolve(name.as_str())
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { Box::new(e) })?;
            let addrs: reqwest::dns::Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_public_registry_may_name_only_public_addresses() {
        assert!(address_allowed(ip("93.184.216.34"), &[]).is_ok());
        assert!(address_allowed(ip("2606:4700::1111"), &[]).is_ok());
        for (addr, range) in [
            ("127.0.0.1", "loopback"),
            ("10.1.2.3", "private"),
            ("192.168.1.1", "private"),
            ("169.254.169.254", "cloud metadata"),
            ("::1", "loopback"),
            ("::ffff:10.0.0.1", "private"),
            ("fd00:ec2::254", "cloud metadata"),
        ] {
            assert_eq!(
                address_allowed(ip(addr), &[]).unwrap_err(),
                format!("{addr} ({range})")
            );
        }
    }

    #[test]
    fn a_registry_may_name_its_own_range_but_never_metadata() {
        let loopback = ["loopback"];
        assert!(address_allowed(ip("127.0.0.1"), &loopback).is_ok());
        assert!(address_allowed(ip("127.9.9.9"), &loopback).is_ok());
        assert!(address_allowed(ip("10.0.0.1"), &loopback).is_err());
        assert!(address_allowed(ip("169.254.169.254"), &loopback).is_err());
        let private = ["private"];
        assert!(address_allowed(ip("172.16.0.9"), &private).is_ok());
        assert!(address_allowed(ip("127.0.0.1"), &private).is_err());
        assert!(address_allowed(ip("169.254.169.254"), &["cloud metadata"]).is_err());
    }

    #[tokio::test]
    async fn literal_addresses_are_judged_before_connecting() {
        let egress = Egress::new("127.0.0.1:5000", 443);
        let check = |u: &str| {
            let egress = egress.clone();
            let url = Url::parse(u).unwrap();
            async move { egress.check_url(&url).await }
        };
        assert!(check("http://127.0.0.1:9999/blob").await.is_ok());
        assert!(
            check("http://[::1]:9999/blob").await.is_ok(),
            "loopback too"
        );
        let refused = check("http://169.254.169.254/latest/meta-data/")
            .await
            .unwrap_err();
        assert_eq!(refused.0, "169.254.169.254 (cloud metadata)");
        assert!(check("http://10.0.0.7/").await.is_err());
        assert!(check("file:///etc/passwd").await.is_err());
        assert!(
            check("http://names.example/").await.is_ok(),
            "judged when resolved"
        );

        let public = Egress::new("93.184.216.34", 443);
        assert!(
            public
                .check_url(&Url::parse("https://93.184.216.34/x").unwrap())
                .await
                .is_ok()
        );
        assert!(
            public
                .check_url(&Url::parse("http://127.0.0.1/x").unwrap())
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn names_resolving_to_refused_addresses_are_dropped() {
        let egress = Egress::new("93.184.216.34:443", 443);
        let err = egress.resolve("localhost").await.unwrap_err();
        assert!(
            err.0.starts_with("localhost resolves to ") && err.0.contains("(loopback)"),
            "{err}"
        );
        let local = Egress::new("localhost:5000", 443);
        assert!(
            !local.resolve("localhost").await.unwrap().is_empty(),
            "the registry itself"
        );
    }
}
