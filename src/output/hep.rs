//! `--hep ADDR:PORT`: each message as a HEPv3 packet over UDP to a Homer capture
//! server (or heplify-server): "HEP3", the total length, then chunks of vendor 0 —
//! address family, protocol, addresses, ports, time, protocol type SIP, agent ID
//! and the message itself. The chunk layout is HEPv3's (sipcapture.org HEP RFC
//! draft); a packet a collector cannot take is dropped by it, never by us blocking.

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::Duration;

/// Chunk types of vendor 0 (generic).
const FAMILY: u16 = 0x0001;
const PROTOCOL: u16 = 0x0002;
const SRC_V4: u16 = 0x0003;
const DST_V4: u16 = 0x0004;
const SRC_V6: u16 = 0x0005;
const DST_V6: u16 = 0x0006;
const SRC_PORT: u16 = 0x0007;
const DST_PORT: u16 = 0x0008;
const SECONDS: u16 = 0x0009;
const MICROS: u16 = 0x000a;
const PROTOCOL_TYPE: u16 = 0x000b;
const AGENT_ID: u16 = 0x000c;
const PAYLOAD: u16 = 0x000f;
/// Protocol type 1: SIP.
const SIP: u8 = 1;

pub struct HepSender {
    socket: UdpSocket,
    to: SocketAddr,
    /// This run's process ID: messages of one sipreg together in Homer.
    agent: u32,
}

impl HepSender {
    pub fn new(to: SocketAddr) -> crate::Result<HepSender> {
        let any: SocketAddr = match to {
            SocketAddr::V4(_) => ([0, 0, 0, 0], 0).into(),
            SocketAddr::V6(_) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        let failed = |e: std::io::Error| crate::Error::Usage(format!("--hep {to}: {e}"));
        let socket = UdpSocket::bind(any).map_err(failed)?;
        // Never wait on the collector: a full buffer drops the packet.
        socket.set_nonblocking(true).map_err(failed)?;
        Ok(HepSender {
            socket,
            to,
            agent: std::process::id(),
        })
    }

    /// Sends one message; an error text the caller shows (a collector that refuses
    /// with ICMP says so on every send: only hard errors are reported).
    pub fn send(
        &mut self,
        from: SocketAddr,
        to: SocketAddr,
        stream: bool,
        bytes: &[u8],
        at: Duration,
    ) -> Option<String> {
        let packet = encode(from, to, stream, bytes, at, self.agent);
        match self.socket.send_to(&packet, self.to) {
            Ok(_) => None,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::ConnectionRefused
                ) =>
            {
                None
            }
            Err(e) => Some(format!("--hep {}: {e}", self.to)),
        }
    }
}

/// One HEPv3 packet.
pub fn encode(
    from: SocketAddr,
    to: SocketAddr,
    stream: bool,
    bytes: &[u8],
    at: Duration,
    agent: u32,
) -> Vec<u8> {
    let mut chunks = Vec::with_capacity(bytes.len() + 96);
    let chunk = |chunks: &mut Vec<u8>, kind: u16, value: &[u8]| {
        chunks.extend_from_slice(&0u16.to_be_bytes());
        chunks.extend_from_slice(&kind.to_be_bytes());
        chunks.extend_from_slice(&((value.len() + 6) as u16).to_be_bytes());
        chunks.extend_from_slice(value);
    };
    match (from.ip(), to.ip()) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            chunk(&mut chunks, FAMILY, &[2]);
            chunk(&mut chunks, SRC_V4, &a.octets());
            chunk(&mut chunks, DST_V4, &b.octets());
        }
        (a, b) => {
            let v6 = |ip: IpAddr| match ip {
                IpAddr::V4(v4) => v4.to_ipv6_mapped(),
                IpAddr::V6(v6) => v6,
            };
            chunk(&mut chunks, FAMILY, &[10]);
            chunk(&mut chunks, SRC_V6, &v6(a).octets());
            chunk(&mut chunks, DST_V6, &v6(b).octets());
        }
    }
    chunk(&mut chunks, PROTOCOL, &[if stream { 6 } else { 17 }]);
    chunk(&mut chunks, SRC_PORT, &from.port().to_be_bytes());
    chunk(&mut chunks, DST_PORT, &to.port().to_be_bytes());
    chunk(&mut chunks, SECONDS, &(at.as_secs() as u32).to_be_bytes());
    chunk(&mut chunks, MICROS, &at.subsec_micros().to_be_bytes());
    chunk(&mut chunks, PROTOCOL_TYPE, &[SIP]);
    chunk(&mut chunks, AGENT_ID, &agent.to_be_bytes());
    // A message is at most 64 KiB; HEP's length fields are 16 bits, so a larger
    // one is cut rather than sent with a wrong length.
    let room = usize::from(u16::MAX) - 6 - 6 - chunks.len();
    chunk(&mut chunks, PAYLOAD, &bytes[..bytes.len().min(room)]);
    let mut packet = Vec::with_capacity(chunks.len() + 6);
    packet.extend_from_slice(b"HEP3");
    packet.extend_from_slice(&((chunks.len() + 6) as u16).to_be_bytes());
    packet.extend_from_slice(&chunks);
    packet
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packet_is_hep3_with_its_length_and_chunks() {
        let from: SocketAddr = "192.0.2.1:5060".parse().unwrap();
        let to: SocketAddr = "192.0.2.2:40000".parse().unwrap();
        let p = encode(from, to, false, b"OPTIONS", Duration::new(7, 8000), 42);
        assert_eq!(&p[..4], b"HEP3");
        assert_eq!(usize::from(u16::from_be_bytes([p[4], p[5]])), p.len());
        assert!(p.ends_with(b"OPTIONS"));
        // The first chunk: vendor 0, type 1 (family), length 7, IPv4.
        assert_eq!(&p[6..13], &[0, 0, 0, 1, 0, 7, 2]);
    }
}
