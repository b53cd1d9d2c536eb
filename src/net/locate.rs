//! Locating SIP servers (RFC 3263 §4): from the next hop's URI to an ordered list of
//! targets to try, the first one first and the others for failover.
//!
//! An IP address is used as it is. A host name with a port is looked up for A/AAAA
//! only. Without a port: NAPTR records (unless the transport is already fixed by
//! `-t`, `;transport=` or `sips:`) name SRV records, SRV records (ordered by priority
//! and, within a priority, by weighted random choice, RFC 2782) name hosts and ports,
//! and A/AAAA records name addresses. Without NAPTR the SRV names are tried for every
//! transport, without SRV the host itself at the default port.

use super::dns::{DnsSettings, LookupFailure, Lookups, NaptrRecord, SrvRecord};
use super::target::{default_port, fallback_transport, transport_name, uri_transport, Target};
use crate::core::TransportKind;
use crate::error::{Error, Result};
use crate::sip::{Host, SipUri};
use rand::RngCore;
use std::net::SocketAddr;

/// The targets for `uri`, best first. `forced` is the transport chosen with `-t`.
pub async fn locate(
    uri: &SipUri,
    forced: Option<TransportKind>,
    dns: &DnsSettings,
) -> Result<Vec<Target>> {
    let transport = chosen_transport(uri, forced)?;
    if let Some(ip) = uri.host.ip() {
        // No DNS at all: an address literal never needs a resolver.
        let kind = transport.unwrap_or(fallback_transport(uri));
        let port = uri.port.unwrap_or(default_port(kind));
        return Ok(vec![Target {
            addr: SocketAddr::new(ip, port),
            transport: kind,
            host: uri.host.clone(),
        }]);
    }
    let lookups = dns.lookups()?;
    locate_with(uri, transport, &lookups, &mut rand::rngs::OsRng).await
}

/// The transport fixed before any DNS: `-t`, else the URI's `;transport=`. A `sips:`
/// URI admits only TLS underneath.
fn chosen_transport(uri: &SipUri, forced: Option<TransportKind>) -> Result<Option<TransportKind>> {
    let from_uri = uri_transport(uri)?;
    let chosen = forced.or(from_uri);
    if let Some(kind @ (TransportKind::Udp | TransportKind::Tcp | TransportKind::Ws)) = chosen {
        if uri.sips {
            return Err(Error::Usage(format!(
                "{uri} is a sips: URI, which needs TLS: use -t tls or -t wss, not {}",
                transport_name(kind)
            )));
        }
    }
    Ok(chosen)
}

/// The procedure for a host name, over any source of DNS answers.
pub(crate) async fn locate_with(
    uri: &SipUri,
    transport: Option<TransportKind>,
    lookups: &impl Lookups,
    rng: &mut dyn RngCore,
) -> Result<Vec<Target>> {
    let name = match &uri.host {
        Host::Name(n) => n.clone(),
        other => other.to_string(),
    };
    let fail = |reason: String| Error::Resolve {
        host: name.clone(),
        reason,
    };
    let mut finder = Finder {
        host: &uri.host,
        lookups,
        targets: Vec::new(),
    };
    if let Some(port) = uri.port {
        // RFC 3263 §4.2: an explicit port means A/AAAA only, no NAPTR or SRV.
        let kind = transport.unwrap_or(fallback_transport(uri));
        finder.addresses(&name, port, kind).await.map_err(fail)?;
    } else {
        if transport.is_none() {
            for (naptr, kind) in
                usable_naptr(lookups.naptr(&name).await, uri.sips).map_err(&fail)?
            {
                finder
                    .srv_targets(&naptr.replacement, kind, rng)
                    .await
                    .map_err(&fail)?;
            }
        }
        if finder.targets.is_empty() {
            for &(service, kind) in srv_services(transport, uri.sips) {
                let srv_name = format!("{service}.{name}");
                finder
                    .srv_targets(&srv_name, kind, rng)
                    .await
                    .map_err(&fail)?;
            }
        }
        if finder.targets.is_empty() {
            let kind = transport.unwrap_or(fallback_transport(uri));
            finder
                .addresses(&name, default_port(kind), kind)
                .await
                .map_err(&fail)?;
        }
    }
    if finder.targets.is_empty() {
        return Err(fail("no address (A/AAAA) records".into()));
    }
    Ok(finder.targets)
}

/// SRV names to query when NAPTR gave nothing, in our order of preference.
fn srv_services(
    transport: Option<TransportKind>,
    sips: bool,
) -> &'static [(&'static str, TransportKind)] {
    match transport {
        Some(TransportKind::Udp) => &[("_sip._udp", TransportKind::Udp)],
        Some(TransportKind::Tcp) => &[("_sip._tcp", TransportKind::Tcp)],
        Some(TransportKind::Tls) => &[("_sips._tcp", TransportKind::Tls)],
        // No SRV service is registered for SIP over WebSocket: A/AAAA only.
        Some(TransportKind::Ws | TransportKind::Wss) => &[],
        None if sips => &[("_sips._tcp", TransportKind::Tls)],
        None => &[
            ("_sip._udp", TransportKind::Udp),
            ("_sip._tcp", TransportKind::Tcp),
            ("_sips._tcp", TransportKind::Tls),
        ],
    }
}

/// The NAPTR service field for each transport we speak (RFC 3263 §4.1, RFC 7118 §8).
fn naptr_service(service: &str) -> Option<TransportKind> {
    match service.to_ascii_uppercase().as_str() {
        "SIP+D2U" => Some(TransportKind::Udp),
        "SIP+D2T" => Some(TransportKind::Tcp),
        "SIPS+D2T" => Some(TransportKind::Tls),
        "SIP+D2W" => Some(TransportKind::Ws),
        "SIPS+D2W" => Some(TransportKind::Wss),
        _ => None,
    }
}

/// NAPTR records we can follow, in order: flag `s` (the replacement is an SRV name),
/// a service we speak, only `SIPS+` ones for a `sips:` URI; by order, then preference.
fn usable_naptr(
    found: std::result::Result<Vec<NaptrRecord>, LookupFailure>,
    sips: bool,
) -> std::result::Result<Vec<(NaptrRecord, TransportKind)>, String> {
    let mut records = match found {
        Ok(r) => r,
        Err(LookupFailure::Unreachable(reason)) => return Err(reason),
        // A server that cannot answer NAPTR (some reply SERVFAIL) is like no NAPTR.
        Err(LookupFailure::Other(_) | LookupFailure::Missing { .. }) => return Ok(Vec::new()),
    };
    records.sort_by_key(|r| (r.order, r.preference));
    Ok(records
        .into_iter()
        .filter(|r| r.flags.eq_ignore_ascii_case("s"))
        .filter(|r| !sips || r.service.to_ascii_uppercase().starts_with("SIPS+"))
        .filter_map(|r| naptr_service(&r.service).map(|kind| (r, kind)))
        .collect())
}

/// Orders SRV records as RFC 2782 says: by priority, and within one priority by a
/// weighted random draw, records of weight 0 first in the draw so that they are
/// chosen only rarely.
pub(crate) fn order_srv(mut records: Vec<SrvRecord>, rng: &mut dyn RngCore) -> Vec<SrvRecord> {
    records.sort_by_key(|r| (r.priority, r.weight != 0));
    let mut ordered = Vec::with_capacity(records.len());
    while !records.is_empty() {
        let priority = records[0].priority;
        let same = records
            .iter()
            .take_while(|r| r.priority == priority)
            .count();
        let mut group: Vec<SrvRecord> = records.drain(..same).collect();
        while !group.is_empty() {
            let total: u32 = group.iter().map(|r| u32::from(r.weight)).sum();
            let draw = if total == 0 {
                0
            } else {
                rng.next_u32() % (total + 1)
            };
            let mut running = 0u32;
            let index = group
                .iter()
                .position(|r| {
                    running += u32::from(r.weight);
                    running >= draw
                })
                .unwrap_or(0);
            ordered.push(group.remove(index));
        }
    }
    ordered
}

/// Collects targets, without repeats.
struct Finder<'a, L> {
    host: &'a Host,
    lookups: &'a L,
    targets: Vec<Target>,
}

impl<L: Lookups> Finder<'_, L> {
    fn push(&mut self, target: Target) {
        if !self.targets.contains(&target) {
            self.targets.push(target);
        }
    }

    async fn addresses(
        &mut self,
        name: &str,
        port: u16,
        transport: TransportKind,
    ) -> std::result::Result<(), String> {
        let ips = self.lookups.ips(name).await.map_err(|e| e.reason())?;
        for ip in ips {
            self.push(Target {
                addr: SocketAddr::new(ip, port),
                transport,
                host: self.host.clone(),
            });
        }
        Ok(())
    }

    async fn srv_targets(
        &mut self,
        srv_name: &str,
        transport: TransportKind,
        rng: &mut dyn RngCore,
    ) -> std::result::Result<(), String> {
        let records = match self.lookups.srv(srv_name).await {
            Ok(r) => r,
            Err(LookupFailure::Unreachable(reason)) => return Err(reason),
            Err(LookupFailure::Other(_) | LookupFailure::Missing { .. }) => return Ok(()),
        };
        for record in order_srv(records, rng) {
            // A target of "." says the service is decidedly not available there.
            if record.target.is_empty() || record.target == "." {
                continue;
            }
            match self.lookups.ips(&record.target).await {
                Ok(ips) => {
                    for ip in ips {
                        self.push(Target {
                            addr: SocketAddr::new(ip, record.port),
                            transport,
                            host: self.host.clone(),
                        });
                    }
                }
                Err(LookupFailure::Unreachable(reason)) => return Err(reason),
                // One SRV target without addresses: the others may still do.
                Err(LookupFailure::Other(_) | LookupFailure::Missing { .. }) => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::net::IpAddr;

    /// DNS answers from a table; records which names were asked for.
    #[derive(Default)]
    struct Table {
        naptr: HashMap<String, Vec<NaptrRecord>>,
        srv: HashMap<String, Vec<SrvRecord>>,
        ips: HashMap<String, Vec<IpAddr>>,
        asked: RefCell<Vec<String>>,
    }

    impl Lookups for Table {
        async fn naptr(&self, name: &str) -> std::result::Result<Vec<NaptrRecord>, LookupFailure> {
            self.asked.borrow_mut().push(format!("NAPTR {name}"));
            Ok(self.naptr.get(name).cloned().unwrap_or_default())
        }
        async fn srv(&self, name: &str) -> std::result::Result<Vec<SrvRecord>, LookupFailure> {
            self.asked.borrow_mut().push(format!("SRV {name}"));
            Ok(self.srv.get(name).cloned().unwrap_or_default())
        }
        async fn ips(&self, name: &str) -> std::result::Result<Vec<IpAddr>, LookupFailure> {
            self.asked.borrow_mut().push(format!("A {name}"));
            match self.ips.get(name) {
                Some(ips) => Ok(ips.clone()),
                None => Err(LookupFailure::Missing { nx: true }),
            }
        }
    }

    fn srv(priority: u16, weight: u16, port: u16, target: &str) -> SrvRecord {
        SrvRecord {
            priority,
            weight,
            port,
            target: target.into(),
        }
    }

    fn naptr(order: u16, preference: u16, service: &str, replacement: &str) -> NaptrRecord {
        NaptrRecord {
            order,
            preference,
            flags: "s".into(),
            service: service.into(),
            replacement: replacement.into(),
        }
    }

    fn uri(s: &str) -> SipUri {
        s.parse().unwrap()
    }

    fn run(table: &Table, u: &str, forced: Option<TransportKind>) -> Result<Vec<Target>> {
        let u = uri(u);
        let transport = chosen_transport(&u, forced)?;
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(locate_with(&u, transport, table, &mut rng))
    }

    fn addrs(targets: &[Target]) -> Vec<String> {
        targets
            .iter()
            .map(|t| format!("{} {}", transport_name(t.transport), t.addr))
            .collect()
    }

    fn example() -> Table {
        let mut t = Table::default();
        t.naptr.insert(
            "example.com".into(),
            vec![
                naptr(20, 10, "SIP+D2U", "_sip._udp.example.com"),
                naptr(10, 20, "SIP+D2T", "_sip._tcp.example.com"),
                naptr(10, 10, "SIPS+D2T", "_sips._tcp.example.com"),
                naptr(5, 10, "SIP+D2X", "_sip._sctp.example.com"),
            ],
        );
        t.srv.insert(
            "_sip._udp.example.com".into(),
            vec![srv(1, 0, 5060, "u.example.com")],
        );
        t.srv.insert(
            "_sip._tcp.example.com".into(),
            vec![
                srv(2, 0, 5070, "b.example.com"),
                srv(1, 0, 5080, "a.example.com"),
            ],
        );
        t.srv.insert(
            "_sips._tcp.example.com".into(),
            vec![srv(1, 0, 5061, "a.example.com")],
        );
        for (name, ip) in [
            ("a.example.com", "192.0.2.1"),
            ("b.example.com", "2001:db8::2"),
            ("u.example.com", "192.0.2.3"),
        ] {
            t.ips.insert(name.into(), vec![ip.parse().unwrap()]);
        }
        t
    }

    #[test]
    fn naptr_order_then_srv_priority_then_addresses() {
        let t = example();
        let found = run(&t, "sip:example.com", None).unwrap();
        assert_eq!(
            addrs(&found),
            [
                "tls 192.0.2.1:5061",
                "tcp 192.0.2.1:5080",
                "tcp [2001:db8::2]:5070",
                "udp 192.0.2.3:5060"
            ]
        );
        assert!(found
            .iter()
            .all(|t| t.host == Host::Name("example.com".into())));
        // The unsupported SIP+D2X service was not followed.
        assert!(!t.asked.borrow().iter().any(|q| q.contains("sctp")));
    }

    #[test]
    fn sips_follows_only_sips_services() {
        let found = run(&example(), "sips:example.com", None).unwrap();
        assert_eq!(addrs(&found), ["tls 192.0.2.1:5061"]);
    }

    #[test]
    fn explicit_port_skips_naptr_and_srv() {
        let t = example();
        let found = run(&t, "sip:a.example.com:5999", None).unwrap();
        assert_eq!(addrs(&found), ["udp 192.0.2.1:5999"]);
        assert_eq!(*t.asked.borrow(), ["A a.example.com"]);
    }

    #[test]
    fn chosen_transport_skips_naptr_and_queries_its_srv() {
        let t = example();
        let found = run(&t, "sip:example.com", Some(TransportKind::Tcp)).unwrap();
        assert_eq!(
            addrs(&found),
            ["tcp 192.0.2.1:5080", "tcp [2001:db8::2]:5070"]
        );
        assert!(!t.asked.borrow().iter().any(|q| q.starts_with("NAPTR")));
        let found = run(&t, "sip:example.com;transport=tls", None).unwrap();
        assert_eq!(addrs(&found), ["tls 192.0.2.1:5061"]);
    }

    #[test]
    fn without_naptr_every_srv_then_without_srv_the_host() {
        let mut t = Table::default();
        t.srv.insert(
            "_sip._tcp.example.net".into(),
            vec![srv(1, 0, 5062, "host.example.net")],
        );
        t.ips.insert(
            "host.example.net".into(),
            vec!["192.0.2.9".parse().unwrap()],
        );
        t.ips
            .insert("example.net".into(), vec!["192.0.2.8".parse().unwrap()]);
        let found = run(&t, "sip:example.net", None).unwrap();
        assert_eq!(addrs(&found), ["tcp 192.0.2.9:5062"]);
        assert_eq!(
            *t.asked.borrow(),
            [
                "NAPTR example.net",
                "SRV _sip._udp.example.net",
                "SRV _sip._tcp.example.net",
                "A host.example.net",
                "SRV _sips._tcp.example.net"
            ]
        );
        let mut plain = Table::default();
        plain
            .ips
            .insert("example.org".into(), vec!["192.0.2.7".parse().unwrap()]);
        assert_eq!(
            addrs(&run(&plain, "sip:example.org", None).unwrap()),
            ["udp 192.0.2.7:5060"]
        );
        assert_eq!(
            addrs(&run(&plain, "sips:example.org", None).unwrap()),
            ["tls 192.0.2.7:5061"]
        );
        assert_eq!(
            addrs(&run(&plain, "sip:example.org", Some(TransportKind::Wss)).unwrap()),
            ["wss 192.0.2.7:443"]
        );
    }

    #[test]
    fn nothing_found_is_a_resolve_error() {
        let err = run(&Table::default(), "sip:nowhere.invalid", None).unwrap_err();
        assert!(
            matches!(&err, Error::Resolve { host, .. } if host == "nowhere.invalid"),
            "{err}"
        );
    }

    #[test]
    fn sips_with_a_clear_transport_is_a_usage_error() {
        let err = run(&example(), "sips:example.com", Some(TransportKind::Tcp)).unwrap_err();
        assert!(matches!(err, Error::Usage(_)), "{err}");
        let err = run(&example(), "sip:example.com;transport=sctp", None).unwrap_err();
        assert!(matches!(err, Error::Usage(_)), "{err}");
    }

    #[test]
    fn srv_priority_is_strict_and_weight_shares_the_draws() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut first_heavy = 0;
        for _ in 0..1000 {
            let ordered = order_srv(
                vec![
                    srv(20, 100, 1, "low-priority"),
                    srv(10, 10, 2, "light"),
                    srv(10, 90, 3, "heavy"),
                    srv(10, 0, 4, "zero"),
                ],
                &mut rng,
            );
            assert_eq!(ordered.len(), 4);
            assert_eq!(ordered[3].target, "low-priority");
            if ordered[0].target == "heavy" {
                first_heavy += 1;
            }
        }
        // Weight 90 of 100 in priority 10: heavy comes first about 900 times in 1000.
        assert!((820..=970).contains(&first_heavy), "{first_heavy}");
    }

    #[test]
    fn srv_weights_all_zero_keep_every_record() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let ordered = order_srv(
            vec![srv(1, 0, 1, "a"), srv(1, 0, 2, "b"), srv(0, 0, 3, "c")],
            &mut rng,
        );
        let names: Vec<_> = ordered.iter().map(|r| r.target.as_str()).collect();
        assert_eq!(names[0], "c");
        assert_eq!(names.len(), 3);
    }
}
