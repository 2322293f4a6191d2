//! The allow-list and the address policy with arbitrary entries and URLs:
//! never panics, an empty list denies everything, every denial says why, and
//! no kept address is in a blocked range unless private ranges are allowed.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use plume::net::policy::{AllowList, blocked_range, keep_allowed};

#[derive(Debug, Arbitrary)]
struct Input {
    entries: Vec<String>,
    url: String,
    v4: Vec<u32>,
    v6: Vec<u128>,
    allow_private: bool,
}

fuzz_target!(|i: Input| {
    if let Ok(url) = url::Url::parse(&i.url) {
        assert!(
            AllowList::default().check(&url).is_err(),
            "an empty list allowed {url}"
        );
        if let Ok(list) = AllowList::parse(&i.entries) {
            if let Err(reason) = list.check(&url) {
                assert!(!reason.is_empty());
            }
        }
    }
    let addrs: Vec<SocketAddr> =
        i.v4.iter()
            .map(|a| IpAddr::V4(Ipv4Addr::from(*a)))
            .chain(i.v6.iter().map(|a| IpAddr::V6(Ipv6Addr::from(*a))))
            .map(|ip| SocketAddr::new(ip, 443))
            .collect();
    let total = addrs.len();
    match keep_allowed("fuzz.example", addrs, i.allow_private) {
        Ok(kept) => {
            assert!(i.allow_private || kept.iter().all(|a| blocked_range(a.ip()).is_none()));
            assert!(kept.len() <= total);
        }
        Err(blocked) => assert!(!i.allow_private && total > 0 && !blocked.addresses.is_empty()),
    }
});
