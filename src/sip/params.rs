//! Generic `;name=value` parameters as an ordered list of owned pairs.
//!
//! Where decoding happens, once: parameters of a SIP URI are percent-decoded when the
//! URI is read (`from_uri_section`) and encoded again when it is printed. Header
//! parameters (Via `branch`, `received`, `rport`; Contact `expires`, `q`,
//! `+sip.instance`; the To `tag`) are tokens or quoted strings (RFC 3261 §25.1
//! `generic-param`), where `%` is an ordinary token character and not an escape: they
//! are never percent-decoded. A Contact's quoted values are unquoted (lexer::param);
//! a Via's values are kept exactly as written, by both of its readers.

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

    /// Reads the `;name=value` section of a SIP URI exactly as written (RFC 3261 §19.1.1
    /// `uri-parameters`, without the leading `;`), percent-decoding each name and value
    /// once. Once only: a decoded `%` is a literal percent, which the printer writes back
    /// as `%25`; decoding again would turn `%252525` into `%25` on reading and into a
    /// bare `%` after a print and a second read. ezk's own list cannot serve here: it
    /// is decoded already and prints a decoded `%` unescaped, so the two are ambiguous.
    pub(super) fn from_uri_section(section: &str) -> ParamList {
        let list = section
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
