//! TLS for `tls` and `wss`: rustls with the ring provider, the system's roots plus
//! an optional private CA, SNI and name checking on the host the user asked for, and
//! a verifier that checks nothing for `--insecure`.

use crate::error::{Error, Result};
use crate::sip::Host;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::path::PathBuf;
use std::sync::Arc;

/// What the command line says about TLS.
#[derive(Debug, Clone, Default)]
pub struct TlsSettings {
    /// `--ca-file`: trusted besides the system's roots.
    pub ca_file: Option<PathBuf>,
    /// `--insecure`: no certificate verification at all.
    pub insecure: bool,
}

impl TlsSettings {
    /// The client configuration. Reads the trust store, so it is built only when a
    /// TLS target is actually used.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Usage(format!("TLS set-up failed: {e}")))?;
        let config = if self.insecure {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(NoVerification { provider }))
                .with_no_client_auth()
        } else {
            builder
                .with_root_certificates(self.roots()?)
                .with_no_client_auth()
        };
        Ok(Arc::new(config))
    }

    fn roots(&self) -> Result<RootCertStore> {
        let mut roots = RootCertStore::empty();
        // A broken file among the system's certificates is no reason not to trust
        // the good ones; an empty store just fails the handshake with "unknown issuer".
        let system = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(system.certs);
        if let Some(path) = &self.ca_file {
            let bad = |reason: String| {
                Error::Usage(format!(
                    "--ca-file {}: {reason}; give a PEM file with one or more CERTIFICATE blocks",
                    path.display()
                ))
            };
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .map_err(|e| bad(e.to_string()))?
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| bad(e.to_string()))?;
            if certs.is_empty() {
                return Err(bad("no certificate in it".into()));
            }
            for cert in certs {
                roots
                    .add(cert)
                    .map_err(|e| bad(format!("not a usable CA certificate ({e})")))?;
            }
        }
        Ok(roots)
    }
}

/// The name the certificate must carry, also sent as SNI (not for addresses).
pub fn server_name(host: &Host) -> Result<ServerName<'static>> {
    match host {
        Host::Name(name) => ServerName::try_from(name.clone()).map_err(|_| {
            Error::Usage(format!(
                "{name:?} is not a host name a TLS certificate can carry"
            ))
        }),
        other => Ok(ServerName::IpAddress(
            other.ip().expect("an address host has an IP").into(),
        )),
    }
}

/// Why a TLS handshake failed, in words a user can act on. `certificate` tells a
/// verification failure (not worth trying another server: they share the cause)
/// from a network one.
pub fn explain_handshake_error(error: &std::io::Error, host: &Host) -> (String, bool) {
    let Some(tls) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    else {
        return (error.to_string(), false);
    };
    let certificate = match tls {
        rustls::Error::InvalidCertificate(c) => c,
        rustls::Error::AlertReceived(alert) => {
            return (
                format!("the server refused the handshake ({alert:?})"),
                false,
            )
        }
        other => return (other.to_string(), false),
    };
    let reason = match certificate {
        CertificateError::UnknownIssuer => "the certificate is not signed by a trusted authority (unknown issuer): add its CA with --ca-file PEM".to_string(),
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            format!("the certificate is not valid for {host} (name mismatch)")
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            "the certificate has expired".to_string()
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "the certificate is not valid yet".to_string()
        }
        CertificateError::Revoked => "the certificate has been revoked".to_string(),
        other => format!("the certificate was rejected: {other:?}"),
    };
    (reason, true)
}

/// `--insecure`: accepts any certificate for any name. Handshake signatures are
/// still checked, so the peer must at least hold the key of what it presents.
#[derive(Debug)]
struct NoVerification {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io(e: rustls::Error) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidData, e)
    }

    #[test]
    fn certificate_failures_are_explained() {
        let host = Host::Name("pbx.example.com".into());
        let (why, cert) = explain_handshake_error(
            &io(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer,
            )),
            &host,
        );
        assert!(
            cert && why.contains("unknown issuer") && why.contains("--ca-file"),
            "{why}"
        );
        let (why, _) = explain_handshake_error(
            &io(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName,
            )),
            &host,
        );
        assert!(
            why.contains("name mismatch") && why.contains("pbx.example.com"),
            "{why}"
        );
        let (why, _) = explain_handshake_error(
            &io(rustls::Error::InvalidCertificate(CertificateError::Expired)),
            &host,
        );
        assert!(why.contains("expired"), "{why}");
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(!explain_handshake_error(&reset, &host).1);
    }

    #[test]
    fn missing_or_empty_ca_file_is_a_usage_error() {
        let missing = TlsSettings {
            ca_file: Some("/nonexistent/ca.pem".into()),
            insecure: false,
        };
        assert!(matches!(missing.client_config(), Err(Error::Usage(_))));
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "no PEM here\n").unwrap();
        let settings = TlsSettings {
            ca_file: Some(empty),
            insecure: false,
        };
        let err = settings.client_config().unwrap_err();
        assert!(err.to_string().contains("no certificate"), "{err}");
    }

    #[test]
    fn server_names_for_names_and_addresses() {
        assert!(matches!(
            server_name(&Host::Name("pbx.example.com".into())),
            Ok(ServerName::DnsName(_))
        ));
        assert!(matches!(
            server_name(&Host::V6("::1".parse().unwrap())),
            Ok(ServerName::IpAddress(_))
        ));
    }
}
