//! The digest state one registration keeps for its whole life: the nonce
//! cached per realm, its nonce count, and which realms were challenged within
//! the current attempt (to tell a rejected password from a stale nonce).

use rand::RngCore;

use super::challenge::{select, Challenge, ChallengeKind, Chosen};
use super::digest::{self, to_hex, Algorithm, DigestInput, Key, Qop};
use super::error::AuthError;
use super::ha1::Ha1;
use super::header;

/// How many `stale=true` challenges for one realm are answered within one
/// attempt. A server that keeps calling fresh nonces stale is broken (or its
/// clock is); without a bound the client would loop forever.
const MAX_STALE_PER_ATTEMPT: u8 = 3;

/// Bytes of randomness in a cnonce; 128 bits cannot be guessed or repeat.
const CNONCE_BYTES: usize = 16;

/// Who we authenticate as.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub username: String,
    pub secret: Secret,
}

/// The password, or an HA1 in one of the forms [`Ha1::parse`] accepts.
#[derive(Clone)]
pub enum Secret {
    Password(String),
    Ha1(String),
}

impl Secret {
    /// Checks an HA1 before any request is sent, so a typo is a usage error
    /// rather than a failed login. A password is always valid.
    pub fn check(&self) -> Result<(), AuthError> {
        match self {
            Secret::Password(_) => Ok(()),
            Secret::Ha1(text) => Ha1::parse(text).map(|_| ()).map_err(AuthError::from),
        }
    }
}

/// Redacted: this is the only place a secret could reach a log, and every
/// other Debug implementation in the crate goes through it.
impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The secret in the form the computation takes.
enum ParsedSecret<'a> {
    Password(&'a str),
    Ha1(Ha1),
}

impl ParsedSecret<'_> {
    fn key(&self) -> Key<'_> {
        match self {
            ParsedSecret::Password(password) => Key::Password(password),
            ParsedSecret::Ha1(ha1) => Key::Ha1(ha1),
        }
    }
}

fn parse_secret(secret: &Secret) -> Result<ParsedSecret<'_>, AuthError> {
    match secret {
        Secret::Password(password) => Ok(ParsedSecret::Password(password)),
        Secret::Ha1(text) => Ok(ParsedSecret::Ha1(Ha1::parse(text)?)),
    }
}

/// What we answer for one (kind, realm), kept across attempts so that a
/// refresh can authenticate without waiting for a new challenge.
#[derive(Debug)]
struct Answer {
    kind: ChallengeKind,
    realm: String,
    nonce: String,
    opaque: Option<String>,
    algorithm: Algorithm,
    qop: Option<Qop>,
    /// The last nonce count sent with this nonce; 0 before the first use.
    nc: u32,
    /// For `-sess`: the cnonce the session H(A1) was derived with. RFC 2617
    /// §3.2.2.2 has the server compute that H(A1) once per nonce, so every
    /// later request with the nonce must carry the same cnonce.
    sess_cnonce: Option<String>,
}

/// A realm challenged within the current attempt.
#[derive(Debug)]
struct Challenged {
    kind: ChallengeKind,
    realm: String,
    stale_answers: u8,
}

/// Digest authentication for one registration; see the module docs.
#[derive(Debug)]
pub struct Authenticator {
    credentials: Option<Credentials>,
    realm_filter: Option<String>,
    answers: Vec<Answer>,
    attempt: Vec<Challenged>,
}

impl Authenticator {
    /// `realm_filter` (`--realm`): answer only challenges for this realm.
    pub fn new(credentials: Option<Credentials>, realm_filter: Option<String>) -> Self {
        Authenticator {
            credentials,
            realm_filter,
            answers: Vec::new(),
            attempt: Vec::new(),
        }
    }

    /// Supplies credentials later, e.g. after prompting on the terminal when
    /// [`AuthError::NoCredentials`] came back; then call
    /// [`on_challenge`](Self::on_challenge) again with the same challenges.
    pub fn set_credentials(&mut self, credentials: Credentials) {
        self.credentials = Some(credentials);
    }

    /// Whether credentials are configured (to decide whether to prompt).
    pub fn has_credentials(&self) -> bool {
        self.credentials.is_some()
    }

    /// Takes challenges another client of the same population received, to answer them
    /// before being challenged. `nonce_uses` is how many requests the population has
    /// already sent with each nonce: the nonce count continues from there (RFC 7616
    /// §3.4: nc counts the requests sent with one nonce), so that a registrar that
    /// checks nc sees it rise.
    pub fn prime(&mut self, challenges: &[Challenge], nonce_uses: u32) -> Result<(), AuthError> {
        self.on_challenge(challenges)?;
        // Priming is not being challenged within this attempt.
        self.attempt.clear();
        for answer in &mut self.answers {
            if challenges.iter().any(|c| c.nonce == answer.nonce) {
                answer.nc = answer.nc.max(nonce_uses);
            }
        }
        Ok(())
    }

    /// A new logical request begins (first REGISTER, a refresh, an unregister): forget which
    /// challenges were answered within the previous attempt. Cached nonces are kept.
    pub fn begin_attempt(&mut self) {
        self.attempt.clear();
    }

    /// A 401/407 arrived: record the chosen challenges.
    ///
    /// Nothing changes when this returns an error, so the caller may fix the
    /// cause (e.g. [`set_credentials`](Self::set_credentials)) and call again.
    /// A preemptive answer with a cached nonce does not count as answering a
    /// challenge: the first challenge of each attempt is always taken, since
    /// many registrars send a new nonce on refresh without `stale=true`.
    pub fn on_challenge(&mut self, challenges: &[Challenge]) -> Result<(), AuthError> {
        if challenges.is_empty() {
            return Err(AuthError::NoChallenge);
        }
        let offered: Vec<&Challenge> = match &self.realm_filter {
            Some(wanted) => {
                let kept: Vec<&Challenge> =
                    challenges.iter().filter(|c| &c.realm == wanted).collect();
                if kept.is_empty() {
                    return Err(AuthError::RealmNotAllowed {
                        offered: distinct_realms(challenges),
                        wanted: wanted.clone(),
                    });
                }
                kept
            }
            None => challenges.iter().collect(),
        };

        let computable = select(offered.iter().copied(), |_| true);
        let Some(first) = computable.chosen.first() else {
            return Err(AuthError::NoSupportedAlgorithm {
                offered: computable.skipped,
            });
        };
        let Some(credentials) = &self.credentials else {
            return Err(AuthError::NoCredentials {
                realm: first.challenge.realm.clone(),
            });
        };
        let chosen = match parse_secret(&credentials.secret)? {
            ParsedSecret::Password(_) => computable.chosen,
            ParsedSecret::Ha1(ha1) => {
                let served = select(offered.iter().copied(), |a| ha1.serves(a)).chosen;
                if served.is_empty() {
                    return Err(AuthError::Ha1Mismatch {
                        realm: first.challenge.realm.clone(),
                        ha1: ha1.hash().as_str(),
                        offered: supported_algorithms(&offered),
                    });
                }
                served
            }
        };

        // Check every realm before changing anything, so an error leaves the
        // state as it was.
        for c in &chosen {
            if let Some(seen) = self.challenged(&c.challenge.kind, &c.challenge.realm) {
                if !c.challenge.stale || seen.stale_answers >= MAX_STALE_PER_ATTEMPT {
                    return Err(AuthError::Rejected {
                        realm: c.challenge.realm.clone(),
                    });
                }
            }
        }
        // Only the realms of this challenge are answered from now on (of its kind: a
        // 401 after a 407 keeps the proxy's answer), so cached realms cannot pile up.
        self.answers.retain(|a| {
            let same_kind = || chosen.iter().filter(|c| c.challenge.kind == a.kind);
            same_kind().next().is_none() || same_kind().any(|c| c.challenge.realm == a.realm)
        });
        for c in &chosen {
            self.record(c);
        }
        Ok(())
    }

    /// Header lines for the request about to be sent: ("Authorization" | "Proxy-Authorization", value).
    /// Uses the cached nonce per realm with nc rising by one per use of the same nonce (nc restarts at 1 for a new nonce),
    /// a fresh cnonce (16 random bytes, hex) for each request when qop is used; echoes opaque and algorithm;
    /// uri = the Request-URI passed in. Returns empty when nothing was ever challenged.
    ///
    /// With a `-sess` algorithm the cnonce is instead kept for the life of
    /// the nonce (see `Answer::sess_cnonce`), and it is sent even without
    /// qop, since the server needs it to derive H(A1).
    pub fn authorize(
        &mut self,
        method: &str,
        request_uri: &str,
        body: &[u8],
        rng: &mut dyn RngCore,
    ) -> Vec<(&'static str, String)> {
        let Some(credentials) = &self.credentials else {
            return Vec::new();
        };
        // on_challenge validated the secret; if it was replaced by one that
        // does not parse, there is nothing we can answer with.
        let Ok(secret) = parse_secret(&credentials.secret) else {
            return Vec::new();
        };

        let mut lines = Vec::with_capacity(self.answers.len());
        for answer in &mut self.answers {
            let nc = answer.nc.saturating_add(1);
            let cnonce = if answer.algorithm.is_sess() {
                Some(
                    answer
                        .sess_cnonce
                        .get_or_insert_with(|| new_cnonce(rng))
                        .clone(),
                )
            } else if answer.qop.is_some() {
                Some(new_cnonce(rng))
            } else {
                None
            };
            let input = DigestInput {
                algorithm: answer.algorithm,
                username: &credentials.username,
                realm: &answer.realm,
                nonce: &answer.nonce,
                cnonce: cnonce.as_deref().unwrap_or(""),
                nc,
                qop: answer.qop,
                method,
                uri: request_uri,
                body,
            };
            // None only if new credentials hold an HA1 of another hash.
            let Some(response) = digest::response(&input, secret.key()) else {
                continue;
            };
            answer.nc = nc;
            let value = header::format(&header::DigestAnswer {
                username: &credentials.username,
                realm: &answer.realm,
                nonce: &answer.nonce,
                uri: request_uri,
                response: &response,
                algorithm: answer.algorithm,
                cnonce: cnonce.as_deref(),
                opaque: answer.opaque.as_deref(),
                qop: answer.qop.map(|qop| (qop, nc)),
            });
            lines.push((answer.kind.answer_header(), value));
        }
        lines
    }

    /// Realms currently answered, for messages like "credentials rejected for realm X".
    pub fn realms(&self) -> Vec<String> {
        let mut realms: Vec<String> = Vec::new();
        for answer in &self.answers {
            if !realms.contains(&answer.realm) {
                realms.push(answer.realm.clone());
            }
        }
        realms
    }

    fn challenged(&self, kind: &ChallengeKind, realm: &str) -> Option<&Challenged> {
        self.attempt
            .iter()
            .find(|c| c.kind == *kind && c.realm == realm)
    }

    fn record(&mut self, chosen: &Chosen<'_>) {
        let challenge = chosen.challenge;
        let key =
            |kind: &ChallengeKind, realm: &str| *kind == challenge.kind && realm == challenge.realm;

        match self.attempt.iter_mut().find(|c| key(&c.kind, &c.realm)) {
            Some(seen) => seen.stale_answers = seen.stale_answers.saturating_add(1),
            None => self.attempt.push(Challenged {
                kind: challenge.kind.clone(),
                realm: challenge.realm.clone(),
                stale_answers: 0,
            }),
        }

        let fresh = Answer {
            kind: challenge.kind.clone(),
            realm: challenge.realm.clone(),
            nonce: challenge.nonce.clone(),
            opaque: challenge.opaque.clone(),
            algorithm: chosen.algorithm,
            qop: chosen.qop,
            nc: 0,
            sess_cnonce: None,
        };
        match self.answers.iter_mut().find(|a| key(&a.kind, &a.realm)) {
            // The same nonce again (a new attempt re-challenging with it):
            // the server has seen our counts, so they must keep rising.
            Some(old) if old.nonce == fresh.nonce && old.algorithm == fresh.algorithm => {
                old.opaque = fresh.opaque;
                old.qop = fresh.qop;
            }
            Some(old) => *old = fresh,
            None => self.answers.push(fresh),
        }
    }
}

fn new_cnonce(rng: &mut dyn RngCore) -> String {
    let mut bytes = [0u8; CNONCE_BYTES];
    rng.fill_bytes(&mut bytes);
    to_hex(&bytes)
}

fn distinct_realms(challenges: &[Challenge]) -> Vec<String> {
    let mut realms: Vec<String> = Vec::new();
    for challenge in challenges {
        if !realms.contains(&challenge.realm) {
            realms.push(challenge.realm.clone());
        }
    }
    realms
}

/// The canonical names of the offered algorithms we could compute with a
/// password, for telling the user which HA1 would have worked.
fn supported_algorithms(offered: &[&Challenge]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for algorithm in offered.iter().filter_map(|c| c.supported_algorithm()) {
        let name = algorithm.as_str().to_owned();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::mock::StepRng;

    // The user, realm, password and nonce of scripts/digest-vectors.py, so a
    // whole header can be checked against its independently computed values.
    const USER: &str = "alice";
    const REALM: &str = "sipreg.test";
    const PASSWORD: &str = "s\u{eb}cret pass";
    const NONCE: &str = "5f2b8c0e-sipreg-nonce";
    const MD5_HA1: &str = "febaa6bf009a66b0487088cb52779ee2";
    const URI: &str = "sip:sipreg.test";

    fn rng() -> StepRng {
        StepRng::new(0x0123_4567_89ab_cdef, 0x1111_1111_1111_1111)
    }

    fn with_password() -> Authenticator {
        Authenticator::new(Some(credentials(Secret::Password(PASSWORD.into()))), None)
    }

    fn credentials(secret: Secret) -> Credentials {
        Credentials {
            username: USER.into(),
            secret,
        }
    }

    fn challenge(realm: &str, algorithm: &str, qop: &[&str]) -> Challenge {
        Challenge {
            kind: ChallengeKind::Www,
            realm: realm.into(),
            nonce: NONCE.into(),
            opaque: None,
            algorithm: algorithm.into(),
            qop: qop.iter().map(|q| (*q).to_owned()).collect(),
            stale: false,
            domain: None,
        }
    }

    fn with_nonce(mut c: Challenge, nonce: &str, stale: bool) -> Challenge {
        c.nonce = nonce.into();
        c.stale = stale;
        c
    }

    fn register(auth: &mut Authenticator) -> Vec<(&'static str, String)> {
        auth.authorize("REGISTER", URI, b"", &mut rng())
    }

    /// The value of `name=` in a header value; test inputs hold no ", ".
    fn param(value: &str, name: &str) -> Option<String> {
        let rest = value.strip_prefix("Digest ")?;
        rest.split(", ").find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k == name).then(|| v.trim_matches('"').to_owned())
        })
    }

    fn only_value(lines: &[(&'static str, String)]) -> String {
        assert_eq!(lines.len(), 1, "{lines:?}");
        lines.first().map(|(_, v)| v.clone()).unwrap_or_default()
    }

    #[test]
    fn nothing_challenged_means_no_headers() {
        let mut auth = with_password();
        assert!(register(&mut auth).is_empty());
        assert!(auth.realms().is_empty());
    }

    #[test]
    fn rfc2069_answer_matches_the_independent_vector_exactly() {
        let mut auth = with_password();
        auth.on_challenge(&[challenge(REALM, "MD5", &[])])
            .expect("answerable");
        let lines = register(&mut auth);
        assert_eq!(
            lines,
            [(
                "Authorization",
                "Digest username=\"alice\", realm=\"sipreg.test\", nonce=\"5f2b8c0e-sipreg-nonce\", \
                 uri=\"sip:sipreg.test\", response=\"1b1f1795100e1b972a1e4a8a3b5e5582\", algorithm=MD5"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn qop_answer_has_all_fields_and_a_correct_response() {
        let mut auth = with_password();
        let mut c = challenge(REALM, "md5", &["auth", "auth-int"]);
        c.opaque = Some("op\"aque".into());
        auth.on_challenge(&[c]).expect("answerable");
        let value = only_value(&register(&mut auth));

        let cnonce = param(&value, "cnonce").unwrap_or_default();
        assert_eq!(cnonce.len(), 32, "16 random bytes in hex: {value}");
        assert!(cnonce.bytes().all(|b| b.is_ascii_hexdigit()));
        let expected = digest::response(
            &DigestInput {
                algorithm: Algorithm::Md5,
                username: USER,
                realm: REALM,
                nonce: NONCE,
                cnonce: &cnonce,
                nc: 1,
                qop: Some(Qop::Auth),
                method: "REGISTER",
                uri: URI,
                body: b"",
            },
            Key::Password(PASSWORD),
        )
        .unwrap_or_default();
        assert_eq!(
            value,
            format!(
                "Digest username=\"alice\", realm=\"sipreg.test\", nonce=\"{NONCE}\", \
                 uri=\"sip:sipreg.test\", response=\"{expected}\", algorithm=MD5, \
                 cnonce=\"{cnonce}\", opaque=\"op\\\"aque\", qop=auth, nc=00000001"
            )
        );
    }

    #[test]
    fn auth_int_is_used_when_it_is_the_only_qop() {
        let mut auth = with_password();
        auth.on_challenge(&[challenge(REALM, "SHA-256", &["auth-int"])])
            .expect("answerable");
        let value = only_value(&register(&mut auth));
        assert_eq!(param(&value, "qop").as_deref(), Some("auth-int"));
        let cnonce = param(&value, "cnonce").unwrap_or_default();
        let expected = digest::response(
            &DigestInput {
                algorithm: Algorithm::Sha256,
                username: USER,
                realm: REALM,
                nonce: NONCE,
                cnonce: &cnonce,
                nc: 1,
                qop: Some(Qop::AuthInt),
                method: "REGISTER",
                uri: URI,
                body: b"",
            },
            Key::Password(PASSWORD),
        );
        assert_eq!(param(&value, "response"), expected);
    }

    #[test]
    fn strongest_supported_algorithm_wins_over_unsupported_ones_listed_first() {
        let mut auth = with_password();
        auth.on_challenge(&[
            challenge(REALM, "AKAv1-MD5", &["auth"]),
            challenge(REALM, "MD5", &["auth"]),
            challenge(REALM, "SHA-512-256", &["auth"]),
            challenge(REALM, "SHA-256", &["auth"]),
        ])
        .expect("answerable");
        let value = only_value(&register(&mut auth));
        assert_eq!(param(&value, "algorithm").as_deref(), Some("SHA-512-256"));
        assert_eq!(param(&value, "response").map(|r| r.len()), Some(64));
    }

    #[test]
    fn only_unsupported_algorithms_is_an_error_listing_them() {
        let mut auth = with_password();
        let err = auth
            .on_challenge(&[
                challenge(REALM, "AKAv1-MD5", &[]),
                challenge(REALM, "SHA-1", &[]),
            ])
            .expect_err("nothing computable");
        assert_eq!(
            err,
            AuthError::NoSupportedAlgorithm {
                offered: vec!["AKAv1-MD5".into(), "SHA-1".into()]
            }
        );
        assert!(err.to_string().contains("AKAv1-MD5, SHA-1"), "{err}");
    }

    #[test]
    fn empty_challenge_list_is_an_error() {
        assert_eq!(
            with_password().on_challenge(&[]),
            Err(AuthError::NoChallenge)
        );
    }

    #[test]
    fn realm_filter_answers_only_that_realm() {
        let mut auth = Authenticator::new(
            Some(credentials(Secret::Password(PASSWORD.into()))),
            Some("b".into()),
        );
        auth.on_challenge(&[challenge("a", "MD5", &[]), challenge("b", "MD5", &[])])
            .expect("b is offered");
        assert_eq!(auth.realms(), ["b"]);
        let value = only_value(&register(&mut auth));
        assert_eq!(param(&value, "realm").as_deref(), Some("b"));
    }

    #[test]
    fn realm_filter_without_match_is_an_error_naming_both() {
        let mut auth = Authenticator::new(
            Some(credentials(Secret::Password(PASSWORD.into()))),
            Some("z".into()),
        );
        let err = auth
            .on_challenge(&[
                challenge("a", "MD5", &[]),
                challenge("b", "MD5", &[]),
                challenge("a", "SHA-256", &[]),
            ])
            .expect_err("realms do not match");
        assert_eq!(
            err,
            AuthError::RealmNotAllowed {
                offered: vec!["a".into(), "b".into()],
                wanted: "z".into()
            }
        );
        assert!(register(&mut auth).is_empty());
    }

    #[test]
    fn no_credentials_then_set_credentials_and_retry() {
        let mut auth = Authenticator::new(None, None);
        assert!(!auth.has_credentials());
        let offered = [challenge(REALM, "MD5", &[])];
        assert_eq!(
            auth.on_challenge(&offered),
            Err(AuthError::NoCredentials {
                realm: REALM.into()
            })
        );
        // The failed call must not count as having answered the realm.
        auth.set_credentials(credentials(Secret::Password(PASSWORD.into())));
        assert!(auth.has_credentials());
        auth.on_challenge(&offered).expect("now answerable");
        assert_eq!(register(&mut auth).len(), 1);
    }

    #[test]
    fn nc_rises_per_use_of_a_nonce_and_restarts_for_a_new_one() {
        let mut auth = with_password();
        let c = challenge(REALM, "MD5", &["auth"]);
        auth.on_challenge(std::slice::from_ref(&c))
            .expect("answerable");
        let mut rng = rng();
        let first = only_value(&auth.authorize("REGISTER", URI, b"", &mut rng));
        let second = only_value(&auth.authorize("REGISTER", URI, b"", &mut rng));
        assert_eq!(param(&first, "nc").as_deref(), Some("00000001"));
        assert_eq!(param(&second, "nc").as_deref(), Some("00000002"));
        // Non-sess: a fresh cnonce per request.
        assert_ne!(param(&first, "cnonce"), param(&second, "cnonce"));

        auth.on_challenge(&[with_nonce(c, "another", true)])
            .expect("stale is answered");
        let third = only_value(&register(&mut auth));
        assert_eq!(param(&third, "nonce").as_deref(), Some("another"));
        assert_eq!(param(&third, "nc").as_deref(), Some("00000001"));
    }

    #[test]
    fn primed_nonce_continues_the_population_count_and_is_not_an_answered_challenge() {
        let mut auth = with_password();
        let c = challenge(REALM, "MD5", &["auth"]);
        auth.prime(std::slice::from_ref(&c), 41)
            .expect("answerable");
        let first = only_value(&register(&mut auth));
        assert_eq!(param(&first, "nonce").as_deref(), Some(NONCE));
        assert_eq!(param(&first, "nc").as_deref(), Some("0000002a"));
        // The registrar refuses the primed nonce and challenges anew: that is the
        // first challenge of this attempt, so it is answered, not taken as a refusal.
        auth.on_challenge(&[with_nonce(c, "fresh", false)])
            .expect("the first real challenge is answered");
        let second = only_value(&register(&mut auth));
        assert_eq!(param(&second, "nonce").as_deref(), Some("fresh"));
        assert_eq!(param(&second, "nc").as_deref(), Some("00000001"));
    }

    #[test]
    fn sess_keeps_its_cnonce_for_the_nonce_and_sends_it_even_without_qop() {
        let mut auth = with_password();
        auth.on_challenge(&[challenge(REALM, "MD5-sess", &[])])
            .expect("answerable");
        let mut rng = rng();
        let first = only_value(&auth.authorize("REGISTER", URI, b"", &mut rng));
        let second = only_value(&auth.authorize("REGISTER", URI, b"", &mut rng));
        assert!(param(&first, "cnonce").is_some(), "{first}");
        assert_eq!(param(&first, "cnonce"), param(&second, "cnonce"));
        assert_eq!(param(&first, "qop"), None);
        assert_eq!(param(&first, "nc"), None);
        assert_eq!(param(&first, "algorithm").as_deref(), Some("MD5-sess"));
    }

    #[test]
    fn repeated_non_stale_challenge_is_rejected_and_changes_nothing() {
        let mut auth = with_password();
        let c = challenge(REALM, "MD5", &[]);
        auth.on_challenge(std::slice::from_ref(&c))
            .expect("answerable");
        let before = register(&mut auth);
        let err = auth
            .on_challenge(&[with_nonce(c, "new", false)])
            .expect_err("wrong password");
        assert_eq!(
            err,
            AuthError::Rejected {
                realm: REALM.into()
            }
        );
        assert_eq!(register(&mut auth), before, "old nonce still cached");
    }

    #[test]
    fn stale_repeats_are_bounded_within_one_attempt() {
        let mut auth = with_password();
        let c = challenge(REALM, "MD5", &[]);
        auth.on_challenge(std::slice::from_ref(&c)).expect("first");
        for i in 0..MAX_STALE_PER_ATTEMPT {
            auth.on_challenge(&[with_nonce(c.clone(), &format!("n{i}"), true)])
                .expect("stale answered");
        }
        assert_eq!(
            auth.on_challenge(&[with_nonce(c.clone(), "one-too-many", true)]),
            Err(AuthError::Rejected {
                realm: REALM.into()
            })
        );
        // A new attempt starts the count again.
        auth.begin_attempt();
        auth.on_challenge(&[with_nonce(c, "fresh", true)])
            .expect("new attempt");
    }

    #[test]
    fn begin_attempt_lets_a_fresh_challenge_after_success_be_answered() {
        let mut auth = with_password();
        let c = challenge(REALM, "MD5", &["auth"]);
        auth.on_challenge(std::slice::from_ref(&c)).expect("first");
        register(&mut auth); // 200 OK

        // The refresh goes out preemptively with the cached nonce...
        auth.begin_attempt();
        let refresh = only_value(&register(&mut auth));
        assert_eq!(param(&refresh, "nc").as_deref(), Some("00000002"));

        // ...and the registrar wants a new nonce without saying stale=true.
        auth.on_challenge(&[with_nonce(c.clone(), "refresh-nonce", false)])
            .expect("first challenge of the new attempt");
        let value = only_value(&register(&mut auth));
        assert_eq!(param(&value, "nonce").as_deref(), Some("refresh-nonce"));
        assert_eq!(param(&value, "nc").as_deref(), Some("00000001"));

        // Without begin_attempt the same thing is a rejection.
        assert!(matches!(
            auth.on_challenge(&[with_nonce(c, "again", false)]),
            Err(AuthError::Rejected { .. })
        ));
    }

    #[test]
    fn same_nonce_in_a_new_attempt_keeps_counting() {
        let mut auth = with_password();
        let c = challenge(REALM, "MD5", &["auth"]);
        auth.on_challenge(std::slice::from_ref(&c)).expect("first");
        register(&mut auth);
        auth.begin_attempt();
        auth.on_challenge(&[c]).expect("new attempt");
        let value = only_value(&register(&mut auth));
        assert_eq!(param(&value, "nc").as_deref(), Some("00000002"));
    }

    #[test]
    fn proxy_and_registrar_realms_are_answered_together() {
        let mut auth = with_password();
        let mut proxy = challenge("proxy.test", "MD5", &[]);
        proxy.kind = ChallengeKind::Proxy;
        auth.on_challenge(&[proxy]).expect("407");
        auth.on_challenge(&[challenge(REALM, "SHA-256", &[])])
            .expect("401 for another realm in the same attempt");
        let names: Vec<_> = register(&mut auth).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["Proxy-Authorization", "Authorization"]);
        assert_eq!(auth.realms(), ["proxy.test", REALM]);
    }

    #[test]
    fn ha1_answers_like_the_password() {
        let mut by_password = with_password();
        let mut by_ha1 = Authenticator::new(Some(credentials(Secret::Ha1(MD5_HA1.into()))), None);
        let offered = [challenge(REALM, "MD5", &[])];
        by_password.on_challenge(&offered).expect("password");
        by_ha1.on_challenge(&offered).expect("ha1");
        assert_eq!(register(&mut by_ha1), register(&mut by_password));
    }

    #[test]
    fn ha1_picks_an_algorithm_of_its_hash_and_reports_a_mismatch() {
        let mut auth = Authenticator::new(Some(credentials(Secret::Ha1(MD5_HA1.into()))), None);
        auth.on_challenge(&[
            challenge(REALM, "SHA-256", &["auth"]),
            challenge(REALM, "MD5", &["auth"]),
        ])
        .expect("MD5 is offered too");
        let value = only_value(&register(&mut auth));
        assert_eq!(param(&value, "algorithm").as_deref(), Some("MD5"));

        let mut auth = Authenticator::new(Some(credentials(Secret::Ha1(MD5_HA1.into()))), None);
        let err = auth
            .on_challenge(&[
                challenge(REALM, "SHA-256", &["auth"]),
                challenge(REALM, "sha-512-256-SESS", &["auth"]),
            ])
            .expect_err("an MD5 HA1 cannot answer SHA");
        assert_eq!(
            err,
            AuthError::Ha1Mismatch {
                realm: REALM.into(),
                ha1: "MD5",
                offered: vec!["SHA-256".into(), "SHA-512-256-sess".into()]
            }
        );
    }

    #[test]
    fn invalid_ha1_is_reported_before_and_during_challenges() {
        let secret = Secret::Ha1("not-hex".into());
        assert!(matches!(secret.check(), Err(AuthError::InvalidHa1(_))));
        assert_eq!(Secret::Password(String::new()).check(), Ok(()));
        let mut auth = Authenticator::new(Some(credentials(secret)), None);
        assert!(matches!(
            auth.on_challenge(&[challenge(REALM, "MD5", &[])]),
            Err(AuthError::InvalidHa1(_))
        ));
    }

    #[test]
    fn no_secret_appears_in_any_debug_display_or_error() {
        let mut shown = Vec::new();
        for secret in [
            Secret::Password(PASSWORD.into()),
            Secret::Ha1(MD5_HA1.into()),
        ] {
            let creds = credentials(secret.clone());
            shown.push(format!("{secret:?} {creds:?} {creds:#?}"));
            let mut auth = Authenticator::new(Some(creds), None);
            let c = challenge(REALM, "MD5-sess", &["auth"]);
            auth.on_challenge(std::slice::from_ref(&c))
                .expect("answerable");
            shown.push(format!("{:?}", register(&mut auth)));
            shown.push(format!("{auth:?} {auth:#?}"));
            let errors = [
                auth.on_challenge(std::slice::from_ref(&c)),
                auth.on_challenge(&[challenge(REALM, "SHA-256", &[])]),
                auth.on_challenge(&[challenge(REALM, "foo", &[])]),
                auth.on_challenge(&[]),
            ];
            for err in errors.into_iter().filter_map(Result::err) {
                shown.push(format!("{err} {err:?}"));
            }
        }
        let mut filtered = Authenticator::new(
            Some(credentials(Secret::Password(PASSWORD.into()))),
            Some("x".into()),
        );
        if let Err(err) = filtered.on_challenge(&[challenge(REALM, "MD5", &[])]) {
            shown.push(format!("{err} {err:?}"));
        }
        let bad_ha1 = Secret::Ha1(format!("{MD5_HA1}00"));
        if let Err(err) = bad_ha1.check() {
            shown.push(format!("{err} {err:?} {bad_ha1:?}"));
        }
        let ha1 = Ha1::parse(MD5_HA1).expect("valid");
        shown.push(format!("{ha1:?} {:?}", Key::Ha1(&ha1)));

        assert!(shown.len() >= 10, "every kind of output was produced");
        for text in &shown {
            assert!(!text.contains(PASSWORD), "password leaked: {text}");
            assert!(!text.contains(MD5_HA1), "HA1 leaked: {text}");
            assert!(!text.contains("cret pass"), "password leaked: {text}");
        }
    }
}
