//! The STUN Binding exchange used as a UDP keep-alive (RFC 5389, RFC 5626 §4.4.2):
//! just enough to build a request and read the mapped address from the answer.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

const MAGIC_COOKIE: u32 = 0x2112_A442;
const BINDING_REQUEST: u16 = 0x0001;
const BINDING_SUCCESS: u16 = 0x0101;
const BINDING_ERROR: u16 = 0x0111;
const ERROR_CODE: u16 = 0x0009;
const MAPPED_ADDRESS: u16 = 0x0001;
const XOR_MAPPED_ADDRESS: u16 = 0x0020;

pub type TransactionId = [u8; 12];

pub fn binding_request(id: TransactionId) -> Vec<u8> {
    let mut m = Vec::with_capacity(20);
    m.extend_from_slice(&BINDING_REQUEST.to_be_bytes());
    m.extend_from_slice(&0u16.to_be_bytes());
    m.extend_from_slice(&MAGIC_COOKIE.to_be_bytes());
    m.extend_from_slice(&id);
    m
}

/// A STUN message, not SIP: the two top bits are zero and the magic cookie is there.
/// SIP messages start with a letter, so the two never mix up (RFC 5626 §3.5.2).
pub fn is_stun(bytes: &[u8]) -> bool {
    bytes.len() >= 20 && bytes[0] & 0xc0 == 0 && bytes[4..8] == MAGIC_COOKIE.to_be_bytes()
}

/// The transaction ID of a STUN message (RFC 5389 §6), whatever its class.
pub fn transaction_id(bytes: &[u8]) -> Option<TransactionId> {
    if !is_stun(bytes) {
        return None;
    }
    bytes[8..20].try_into().ok()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingSuccess {
    pub id: TransactionId,
    pub mapped: Option<SocketAddr>,
}

/// Reads a Binding success response; None for anything else or anything malformed.
pub fn parse_binding_success(bytes: &[u8]) -> Option<BindingSuccess> {
    if !is_stun(bytes) || u16::from_be_bytes([bytes[0], bytes[1]]) != BINDING_SUCCESS {
        return None;
    }
    let length = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
    let body = bytes.get(20..20 + length)?;
    let id: TransactionId = bytes[8..20].try_into().ok()?;
    let mut mapped = None;
    let mut rest = body;
    while rest.len() >= 4 {
        let kind = u16::from_be_bytes([rest[0], rest[1]]);
        let len = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
        let value = rest.get(4..4 + len)?;
        match kind {
            XOR_MAPPED_ADDRESS => mapped = address(value, Some(&bytes[4..20])).or(mapped),
            MAPPED_ADDRESS if mapped.is_none() => mapped = address(value, None),
            _ => {}
        }
        // Attributes are padded to a multiple of four bytes.
        let padded = (4 + len + 3) & !3;
        rest = rest.get(padded..).unwrap_or_default();
    }
    Some(BindingSuccess { id, mapped })
}

/// A Binding error response (RFC 5389 §7.3.4): its transaction ID and the ERROR-CODE
/// (class · 100 + number) when it carries one. None for anything else.
pub fn parse_binding_error(bytes: &[u8]) -> Option<(TransactionId, Option<u16>)> {
    if !is_stun(bytes) || u16::from_be_bytes([bytes[0], bytes[1]]) != BINDING_ERROR {
        return None;
    }
    let id: TransactionId = bytes[8..20].try_into().ok()?;
    let length = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
    let mut rest = bytes.get(20..20 + length).unwrap_or_default();
    let mut code = None;
    while rest.len() >= 4 {
        let kind = u16::from_be_bytes([rest[0], rest[1]]);
        let len = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
        let Some(value) = rest.get(4..4 + len) else {
            break;
        };
        if kind == ERROR_CODE && value.len() >= 4 {
            code = Some(u16::from(value[2] & 0x07) * 100 + u16::from(value[3]));
        }
        let padded = (4 + len + 3) & !3;
        rest = rest.get(padded..).unwrap_or_default();
    }
    Some((id, code))
}

/// A (XOR-)MAPPED-ADDRESS value; `xor` is the cookie and transaction id to undo.
fn address(value: &[u8], xor: Option<&[u8]>) -> Option<SocketAddr> {
    let family = *value.get(1)?;
    let mut port = u16::from_be_bytes([*value.get(2)?, *value.get(3)?]);
    let raw = match family {
        0x01 => value.get(4..8)?,
        0x02 => value.get(4..20)?,
        _ => return None,
    };
    let mut ip: Vec<u8> = raw.to_vec();
    if let Some(key) = xor {
        port ^= (MAGIC_COOKIE >> 16) as u16;
        for (b, k) in ip.iter_mut().zip(key.iter()) {
            *b ^= k;
        }
    }
    let ip = match ip.len() {
        4 => IpAddr::V4(Ipv4Addr::from(<[u8; 4]>::try_from(ip.as_slice()).ok()?)),
        _ => IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(ip.as_slice()).ok()?)),
    };
    Some(SocketAddr::new(ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A success response with XOR-MAPPED-ADDRESS, encoded by hand from RFC 5389 §15.2.
    fn success(id: TransactionId, addr: SocketAddr) -> Vec<u8> {
        let SocketAddr::V4(v4) = addr else {
            unreachable!()
        };
        let mut attr = vec![0, 0x01];
        attr.extend_from_slice(&(v4.port() ^ 0x2112).to_be_bytes());
        let cookie = MAGIC_COOKIE.to_be_bytes();
        attr.extend(
            v4.ip()
                .octets()
                .iter()
                .zip(cookie.iter())
                .map(|(a, c)| a ^ c),
        );
        let mut m = Vec::new();
        m.extend_from_slice(&BINDING_SUCCESS.to_be_bytes());
        m.extend_from_slice(&((4 + attr.len()) as u16).to_be_bytes());
        m.extend_from_slice(&cookie);
        m.extend_from_slice(&id);
        m.extend_from_slice(&XOR_MAPPED_ADDRESS.to_be_bytes());
        m.extend_from_slice(&(attr.len() as u16).to_be_bytes());
        m.extend_from_slice(&attr);
        m
    }

    #[test]
    fn request_and_response_round_trip() {
        let id = [7u8; 12];
        let req = binding_request(id);
        assert_eq!(req.len(), 20);
        assert!(is_stun(&req));
        let addr: SocketAddr = "192.0.2.33:40123".parse().unwrap();
        let got = parse_binding_success(&success(id, addr)).unwrap();
        assert_eq!(
            got,
            BindingSuccess {
                id,
                mapped: Some(addr)
            }
        );
    }

    #[test]
    fn sip_and_garbage_are_not_stun() {
        assert!(!is_stun(b"SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
        assert!(parse_binding_success(&[0u8; 19]).is_none());
        let mut truncated = success([1; 12], "192.0.2.1:1".parse().unwrap());
        truncated.truncate(26);
        assert_eq!(parse_binding_success(&truncated).map(|s| s.mapped), None);
    }
}
