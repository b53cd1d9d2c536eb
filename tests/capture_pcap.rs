//! `--pcap FILE` (issue 14): a register, a query and an unregister against Kamailio
//! over UDP, TCP and TLS each write a capture that tshark (Debian package `tshark`,
//! installed by scripts/install-deps.sh) reads back as SIP: the methods, the status
//! codes and one Call-ID per command, with the real ports. TLS appears as its clear
//! SIP over TCP.

mod support;
mod transport_common;

use std::path::Path;
use std::process::Command;
use support::kamailio::{KamTls, Kamailio, KamailioOptions};
use transport_common::certs::Pki;
use transport_common::{sipreg, AOR};

/// (method or empty, status or empty, Call-ID, source port, destination port) of
/// every SIP message tshark finds in `file`, decoding `ports` as SIP whatever they are.
fn sip_in(file: &Path, ports: &[u16]) -> Vec<(String, String, String, String, String)> {
    let mut args = vec!["-r".to_string(), file.display().to_string()];
    for p in ports {
        args.extend(["-d".into(), format!("tcp.port=={p},sip")]);
        args.extend(["-d".into(), format!("udp.port=={p},sip")]);
    }
    args.extend(
        [
            "-Y",
            "sip",
            "-T",
            "fields",
            "-E",
            "separator=|",
            "-e",
            "sip.Method",
            "-e",
            "sip.Status-Code",
            "-e",
            "sip.Call-ID",
            "-e",
            "tcp.srcport",
            "-e",
            "udp.srcport",
            "-e",
            "tcp.dstport",
            "-e",
            "udp.dstport",
        ]
        .map(String::from),
    );
    let out = Command::new("tshark")
        .args(&args)
        .output()
        .expect("tshark (scripts/install-deps.sh installs it)");
    assert!(
        out.status.success(),
        "tshark: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('|').collect();
            let either = |a: &str, b: &str| {
                if a.is_empty() {
                    b.to_string()
                } else {
                    a.to_string()
                }
            };
            (
                f[0].to_string(),
                f[1].to_string(),
                f[2].to_string(),
                either(f[3], f[4]),
                either(f[5], f[6]),
            )
        })
        .collect()
}

#[test]
fn register_query_unregister_are_captured_over_udp_tcp_and_tls() {
    let pki = Pki::new("sipreg test CA");
    let cert = pki.server(&["localhost"]);
    let kam = Kamailio::start(KamailioOptions {
        tcp: true,
        tls: Some(KamTls {
            cert_chain_pem: cert.cert_pem,
            key_pem: cert.key_pem,
        }),
        ..KamailioOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.write_ca(dir.path(), "ca.pem");
    let ca = ca.to_str().unwrap();
    let tls = format!("sips:127.0.0.1:{}", kam.tls_port());
    for (name, registrar, extra, port) in [
        ("udp", kam.registrar_uri(), vec![], kam.port()),
        ("tcp", kam.registrar_uri_tcp(), vec![], kam.port()),
        (
            "tls",
            tls,
            vec!["--ca-file", ca, "--tls-server-name", "localhost"],
            kam.tls_port(),
        ),
    ] {
        let mut calls = Vec::new();
        for command in [
            vec!["register", AOR, "--once"],
            vec!["query", AOR],
            vec!["unregister", AOR, "--all"],
        ] {
            let file = dir.path().join(format!("{name}-{}.pcap", command[0]));
            let mut args = command.clone();
            args.extend(["-r", &registrar, "--pcap", file.to_str().unwrap()]);
            args.extend(extra.iter());
            let r = sipreg(&args);
            assert_eq!(
                r.code,
                0,
                "{name} {command:?}: {}\n{}",
                r.stderr,
                kam.stderr_log()
            );
            let sip = sip_in(&file, &[port]);
            assert!(
                !sip.is_empty(),
                "{name} {command:?}: nothing in the capture"
            );
            // Requests are REGISTERs, answers 401 then 200, all of one Call-ID.
            let methods: Vec<&str> = sip
                .iter()
                .map(|m| m.0.as_str())
                .filter(|m| !m.is_empty())
                .collect();
            assert!(
                methods.iter().all(|m| *m == "REGISTER"),
                "{name}: {methods:?}"
            );
            let statuses: Vec<&str> = sip
                .iter()
                .map(|m| m.1.as_str())
                .filter(|s| !s.is_empty())
                .collect();
            assert_eq!(
                statuses.first(),
                Some(&"401"),
                "{name} {command:?}: {statuses:?}"
            );
            assert_eq!(
                statuses.last(),
                Some(&"200"),
                "{name} {command:?}: {statuses:?}"
            );
            let call_ids: std::collections::BTreeSet<&str> =
                sip.iter().map(|m| m.2.as_str()).collect();
            assert_eq!(call_ids.len(), 1, "{name} {command:?}: {call_ids:?}");
            // The registrar's real port on every message, one way or the other.
            let kport = port.to_string();
            assert!(
                sip.iter().all(|m| m.3 == kport || m.4 == kport),
                "{name}: {sip:?}"
            );
            calls.extend(call_ids.into_iter().map(str::to_string));
        }
        assert_eq!(calls.len(), 3, "{name}: {calls:?}");
    }
}

#[test]
fn a_capture_file_that_cannot_be_written_is_a_usage_error() {
    let r = sipreg(&[
        "query",
        AOR,
        "-r",
        "sip:127.0.0.1:9",
        "--pcap",
        "/nonexistent-dir/x.pcap",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--pcap /nonexistent-dir/x.pcap"),
        "{}",
        r.stderr
    );
}

/// Bulk mode writes its capture too: every AOR's exchange, one Call-ID each.
#[test]
fn a_bulk_run_is_captured() {
    let users = (1..=5)
        .map(|n| (format!("bench{n:04}"), format!("pw{n:04}")))
        .collect();
    let kam = Kamailio::start(KamailioOptions {
        users,
        ..KamailioOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bulk.pcap");
    let out = assert_cmd::Command::cargo_bin("sipreg")
        .unwrap()
        .args([
            "bulk",
            "register",
            "--once",
            "--aor",
            "sip:bench{n:04}@sipreg.test",
        ])
        .args(["--count", "5", "--password-template", "pw{n:04}"])
        .args(["-r", &kam.registrar_uri(), "--pcap", file.to_str().unwrap()])
        .env_remove("SIPREG_PASSWORD")
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sip = sip_in(&file, &[kam.port()]);
    let call_ids: std::collections::BTreeSet<&str> = sip.iter().map(|m| m.2.as_str()).collect();
    assert_eq!(call_ids.len(), 5, "{sip:?}");
    let ok = sip.iter().filter(|m| m.1 == "200").count();
    assert_eq!(ok, 5, "{sip:?}");
}

/// The chunks of one HEPv3 packet, by type (vendor 0), read as the format says:
/// "HEP3", a 16-bit total length, then vendor, type, length (with its 6 bytes) and
/// value, over and over.
fn hep_chunks(packet: &[u8]) -> std::collections::HashMap<u16, Vec<u8>> {
    assert_eq!(&packet[..4], b"HEP3");
    let total = usize::from(u16::from_be_bytes([packet[4], packet[5]]));
    assert_eq!(total, packet.len());
    let mut chunks = std::collections::HashMap::new();
    let mut at = 6;
    while at < total {
        let vendor = u16::from_be_bytes([packet[at], packet[at + 1]]);
        let kind = u16::from_be_bytes([packet[at + 2], packet[at + 3]]);
        let len = usize::from(u16::from_be_bytes([packet[at + 4], packet[at + 5]]));
        assert_eq!(vendor, 0);
        assert!(
            len >= 6 && at + len <= total,
            "chunk {kind} of {len} at {at}"
        );
        chunks.insert(kind, packet[at + 6..at + len].to_vec());
        at += len;
    }
    chunks
}

/// `--hep`: each message as a HEPv3 packet to a collector (a socket of the test).
#[test]
fn hep_packets_carry_each_message_with_its_addresses() {
    let kam = Kamailio::start(KamailioOptions::default());
    let collector = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    collector
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let hep = collector.local_addr().unwrap().to_string();
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &kam.registrar_uri(),
        "--hep",
        &hep,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut seen = Vec::new();
    let mut buf = vec![0u8; 65_536];
    // REGISTER, 401, REGISTER, 200.
    while seen.len() < 4 {
        let n = collector.recv(&mut buf).expect("four HEP packets");
        seen.push(hep_chunks(&buf[..n]));
    }
    let kport = kam.port().to_be_bytes().to_vec();
    for (i, chunks) in seen.iter().enumerate() {
        assert_eq!(chunks[&0x0001], [2], "IPv4");
        assert_eq!(chunks[&0x0002], [17], "UDP");
        assert_eq!(chunks[&0x0003], [127, 0, 0, 1]);
        assert_eq!(chunks[&0x000b], [1], "SIP");
        let payload = String::from_utf8_lossy(&chunks[&0x000f]);
        let (first, port) = match i % 2 {
            0 => ("REGISTER ", &chunks[&0x0008]),
            _ => ("SIP/2.0 ", &chunks[&0x0007]),
        };
        assert!(payload.starts_with(first), "{i}: {payload}");
        assert_eq!(*port, kport, "{i}: the registrar's port");
        assert_eq!(chunks[&0x0009].len(), 4);
    }
}
