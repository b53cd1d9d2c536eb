//! Pure digest computation (RFC 2617 §3.2.2, RFC 7616 §3.4, RFC 8760).
//!
//! No state and no randomness: every input, the cnonce included, is passed in,
//! so each function here is checked against published and independently
//! computed vectors.

use md5::Md5;
use sha2::{Digest, Sha256, Sha512_256};

use super::ha1::Ha1;

/// A digest algorithm as named in the `algorithm=` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Md5,
    Md5Sess,
    Sha256,
    Sha256Sess,
    Sha512_256,
    Sha512_256Sess,
}

/// The hash function underneath an [`Algorithm`]; an HA1 belongs to one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashFunction {
    Md5,
    Sha256,
    Sha512_256,
}

impl HashFunction {
    /// The algorithm token naming this hash without `-sess`.
    pub fn as_str(self) -> &'static str {
        match self {
            HashFunction::Md5 => "MD5",
            HashFunction::Sha256 => "SHA-256",
            HashFunction::Sha512_256 => "SHA-512-256",
        }
    }

    /// Hashes `parts` joined by `:` and returns lowercase hex.
    ///
    /// Feeding the parts one by one avoids building the joined string, which
    /// for H(A1) would be one more copy of the password in memory.
    pub(crate) fn hex_of(self, parts: &[&[u8]]) -> String {
        match self {
            HashFunction::Md5 => hash_parts::<Md5>(parts),
            HashFunction::Sha256 => hash_parts::<Sha256>(parts),
            HashFunction::Sha512_256 => hash_parts::<Sha512_256>(parts),
        }
    }

    /// Length of this hash in hex digits: how an HA1's length is checked.
    pub(crate) fn hex_len(self) -> usize {
        match self {
            HashFunction::Md5 => 32,
            HashFunction::Sha256 | HashFunction::Sha512_256 => 64,
        }
    }
}

fn hash_parts<D: Digest>(parts: &[&[u8]]) -> String {
    let mut hasher = D::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update(b":");
        }
        hasher.update(part);
    }
    to_hex(&hasher.finalize())
}

/// Lowercase hex, as RFC 7616 §3.4 requires for every hash in the exchange.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len().saturating_mul(2));
    for &b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

impl Algorithm {
    /// Every algorithm we can compute, for tests and help texts.
    pub const ALL: [Algorithm; 6] = [
        Algorithm::Md5,
        Algorithm::Md5Sess,
        Algorithm::Sha256,
        Algorithm::Sha256Sess,
        Algorithm::Sha512_256,
        Algorithm::Sha512_256Sess,
    ];

    /// Parses an `algorithm=` token; tokens compare case-insensitively
    /// (RFC 7616 §3.3). Anything else (`AKAv1-MD5`, `SHA-1`, …) is `None`.
    pub fn parse(token: &str) -> Option<Algorithm> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(token))
    }

    /// The canonical spelling, echoed back in the credentials.
    pub fn as_str(&self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
            Algorithm::Sha512_256 => "SHA-512-256",
            Algorithm::Sha512_256Sess => "SHA-512-256-sess",
        }
    }

    /// Preference among offered algorithms: higher is stronger. A `-sess`
    /// form adds nothing to the strength of its hash, so it ranks equal to
    /// its base and the server's order decides between the two.
    pub fn strength(&self) -> u8 {
        match self.hash() {
            HashFunction::Md5 => 1,
            HashFunction::Sha256 => 2,
            HashFunction::Sha512_256 => 3,
        }
    }

    /// Whether H(A1) also covers the nonce and cnonce (RFC 2617 §3.2.2.2).
    pub fn is_sess(&self) -> bool {
        matches!(
            self,
            Algorithm::Md5Sess | Algorithm::Sha256Sess | Algorithm::Sha512_256Sess
        )
    }

    /// The hash function this algorithm uses.
    pub fn hash(&self) -> HashFunction {
        match self {
            Algorithm::Md5 | Algorithm::Md5Sess => HashFunction::Md5,
            Algorithm::Sha256 | Algorithm::Sha256Sess => HashFunction::Sha256,
            Algorithm::Sha512_256 | Algorithm::Sha512_256Sess => HashFunction::Sha512_256,
        }
    }
}

/// Quality of protection: the `qop=` value used in the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qop {
    Auth,
    AuthInt,
}

impl Qop {
    /// Parses one qop option; case-insensitive, unknown options are `None`.
    pub fn parse(token: &str) -> Option<Qop> {
        if token.eq_ignore_ascii_case("auth") {
            Some(Qop::Auth)
        } else if token.eq_ignore_ascii_case("auth-int") {
            Some(Qop::AuthInt)
        } else {
            None
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Qop::Auth => "auth",
            Qop::AuthInt => "auth-int",
        }
    }
}

/// The secret that H(A1) is derived from.
#[derive(Clone, Copy)]
pub enum Key<'a> {
    Password(&'a str),
    Ha1(&'a Ha1),
}

impl std::fmt::Debug for Key<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Key::Password(_) => "Password(***)",
            Key::Ha1(_) => "Ha1(***)",
        })
    }
}

/// Everything besides the secret that goes into one `response=` value.
#[derive(Debug, Clone, Copy)]
pub struct DigestInput<'a> {
    pub algorithm: Algorithm,
    pub username: &'a str,
    pub realm: &'a str,
    pub nonce: &'a str,
    /// Used for `-sess` and whenever `qop` is set; ignored otherwise.
    pub cnonce: &'a str,
    /// The nonce count; only used when `qop` is set.
    pub nc: u32,
    /// `None` is the RFC 2069 form, answering a challenge without `qop`.
    pub qop: Option<Qop>,
    pub method: &'a str,
    pub uri: &'a str,
    /// The message body; only hashed for `auth-int`.
    pub body: &'a [u8],
}

/// The nonce count as sent on the wire: 8 lowercase hex digits.
pub fn format_nc(nc: u32) -> String {
    format!("{nc:08x}")
}

/// Computes the `response=` value (lowercase hex).
///
/// With [`Key::Ha1`], the HA1 is H(username:realm:password) of one hash
/// function, so it can only answer the algorithms of that hash (an MD5 HA1
/// answers `MD5` and `MD5-sess`, never `SHA-256`). For any other algorithm
/// this returns `None` rather than a response the server must reject; the
/// [`Authenticator`](super::Authenticator) avoids that case by choosing only
/// challenges the HA1 can serve. For the `-sess` forms the given HA1 is the
/// inner hash and the session HA1 is derived from it as with a password.
pub fn response(input: &DigestInput<'_>, key: Key<'_>) -> Option<String> {
    let hash = input.algorithm.hash();
    let base_ha1 = match key {
        Key::Password(password) => hash.hex_of(&[
            input.username.as_bytes(),
            input.realm.as_bytes(),
            password.as_bytes(),
        ]),
        Key::Ha1(ha1) if ha1.hash() == hash => ha1.hex().to_owned(),
        Key::Ha1(_) => return None,
    };
    let ha1 = if input.algorithm.is_sess() {
        hash.hex_of(&[
            base_ha1.as_bytes(),
            input.nonce.as_bytes(),
            input.cnonce.as_bytes(),
        ])
    } else {
        base_ha1
    };

    let ha2 = match input.qop {
        Some(Qop::AuthInt) => {
            let body_hash = hash.hex_of(&[input.body]);
            hash.hex_of(&[
                input.method.as_bytes(),
                input.uri.as_bytes(),
                body_hash.as_bytes(),
            ])
        }
        Some(Qop::Auth) | None => hash.hex_of(&[input.method.as_bytes(), input.uri.as_bytes()]),
    };

    Some(match input.qop {
        Some(qop) => hash.hex_of(&[
            ha1.as_bytes(),
            input.nonce.as_bytes(),
            format_nc(input.nc).as_bytes(),
            input.cnonce.as_bytes(),
            qop.as_str().as_bytes(),
            ha2.as_bytes(),
        ]),
        None => hash.hex_of(&[ha1.as_bytes(), input.nonce.as_bytes(), ha2.as_bytes()]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password_response(input: &DigestInput<'_>, password: &str) -> String {
        response(input, Key::Password(password)).unwrap_or_default()
    }

    #[test]
    fn rfc2617_section_3_5_example() {
        let input = DigestInput {
            algorithm: Algorithm::Md5,
            username: "Mufasa",
            realm: "testrealm@host.com",
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            cnonce: "0a4f113b",
            nc: 1,
            qop: Some(Qop::Auth),
            method: "GET",
            uri: "/dir/index.html",
            body: b"",
        };
        assert_eq!(
            password_response(&input, "Circle Of Life"),
            "6629fae49393a05397450978507c4ef1"
        );
    }

    #[test]
    fn rfc7616_section_3_9_1_examples() {
        for (algorithm, expected) in [
            (Algorithm::Md5, "8ca523f5e9506fed4657c9700eebdbec"),
            (
                Algorithm::Sha256,
                "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
            ),
        ] {
            let input = DigestInput {
                algorithm,
                username: "Mufasa",
                realm: "http-auth@example.org",
                nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
                cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
                nc: 1,
                qop: Some(Qop::Auth),
                method: "GET",
                uri: "/dir/index.html",
                body: b"",
            };
            assert_eq!(
                password_response(&input, "Circle of Life"),
                expected,
                "{}",
                algorithm.as_str()
            );
        }
    }

    // The SIP cases below must match the constants at the top of
    // scripts/digest-vectors.py, which computes the expected values
    // independently with Python's hashlib (OpenSSL for SHA-512/256 when
    // hashlib lacks it). Regenerate with: python3 scripts/digest-vectors.py
    const USER: &str = "alice";
    const REALM: &str = "sipreg.test";
    const PASSWORD: &str = "s\u{eb}cret pass";
    const NONCE: &str = "5f2b8c0e-sipreg-nonce";
    const CNONCE: &str = "0123456789abcdef0123456789abcdef";
    const NC: u32 = 42;

    // Output of scripts/digest-vectors.py, first block.
    const SIP_HA1: [(&str, &str); 3] = [
        ("MD5", "febaa6bf009a66b0487088cb52779ee2"),
        (
            "SHA-256",
            "88c4f868c0e88d6c05e5e3e20101f070e429af47148365298a47cd34d7539789",
        ),
        (
            "SHA-512-256",
            "3a9ffae1262d07df1f069953d5280b4e1c5f8cdbbf5819eb091e7c2e6f6630a3",
        ),
    ];

    // Output of scripts/digest-vectors.py, second block: (algorithm, qop, response).
    const SIP_CASES: [(&str, &str, &str); 18] = [
        ("MD5", "", "1b1f1795100e1b972a1e4a8a3b5e5582"),
        ("MD5", "auth", "edf254a21f728fb426b381233a98da83"),
        ("MD5", "auth-int", "315e081d36dfb2e0e07685f7f998a5f1"),
        ("MD5-sess", "", "c5af4db262bcf22e1ca83008abeda033"),
        ("MD5-sess", "auth", "5845ef1ca3768f042c7304c8c3c30f30"),
        ("MD5-sess", "auth-int", "bea501d359ff72cc6fcaab11a084bfd7"),
        (
            "SHA-256",
            "",
            "0b6b28529ec4dd798dd76a50395cf8fb399a90eca68e2ff9b56757ea1fcdd126",
        ),
        (
            "SHA-256",
            "auth",
            "0df2f1b73c60117a12beb36823b1587cf506dec494e140129be119c29f881b19",
        ),
        (
            "SHA-256",
            "auth-int",
            "c95c5a6f4388bd479bccd7c1866fee57a6f1e1424dc17635851c53e8cc74be15",
        ),
        (
            "SHA-256-sess",
            "",
            "0dc95fdaa819824f4c7845323be5e9a582450d94178e4fd9f838a6751a8f4240",
        ),
        (
            "SHA-256-sess",
            "auth",
            "62d1419621fecc6919cb60f9e386bc4894a466208847c9cf5fa11ca7ea961199",
        ),
        (
            "SHA-256-sess",
            "auth-int",
            "96f9469ab3801dd2a90cc640966c8a52dd957d0456b1454af4b1bbe889de5ecf",
        ),
        (
            "SHA-512-256",
            "",
            "a9afd13049ab1b20673acef3dcabde59527188860f90ffa85e006e6e8d58ca99",
        ),
        (
            "SHA-512-256",
            "auth",
            "57891e61468fc5bb82ff1ff8b37c612d7a6838a542b97b80f3dff71d5d6568cd",
        ),
        (
            "SHA-512-256",
            "auth-int",
            "63d4302b29161c5f72dde3e5120e528d7773f2f1fa0c185d2c6ba05c3d19e0a4",
        ),
        (
            "SHA-512-256-sess",
            "",
            "7bfc675af5e5189806c3c388eb431db44ed55c40439c933635df880850d4e29a",
        ),
        (
            "SHA-512-256-sess",
            "auth",
            "946bc842791aaac5d98ac519720efef1cf5aa541d16446f5f230451ec98acf10",
        ),
        (
            "SHA-512-256-sess",
            "auth-int",
            "1fb64fc29679daf062e061e7730b52a5cfc98e96b40472db40ee0b668fa4f812",
        ),
    ];

    fn sip_input(algorithm: &str, qop: &str) -> DigestInput<'static> {
        DigestInput {
            algorithm: Algorithm::parse(algorithm).expect("known algorithm"),
            username: USER,
            realm: REALM,
            nonce: NONCE,
            cnonce: CNONCE,
            nc: NC,
            qop: Qop::parse(qop),
            method: "REGISTER",
            uri: "sip:sipreg.test",
            body: b"",
        }
    }

    #[test]
    fn sip_register_every_algorithm_and_qop_with_password() {
        for (algorithm, qop, expected) in SIP_CASES {
            let input = sip_input(algorithm, qop);
            assert_eq!(
                password_response(&input, PASSWORD),
                expected,
                "{algorithm} qop={qop:?}"
            );
        }
    }

    #[test]
    fn sip_register_every_algorithm_and_qop_with_ha1() {
        for (algorithm, qop, expected) in SIP_CASES {
            let input = sip_input(algorithm, qop);
            let hash = input.algorithm.hash().as_str();
            let (_, ha1_hex) = SIP_HA1
                .into_iter()
                .find(|(name, _)| *name == hash)
                .expect("HA1 for every hash");
            // A prefix pins SHA-512-256; MD5 and SHA-256 are told by length.
            let text = if hash == "SHA-512-256" {
                format!("SHA-512-256:{ha1_hex}")
            } else {
                ha1_hex.to_ascii_uppercase()
            };
            let ha1 = Ha1::parse(&text).expect("valid HA1");
            assert_eq!(
                response(&input, Key::Ha1(&ha1)).as_deref(),
                Some(expected),
                "{algorithm} qop={qop:?}"
            );
        }
    }

    #[test]
    fn ha1_of_another_hash_cannot_answer() {
        let md5_ha1 = Ha1::parse("febaa6bf009a66b0487088cb52779ee2").expect("valid");
        for algorithm in ["SHA-256", "SHA-256-sess", "SHA-512-256", "SHA-512-256-sess"] {
            assert_eq!(
                response(&sip_input(algorithm, "auth"), Key::Ha1(&md5_ha1)),
                None
            );
        }
    }

    #[test]
    fn algorithm_tokens_parse_case_insensitively_and_print_canonically() {
        for algorithm in Algorithm::ALL {
            let token = algorithm.as_str();
            assert_eq!(Algorithm::parse(token), Some(algorithm));
            assert_eq!(
                Algorithm::parse(&token.to_ascii_lowercase()),
                Some(algorithm)
            );
            assert_eq!(
                Algorithm::parse(&token.to_ascii_uppercase()),
                Some(algorithm)
            );
        }
        for unsupported in ["AKAv1-MD5", "SHA-1", "foo", "", "MD5 ", "SHA256"] {
            assert_eq!(Algorithm::parse(unsupported), None, "{unsupported:?}");
        }
    }

    #[test]
    fn strength_orders_hashes_and_ignores_sess() {
        assert!(Algorithm::Sha512_256.strength() > Algorithm::Sha256.strength());
        assert!(Algorithm::Sha256.strength() > Algorithm::Md5.strength());
        assert_eq!(Algorithm::Md5Sess.strength(), Algorithm::Md5.strength());
        assert_eq!(
            Algorithm::Sha256Sess.strength(),
            Algorithm::Sha256.strength()
        );
        assert_eq!(
            Algorithm::Sha512_256Sess.strength(),
            Algorithm::Sha512_256.strength()
        );
        let sess: Vec<_> = Algorithm::ALL
            .into_iter()
            .filter(Algorithm::is_sess)
            .collect();
        assert_eq!(
            sess,
            [
                Algorithm::Md5Sess,
                Algorithm::Sha256Sess,
                Algorithm::Sha512_256Sess
            ]
        );
    }

    #[test]
    fn nc_is_eight_lowercase_hex_digits() {
        assert_eq!(format_nc(1), "00000001");
        assert_eq!(format_nc(42), "0000002a");
        assert_eq!(format_nc(u32::MAX), "ffffffff");
    }

    #[test]
    fn hex_is_lowercase_and_complete() {
        assert_eq!(to_hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        assert_eq!(to_hex(&[]), "");
    }

    #[test]
    fn key_debug_is_redacted() {
        let ha1 = Ha1::parse("febaa6bf009a66b0487088cb52779ee2").expect("valid");
        let shown = format!("{:?} {:?}", Key::Password(PASSWORD), Key::Ha1(&ha1));
        assert!(
            !shown.contains(PASSWORD) && !shown.contains("febaa6bf"),
            "{shown}"
        );
    }
}
