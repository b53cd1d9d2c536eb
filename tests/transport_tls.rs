//! SIP over TLS against Kamailio's tls module, with a private CA made by the test:
//! the certificate is checked against `--ca-file` and the registrar's host name;
//! an unknown issuer, a wrong name and an expired certificate each fail with exit
//! 1 and say why; `--insecure` skips the checks, loudly. A CA certificate served as
//! the server's is explained in plain words; `--tls-server-name` checks the
//! certificate against a name while connecting to an address.

mod support;
mod transport_common;

use support::kamailio::{KamTls, Kamailio, KamailioOptions};
use transport_common::certs::{Pki, ServerCert};
use transport_common::{register_query_unregister, sipreg, AOR};

fn kamailio_tls(cert: ServerCert) -> Kamailio {
    Kamailio::start(KamailioOptions {
        tls: Some(KamTls {
            cert_chain_pem: cert.cert_pem,
            key_pem: cert.key_pem,
        }),
        ..KamailioOptions::default()
    })
}

#[test]
fn tls_register_query_unregister_checks_name_and_issuer() {
    let pki = Pki::new("sipreg test CA");
    // Valid for the name only: connecting by address must fail the name check.
    let kam = kamailio_tls(pki.server(&["localhost"]));
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.write_ca(dir.path(), "ca.pem");
    let ca = ca.to_str().unwrap();

    let by_name = kam.registrar_uri_tls("localhost");
    let ours = register_query_unregister(&["-r", &by_name, "--ca-file", ca], || kam.stderr_log());
    assert!(ours.ends_with(";transport=tls"), "{ours}");

    // sips: selects TLS by itself; -t tls too.
    let sips = format!("sips:localhost:{}", kam.tls_port());
    register_query_unregister(&["-r", &sips, "--ca-file", ca], || kam.stderr_log());
    let plain = format!("sip:localhost:{}", kam.tls_port());
    register_query_unregister(&["-r", &plain, "-t", "tls", "--ca-file", ca], || {
        kam.stderr_log()
    });

    // The right CA, the wrong name.
    let by_address = kam.registrar_uri_tls("127.0.0.1");
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &by_address,
        "--ca-file",
        ca,
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("name mismatch"), "{}", r.stderr);

    // Another CA: the issuer is unknown (the system's roots do not know it either).
    let other = Pki::new("some other CA");
    let other_ca = other.write_ca(dir.path(), "other.pem");
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &by_name,
        "--ca-file",
        other_ca.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("unknown issuer"), "{}", r.stderr);
    assert!(r.stderr.contains("--ca-file"), "{}", r.stderr);

    // --insecure gets through anyway, and warns.
    let r = sipreg(&["register", AOR, "--once", "-r", &by_address, "--insecure"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("warning: --insecure"), "{}", r.stderr);
}

#[test]
fn expired_certificate_fails_with_exit_1() {
    let pki = Pki::new("sipreg test CA");
    let kam = kamailio_tls(pki.expired_server(&["localhost", "127.0.0.1"]));
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.write_ca(dir.path(), "ca.pem");
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &kam.registrar_uri_tls("127.0.0.1"),
        "--ca-file",
        ca.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("expired"), "{}", r.stderr);
}

#[test]
fn unreadable_ca_file_is_a_usage_error() {
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        "sips:127.0.0.1:5061",
        "--ca-file",
        "/nonexistent/ca.pem",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--ca-file"), "{}", r.stderr);
}

#[test]
fn a_ca_certificate_served_as_the_servers_is_explained() {
    // What `openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost` makes.
    let cert = Pki::self_signed_ca_as_server(&["localhost", "127.0.0.1"]);
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("self-signed.pem");
    std::fs::write(&ca, &cert.cert_pem).unwrap();
    let kam = kamailio_tls(cert);
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &kam.registrar_uri_tls("127.0.0.1"),
        "--ca-file",
        ca.to_str().unwrap(),
    ]);
    // As every other refused certificate: exit 1, one error line that says why.
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("is a CA certificate used as a server certificate"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("basicConstraints=CA:FALSE"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--ca-file"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("OtherError") && !r.stderr.contains("CaUsedAsEndEntity"),
        "{}",
        r.stderr
    );
}

#[test]
fn tls_server_name_checks_the_certificate_against_that_name() {
    let pki = Pki::new("sipreg test CA");
    let kam = kamailio_tls(pki.server(&["registrar.sipreg.test"]));
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.write_ca(dir.path(), "ca.pem");
    let ca = ca.to_str().unwrap();

    // By address, with the name the certificate carries: the whole round.
    let by_address = kam.registrar_uri_tls("127.0.0.1");
    let name = "registrar.sipreg.test";
    let with_name = [
        "-r",
        &by_address,
        "--ca-file",
        ca,
        "--tls-server-name",
        name,
    ];
    register_query_unregister(&with_name, || kam.stderr_log());
    // sips: with an address, the option before the command.
    let sips = format!("sips:127.0.0.1:{}", kam.tls_port());
    let r = sipreg(&[
        "--tls-server-name",
        name,
        "register",
        AOR,
        "--once",
        "-r",
        &sips,
        "--ca-file",
        ca,
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, kam.stderr_log());

    // Another name: refused, saying which name was checked and which it carries.
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &by_address,
        "--ca-file",
        ca,
        "--tls-server-name",
        "other.sipreg.test",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("not valid for other.sipreg.test"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("it is for registrar.sipreg.test"),
        "{}",
        r.stderr
    );
    // Without the option the address itself is checked.
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &by_address,
        "--ca-file",
        ca,
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("not valid for 127.0.0.1"), "{}", r.stderr);
}

#[test]
fn a_tls_server_name_no_certificate_can_carry_is_a_usage_error() {
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        "sips:127.0.0.1:5061",
        "--tls-server-name",
        "not a name",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--tls-server-name"), "{}", r.stderr);
}

/// Issue 14: mutual TLS. A Kamailio that requires a client certificate signed by the
/// test CA registers us with `--cert`/`--key`, refuses us without, and sipreg says
/// what is missing; a key file others can read is refused before connecting.
#[test]
fn a_client_certificate_opens_a_registrar_that_requires_one() {
    use std::os::unix::fs::PermissionsExt;
    let pki = Pki::new("sipreg test CA");
    let server = pki.server(&["localhost"]);
    let kam = Kamailio::start(KamailioOptions {
        tls: Some(KamTls {
            cert_chain_pem: server.cert_pem,
            key_pem: server.key_pem,
        }),
        tls_client_ca: Some(pki.ca_pem.clone()),
        ..KamailioOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.write_ca(dir.path(), "ca.pem");
    let client = pki.client("alice's phone");
    let cert = dir.path().join("client.pem");
    let key = dir.path().join("client.key");
    std::fs::write(&cert, &client.cert_pem).unwrap();
    std::fs::write(&key, &client.key_pem).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (ca, cert, key) = (
        ca.to_str().unwrap(),
        cert.to_str().unwrap(),
        key.to_str().unwrap(),
    );
    // By address, checked against the name: localhost would also lead to ::1, where
    // nothing listens, and the refusal would be that one's.
    let registrar = format!("sips:127.0.0.1:{}", kam.tls_port());
    let named = ["--tls-server-name", "localhost"];

    let with = [
        "-r",
        &registrar,
        "--ca-file",
        ca,
        "--cert",
        cert,
        "--key",
        key,
        named[0],
        named[1],
    ];
    register_query_unregister(&with, || kam.stderr_log());

    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &registrar,
        "--ca-file",
        ca,
        named[0],
        named[1],
    ]);
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("--cert FILE --key FILE"), "{}", r.stderr);

    std::fs::set_permissions(key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &registrar,
        "--ca-file",
        ca,
        "--cert",
        cert,
        "--key",
        key,
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("others can read it (mode 644)"),
        "{}",
        r.stderr
    );
    let r = sipreg(&["query", AOR, "-r", &registrar, "--cert", cert]);
    assert_eq!(r.code, 2, "--cert needs --key: {}", r.stderr);
}
