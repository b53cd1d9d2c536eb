//! WWW-Authenticate / Proxy-Authenticate values into the auth module's `Challenge`.

use super::lexer::{param, quotes_balanced, split_outside_quotes};
use crate::auth::{Challenge, ChallengeKind};

/// Reads one challenge: `Digest` then comma-separated `name=value` parameters, values
/// tokens or quoted strings with `\"` escapes (RFC 7235 §2.1, RFC 3261 §25.1). Err
/// carries a short description of what was skipped (another scheme, an unreadable
/// challenge, a Digest challenge without realm or nonce), for `-v` output.
pub(super) fn parse_challenge(value: &str, kind: ChallengeKind) -> Result<Challenge, String> {
    let value = value.trim();
    let unreadable = || format!("unreadable challenge: {}", first_chars(value));
    let (scheme, rest) = value
        .split_once(|c: char| c.is_whitespace())
        .unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("digest") {
        return Err(format!("{} challenge (not Digest)", first_chars(scheme)));
    }
    if !quotes_balanced(rest) {
        return Err(unreadable());
    }
    let params = split_outside_quotes(rest, ',')
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .map(param)
        .collect::<Option<Vec<_>>>()
        .ok_or_else(unreadable)?;
    let get = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.clone())
    };
    Ok(Challenge {
        kind,
        realm: get("realm")
            .ok_or_else(|| format!("challenge without realm: {}", first_chars(value)))?,
        nonce: get("nonce")
            .ok_or_else(|| format!("challenge without nonce: {}", first_chars(value)))?,
        opaque: get("opaque"),
        algorithm: get("algorithm").unwrap_or_else(|| "MD5".to_string()),
        qop: get("qop")
            .map(|q| {
                q.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
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
        assert!(parse_challenge(r#"Digest realm="r", nonce="open"#, ChallengeKind::Www).is_err());
    }
}
