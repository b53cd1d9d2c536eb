use rand::RngCore;

/// `n` random bytes as lowercase hex: Call-IDs, tags and branches (RFC 3261 §8.1.1.4,
/// §19.3 ask for global uniqueness and cryptographic randomness).
pub fn random_hex(rng: &mut dyn RngCore, n: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bytes = vec![0u8; n];
    rng.fill_bytes(&mut bytes);
    let mut out = String::with_capacity(n * 2);
    for b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 0x0f)] as char);
    }
    out
}
