//! Which addresses a plugin may not reach unless it has `allow-private = true`.
//!
//! The rule is the IANA IPv4 and IPv6 Special-Purpose Address Registries:
//! every block there that is not "Globally Reachable" is blocked, plus
//! multicast, the limited broadcast, the deprecated 6to4 relay anycast and
//! site-local blocks, and — for IPv6 — everything outside the global unicast
//! space 2000::/3 (reserved by the IETF, so nothing a check should reach).
//! Two registry blocks are blocked as a whole although a few of their
//! addresses are globally reachable anycast services that no HTTP check
//! targets: 192.0.0.0/24 and 2001::/23.
//!
//! An IPv6 address that carries an IPv4 address is judged by the IPv4
//! address: IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`,
//! IPv4-translated `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d` (RFC 6052)
//! and 6to4 `2002:AABB:CCDD::` (RFC 3056). The local-use NAT64 prefix
//! 64:ff9b:1::/48 (RFC 8215) is judged the same way only in its /96 form
//! `64:ff9b:1::a.b.c.d`; where the IPv4 address sits in any other address of
//! that /48 depends on the prefix length the translator was given, so the rest
//! is blocked. Teredo (2001::/32) hides its client's IPv4 address and is
//! blocked. A blocked embedded address is named by its IPv4 range
//! (`64:ff9b::a00:1: private`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Blocked IPv4 ranges, the most specific first: the first match names it.
const BLOCKED_V4: &[(Ipv4Addr, u32, &str)] = &[
    (Ipv4Addr::new(169, 254, 169, 254), 32, "cloud metadata"),
    // Azure's wire server: public in the registry, the VM's metadata agent in fact.
    (Ipv4Addr::new(168, 63, 129, 16), 32, "cloud metadata"),
    (Ipv4Addr::new(0, 0, 0, 0), 8, "this network"),
    (Ipv4Addr::new(10, 0, 0, 0), 8, "private"),
    (Ipv4Addr::new(100, 64, 0, 0), 10, "carrier-grade NAT"),
    (Ipv4Addr::new(127, 0, 0, 0), 8, "loopback"),
    (Ipv4Addr::new(169, 254, 0, 0), 16, "link-local"),
    (Ipv4Addr::new(172, 16, 0, 0), 12, "private"),
    (Ipv4Addr::new(192, 0, 0, 0), 24, "IETF protocol assignments"),
    (Ipv4Addr::new(192, 0, 2, 0), 24, "documentation"),
    (Ipv4Addr::new(192, 88, 99, 0), 24, "6to4 relay anycast"),
    (Ipv4Addr::new(192, 168, 0, 0), 16, "private"),
    (Ipv4Addr::new(198, 18, 0, 0), 15, "benchmarking"),
    (Ipv4Addr::new(198, 51, 100, 0), 24, "documentation"),
    (Ipv4Addr::new(203, 0, 113, 0), 24, "documentation"),
    (Ipv4Addr::new(224, 0, 0, 0), 4, "multicast"),
    (Ipv4Addr::new(255, 255, 255, 255), 32, "broadcast"),
    (Ipv4Addr::new(240, 0, 0, 0), 4, "reserved"),
];

/// Blocked IPv6 ranges, checked after the embedded IPv4 forms, the most
/// specific first. Whatever is outside 2000::/3 and not listed is "reserved".
const BLOCKED_V6: &[(Ipv6Addr, u32, &str)] = &[
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 128, "unspecified"),
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1), 128, "loopback"),
    (
        Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254),
        128,
        "cloud metadata",
    ),
    (
        Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0),
        48,
        "local-use NAT64",
    ),
    (
        Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0),
        64,
        "discard-only",
    ),
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 32, "Teredo"),
    (
        Ipv6Addr::new(0x2001, 2, 0, 0, 0, 0, 0, 0),
        48,
        "benchmarking",
    ),
    (
        Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0),
        23,
        "IETF protocol assignments",
    ),
    (
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
        32,
        "documentation",
    ),
    (
        Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0),
        20,
        "documentation",
    ),
    (Ipv6Addr::new(0x5f00, 0, 0, 0, 0, 0, 0, 0), 16, "SRv6 SIDs"),
    (
        Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0),
        7,
        "unique-local",
    ),
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10, "link-local"),
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10, "site-local"),
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8, "multicast"),
];

/// The IPv6 global unicast space; the rest is reserved.
const GLOBAL_UNICAST: (Ipv6Addr, u32) = (Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0), 3);

/// The /96 prefixes whose last 32 bits are an IPv4 address.
const EMBEDDING_96: &[Ipv6Addr] = &[
    // IPv4-mapped (RFC 4291).
    Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0),
    // IPv4-translated (RFC 2765, RFC 6145).
    Ipv6Addr::new(0, 0, 0, 0, 0xffff, 0, 0, 0),
    // IPv4-compatible (RFC 4291, deprecated); :: and ::1 are not.
    Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0),
    // NAT64 well-known prefix (RFC 6052).
    Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0),
    // Local-use NAT64 (RFC 8215), in its /96 form.
    Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0),
];

/// 6to4 (RFC 3056): the 32 bits after 2002::/16 are an IPv4 address.
const SIX_TO_FOUR: (Ipv6Addr, u32) = (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16);

/// Why an address is not reachable by default, or `None` when it is public.
pub fn blocked_range(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => blocked_v4(v4),
        IpAddr::V6(v6) => blocked_v6(v6),
    }
}

fn blocked_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let bits = ip.to_bits();
    BLOCKED_V4
        .iter()
        .find(|(net, len, _)| {
            let mask = u32::MAX
                .checked_shl(32u32.saturating_sub(*len))
                .unwrap_or(0);
            bits & mask == net.to_bits() & mask
        })
        .map(|(_, _, name)| *name)
}

fn blocked_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = embedded_v4(ip) {
        return blocked_v4(v4);
    }
    let bits = ip.to_bits();
    let listed = BLOCKED_V6
        .iter()
        .find(|(net, len, _)| same_prefix(bits, net.to_bits(), *len))
        .map(|(_, _, name)| *name);
    let (global, len) = GLOBAL_UNICAST;
    listed.or_else(|| (!same_prefix(bits, global.to_bits(), len)).then_some("reserved"))
}

/// The IPv4 address an IPv6 address stands for, in the forms that carry one.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = ip.to_bits();
    // `::` and `::1` are themselves, not IPv4-compatible addresses.
    if bits > 1
        && EMBEDDING_96
            .iter()
            .any(|p| same_prefix(bits, p.to_bits(), 96))
    {
        return Some(Ipv4Addr::from_bits(low_32(bits)));
    }
    let (six_to_four, len) = SIX_TO_FOUR;
    if same_prefix(bits, six_to_four.to_bits(), len) {
        return Some(Ipv4Addr::from_bits(low_32(bits >> 80)));
    }
    None
}

/// The low 32 bits of `bits`.
fn low_32(bits: u128) -> u32 {
    u32::try_from(bits & u128::from(u32::MAX)).unwrap_or(u32::MAX)
}

/// Whether `a` and `b` agree in their first `len` bits.
fn same_prefix(a: u128, b: u128, len: u32) -> bool {
    let mask = u128::MAX
        .checked_shl(128u32.saturating_sub(len))
        .unwrap_or(0);
    a & mask == b & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inside and just outside every blocked range, every embedded form,
    /// and the globally reachable blocks the registries list.
    const TABLE: &[(&str, Option<&str>)] = &[
        // 0.0.0.0/8
        ("0.0.0.0", Some("this network")),
        ("0.255.255.255", Some("this network")),
        ("1.0.0.0", None),
        // 10.0.0.0/8
        ("9.255.255.255", None),
        ("10.0.0.0", Some("private")),
        ("10.255.255.255", Some("private")),
        ("11.0.0.0", None),
        // 100.64.0.0/10
        ("100.63.255.255", None),
        ("100.64.0.1", Some("carrier-grade NAT")),
        ("100.127.255.255", Some("carrier-grade NAT")),
        ("100.128.0.0", None),
        // 127.0.0.0/8
        ("126.255.255.255", None),
        ("127.0.0.1", Some("loopback")),
        ("127.255.255.255", Some("loopback")),
        ("128.0.0.0", None),
        // 169.254.0.0/16 and the metadata address in it
        ("169.253.255.255", None),
        ("169.254.0.0", Some("link-local")),
        ("169.254.169.253", Some("link-local")),
        ("169.254.169.254", Some("cloud metadata")),
        ("168.63.129.16", Some("cloud metadata")),
        ("168.63.129.17", None),
        ("169.254.169.255", Some("link-local")),
        ("169.254.255.255", Some("link-local")),
        ("169.255.0.0", None),
        // 172.16.0.0/12
        ("172.15.255.255", None),
        ("172.16.0.0", Some("private")),
        ("172.31.255.255", Some("private")),
        ("172.32.0.0", None),
        // 192.0.0.0/24, 192.0.2.0/24
        ("191.255.255.255", None),
        ("192.0.0.0", Some("IETF protocol assignments")),
        ("192.0.0.255", Some("IETF protocol assignments")),
        ("192.0.1.0", None),
        ("192.0.1.255", None),
        ("192.0.2.1", Some("documentation")),
        ("192.0.2.255", Some("documentation")),
        ("192.0.3.0", None),
        // Globally reachable registry blocks: AS112, AMT, AS112 delegation.
        ("192.31.196.1", None),
        ("192.52.193.1", None),
        ("192.175.48.1", None),
        // 192.88.99.0/24
        ("192.88.98.255", None),
        ("192.88.99.1", Some("6to4 relay anycast")),
        ("192.88.100.0", None),
        // 192.168.0.0/16
        ("192.167.255.255", None),
        ("192.168.1.1", Some("private")),
        ("192.168.255.255", Some("private")),
        ("192.169.0.0", None),
        // 198.18.0.0/15
        ("198.17.255.255", None),
        ("198.18.0.1", Some("benchmarking")),
        ("198.19.255.255", Some("benchmarking")),
        ("198.20.0.0", None),
        // 198.51.100.0/24, 203.0.113.0/24
        ("198.51.99.255", None),
        ("198.51.100.1", Some("documentation")),
        ("198.51.101.0", None),
        ("203.0.112.255", None),
        ("203.0.113.1", Some("documentation")),
        ("203.0.114.0", None),
        // 224.0.0.0/4, 240.0.0.0/4, 255.255.255.255
        ("223.255.255.255", None),
        ("224.0.0.1", Some("multicast")),
        ("239.255.255.255", Some("multicast")),
        ("240.0.0.0", Some("reserved")),
        ("255.255.255.254", Some("reserved")),
        ("255.255.255.255", Some("broadcast")),
        ("93.184.216.34", None),
        // ::, ::1, and IPv4-compatible ::a.b.c.d
        ("::", Some("unspecified")),
        ("::1", Some("loopback")),
        ("::127.0.0.1", Some("loopback")),
        ("::10.0.0.1", Some("private")),
        ("::0.0.0.2", Some("this network")),
        ("::8.8.8.8", None),
        // IPv4-mapped ::ffff:a.b.c.d
        ("::ffff:127.0.0.1", Some("loopback")),
        ("::ffff:10.1.2.3", Some("private")),
        ("::ffff:169.254.169.254", Some("cloud metadata")),
        ("::ffff:198.18.0.1", Some("benchmarking")),
        ("::ffff:8.8.8.8", None),
        ("::fffe:808:808", Some("reserved")),
        ("::1:ffff:808:808", Some("reserved")),
        // IPv4-translated ::ffff:0:a.b.c.d
        ("::ffff:0:7f00:1", Some("loopback")),
        ("::ffff:0:c0a8:101", Some("private")),
        ("::ffff:0:808:808", None),
        ("::1:ffff:0:808:808", Some("reserved")),
        // NAT64 64:ff9b::/96
        ("64:ff9b::7f00:1", Some("loopback")),
        ("64:ff9b::a00:1", Some("private")),
        ("64:ff9b::a9fe:a9fe", Some("cloud metadata")),
        ("64:ff9b::808:808", None),
        ("64:ff9b::1:0:808:808", Some("reserved")),
        ("64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", Some("reserved")),
        // Local-use NAT64 64:ff9b:1::/48
        ("64:ff9b:1::c0a8:1", Some("private")),
        ("64:ff9b:1::808:808", None),
        ("64:ff9b:1:1::808:808", Some("local-use NAT64")),
        (
            "64:ff9b:1:ffff:ffff:ffff:ffff:ffff",
            Some("local-use NAT64"),
        ),
        ("64:ff9b:2::", Some("reserved")),
        // 6to4 2002::/16
        ("2002:7f00:1::", Some("loopback")),
        ("2002:a9fe:a9fe::1", Some("cloud metadata")),
        ("2002:c0a8:101:1::1", Some("private")),
        ("2002:808:808::1", None),
        ("2003::", None),
        // 100::/64
        ("100::1", Some("discard-only")),
        ("100::ffff:ffff:ffff:ffff", Some("discard-only")),
        ("100:0:0:1::", Some("reserved")),
        // 2001::/23 with Teredo and benchmarking in it
        ("2001::1", Some("Teredo")),
        ("2001:0:ffff:ffff:ffff:ffff:ffff:ffff", Some("Teredo")),
        ("2001:1::1", Some("IETF protocol assignments")),
        ("2001:2::1", Some("benchmarking")),
        ("2001:2:1::", Some("IETF protocol assignments")),
        ("2001:1ff:ffff::", Some("IETF protocol assignments")),
        ("2001:200::", None),
        ("2000:ffff::", None),
        // 2001:db8::/32, 3fff::/20
        ("2001:db7:ffff::", None),
        ("2001:db8::1", Some("documentation")),
        ("2001:db9::", None),
        ("3ffe:ffff::", None),
        ("3fff::1", Some("documentation")),
        ("3fff:fff:ffff::", Some("documentation")),
        ("3fff:1000::", None),
        // 2000::/3 is all the global unicast there is
        ("1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Some("reserved")),
        ("2000::1", None),
        ("2606:4700::1111", None),
        ("4000::", Some("reserved")),
        // 5f00::/16
        ("5eff:ffff::", Some("reserved")),
        ("5f00::1", Some("SRv6 SIDs")),
        ("5f01::", Some("reserved")),
        // fc00::/7 and the metadata address in it
        ("fbff:ffff::", Some("reserved")),
        ("fc00::1", Some("unique-local")),
        ("fd00:ec2::254", Some("cloud metadata")),
        ("fd00:ec2::253", Some("unique-local")),
        ("fd12::1", Some("unique-local")),
        ("fdff:ffff::", Some("unique-local")),
        ("fe00::", Some("reserved")),
        // fe80::/10, fec0::/10, ff00::/8
        ("fe7f:ffff::", Some("reserved")),
        ("fe80::1", Some("link-local")),
        ("febf:ffff::", Some("link-local")),
        ("fec0::1", Some("site-local")),
        ("feff:ffff::", Some("site-local")),
        ("ff00::", Some("multicast")),
        ("ff02::1", Some("multicast")),
    ];

    #[test]
    fn every_range_is_named_and_its_neighbours_are_not_in_it() {
        let wrong: Vec<String> = TABLE
            .iter()
            .filter_map(|(addr, want)| {
                let ip: IpAddr = addr.parse().expect("a valid address in the table");
                let got = blocked_range(ip);
                (got != *want).then(|| format!("{addr}: got {got:?}, want {want:?}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn the_reported_bypasses_are_blocked() {
        let range = |s: &str| blocked_range(s.parse().expect("address"));
        assert_eq!(range("::127.0.0.1"), Some("loopback"));
        assert_eq!(range("::ffff:0:7f00:1"), Some("loopback"));
        assert_eq!(range("64:ff9b::a9fe:a9fe"), Some("cloud metadata"));
        assert_eq!(range("64:ff9b::c0a8:1"), Some("private"));
        assert_eq!(range("198.18.0.1"), Some("benchmarking"));
    }

    #[test]
    fn every_embedded_form_is_judged_by_its_ipv4_address() {
        for v4 in [
            "127.0.0.1",
            "10.1.2.3",
            "169.254.169.254",
            "198.18.0.1",
            "8.8.8.8",
        ] {
            let ip: Ipv4Addr = v4.parse().expect("address");
            let want = blocked_v4(ip);
            let [a, b, c, d] = ip.octets();
            let (hi, lo) = (u16::from_be_bytes([a, b]), u16::from_be_bytes([c, d]));
            for form in [
                Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, hi, lo),
                Ipv6Addr::new(0, 0, 0, 0, 0xffff, 0, hi, lo),
                Ipv6Addr::new(0, 0, 0, 0, 0, 0, hi, lo),
                Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, hi, lo),
                Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, hi, lo),
                Ipv6Addr::new(0x2002, hi, lo, 0, 0, 0, 0, 1),
            ] {
                assert_eq!(blocked_v6(form), want, "{form} embeds {v4}");
            }
        }
    }

    #[test]
    fn no_table_entry_is_hidden_behind_another() {
        // An entry hidden behind an earlier, wider one would never name
        // anything: its first or its last address must carry its name.
        for (net, len, name) in BLOCKED_V4 {
            let last = Ipv4Addr::from_bits(net.to_bits() | u32::MAX.checked_shr(*len).unwrap_or(0));
            let named = [*net, last].map(|ip| blocked_v4(ip) == Some(*name));
            assert!(named.contains(&true), "{net}/{len} {name}");
        }
        for (net, len, name) in BLOCKED_V6 {
            let host_bits = u128::MAX.checked_shr(*len).unwrap_or(0);
            let last = Ipv6Addr::from_bits(net.to_bits() | host_bits);
            let named = [*net, last].map(|ip| blocked_v6(ip) == Some(*name));
            assert!(named.contains(&true), "{net}/{len} {name}");
        }
    }
}
