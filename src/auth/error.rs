//! Why authentication cannot go on, worded so the user knows what to fix.
//!
//! Realms and algorithm tokens come from the network, so they are shown
//! through `{:?}`: quoted, with control characters escaped. No variant holds
//! a password or an HA1.

use super::ha1::Ha1Error;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("the 401/407 response carried no Digest challenge to answer")]
    NoChallenge,

    #[error(
        "the registrar challenged for realm {realm:?} but no password was given \
         (set SIPREG_PASSWORD, --password-file, --password-stdin or --ha1)"
    )]
    NoCredentials { realm: String },

    #[error("--realm {wanted:?} does not match the challenged realm(s) {}", quoted(.offered))]
    RealmNotAllowed {
        offered: Vec<String>,
        wanted: String,
    },

    #[error(
        "the registrar offered only digest variants sipreg cannot compute ({}); \
         sipreg supports MD5, SHA-256 and SHA-512-256, each also as -sess, with qop auth, auth-int or none",
        .offered.join(", ")
    )]
    NoSupportedAlgorithm { offered: Vec<String> },

    #[error(
        "the --ha1 value is a {ha1} HA1, but realm {realm:?} offers only {}; \
         give the password instead, or an HA1 for one of those (prefix it, e.g. SHA-512-256:HEX)",
        .offered.join(", ")
    )]
    Ha1Mismatch {
        realm: String,
        ha1: &'static str,
        offered: Vec<String>,
    },

    #[error("not usable as an HA1: {0}")]
    InvalidHa1(#[from] Ha1Error),

    #[error("credentials rejected for realm {realm:?} (check the username, -u, and the password)")]
    Rejected { realm: String },
}

fn quoted(items: &[String]) -> String {
    let shown: Vec<String> = items.iter().map(|item| format!("{item:?}")).collect();
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_what_to_fix() {
        let cases = [
            (
                AuthError::Rejected {
                    realm: "example.com".into(),
                },
                "credentials rejected for realm \"example.com\" (check the username, -u, and the password)",
            ),
            (
                AuthError::NoCredentials { realm: "x".into() },
                "the registrar challenged for realm \"x\" but no password was given \
                 (set SIPREG_PASSWORD, --password-file, --password-stdin or --ha1)",
            ),
            (
                AuthError::RealmNotAllowed {
                    offered: vec!["b".into(), "c".into()],
                    wanted: "a".into(),
                },
                "--realm \"a\" does not match the challenged realm(s) \"b\", \"c\"",
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(error.to_string(), expected);
        }
    }

    #[test]
    fn network_text_is_escaped() {
        let error = AuthError::Rejected {
            realm: "evil\u{1b}[2J\r\n".into(),
        };
        let shown = error.to_string();
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\n'),
            "{shown}"
        );
    }
}
