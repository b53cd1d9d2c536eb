//! The tokio side. One carrier layer for every command: `connection` opens a stream
//! connection (TCP, TLS, WS, WSS) and reads it with one framer; `streams` holds the N
//! connections of a population, `datagrams` and `carriers` its batch UDP sockets,
//! `ticker` the 1 ms tick of a busy loop. `locate` finds servers (RFC 3263),
//! `routes` keeps every target for failover and redirects, `signals` handles
//! Ctrl-C/SIGTERM. `driver` is the one loop that runs an endpoint, of one
//! registration or of a population, over its carriers.

pub mod carriers;
mod connection;
pub mod datagrams;
mod dns;
mod driver;
mod locate;
pub mod metrics_server;
mod routes;
mod signals;
mod source;
pub mod streams;
mod target;
pub mod ticker;
mod tls;
mod ws;
mod ws_url;

pub use carriers::CarrierSettings;
pub use connection::{
    bind_socket, open_connection, read_stream, read_tcp, with_hint, LinkError, Opened, Opening,
    ReaderTag, StreamEvent, Writer,
};
pub use dns::DnsSettings;
pub use driver::{now, Driver, Hop, Interrupts, Next, NoTrace, Trace};
pub use locate::locate;
pub use routes::{Locator, Routes};
pub use signals::StopSignals;
pub use source::{advertised, any_address_for, route_source};
pub use target::{
    default_port, fallback_transport, is_secure, parse_transport_name, transport_name,
    uri_transport, Target,
};
pub use tls::{explain_handshake_error, server_name, TlsSettings};

/// `--tls-server-name NAME` as the name to check and send, or a usage error.
pub fn tls_server_name(name: &str) -> crate::error::Result<rustls::pki_types::ServerName<'static>> {
    tls::parse_server_name(name)
        .map_err(|e| crate::error::Error::Usage(format!("--tls-server-name {e}")))
}
pub use ws_url::{parse_ws_url, WsUrl};
