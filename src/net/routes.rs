//! Where each registration's requests can go, for the moves a driver makes on the
//! endpoint's behalf: every RFC 3263 target of its registrar, best first (failover),
//! and the targets of 3xx answers, located once per URI (redirects). Both drivers use
//! it, so a move means the same thing with one registration or many.

use super::dns::DnsSettings;
use super::locate::locate;
use super::target::Target;
use crate::core::{Handle, TransportKind};
use crate::error::Result;
use crate::sip::SipUri;
use std::collections::HashMap;

/// Every target of each registration's registrar: registration i's are
/// `lists[of_member[i]]`, and the first of them is where it starts.
#[derive(Debug, Default)]
pub struct Routes {
    lists: Vec<Vec<Target>>,
    of_member: Vec<u32>,
}

impl Routes {
    pub fn new(lists: Vec<Vec<Target>>, of_member: Vec<u32>) -> Routes {
        Routes { lists, of_member }
    }

    /// One registration and its targets.
    pub fn single(targets: Vec<Target>) -> Routes {
        Routes::new(vec![targets], vec![0])
    }

    /// `h`'s targets, best first.
    pub fn of(&self, h: Handle) -> &[Target] {
        self.of_member
            .get(h.index())
            .and_then(|list| self.lists.get(*list as usize))
            .map_or(&[], Vec::as_slice)
    }

    /// Whether any registration has a second target to fail over to.
    pub fn has_fallbacks(&self) -> bool {
        self.lists.iter().any(|l| l.len() > 1)
    }

    /// The targets after `h`'s first: what the endpoint counts as its fallbacks.
    pub fn fallbacks(&self, h: Handle) -> usize {
        self.of(h).len().saturating_sub(1)
    }

    /// The next of `h`'s targets that `fits` (the socket's address family, the run's
    /// transport), given the `fallbacks` the endpoint says it has left, and how many
    /// are left after it.
    pub fn next(
        &self,
        h: Handle,
        fallbacks: usize,
        fits: impl Fn(&Target) -> bool,
    ) -> Option<(Target, usize)> {
        let list = self.of(h);
        let mut left = fallbacks.min(list.len());
        while left > 0 {
            let next = &list[list.len() - left];
            left -= 1;
            if fits(next) {
                return Some((next.clone(), left));
            }
        }
        None
    }

    /// `h` was redirected: `targets` are its targets from now on. Others that shared
    /// its list keep theirs.
    pub fn redirect(&mut self, h: Handle, targets: Vec<Target>) {
        self.lists.push(targets);
        let list = (self.lists.len() - 1) as u32;
        match self.of_member.get_mut(h.index()) {
            Some(slot) => *slot = list,
            None => {
                self.of_member.resize(h.index() + 1, list);
            }
        }
    }
}

/// RFC 3263 location of redirect targets, each URI asked once per run.
#[derive(Debug, Default)]
pub struct Locator {
    dns: DnsSettings,
    located: HashMap<String, Vec<Target>>,
}

impl Locator {
    pub fn new(dns: DnsSettings) -> Locator {
        Locator {
            dns,
            located: HashMap::new(),
        }
    }

    /// Where a 3xx's `target` is: over `in_use` unless the URI names a transport
    /// (or is a `sips:` one).
    pub async fn redirect_targets(
        &mut self,
        target: &SipUri,
        in_use: TransportKind,
    ) -> Result<Vec<Target>> {
        let key = target.to_string();
        if let Some(known) = self.located.get(&key) {
            return Ok(known.clone());
        }
        let transport = if target.param("transport").is_some() || target.sips {
            None
        } else {
            Some(in_use)
        };
        let targets = locate(target, transport, &self.dns).await?;
        self.located.insert(key, targets.clone());
        Ok(targets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip::Host;

    fn t(port: u16, v6: bool) -> Target {
        let ip: std::net::IpAddr = if v6 {
            "::1".parse().unwrap()
        } else {
            "127.0.0.1".parse().unwrap()
        };
        Target {
            addr: (ip, port).into(),
            transport: TransportKind::Udp,
            host: Host::from(ip),
        }
    }

    #[test]
    fn next_walks_the_list_skipping_what_does_not_fit() {
        let routes = Routes::single(vec![t(1, false), t(2, true), t(3, false)]);
        let h = Handle(0);
        assert_eq!(routes.fallbacks(h), 2);
        let v4 = |x: &Target| x.addr.is_ipv4();
        let (next, left) = routes.next(h, 2, v4).unwrap();
        assert_eq!((next.addr.port(), left), (3, 0));
        let (next, left) = routes.next(h, 2, |_| true).unwrap();
        assert_eq!((next.addr.port(), left), (2, 1));
        assert!(routes.next(h, 0, |_| true).is_none());
        assert!(routes.of(Handle(5)).is_empty());
    }

    #[test]
    fn a_redirect_changes_one_registrations_list_only() {
        let mut routes = Routes::new(vec![vec![t(1, false), t(2, false)]], vec![0, 0]);
        routes.redirect(Handle(1), vec![t(9, false)]);
        assert_eq!(routes.of(Handle(0)).len(), 2);
        assert_eq!(routes.of(Handle(1))[0].addr.port(), 9);
        assert_eq!(routes.fallbacks(Handle(1)), 0);
    }
}
