//! DNS look-ups for server location, through hickory-resolver: the system's
//! configuration (resolv.conf, hosts) or the one server named with `--dns-server`.

use crate::error::{Error, Result};
use hickory_resolver::config::{LookupIpStrategy, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::proto::xfer::Protocol;
use hickory_resolver::proto::ProtoErrorKind;
use hickory_resolver::{ResolveError, ResolveErrorKind, TokioResolver};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// How long one DNS query may take, and how often it is tried: short enough that a
/// dead DNS server is reported in seconds, not the better part of a minute.
const QUERY_TIMEOUT: Duration = Duration::from_secs(2);
const QUERY_ATTEMPTS: usize = 2;

/// Where DNS questions go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DnsSettings {
    /// `--dns-server`: this server only (UDP, falling back to TCP for long answers).
    pub server: Option<SocketAddr>,
}

impl DnsSettings {
    /// Reads `--dns-server`: `IP` or `IP:PORT`, IPv6 in brackets with a port.
    pub fn from_arg(arg: Option<&str>) -> Result<DnsSettings> {
        let Some(text) = arg else {
            return Ok(DnsSettings::default());
        };
        let t = text.trim();
        let server = t
            .parse::<SocketAddr>()
            .ok()
            .or_else(|| {
                t.trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<IpAddr>()
                    .ok()
                    .map(|ip| SocketAddr::new(ip, 53))
            })
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--dns-server {text:?} is not an IP address or IP:PORT (e.g. 192.0.2.53, 127.0.0.1:5353, [::1]:53)"
                ))
            })?;
        Ok(DnsSettings {
            server: Some(server),
        })
    }

    pub(crate) fn lookups(&self) -> Result<HickoryLookups> {
        let provider = TokioConnectionProvider::default();
        let mut builder = match self.server {
            Some(addr) => {
                let mut config = ResolverConfig::new();
                config.add_name_server(NameServerConfig::new(addr, Protocol::Udp));
                config.add_name_server(NameServerConfig::new(addr, Protocol::Tcp));
                TokioResolver::builder_with_config(config, provider)
            }
            None => TokioResolver::builder(provider).map_err(|e| Error::Resolve {
                host: "(system DNS configuration)".into(),
                reason: e.to_string(),
            })?,
        };
        let opts: &mut ResolverOpts = builder.options_mut();
        opts.timeout = QUERY_TIMEOUT;
        opts.attempts = QUERY_ATTEMPTS;
        // Both families: every address is a target to fail over to.
        opts.ip_strategy = LookupIpStrategy::Ipv4AndIpv6;
        Ok(HickoryLookups {
            resolver: builder.build(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NaptrRecord {
    pub order: u16,
    pub preference: u16,
    pub flags: String,
    pub service: String,
    /// The SRV name to query next (flag `s`), without the final dot.
    pub replacement: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SrvRecord {
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
    /// Host name without the final dot; "." for "not offered here".
    pub target: String,
}

/// Why a look-up found nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LookupFailure {
    /// The DNS server did not answer (or could not be reached): asking it more
    /// questions would only wait longer, so location stops here.
    Unreachable(String),
    /// The name does not exist (NXDOMAIN, `nx`), or has no records of the type asked.
    Missing { nx: bool },
    /// An error answer for this one question (SERVFAIL, REFUSED…).
    Other(String),
}

impl LookupFailure {
    /// In words for a user (who asked for an address): not the resolver's own.
    pub fn reason(self) -> String {
        match self {
            LookupFailure::Missing { nx: true } => "no such name in DNS (NXDOMAIN)".into(),
            LookupFailure::Missing { nx: false } => {
                "the name exists in DNS but has no address (A or AAAA record)".into()
            }
            LookupFailure::Unreachable(r) | LookupFailure::Other(r) => r,
        }
    }
}

/// The three questions RFC 3263 asks. Empty answers are `Ok(vec![])` for NAPTR and
/// SRV, an error for addresses.
pub(crate) trait Lookups {
    async fn naptr(&self, name: &str) -> Result<Vec<NaptrRecord>, LookupFailure>;
    async fn srv(&self, name: &str) -> Result<Vec<SrvRecord>, LookupFailure>;
    async fn ips(&self, name: &str) -> Result<Vec<IpAddr>, LookupFailure>;
}

pub(crate) struct HickoryLookups {
    resolver: TokioResolver,
}

fn without_final_dot(name: String) -> String {
    match name.strip_suffix('.') {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => name,
    }
}

/// The resolver's error in plain words, sorted by what location does next.
fn classify(e: ResolveError) -> LookupFailure {
    let ResolveErrorKind::Proto(p) = e.kind() else {
        return LookupFailure::Other(format!("the DNS lookup failed: {e}"));
    };
    match p.kind() {
        ProtoErrorKind::NoRecordsFound { response_code, .. } => match *response_code {
            ResponseCode::NXDomain => LookupFailure::Missing { nx: true },
            ResponseCode::NoError => LookupFailure::Missing { nx: false },
            code => LookupFailure::Other(format!(
                "the DNS server answered {} ({code})",
                u16::from(*response_code)
            )),
        },
        ProtoErrorKind::Timeout => {
            LookupFailure::Unreachable("no DNS server answered in time".into())
        }
        ProtoErrorKind::Io(io) => LookupFailure::Unreachable(format!(
            "the DNS server cannot be reached ({})",
            io.kind().to_string().to_lowercase()
        )),
        ProtoErrorKind::NoConnections => LookupFailure::Unreachable(
            "no DNS server to ask: check /etc/resolv.conf or give --dns-server".into(),
        ),
        _ => LookupFailure::Other(format!("the DNS lookup failed: {e}")),
    }
}

/// NAPTR and SRV answers where "no records" is simply an empty list.
fn empty_when_none<T>(r: Result<Vec<T>, LookupFailure>) -> Result<Vec<T>, LookupFailure> {
    match r {
        Err(LookupFailure::Missing { .. }) => Ok(Vec::new()),
        other => other,
    }
}

impl Lookups for HickoryLookups {
    async fn naptr(&self, name: &str) -> Result<Vec<NaptrRecord>, LookupFailure> {
        let found = self
            .resolver
            .lookup(name, RecordType::NAPTR)
            .await
            .map_err(classify)
            .map(|lookup| {
                lookup
                    .iter()
                    .filter_map(|rdata| match rdata {
                        RData::NAPTR(n) => Some(NaptrRecord {
                            order: n.order(),
                            preference: n.preference(),
                            flags: String::from_utf8_lossy(n.flags()).into_owned(),
                            service: String::from_utf8_lossy(n.services()).into_owned(),
                            replacement: without_final_dot(n.replacement().to_ascii()),
                        }),
                        _ => None,
                    })
                    .collect()
            });
        empty_when_none(found)
    }

    async fn srv(&self, name: &str) -> Result<Vec<SrvRecord>, LookupFailure> {
        let found = self
            .resolver
            .srv_lookup(name)
            .await
            .map_err(classify)
            .map(|lookup| {
                lookup
                    .iter()
                    .map(|s| SrvRecord {
                        priority: s.priority(),
                        weight: s.weight(),
                        port: s.port(),
                        target: without_final_dot(s.target().to_ascii()),
                    })
                    .collect()
            });
        empty_when_none(found)
    }

    async fn ips(&self, name: &str) -> Result<Vec<IpAddr>, LookupFailure> {
        let ips: Vec<IpAddr> = self
            .resolver
            .lookup_ip(name)
            .await
            .map_err(classify)?
            .iter()
            .collect();
        if ips.is_empty() {
            return Err(LookupFailure::Missing { nx: false });
        }
        Ok(ips)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_server_argument_forms() {
        let s = |a| DnsSettings::from_arg(Some(a)).unwrap().server.unwrap();
        assert_eq!(s("127.0.0.1:5353"), "127.0.0.1:5353".parse().unwrap());
        assert_eq!(s("192.0.2.53"), "192.0.2.53:53".parse().unwrap());
        assert_eq!(s("[::1]:5353"), "[::1]:5353".parse().unwrap());
        assert_eq!(s("::1"), "[::1]:53".parse().unwrap());
        assert_eq!(s("[::1]"), "[::1]:53".parse().unwrap());
        assert!(matches!(
            DnsSettings::from_arg(Some("dns.example.com")),
            Err(Error::Usage(_))
        ));
        assert_eq!(DnsSettings::from_arg(None).unwrap(), DnsSettings::default());
    }

    #[test]
    fn final_dot_is_dropped_but_root_stays() {
        assert_eq!(without_final_dot("a.example.com.".into()), "a.example.com");
        assert_eq!(without_final_dot(".".into()), ".");
    }
}
