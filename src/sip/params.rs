//! Generic `;name=value` parameters as an ordered list of owned pairs.

use ezk_sip_types::uri::params::{Params, CPS};

/// A parameter list in the order it arrived. Names keep their case; look-ups ignore it
/// (RFC 3261 §7.3.1: parameter names are case-insensitive).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParamList(pub Vec<(String, Option<String>)>);

impl ParamList {
    pub fn get(&self, name: &str) -> Option<Option<&str>> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_deref())
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).flatten()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Reads ezk's parameter list. ezk offers no iterator, only its printed form
    /// (`;a=b;c`, percent-encoded, quotes removed), which splits safely at `;` because
    /// a `;` inside a value is printed as `%3B`.
    pub(crate) fn from_ezk(params: &Params<CPS>) -> ParamList {
        let printed = params.to_string();
        let list = printed
            .split(';')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((n, v)) => (percent_decode(n), Some(percent_decode(v))),
                None => (percent_decode(p), None),
            })
            .collect();
        ParamList(list)
    }
}

pub(super) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_is_total() {
        assert_eq!(percent_decode("%3Curn%3Auuid%3Ax%3E"), "<urn:uuid:x>");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
