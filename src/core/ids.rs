use rand::RngCore;

/// `n` random bytes as lowercase hex: Call-IDs, tags and branches (RFC 3261 §8.1.1.4,
/// §19.3 ask for global uniqueness and cryptographic randomness).
pub fn random_hex(rng: &mut dyn RngCore, n: usize) -> String {
    let mut out = String::with_capacity(n * 2);
    push_random_hex(&mut out, rng, n);
    out
}

/// Appends `n` random bytes as lowercase hex to `out` (at most 32 bytes: ids never
/// need more).
pub fn push_random_hex(out: &mut String, rng: &mut dyn RngCore, n: usize) {
    let mut bytes = [0u8; 32];
    let bytes = &mut bytes[..n.min(32)];
    rng.fill_bytes(bytes);
    push_hex(out, bytes);
}

/// Appends `bytes` as lowercase hex to `out`.
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 0x0f)] as char);
    }
}
