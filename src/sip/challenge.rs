//! WWW-Authenticate / Proxy-Authenticate values into the auth module's `Challenge`.

use crate::auth::{Challenge, ChallengeKind};
use bytes::Bytes;
use ezk_sip_types::header::typed::{AuthChallenge, AuthParam};
use ezk_sip_types::header::HeaderParse;

/// Reads one challenge. Err carries a short description of what was skipped (another
/// scheme, or a Digest challenge without realm or nonce), for `-v` output.
pub(super) fn parse_challenge(value: &str, kind: ChallengeKind) -> Result<Challenge, String> {
    let value = value.trim();
    let src = Bytes::copy_from_slice(value.as_bytes());
    let text = std::str::from_utf8(&src).map_err(|_| "non-UTF-8 challenge".to_string())?;
    let scheme = text.split_whitespace().next().unwrap_or_default();
    let unreadable = || format!("unreadable challenge: {}", first_chars(value));
    let (_, parsed) = AuthChallenge::parse(&src, text).map_err(|_| unreadable())?;
    match parsed {
        AuthChallenge::Digest(d) => Ok(Challenge {
            kind,
            realm: d.realm.to_string(),
            nonce: d.nonce.to_string(),
            opaque: d.opaque.map(|o| o.to_string()),
            algorithm: d.algorithm.to_string(),
            qop: d.qop.iter().map(|q| q.to_string()).collect(),
            stale: d.stale,
            domain: d.domain.map(|o| o.to_string()),
        }),
        // ezk only recognises the scheme spelled "Digest"; the scheme token is
        // case-insensitive (RFC 7235 §2.1), so other spellings are read here.
        AuthChallenge::Other(auth) if auth.scheme.eq_ignore_ascii_case("digest") => {
            from_params(&auth.params, kind).ok_or_else(unreadable)
        }
        AuthChallenge::Other(_) => Err(format!("{scheme} challenge (not Digest)")),
    }
}

fn from_params(params: &[AuthParam], kind: ChallengeKind) -> Option<Challenge> {
    let get = |name: &str| {
        params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .map(|p| p.value.to_string())
    };
    Some(Challenge {
        kind,
        realm: get("realm")?,
        nonce: get("nonce")?,
        opaque: get("opaque"),
        algorithm: get("algorithm").unwrap_or_else(|| "MD5".to_string()),
        qop: get("qop")
            .map(|q| q.split(',').map(|s| s.trim().to_string()).collect())
            .unwrap_or_default(),
        stale: get("stale").is_some_and(|s| s.eq_ignore_ascii_case("true")),
        domain: get("domain"),
    })
}

fn first_chars(s: &str) -> String {
    s.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn www(v: &str) -> Challenge {
        parse_challenge(v, ChallengeKind::Www).unwrap()
    }

    #[test]
    fn sha256_with_qop_list() {
        let c = www(
            r#"Digest realm="sipreg.test", nonce="abc", algorithm=SHA-256, qop="auth,auth-int", opaque="op""#,
        );
        assert_eq!(c.realm, "sipreg.test");
        assert_eq!(c.algorithm, "SHA-256");
        assert_eq!(c.qop, vec!["auth", "auth-int"]);
        assert_eq!(c.opaque.as_deref(), Some("op"));
        assert!(!c.stale);
    }

    #[test]
    fn avaya_domain_and_no_space_after_commas() {
        let c = www(
            r#"Digest realm="iptlab.com",domain="iptlab.com", nonce="MTIxNDIzMjQ0NTpTREZTZXJ2ZXJTZWNyZXRLZXk6NjI4Nzc4MzYx",algorithm=MD5"#,
        );
        assert_eq!(c.domain.as_deref(), Some("iptlab.com"));
        assert_eq!(c.algorithm, "MD5");
        assert!(c.qop.is_empty());
    }

    #[test]
    fn stale_and_lowercase_scheme() {
        let c = www(r#"digest realm="r", nonce="n2", stale=TRUE"#);
        assert!(c.stale);
        assert_eq!(c.algorithm, "MD5");
    }

    #[test]
    fn unsupported_schemes_and_missing_nonce_are_skipped() {
        assert!(parse_challenge(r#"Basic realm="x""#, ChallengeKind::Www).is_err());
        assert!(parse_challenge(r#"Digest realm="x""#, ChallengeKind::Www).is_err());
        assert!(parse_challenge("", ChallengeKind::Www).is_err());
    }
}
