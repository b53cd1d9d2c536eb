//! TLS for `tls` and `wss`: rustls with the ring provider, the system's roots plus
//! an optional private CA, SNI and name checking on the host the user asked for (or
//! the name `--tls-server-name` gives), and a verifier that checks nothing for
//! `--insecure`.

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
    /// `--tls-server-name`: the name the certificate must carry, sent as SNI,
    /// whatever address the registrar's URI leads to.
    pub server_name: Option<String>,
    /// `--cert` and `--key`: a client certificate chain and its key (mutual TLS).
    pub client_auth: Option<(PathBuf, PathBuf)>,
}

impl TlsSettings {
    /// The client configuration. Reads the trust store, so it is built only when a
    /// TLS target is actually used.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Usage(format!("TLS set-up failed: {e}")))?;
        let builder = if self.insecure {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(NoVerification { provider }))
        } else {
            builder.with_root_certificates(self.roots()?)
        };
        let config = match &self.client_auth {
            None => builder.with_no_client_auth(),
            Some((cert, key)) => {
                let (chain, key_der) = client_identity(cert, key)?;
                builder.with_client_auth_cert(chain, key_der).map_err(|e| {
                    Error::Usage(format!(
                        "--cert {} and --key {} do not go together: {e}",
                        cert.display(),
                        key.display()
                    ))
                })?
            }
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

/// The name the certificate must carry, also sent as SNI (not for addresses): the
/// `--tls-server-name` given, else the target's host.
pub fn server_name(host: &Host, given: Option<&str>) -> Result<ServerName<'static>> {
    if let Some(name) = given {
        return parse_server_name(name).map_err(|e| Error::Usage(format!("--tls-server-name {e}")));
    }
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

/// A host name or IP address a certificate can carry (`--tls-server-name`).
pub fn parse_server_name(name: &str) -> std::result::Result<ServerName<'static>, String> {
    let bare = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    ServerName::try_from(bare.to_string())
        .map_err(|_| format!("{name:?}: not a host name or IP address a TLS certificate can carry"))
}

/// The name as the user reads it: `pbx.example.com`, `192.0.2.1`.
fn name_text(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(d) => d.as_ref().to_string(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    }
}

/// A name as webpki lists the certificate's names (`DnsName("pbx.example.com")`,
/// `IpAddress(192.0.2.1)`), without the wrapping.
fn presented_name(listed: &str) -> &str {
    for prefix in ["DnsName(", "IpAddress(", "UniformResourceIdentifier("] {
        if let Some(inner) = listed
            .strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(')'))
        {
            return inner.trim_matches('"');
        }
    }
    listed
}

/// The certificate chain of `--cert` and the key of `--key`, read as PEM. The key
/// file must be readable by its owner alone, as ssh asks of its keys.
fn client_identity(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> Result<(
    Vec<CertificateDer<'static>>,
    rustls::pki_types::PrivateKeyDer<'static>,
)> {
    use std::os::unix::fs::PermissionsExt;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect())
        .map_err(|e| Error::Usage(format!("--cert {}: {e}", cert.display())))?;
    if chain.is_empty() {
        return Err(Error::Usage(format!(
            "--cert {}: no CERTIFICATE block in it; give the PEM chain from the leaf up",
            cert.display()
        )));
    }
    let mode = std::fs::metadata(key)
        .map_err(|e| Error::Usage(format!("--key {}: {e}", key.display())))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(Error::Usage(format!(
            "--key {}: others can read it (mode {:o}): chmod 600 {}",
            key.display(),
            mode & 0o777,
            key.display()
        )));
    }
    let key_der = rustls::pki_types::PrivateKeyDer::from_pem_file(key).map_err(|e| {
        Error::Usage(format!(
            "--key {}: no usable private key ({e})",
            key.display()
        ))
    })?;
    Ok((chain, key_der))
}

/// Why a TLS handshake failed, in words a user can act on. `checked` is the name
/// the certificate was checked against. `certificate` tells a verification failure
/// (not worth trying another server: they share the cause) from a network one.
pub fn explain_handshake_error(error: &std::io::Error, checked: &ServerName<'_>) -> (String, bool) {
    let Some(tls) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    else {
        return (error.to_string(), false);
    };
    match tls {
        rustls::Error::InvalidCertificate(c) => (explain_certificate(c, checked), true),
        rustls::Error::AlertReceived(alert) => (explain_alert(*alert), false),
        other => (other.to_string(), false),
    }
}

/// A fatal alert from the registrar during or right after the handshake. A registrar
/// that wants a client certificate says so with `certificate_required` (TLS 1.3) or
/// a bare `handshake_failure` (TLS 1.2).
pub fn explain_alert(alert: rustls::AlertDescription) -> String {
    use rustls::AlertDescription as A;
    match alert {
        A::CertificateRequired => "the registrar asks for a client certificate (mutual TLS): \
             give --cert FILE --key FILE"
            .into(),
        A::HandshakeFailure => "the server refused the handshake (HandshakeFailure); if it \
             authenticates clients by certificate, give --cert FILE --key FILE"
            .into(),
        A::BadCertificate | A::UnknownCA | A::CertificateUnknown | A::AccessDenied => {
            format!("the registrar refused our client certificate ({alert:?})")
        }
        other => format!("the server refused the handshake ({other:?})"),
    }
}

/// The registrar's certificate was refused: what is wrong with it and what to do.
fn explain_certificate(certificate: &CertificateError, checked: &ServerName<'_>) -> String {
    let name = name_text(checked);
    match certificate {
        CertificateError::UnknownIssuer => "the certificate is not signed by a trusted authority (unknown issuer): \
             add its CA with --ca-file PEM"
            .to_string(),
        CertificateError::NotValidForName => format!(
            "the certificate is not valid for {name} (name mismatch): connect by a name it carries, \
             or give that name with --tls-server-name NAME"
        ),
        CertificateError::NotValidForNameContext { presented, .. } => {
            let names: Vec<&str> = presented.iter().map(|n| presented_name(n)).collect();
            let carries = if names.is_empty() {
                "it carries no names (no subjectAltName)".to_string()
            } else {
                format!("it is for {}", names.join(", "))
            };
            format!(
                "the certificate is not valid for {name} (name mismatch; {carries}): connect by a \
                 name it carries, or give that name with --tls-server-name NAME"
            )
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            "the certificate has expired (or the clock here is wrong)".to_string()
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "the certificate is not valid yet (or the clock here is wrong)".to_string()
        }
        CertificateError::Revoked => "the certificate has been revoked".to_string(),
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            "the certificate is not for TLS servers (its extended key usage lacks serverAuth)"
                .to_string()
        }
        CertificateError::Other(other) => {
            let inner: &(dyn std::error::Error + 'static) = &*other.0;
            match inner.downcast_ref::<webpki::Error>() {
                Some(webpki::Error::CaUsedAsEndEntity) => {
                    "the registrar's certificate is a CA certificate used as a server certificate \
                     (basicConstraints CA:TRUE, as `openssl req -x509` makes by default): make a \
                     leaf certificate with basicConstraints=CA:FALSE and a subjectAltName for the \
                     registrar, signed by that CA, give the CA to sipreg with --ca-file PEM and serve the leaf; or, for a test only, \
                     --insecure"
                        .to_string()
                }
                Some(webpki::Error::EndEntityUsedAsCa) => {
                    "the registrar's certificate chain has a server certificate where a CA \
                     should be (basicConstraints CA:FALSE on an issuer)"
                        .to_string()
                }
                _ => format!("the certificate was rejected: {other}"),
            }
        }
        other => format!("the certificate was rejected: {other}"),
    }
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

    fn explain(e: CertificateError, checked: &str) -> (String, bool) {
        let name = parse_server_name(checked).unwrap();
        explain_handshake_error(&io(rustls::Error::InvalidCertificate(e)), &name)
    }

    #[test]
    fn certificate_failures_are_explained() {
        let (why, cert) = explain(CertificateError::UnknownIssuer, "pbx.example.com");
        assert!(
            cert && why.contains("unknown issuer") && why.contains("--ca-file"),
            "{why}"
        );
        let (why, _) = explain(CertificateError::NotValidForName, "pbx.example.com");
        assert!(
            why.contains("name mismatch")
                && why.contains("pbx.example.com")
                && why.contains("--tls-server-name"),
            "{why}"
        );
        let (why, _) = explain(CertificateError::Expired, "pbx.example.com");
        assert!(why.contains("expired"), "{why}");
        let (why, _) = explain(CertificateError::NotValidYet, "pbx.example.com");
        assert!(why.contains("not valid yet"), "{why}");
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        let name = parse_server_name("pbx.example.com").unwrap();
        assert!(!explain_handshake_error(&reset, &name).1);
    }

    #[test]
    fn a_name_mismatch_says_which_name_was_checked_and_which_it_carries() {
        let (why, cert) = explain(
            CertificateError::NotValidForNameContext {
                expected: parse_server_name("192.0.2.1").unwrap(),
                presented: vec![
                    "DnsName(\"pbx.example.com\")".into(),
                    "IpAddress(198.51.100.7)".into(),
                ],
            },
            "192.0.2.1",
        );
        assert!(cert, "{why}");
        assert!(
            why.contains("not valid for 192.0.2.1")
                && why.contains("it is for pbx.example.com, 198.51.100.7"),
            "{why}"
        );
        assert!(!why.contains("DnsName"), "{why}");
    }

    #[test]
    fn a_ca_used_as_a_server_certificate_is_explained_not_debug_printed() {
        let other = rustls::OtherError(std::sync::Arc::new(webpki::Error::CaUsedAsEndEntity));
        let (why, cert) = explain(CertificateError::Other(other), "pbx.example.com");
        assert!(cert, "{why}");
        assert!(
            why.contains("CA certificate used as a server certificate")
                && why.contains("CA:FALSE")
                && why.contains("--ca-file"),
            "{why}"
        );
        assert!(
            !why.contains("OtherError") && !why.contains("CaUsedAsEndEntity"),
            "{why}"
        );
        // Another error rustls passes on as "other": its text, not a Debug dump.
        let other =
            rustls::OtherError(std::sync::Arc::new(webpki::Error::MaximumPathDepthExceeded));
        let (why, _) = explain(CertificateError::Other(other), "pbx.example.com");
        assert!(why.starts_with("the certificate was rejected: "), "{why}");
        assert!(!why.contains("Other("), "{why}");
    }

    #[test]
    fn missing_or_empty_ca_file_is_a_usage_error() {
        let missing = TlsSettings {
            ca_file: Some("/nonexistent/ca.pem".into()),
            ..TlsSettings::default()
        };
        assert!(matches!(missing.client_config(), Err(Error::Usage(_))));
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "no PEM here\n").unwrap();
        let settings = TlsSettings {
            ca_file: Some(empty),
            ..TlsSettings::default()
        };
        let err = settings.client_config().unwrap_err();
        assert!(err.to_string().contains("no certificate"), "{err}");
    }

    #[test]
    fn server_names_for_names_and_addresses() {
        assert!(matches!(
            server_name(&Host::Name("pbx.example.com".into()), None),
            Ok(ServerName::DnsName(_))
        ));
        assert!(matches!(
            server_name(&Host::V6("::1".parse().unwrap()), None),
            Ok(ServerName::IpAddress(_))
        ));
    }

    #[test]
    fn a_given_server_name_wins_over_the_host() {
        let host = Host::V4("192.0.2.1".parse().unwrap());
        let name = server_name(&host, Some("pbx.example.com")).unwrap();
        assert_eq!(name_text(&name), "pbx.example.com");
        let name = server_name(&host, Some("[2001:db8::1]")).unwrap();
        assert_eq!(name_text(&name), "2001:db8::1");
        assert!(matches!(
            server_name(&host, Some("not a name")),
            Err(Error::Usage(_))
        ));
    }
}
