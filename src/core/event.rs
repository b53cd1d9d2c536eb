use super::error::RegError;
use crate::auth::ChallengeKind;
use std::net::SocketAddr;
use std::time::Duration;

/// Bytes to send, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    pub destination: SocketAddr,
    pub payload: Vec<u8>,
    /// A Timer E retransmission of the previous request rather than a new one.
    pub retransmission: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Register,
    Refresh,
    Query,
    Unregister,
}

/// One binding as the registrar listed it in a 2xx.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// The URI as the registrar wrote it, without `<>`.
    pub contact: String,
    pub expires: Option<u32>,
    pub q: Option<f32>,
    /// Contact parameters other than `expires` and `q`, in order.
    pub params: Vec<(String, Option<String>)>,
    /// This is a Contact we registered (compared as URIs, RFC 3261 §19.1.4): the
    /// registration's own, or one of the further contacts sent with it.
    pub ours: bool,
}

/// What a final response said about who sent it and why it refused (RFC 3261
/// §20.35 Server, §20.41 User-Agent, §20.43 Warning), kept as text for the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Responder {
    /// Its `Server` header, else its `User-Agent`.
    pub server: Option<String>,
    /// The text of its first `Warning` header.
    pub warning: Option<String>,
}

impl Responder {
    pub fn of(r: &crate::sip::Response) -> Responder {
        Responder {
            server: r
                .header("server")
                .or_else(|| r.header("user-agent"))
                .map(str::to_string),
            warning: r.header("warning").map(str::to_string),
        }
    }
}

/// A completed operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub op: OpKind,
    pub status: u16,
    pub reason: String,
    pub bindings: Vec<Binding>,
    /// For register/refresh: the expiry the registrar granted our contact, in seconds.
    pub granted: Option<u32>,
    /// For register/refresh: when the next refresh is due, from now.
    pub refresh_in: Option<Duration>,
    pub service_route: Vec<String>,
    pub path: Vec<String>,
    /// From the first REGISTER of this operation to its final response.
    pub elapsed: Duration,
    /// This success ended a run of failures (recovery).
    pub recovered: bool,
    /// The grant before this success had run out: the registrar held no binding of
    /// ours for a while (a lapse).
    pub lapsed: bool,
    /// RFC 5627 GRUUs the registrar assigned to our contact.
    pub pub_gruu: Option<String>,
    pub temp_gruu: Option<String>,
    /// The registrar's `Server` (or `User-Agent`) header.
    pub server: Option<String>,
    /// What a reachability probe after this registration found (the command adds
    /// it; the core reports probes as `Event::Probed`).
    pub reachability: Option<Reachability>,
}

#[derive(Debug, Clone)]
pub enum Event {
    /// A challenge is being answered.
    Challenged {
        kind: ChallengeKind,
        realm: String,
        algorithm: String,
        stale: bool,
    },
    /// 423: retrying with the registrar's minimum.
    IntervalTooBrief {
        min_expires: u32,
    },
    /// Something arrived that belongs to no transaction of ours, or could not be read.
    Ignored {
        reason: String,
    },
    Completed(Outcome),
    /// The operation failed and nothing more will be tried.
    Failed {
        op: OpKind,
        error: RegError,
    },
    /// The operation failed; the core tries again after `after` on its own
    /// (back-off, or the registrar's Retry-After).
    Retrying {
        op: OpKind,
        error: RegError,
        after: Duration,
    },
    /// A refresh is being sent because the grant is running out.
    Refreshing,
    /// A 2xx to our REGISTER did not list our contact: registering again.
    BindingLost,
    /// The registrar saw us at another address than our Contact says (RFC 3581).
    NatDetected {
        public: SocketAddr,
        /// The Contact is being rewritten to `public` (and the stale one removed).
        rewriting: bool,
    },
    /// 439 First Hop Lacks Outbound Support: registering again without outbound.
    OutboundUnsupported,
    /// 3xx: the registrar points elsewhere. The driver resolves `target`, calls
    /// `set_destination`, and starts the operation again.
    Redirected {
        op: OpKind,
        target: crate::sip::SipUri,
    },
    /// The flow (connection, NAT binding) is considered dead: a keep-alive went
    /// unanswered or the STUN mapped address changed. Drivers of connection-oriented
    /// transports reopen the connection; the core re-registers by itself.
    FlowFailed {
        reason: String,
    },
    /// What a reachability probe found (`start_probe`).
    Probed(Reachability),
}

/// Whether a request for the AOR, sent to the registrar, reached our contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reachability {
    pub reachable: bool,
    /// From sending the OPTIONS to its final response, when one came.
    pub rtt: Option<Duration>,
    /// That final response's status.
    pub status: Option<u16>,
    /// What happened, in words: `404 Not Found from the registrar`, …
    pub detail: String,
}
