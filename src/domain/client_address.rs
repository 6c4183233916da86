//! The unit a client address is throttled by.
//!
//! One IPv6 subscriber usually holds a whole /64 and can pick any of its 2^64 addresses, so
//! counting per IPv6 address would give an attacker endless fresh budgets. IPv6 addresses are
//! therefore counted by their /64 prefix; IPv4 (and IPv4-mapped IPv6) by the single address.

use std::net::{IpAddr, Ipv6Addr};

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
}
