//! Every SIP message sent and received, keep-alives included, with the real
//! addresses and ports and the time each was sent or read: to a pcap file that
//! Wireshark, tshark and sngrep decode as SIP (`--pcap FILE`), and as HEPv3 to a
//! Homer capture server (`--hep ADDR:PORT`, `hep.rs`). TLS and WSS go out as the
//! clear SIP they carry, over TCP (the port says which it was), so the exchange can
//! be read where no capture on the wire can.

use etherparse::PacketBuilder;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::DataLink;
use std::collections::HashMap;
use std::fs::File;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// Placeholder link addresses: the file's link layer is Ethernet, which every tool
/// decodes whatever the IP version, and nothing here knows real MAC addresses.
const OURS: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];
const THEIRS: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];

/// Where messages are recorded: a pcap file, a HEP collector, or both.
pub struct Capture {
    pcap: Option<PcapFile>,
    hep: Option<super::hep::HepSender>,
}

impl Capture {
    /// The sinks `--pcap` and `--hep` ask for; None when neither is given.
    pub fn open(pcap: Option<&Path>, hep: Option<SocketAddr>) -> crate::Result<Option<Capture>> {
        if pcap.is_none() && hep.is_none() {
            return Ok(None);
        }
        Ok(Some(Capture {
            pcap: pcap.map(PcapFile::create).transpose()?,
            hep: hep.map(super::hep::HepSender::new).transpose()?,
        }))
    }

    /// One message from `from` to `to`, now. Returns an error text the first time a
    /// sink fails, for the caller to show once.
    pub fn record(
        &mut self,
        from: SocketAddr,
        to: SocketAddr,
        stream: bool,
        bytes: &[u8],
    ) -> Option<String> {
        let at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let pcap = self
            .pcap
            .as_mut()
            .and_then(|p| p.record(from, to, stream, bytes, at));
        let hep = self
            .hep
            .as_mut()
            .and_then(|h| h.send(from, to, stream, bytes, at));
        pcap.or(hep)
    }
}

struct PcapFile {
    /// Unbuffered: each message is on disk at once, so a run that is killed keeps
    /// its capture.
    writer: PcapWriter<File>,
    /// The next TCP sequence number of each direction of each connection, so that
    /// the messages of a stream follow one another as a dissector expects.
    next_seq: HashMap<(SocketAddr, SocketAddr), u32>,
    /// A write failed (disk full): said once, then nothing more is written.
    broken: bool,
}

impl PcapFile {
    fn create(path: &Path) -> crate::Result<PcapFile> {
        let failed = |e: String| crate::Error::Usage(format!("--pcap {}: {e}", path.display()));
        let file = File::create(path).map_err(|e| failed(e.to_string()))?;
        let header = PcapHeader {
            datalink: DataLink::ETHERNET,
            // A SIP message is at most 64 KiB; with its headers it fits.
            snaplen: 262_144,
            ..PcapHeader::default()
        };
        let writer = PcapWriter::with_header(file, header).map_err(|e| failed(e.to_string()))?;
        Ok(PcapFile {
            writer,
            next_seq: HashMap::new(),
            broken: false,
        })
    }

    fn record(
        &mut self,
        from: SocketAddr,
        to: SocketAddr,
        stream: bool,
        bytes: &[u8],
        timestamp: std::time::Duration,
    ) -> Option<String> {
        if self.broken {
            return None;
        }
        let link = PacketBuilder::ethernet2(OURS, THEIRS);
        let ip = match (from.ip(), to.ip()) {
            (IpAddr::V4(a), IpAddr::V4(b)) => link.ipv4(a.octets(), b.octets(), 64),
            (a, b) => link.ipv6(v6(a).octets(), v6(b).octets(), 64),
        };
        let mut packet = Vec::with_capacity(bytes.len() + 80);
        let written = if stream {
            let seq = self.next_seq.entry((from, to)).or_insert(1);
            let at = *seq;
            *seq = seq.wrapping_add(bytes.len() as u32);
            ip.tcp(from.port(), to.port(), at, 65_535)
                .psh()
                .write(&mut packet, bytes)
                .map_err(|e| e.to_string())
        } else {
            ip.udp(from.port(), to.port())
                .write(&mut packet, bytes)
                .map_err(|e| e.to_string())
        };
        let result = written.and_then(|()| {
            self.writer
                .write_packet(&PcapPacket::new(timestamp, packet.len() as u32, &packet))
                .map(drop)
                .map_err(|e| e.to_string())
        });
        result.err().map(|e| {
            self.broken = true;
            format!("--pcap: writing the capture failed, nothing more is written: {e}")
        })
    }
}

fn v6(ip: IpAddr) -> std::net::Ipv6Addr {
    match ip {
        IpAddr::V4(a) => a.to_ipv6_mapped(),
        IpAddr::V6(a) => a,
    }
}

/// A capture alone as the driver's trace (a bulk run: no ladder, only the file).
impl crate::net::Trace for Capture {
    fn sent(&mut self, transmit: &crate::core::Transmit, hop: crate::net::Hop) {
        if let Some(why) = self.record(
            hop.local,
            transmit.destination,
            hop.stream,
            &transmit.payload,
        ) {
            eprintln!("sipreg: warning: {why}");
        }
    }

    fn received(&mut self, from: SocketAddr, hop: crate::net::Hop, bytes: &[u8]) {
        if let Some(why) = self.record(from, hop.local, hop.stream, bytes) {
            eprintln!("sipreg: warning: {why}");
        }
    }
}
