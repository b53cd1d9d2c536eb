//! An HA1 given instead of a password (`--ha1`, `SIPREG_HA1`).
//!
//! Accepted forms, hex digits in either case:
//! - 32 hex digits: an MD5 HA1;
//! - 64 hex digits: a SHA-256 HA1, by far the common 64-digit case;
//! - `ALGORITHM:HEX`, where ALGORITHM is `MD5`, `SHA-256` or `SHA-512-256`
//!   (a `-sess` name is accepted too and means its base): needed for a
//!   SHA-512-256 HA1, whose length is the same as SHA-256's.
//!
//! The length alone cannot tell SHA-256 from SHA-512-256, and guessing would
//! mean answering with a response the registrar rejects, counted as a failed
//! login; so a bare 64-digit value is SHA-256 and nothing else.

use super::digest::{Algorithm, HashFunction};

/// A validated HA1: lowercase hex of H(username:realm:password) for one hash.
#[derive(Clone, PartialEq, Eq)]
pub struct Ha1 {
    hash: HashFunction,
    hex: String,
}

/// Why a text is not an HA1. The messages never repeat the text itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Ha1Error {
    #[error("an HA1 is hex digits only (optionally prefixed by MD5:, SHA-256: or SHA-512-256:)")]
    NotHex,
    #[error("an HA1 is 32 hex digits (MD5) or 64 (SHA-256; prefix SHA-512-256: for that hash)")]
    BadLength,
    #[error("a {expected}: HA1 has {digits} hex digits")]
    LengthForPrefix {
        expected: &'static str,
        digits: usize,
    },
    #[error("the prefix before ':' is not MD5, SHA-256 or SHA-512-256")]
    UnknownPrefix,
}

impl Ha1 {
    /// Parses and validates an HA1 in one of the forms in the module docs.
    pub fn parse(text: &str) -> Result<Ha1, Ha1Error> {
        let text = text.trim();
        let (pinned, digits) = match text.split_once(':') {
            Some((prefix, digits)) => {
                let algorithm = Algorithm::parse(prefix.trim()).ok_or(Ha1Error::UnknownPrefix)?;
                (Some(algorithm.hash()), digits.trim())
            }
            None => (None, text),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Ha1Error::NotHex);
        }
        let hash = match pinned {
            Some(hash) if hash.hex_len() == digits.len() => hash,
            Some(hash) => {
                return Err(Ha1Error::LengthForPrefix {
                    expected: hash.as_str(),
                    digits: digits.len(),
                })
            }
            None if digits.len() == HashFunction::Md5.hex_len() => HashFunction::Md5,
            None if digits.len() == HashFunction::Sha256.hex_len() => HashFunction::Sha256,
            None => return Err(Ha1Error::BadLength),
        };
        // The server hashes the lowercase hex form (RFC 7616 §3.4), so an HA1
        // pasted in uppercase must be normalised before it is hashed further.
        Ok(Ha1 {
            hash,
            hex: digits.to_ascii_lowercase(),
        })
    }

    /// The hash function this HA1 was computed with.
    pub fn hash(&self) -> HashFunction {
        self.hash
    }

    /// Whether this HA1 can answer a challenge for `algorithm`.
    pub fn serves(&self, algorithm: Algorithm) -> bool {
        algorithm.hash() == self.hash
    }

    pub(crate) fn hex(&self) -> &str {
        &self.hex
    }
}

impl std::fmt::Debug for Ha1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ha1({}, ***)", self.hash.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MD5_HEX: &str = "febaa6bf009a66b0487088cb52779ee2";
    const SHA_HEX: &str = "88c4f868c0e88d6c05e5e3e20101f070e429af47148365298a47cd34d7539789";

    #[test]
    fn length_tells_md5_from_sha256() {
        let md5 = Ha1::parse(MD5_HEX).expect("valid");
        assert_eq!(md5.hash(), HashFunction::Md5);
        assert!(md5.serves(Algorithm::Md5) && md5.serves(Algorithm::Md5Sess));
        assert!(!md5.serves(Algorithm::Sha256));

        let sha = Ha1::parse(SHA_HEX).expect("valid");
        assert_eq!(sha.hash(), HashFunction::Sha256);
        assert!(sha.serves(Algorithm::Sha256Sess));
        assert!(!sha.serves(Algorithm::Sha512_256));
    }

    #[test]
    fn prefix_pins_the_hash() {
        let pinned = Ha1::parse(&format!("sha-512-256:{SHA_HEX}")).expect("valid");
        assert_eq!(pinned.hash(), HashFunction::Sha512_256);
        assert!(pinned.serves(Algorithm::Sha512_256Sess));
        assert!(!pinned.serves(Algorithm::Sha256));

        let sess = Ha1::parse(&format!("MD5-sess:{MD5_HEX}")).expect("valid");
        assert_eq!(sess.hash(), HashFunction::Md5);
    }

    #[test]
    fn uppercase_is_normalised_and_whitespace_trimmed() {
        let ha1 = Ha1::parse(&format!("  {}\n", MD5_HEX.to_ascii_uppercase())).expect("valid");
        assert_eq!(ha1.hex(), MD5_HEX);
    }

    #[test]
    fn bad_values_are_rejected_without_echoing_them() {
        let cases = [
            ("", Ha1Error::NotHex),
            ("xyz", Ha1Error::NotHex),
            ("abcd", Ha1Error::BadLength),
            (":", Ha1Error::UnknownPrefix),
            ("SHA-1:abcd", Ha1Error::UnknownPrefix),
            ("MD5:", Ha1Error::NotHex),
            ("é", Ha1Error::NotHex),
        ];
        for (text, expected) in cases {
            assert_eq!(Ha1::parse(text), Err(expected), "{text:?}");
        }
        let err = Ha1::parse(&format!("MD5:{SHA_HEX}")).expect_err("wrong length");
        assert_eq!(
            err,
            Ha1Error::LengthForPrefix {
                expected: "MD5",
                digits: 64
            }
        );
        assert!(!err.to_string().contains(SHA_HEX));
    }

    #[test]
    fn debug_is_redacted() {
        let shown = format!("{:?}", Ha1::parse(MD5_HEX).expect("valid"));
        assert_eq!(shown, "Ha1(MD5, ***)");
    }
}
