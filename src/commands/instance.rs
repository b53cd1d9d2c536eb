//! The `+sip.instance` URN (RFC 5626 §4.1): given, derived from the host, or random.

use crate::error::{Error, Result};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The instance URN for this run:
/// - `--instance urn:…` as given;
/// - `--instance auto`: a UUID derived from /etc/machine-id (else the host name), so
///   the same machine gets the same instance every run, as RFC 5626 wants of a UA;
/// - no `--instance` but a `--reg-id`: a random UUID URN, kept for the run;
/// - neither: none.
pub fn instance_urn(arg: Option<&str>, reg_id: Option<u32>) -> Result<Option<String>> {
    match arg {
        Some("auto") => Ok(Some(uuid_urn(&host_identity()))),
        Some(urn) if urn.len() > 4 && urn[..4].eq_ignore_ascii_case("urn:") => Ok(Some(urn.into())),
        Some(other) => Err(Error::Usage(format!(
            "--instance {other:?} is not a URN: give urn:uuid:… or auto"
        ))),
        None if reg_id.is_some() => {
            let mut seed = [0u8; 16];
            rand::rngs::OsRng.fill_bytes(&mut seed);
            Ok(Some(uuid_urn(&seed)))
        }
        None => Ok(None),
    }
}

fn host_identity() -> Vec<u8> {
    std::fs::read("/etc/machine-id")
        .ok()
        .filter(|id| !id.is_empty())
        .or_else(|| std::fs::read("/etc/hostname").ok())
        .unwrap_or_else(|| b"sipreg".to_vec())
}

/// `urn:uuid:` and a UUID made from a hash of `seed`, with the version (5, name
/// based) and variant bits set as RFC 4122 §4.1 asks.
fn uuid_urn(seed: &[u8]) -> String {
    let mut b = [0u8; 16];
    b.copy_from_slice(&Sha256::digest(seed)[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_is_stable_and_well_formed() {
        let a = instance_urn(Some("auto"), None).unwrap().unwrap();
        assert_eq!(Some(a.clone()), instance_urn(Some("auto"), None).unwrap());
        assert_eq!(a.len(), "urn:uuid:".len() + 36);
        assert_eq!(&a[23..24], "5", "version nibble");
    }

    #[test]
    fn random_only_with_reg_id() {
        assert_eq!(instance_urn(None, None).unwrap(), None);
        let one = instance_urn(None, Some(1)).unwrap().unwrap();
        let two = instance_urn(None, Some(1)).unwrap().unwrap();
        assert_ne!(one, two);
        assert!(instance_urn(Some("not-a-urn"), None).is_err());
        assert_eq!(
            instance_urn(Some("urn:uuid:x"), None).unwrap().as_deref(),
            Some("urn:uuid:x")
        );
    }
}
