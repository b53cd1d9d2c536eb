//! The tokio side: transports (UDP, TCP, TLS, WebSocket), locating servers (RFC 3263)
//! and the loop that feeds the core.

pub mod carriers;
mod connection;
pub mod datagrams;
mod dns;
mod driver;
mod link;
mod locate;
mod routes;
mod signals;
mod source;
pub mod streams;
mod target;
pub mod ticker;
mod tls;
mod udp;
mod ws;
mod ws_url;

pub use connection::{
    bind_socket, open_connection, read_stream, read_tcp, with_hint, LinkError, Opened, Opening,
    ReaderTag, StreamEvent, Writer,
};
pub use dns::DnsSettings;
pub use driver::{now, Driver, Trace};
pub use link::{Incoming, LinkSettings};
pub use locate::locate;
pub use routes::{Locator, Routes};
pub use signals::StopSignals;
pub use source::{advertised, any_address_for, route_source};
pub use target::{
    default_port, fallback_transport, is_secure, parse_transport_name, transport_name,
    uri_transport, Target,
};
pub use tls::{explain_handshake_error, server_name, TlsSettings};
pub use udp::UdpTransport;
pub use ws_url::{parse_ws_url, WsUrl};
