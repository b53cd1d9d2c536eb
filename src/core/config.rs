use super::transaction::Timers;
use crate::sip::SipUri;
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    Udp,
    Tcp,
    Tls,
    Ws,
    Wss,
}

impl TransportKind {
    /// The Via transport token (RFC 3261 §18, RFC 7118 §5).
    pub fn via_token(self) -> &'static str {
        match self {
            TransportKind::Udp => "UDP",
            TransportKind::Tcp => "TCP",
            TransportKind::Tls => "TLS",
            TransportKind::Ws => "WS",
            TransportKind::Wss => "WSS",
        }
    }

    pub fn is_reliable(self) -> bool {
        self != TransportKind::Udp
    }
}

/// Everything a registration needs to know that does not change during a run (the
/// contact and destination change only through NAT rewriting and failover).
#[derive(Debug, Clone)]
pub struct RegistrationConfig {
    pub aor: SipUri,
    pub destination: SocketAddr,
    /// Our address as written in Via sent-by.
    pub local: SocketAddr,
    pub contact: SipUri,
    /// What the registrations of a bulk run have in common, held once for all.
    pub shared: Arc<SharedConfig>,
}

/// The part of a registration's configuration that a whole population can share: in
/// bulk mode one copy serves every AOR of a domain instead of a copy each.
#[derive(Debug, Clone)]
pub struct SharedConfig {
    /// RFC 3261 §10.2: the domain of the location service, without user part.
    pub request_uri: SipUri,
    pub transport: TransportKind,
    /// Contact parameters in wire form (`q=0.5`, `+sip.instance="<…>"`, `reg-id=1`).
    pub contact_params: Vec<String>,
    /// Header lines the user added to every request (`-H`), `Name: value` each.
    pub headers: Vec<String>,
    /// The display name of From and To, already a quoted string (`"Alice"`).
    pub display_name: Option<String>,
    /// Contacts bound along with ours in every REGISTER (`-c` given more than once;
    /// single mode only: a bulk run leaves it empty).
    pub also_contacts: Vec<SipUri>,
    pub expires: u32,
    pub proxy: Option<SipUri>,
    pub user_agent: Option<String>,
    pub timers: Timers,
}

/// What to remove when unregistering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnregisterTarget {
    /// Our own Contact.
    Ours,
    /// `Contact: *` — every binding of the AOR.
    All,
    /// A Contact the user names.
    Contact(SipUri),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    Register,
    Query,
    Unregister(UnregisterTarget),
}
