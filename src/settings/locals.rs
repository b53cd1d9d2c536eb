//! `--local` in bulk mode: several source addresses, because registrars (and the
//! firewalls before them) limit requests, connections and bindings per source
//! address, and one address has only so many ports for a hundred thousand TCP
//! connections.
//!
//! The forms are the ones address lists take in the tools VoIP engineers use
//! (iptables, Kamailio's permissions, SIPp's scenarios): the option repeated or a
//! comma-separated list of IP or IP:PORT, a CIDR block (`127.0.0.2/31`: every
//! address in it, network and broadcast included, since they are meant to be bound
//! on loopback or a host's own aliases), or a range (`127.0.0.2-127.0.0.5`, or with the
//! last IPv4 byte only, `127.0.0.2-5`). The single-AOR commands take one address,
//! as before.

use super::uri::parse_local;
use crate::error::{Error, Result};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// More addresses than this is a typo in a CIDR prefix rather than a plan: a UDP run
/// binds a socket on each.
pub const MAX_LOCALS: usize = 1024;

/// Every `--local` address of a bulk run, in the order given; empty: bind "any".
pub fn parse_locals(values: &[String]) -> Result<Vec<SocketAddr>> {
    let mut all = Vec::new();
    for value in values {
        for item in value.split(',') {
            let item = item.trim();
            if item.is_empty() {
                return Err(Error::Usage(format!(
                    "--local {value:?} has an empty item: separate addresses with one comma"
                )));
            }
            expand(item, &mut all)?;
            if all.len() > MAX_LOCALS {
                return Err(Error::Usage(format!(
                    "--local gives more than {MAX_LOCALS} addresses: give a longer CIDR prefix or a shorter range"
                )));
            }
        }
    }
    if all.windows(2).any(|w| w[0].is_ipv4() != w[1].is_ipv4()) {
        return Err(Error::Usage(
            "--local mixes IPv4 and IPv6 addresses: a run reaches its registrar over one family"
                .into(),
        ));
    }
    Ok(all)
}

/// The one `--local` of a single-AOR command.
pub fn single_local(values: &[String]) -> Result<Option<SocketAddr>> {
    let several = || {
        Error::Usage(
            "--local takes one address for a single AOR; several (a list, a CIDR block, a range) are for sipreg bulk"
                .into(),
        )
    };
    match values {
        [] => Ok(None),
        [one] if one.contains([',', '/', '-']) => Err(several()),
        [one] => parse_local(one).map(Some),
        _ => Err(several()),
    }
}

/// `count` sockets or connections spread evenly over `addresses` addresses: at least
/// one each, and a multiple of them, so that AOR i (on carrier i % total) leaves from
/// address i % addresses.
pub fn per_address(count: usize, addresses: usize) -> usize {
    match addresses {
        0 | 1 => count,
        n => count.max(1).div_ceil(n) * n,
    }
}

/// Adds the addresses of one item: IP, IP:PORT, CIDR block or range.
fn expand(item: &str, all: &mut Vec<SocketAddr>) -> Result<()> {
    let bad = |why: &str| Error::Usage(format!("--local {item:?}: {why}"));
    if let Some((ip, prefix)) = item.split_once('/') {
        let ip: IpAddr = ip
            .trim()
            .parse()
            .map_err(|_| bad("a CIDR block is IP/PREFIX, e.g. 127.0.0.2/31 (no port)"))?;
        let bits = if ip.is_ipv4() { 32 } else { 128 };
        let prefix: u32 = prefix
            .trim()
            .parse()
            .ok()
            .filter(|p| *p <= bits)
            .ok_or_else(|| bad(&format!("the prefix must be a number from 0 to {bits}")))?;
        let size = 1u128.checked_shl(bits - prefix).unwrap_or(u128::MAX);
        if size > MAX_LOCALS as u128 {
            return Err(bad(&format!(
                "that block holds more than {MAX_LOCALS} addresses"
            )));
        }
        let first = number(ip) & !(size - 1);
        push_range(ip, first, first + size - 1, all);
        return Ok(());
    }
    if let Some((a, b)) = item.split_once('-') {
        let how = "a range is FIRST-LAST, e.g. 127.0.0.2-127.0.0.5 or 127.0.0.2-5 (no port)";
        let a: IpAddr = a.trim().parse().map_err(|_| bad(how))?;
        let b: IpAddr = match (a, b.trim().parse::<IpAddr>(), b.trim().parse::<u8>()) {
            (_, Ok(b), _) => b,
            (IpAddr::V4(a), _, Ok(last)) => {
                let [x, y, z, _] = a.octets();
                IpAddr::V4(Ipv4Addr::new(x, y, z, last))
            }
            _ => return Err(bad(how)),
        };
        if a.is_ipv4() != b.is_ipv4() {
            return Err(bad("both ends of a range must be IPv4, or both IPv6"));
        }
        let (first, last) = (number(a), number(b));
        if first > last {
            return Err(bad("the range's first address comes after its last"));
        }
        if last - first >= MAX_LOCALS as u128 {
            return Err(bad(&format!(
                "that range holds more than {MAX_LOCALS} addresses"
            )));
        }
        push_range(a, first, last, all);
        return Ok(());
    }
    all.push(parse_local(item)?);
    Ok(())
}

fn number(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u32::from(v4).into(),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// The addresses `first..=last` of `like`'s family, each with port 0 (the system's pick).
fn push_range(like: IpAddr, first: u128, last: u128, all: &mut Vec<SocketAddr>) {
    for n in first..=last {
        let ip = match like {
            // Within 32 bits: both ends came from IPv4 addresses.
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(n as u32)),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(n)),
        };
        all.push(SocketAddr::new(ip, 0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locals(values: &[&str]) -> Result<Vec<SocketAddr>> {
        parse_locals(&values.iter().map(|v| v.to_string()).collect::<Vec<_>>())
    }

    fn addrs(list: &[&str]) -> Vec<SocketAddr> {
        list.iter().map(|a| a.parse().unwrap()).collect()
    }

    #[test]
    fn lists_blocks_and_ranges_give_the_same_addresses() {
        let four = addrs(&["127.0.0.2:0", "127.0.0.3:0", "127.0.0.4:0", "127.0.0.5:0"]);
        assert_eq!(
            locals(&["127.0.0.2,127.0.0.3, 127.0.0.4,127.0.0.5"]).unwrap(),
            four
        );
        assert_eq!(
            locals(&["127.0.0.2", "127.0.0.3", "127.0.0.4,127.0.0.5"]).unwrap(),
            four
        );
        assert_eq!(
            locals(&["127.0.0.4/30"]).unwrap(),
            addrs(&["127.0.0.4:0", "127.0.0.5:0", "127.0.0.6:0", "127.0.0.7:0"])
        );
        assert_eq!(locals(&["127.0.0.2/31,127.0.0.4/31"]).unwrap(), four);
        assert_eq!(locals(&["127.0.0.2-127.0.0.5"]).unwrap(), four);
        assert_eq!(locals(&["127.0.0.2-5"]).unwrap(), four);
        assert_eq!(
            locals(&["127.0.0.2:5070,[::1]:5080"])
                .unwrap_err()
                .to_string(),
            "--local mixes IPv4 and IPv6 addresses: a run reaches its registrar over one family"
        );
        assert_eq!(
            locals(&["fd00::1-fd00::2", "[fd00::9]:5062"]).unwrap(),
            addrs(&["[fd00::1]:0", "[fd00::2]:0", "[fd00::9]:5062"])
        );
        assert_eq!(locals(&["::1/128"]).unwrap(), addrs(&["[::1]:0"]));
        assert!(locals(&[]).unwrap().is_empty());
    }

    #[test]
    fn says_what_is_wrong() {
        for (value, says) in [
            ("127.0.0.2,,127.0.0.3", "empty item"),
            ("127.0.0.0/8", "more than 1024"),
            ("127.0.0.2/33", "from 0 to 32"),
            ("127.0.0.2:5060/31", "IP/PREFIX"),
            ("127.0.0.5-127.0.0.2", "comes after"),
            ("127.0.0.2-::1", "both ends"),
            ("10.0.0.0-10.0.255.255", "more than 1024"),
            ("host.example", "not an IP address"),
        ] {
            let e = locals(&[value]).unwrap_err().to_string();
            assert!(e.contains(says), "{value}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn one_address_for_a_single_aor() {
        let one = |v: &[&str]| single_local(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(one(&[]).unwrap(), None);
        assert_eq!(
            one(&["192.0.2.10:5062"]).unwrap(),
            Some("192.0.2.10:5062".parse().unwrap())
        );
        for several in [
            &["127.0.0.2", "127.0.0.3"][..],
            &["127.0.0.2,127.0.0.3"],
            &["127.0.0.2/31"],
            &["127.0.0.2-3"],
        ] {
            let e = one(several).unwrap_err().to_string();
            assert!(e.contains("several") && e.contains("sipreg bulk"), "{e}");
        }
    }

    #[test]
    fn carriers_are_a_multiple_of_the_addresses() {
        assert_eq!(per_address(1, 0), 1);
        assert_eq!(per_address(3, 1), 3);
        assert_eq!(per_address(1, 4), 4);
        assert_eq!(per_address(4, 4), 4);
        assert_eq!(per_address(5, 4), 8);
        assert_eq!(per_address(0, 4), 4);
    }
}
