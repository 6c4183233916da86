//! The unit a client address is throttled by.
//!
//! One IPv6 subscriber usually holds a whole /64 and can pick any of its 2^64 addresses, so
//! counting per IPv6 address would give an attacker endless fresh budgets. IPv6 addresses are
//! therefore counted by their /64 prefix; IPv4 (and IPv4-mapped IPv6) by the single address.
//!
//! Behind a reverse proxy the TCP peer is the proxy. `client_behind` takes the client from
//! `X-Forwarded-For`, but only through proxies the configuration trusts (TRUSTED_PROXIES).

use std::net::{IpAddr, Ipv6Addr};

use crate::error::Invalid;

/// The throttling bucket of a client address: `203.0.113.7`, or `2001:db8:1:2::/64`. Text that
/// is not an address (in-process callers) is its own bucket.
pub fn throttle_bucket(client: &str) -> String {
    match client.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                format!("{}/64", Ipv6Addr::from(prefix))
            }
        },
        Err(_) => client.to_string(),
    }
}

/// An address range, `10.0.0.0/8` or `2001:db8::/32` (a bare address is its own /32 or /128).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let (addr, prefix) = match raw.trim().split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (raw.trim(), None),
        };
        let network: IpAddr = addr
            .parse()
            .map_err(|_| Invalid::new(format!("{raw:?} is not an IP address or range")))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => match p.parse::<u8>() {
                Ok(p) if p <= max => p,
                _ => return Err(Invalid::new(format!("{raw:?} has no valid prefix length"))),
            },
        };
        Ok(IpRange { network, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The client behind a request: the TCP peer, unless the peer is a trusted proxy; then the
/// `X-Forwarded-For` entries are read from the right (the hop nearest to us) and every trusted
/// hop is skipped. The first untrusted address is the client. A malformed entry ends the walk
/// at the last hop we could vouch for, so a client cannot smuggle an address past a proxy that
/// appends to the header.
pub fn client_behind(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpRange]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|r| r.contains(ip));
    let mut client = peer;
    if !is_trusted(peer) {
        return client;
    }
    for hop in forwarded_for.unwrap_or("").rsplit(',').map(str::trim) {
        match hop.parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_counts_by_its_64_prefix() {
        assert_eq!(throttle_bucket("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(
            throttle_bucket("2001:db8:1:2:ffff:eeee:dddd:cccc"),
            "2001:db8:1:2::/64"
        );
        assert_ne!(
            throttle_bucket("2001:db8:1:3::1"),
            throttle_bucket("2001:db8:1:2::1")
        );
        assert_eq!(throttle_bucket("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(throttle_bucket("203.0.113.7"), "203.0.113.7");
        assert_eq!(throttle_bucket("local"), "local");
    }

    #[test]
    fn forwarded_for_counts_only_through_trusted_hops() {
        let trusted = [
            IpRange::parse("10.0.0.0/8").unwrap(),
            IpRange::parse("::1").unwrap(),
        ];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // An untrusted peer's header is ignored.
        assert_eq!(
            client_behind(ip("203.0.113.9"), Some("1.2.3.4"), &trusted),
            ip("203.0.113.9")
        );
        // Through one trusted proxy: its entry is the client; what the client wrote further left
        // is not believed.
        assert_eq!(
            client_behind(ip("10.0.0.2"), Some("6.6.6.6, 198.51.100.7"), &trusted),
            ip("198.51.100.7")
        );
        // Through two trusted hops.
        assert_eq!(
            client_behind(ip("10.0.0.2"), Some("198.51.100.7, 10.1.1.1"), &trusted),
            ip("198.51.100.7")
        );
        // A malformed entry stops at the last trusted hop.
        assert_eq!(
            client_behind(ip("10.0.0.2"), Some("junk"), &trusted),
            ip("10.0.0.2")
        );
        assert_eq!(client_behind(ip("::1"), None, &trusted), ip("::1"));
        assert!(IpRange::parse("10.0.0.0/33").is_err());
        assert!(IpRange::parse("nowhere").is_err());
        assert!(
            IpRange::parse("2001:db8::/32")
                .unwrap()
                .contains(ip("2001:db8:ffff::1"))
        );
    }
}
