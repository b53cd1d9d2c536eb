//! Digest challenges as the message layer parsed them, and the choice of
//! which one to answer per realm.

use super::digest::{Algorithm, Qop};

/// Which header carried the challenge, and so which header answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChallengeKind {
    /// `WWW-Authenticate` in a 401, answered by `Authorization`.
    Www,
    /// `Proxy-Authenticate` in a 407, answered by `Proxy-Authorization`.
    Proxy,
}

impl ChallengeKind {
    /// The request header that carries the answer.
    pub fn answer_header(&self) -> &'static str {
        match self {
            ChallengeKind::Www => "Authorization",
            ChallengeKind::Proxy => "Proxy-Authorization",
        }
    }
}

/// One `Digest` challenge, with its parameters unquoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub kind: ChallengeKind,
    pub realm: String,
    pub nonce: String,
    pub opaque: Option<String>,
    /// The raw token as received; "MD5" when the header had none.
    pub algorithm: String,
    /// qop options as received, trimmed (e.g. `["auth", "auth-int"]`);
    /// empty means the RFC 2069 form without qop.
    pub qop: Vec<String>,
    pub stale: bool,
    pub domain: Option<String>,
}

/// The challenge picked for one realm and how it will be answered.
#[derive(Debug, Clone, Copy)]
pub struct Chosen<'a> {
    pub challenge: &'a Challenge,
    pub algorithm: Algorithm,
    /// `None`: the challenge offered no qop, answer in the RFC 2069 form.
    pub qop: Option<Qop>,
}

/// The result of [`select`]: what to answer and what had to be passed over.
#[derive(Debug, Clone, Default)]
pub struct Selection<'a> {
    /// One entry per (kind, realm) that has an answerable challenge, in the
    /// order the realms first appear.
    pub chosen: Vec<Chosen<'a>>,
    /// Each challenge we could not answer, described for an error message
    /// (e.g. `AKAv1-MD5`, `MD5 with qop="foo"`).
    pub skipped: Vec<String>,
}

/// Picks, per (kind, realm), the challenge to answer.
///
/// Among the challenges of one realm we take the strongest algorithm we can
/// compute (`can_answer` narrows it further, e.g. to what an HA1 serves);
/// between equal strengths the server's order wins, as RFC 7616 §3.7 asks
/// servers to list their preference first. Challenges we cannot answer are
/// skipped, not fatal, because servers commonly add AKA or SHA-1 variants
/// next to the MD5 one an ordinary client uses.
pub fn select<'a>(
    challenges: impl IntoIterator<Item = &'a Challenge>,
    can_answer: impl Fn(Algorithm) -> bool,
) -> Selection<'a> {
    let mut selection = Selection::default();
    // Realms that appeared, even if nothing in them was answerable, so that
    // `chosen` follows the order of first appearance.
    let mut best: Vec<(&ChallengeKind, &str, Option<Chosen<'a>>)> = Vec::new();

    for challenge in challenges {
        let candidate = match answerable(challenge) {
            Ok(candidate) if can_answer(candidate.algorithm) => Some(candidate),
            Ok(candidate) => {
                selection
                    .skipped
                    .push(candidate.algorithm.as_str().to_owned());
                None
            }
            Err(reason) => {
                selection.skipped.push(reason);
                None
            }
        };
        let slot = best
            .iter_mut()
            .find(|(kind, realm, _)| **kind == challenge.kind && *realm == challenge.realm);
        match (slot, candidate) {
            (None, candidate) => best.push((&challenge.kind, &challenge.realm, candidate)),
            (Some((_, _, current)), Some(candidate)) => {
                // Strictly stronger only, so the first of equals stays chosen.
                let stronger = match current {
                    Some(c) => candidate.algorithm.strength() > c.algorithm.strength(),
                    None => true,
                };
                if stronger {
                    *current = Some(candidate);
                }
            }
            (Some(_), None) => {}
        }
    }

    selection.chosen = best.into_iter().filter_map(|(_, _, c)| c).collect();
    if selection.chosen.len() > MAX_REALMS {
        selection.skipped.push(format!(
            "{} more realms (at most {MAX_REALMS} are answered)",
            selection.chosen.len() - MAX_REALMS
        ));
        selection.chosen.truncate(MAX_REALMS);
    }
    selection
}

/// Realms answered at most per challenge: a proxy and a registrar, or a few forked
/// branches, need a handful; a challenge with hundreds is an attack on our requests.
pub const MAX_REALMS: usize = 4;

/// Longest realm, nonce or opaque echoed back.
pub const MAX_FIELD: usize = 1024;

impl Challenge {
    /// The algorithm this challenge asks for, if we can compute it.
    ///
    /// Lenient where servers deviate harmlessly: a quoted token is read
    /// unquoted, and an empty one (a parser keeping `algorithm=` without a
    /// value) is MD5, the RFC 7616 §3.3 default.
    pub fn supported_algorithm(&self) -> Option<Algorithm> {
        let token = unquote(self.algorithm.trim());
        if token.is_empty() {
            Some(Algorithm::Md5)
        } else {
            Algorithm::parse(token)
        }
    }
}

/// Checks one challenge on its own; `Err` describes why it cannot be answered.
fn answerable(challenge: &Challenge) -> Result<Chosen<'_>, String> {
    let Some(algorithm) = challenge.supported_algorithm() else {
        return Err(printable(unquote(challenge.algorithm.trim())));
    };

    // RFC 2617 §3.2.2: a client answering with qop must use one the server
    // offered. `auth` is preferred: for a REGISTER, auth-int protects only an
    // empty body and some servers mishandle it.
    let offered: Vec<Option<Qop>> = challenge.qop.iter().map(|q| Qop::parse(q.trim())).collect();
    let qop = if offered.is_empty() {
        None
    } else if offered.contains(&Some(Qop::Auth)) {
        Some(Qop::Auth)
    } else if offered.contains(&Some(Qop::AuthInt)) {
        Some(Qop::AuthInt)
    } else {
        let list = challenge.qop.join(",");
        return Err(format!(
            "{} with qop=\"{}\"",
            algorithm.as_str(),
            printable(&list)
        ));
    };

    // The realm, nonce and opaque are echoed inside quoted strings; a line
    // break in one would end our header early (header injection), and RFC 3261
    // quoted strings cannot carry one, so such a challenge is malformed.
    let fields = [
        Some(challenge.realm.as_str()),
        Some(challenge.nonce.as_str()),
        challenge.opaque.as_deref(),
    ];
    if fields.into_iter().flatten().any(has_control) {
        return Err(format!(
            "{} with control characters in realm, nonce or opaque",
            algorithm.as_str()
        ));
    }
    // Each is echoed in every later request: a hostile registrar must not make them
    // grow past what a datagram can carry.
    if fields.into_iter().flatten().any(|f| f.len() > MAX_FIELD) {
        return Err(format!(
            "{} with a realm, nonce or opaque longer than {MAX_FIELD} bytes",
            algorithm.as_str()
        ));
    }

    Ok(Chosen {
        challenge,
        algorithm,
        qop,
    })
}

/// Some servers quote the algorithm token although the grammar does not.
fn unquote(token: &str) -> &str {
    token
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(token)
}

fn has_control(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && c != '\t')
}

/// A server-sent token made safe to show in a message: control characters
/// escaped and the length bounded, as it comes from the network.
fn printable(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    let mut out: String = text
        .chars()
        .take(MAX_CHARS)
        .flat_map(char::escape_default)
        .collect();
    if text.chars().nth(MAX_CHARS).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(realm: &str, algorithm: &str, qop: &[&str]) -> Challenge {
        Challenge {
            kind: ChallengeKind::Www,
            realm: realm.to_owned(),
            nonce: format!("nonce-{realm}-{algorithm}"),
            opaque: None,
            algorithm: algorithm.to_owned(),
            qop: qop.iter().map(|q| (*q).to_owned()).collect(),
            stale: false,
            domain: None,
        }
    }

    fn names(selection: &Selection<'_>) -> Vec<(String, &'static str, Option<Qop>)> {
        selection
            .chosen
            .iter()
            .map(|c| (c.challenge.realm.clone(), c.algorithm.as_str(), c.qop))
            .collect()
    }

    #[test]
    fn strongest_supported_wins_after_unsupported_ones() {
        let offered = [
            challenge("r", "AKAv1-MD5", &["auth"]),
            challenge("r", "SHA-1", &["auth"]),
            challenge("r", "MD5", &["auth"]),
            challenge("r", "SHA-512-256", &["auth"]),
            challenge("r", "sha-256", &["auth"]),
            challenge("r", "foo", &[]),
        ];
        let selection = select(&offered, |_| true);
        assert_eq!(
            names(&selection),
            [("r".to_owned(), "SHA-512-256", Some(Qop::Auth))]
        );
        assert_eq!(selection.skipped, ["AKAv1-MD5", "SHA-1", "foo"]);
    }

    #[test]
    fn equal_strength_keeps_the_servers_order() {
        let offered = [challenge("r", "MD5-sess", &[]), challenge("r", "MD5", &[])];
        let selection = select(&offered, |_| true);
        assert_eq!(names(&selection), [("r".to_owned(), "MD5-sess", None)]);
    }

    #[test]
    fn can_answer_narrows_the_choice() {
        let offered = [
            challenge("r", "SHA-256", &["auth"]),
            challenge("r", "MD5", &["auth"]),
        ];
        let selection = select(&offered, |a| a == Algorithm::Md5);
        assert_eq!(
            names(&selection),
            [("r".to_owned(), "MD5", Some(Qop::Auth))]
        );
        assert_eq!(selection.skipped, ["SHA-256"]);
    }

    #[test]
    fn one_choice_per_realm_and_kind_in_order_of_appearance() {
        let mut proxy = challenge("a", "MD5", &[]);
        proxy.kind = ChallengeKind::Proxy;
        let offered = [
            challenge("b", "MD5", &[]),
            challenge("a", "MD5", &[]),
            proxy,
            challenge("b", "SHA-256", &[]),
        ];
        let selection = select(&offered, |_| true);
        let realms: Vec<_> = selection
            .chosen
            .iter()
            .map(|c| {
                (
                    c.challenge.realm.as_str(),
                    c.challenge.kind.clone(),
                    c.algorithm,
                )
            })
            .collect();
        assert_eq!(
            realms,
            [
                ("b", ChallengeKind::Www, Algorithm::Sha256),
                ("a", ChallengeKind::Www, Algorithm::Md5),
                ("a", ChallengeKind::Proxy, Algorithm::Md5),
            ]
        );
    }

    #[test]
    fn qop_prefers_auth_and_falls_back_to_auth_int_or_rfc2069() {
        let cases: [(&[&str], Option<Qop>); 5] = [
            (&["auth", "auth-int"], Some(Qop::Auth)),
            (&["auth-int", "auth"], Some(Qop::Auth)),
            (&["auth-int"], Some(Qop::AuthInt)),
            (&[" AUTH "], Some(Qop::Auth)),
            (&[], None),
        ];
        for (qop, expected) in cases {
            let offered = [challenge("r", "MD5", qop)];
            let selection = select(&offered, |_| true);
            assert_eq!(
                selection.chosen.first().map(|c| c.qop),
                Some(expected),
                "{qop:?}"
            );
        }
    }

    #[test]
    fn unknown_qop_only_or_control_characters_are_skipped() {
        let mut injected = challenge("r", "MD5", &["auth"]);
        injected.nonce = "abc\r\nX-Evil: 1".to_owned();
        let offered = [challenge("r", "MD5", &["foo", "bar"]), injected];
        let selection = select(&offered, |_| true);
        assert!(selection.chosen.is_empty());
        assert_eq!(
            selection.skipped,
            [
                "MD5 with qop=\"foo,bar\"",
                "MD5 with control characters in realm, nonce or opaque"
            ]
        );
    }

    #[test]
    fn empty_or_quoted_algorithm_tokens_are_read_leniently() {
        let offered = [challenge("r", "", &[]), challenge("s", "\"SHA-256\"", &[])];
        let selection = select(&offered, |_| true);
        assert_eq!(
            names(&selection),
            [
                ("r".to_owned(), "MD5", None),
                ("s".to_owned(), "SHA-256", None)
            ]
        );
    }

    #[test]
    fn hostile_tokens_are_escaped_and_bounded_in_descriptions() {
        let long = "x".repeat(500);
        let offered = [
            challenge("r", "bad\u{1b}[31m", &[]),
            challenge("r", &long, &[]),
        ];
        let selection = select(&offered, |_| true);
        assert_eq!(
            selection.skipped.first().map(String::as_str),
            Some("bad\\u{1b}[31m")
        );
        assert!(selection
            .skipped
            .get(1)
            .is_some_and(|s| s.chars().count() == 41));
    }

    #[test]
    fn answer_header_names() {
        assert_eq!(ChallengeKind::Www.answer_header(), "Authorization");
        assert_eq!(ChallengeKind::Proxy.answer_header(), "Proxy-Authorization");
    }
}
