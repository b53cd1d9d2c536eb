//! What the network layer is told about DNS and TLS.

use crate::cli::SharedArgs;
use crate::core::TransportKind;
use crate::error::Result;
use crate::net::{is_secure, DnsSettings, TlsSettings};

/// What `--insecure` costs, said whenever it takes effect.
pub const INSECURE_WARNING: &str = "--insecure: the server's TLS certificate is NOT verified; anyone on the path can impersonate the registrar";

/// `--dns-server`, or the system's resolver configuration.
pub fn dns_settings(shared: &SharedArgs) -> Result<DnsSettings> {
    DnsSettings::from_arg(shared.dns_server.as_deref())
}

/// `--ca-file` and `--insecure`.
pub fn tls_settings(shared: &SharedArgs) -> TlsSettings {
    TlsSettings {
        ca_file: shared.ca_file.clone(),
        insecure: shared.insecure,
        server_name: shared.tls_server_name.clone(),
        client_auth: shared.cert.clone().zip(shared.key.clone()),
    }
}

/// The warning to print when `--insecure` applies to one of the transports used:
/// over plain UDP or TCP there is no certificate to skip, so nothing is said.
pub fn insecure_warning(
    tls: &TlsSettings,
    transports: impl IntoIterator<Item = TransportKind>,
) -> Option<&'static str> {
    (tls.insecure && transports.into_iter().any(is_secure)).then_some(INSECURE_WARNING)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insecure_warns_only_over_tls() {
        let insecure = TlsSettings {
            ca_file: None,
            insecure: true,
            server_name: None,
            client_auth: None,
        };
        assert_eq!(insecure_warning(&insecure, [TransportKind::Udp]), None);
        assert_eq!(
            insecure_warning(&insecure, [TransportKind::Udp, TransportKind::Wss]),
            Some(INSECURE_WARNING)
        );
        let verified = TlsSettings::default();
        assert_eq!(insecure_warning(&verified, [TransportKind::Tls]), None);
    }

    #[test]
    fn dns_and_tls_come_from_their_flags() {
        let shared = super::super::shared_args(&[
            "--dns-server",
            "127.0.0.1:5353",
            "--ca-file",
            "/tmp/ca.pem",
            "--insecure",
        ]);
        assert_eq!(
            dns_settings(&shared).unwrap().server,
            Some("127.0.0.1:5353".parse().unwrap())
        );
        let tls = tls_settings(&shared);
        assert!(tls.insecure);
        assert_eq!(
            tls.ca_file.as_deref(),
            Some(std::path::Path::new("/tmp/ca.pem"))
        );
        let bad = super::super::shared_args(&["--dns-server", "dns.example"]);
        assert!(matches!(dns_settings(&bad), Err(crate::Error::Usage(_))));
    }
}
