//! The tokio side: sockets, name resolution and the loop that feeds the core.

mod driver;
mod resolve;
mod udp;

pub use driver::{now, Driver, Trace};
pub use resolve::resolve;
pub use udp::UdpTransport;
