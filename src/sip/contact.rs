//! One Contact value of a response: a binding the registrar holds (RFC 3261 §10.3 step 8).

use super::error::ParseError;
use super::lexer::{find_outside_quotes, param, quoted_string, split_outside_quotes};
use super::params::ParamList;
use super::uri::SipUri;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactValue {
    /// The URI exactly as the registrar wrote it, without `<>`.
    pub raw_uri: String,
    pub uri: SipUri,
    pub display_name: Option<String>,
    /// Header parameters (`expires`, `q`, `+sip.instance`, …), quoted values unescaped.
    pub params: ParamList,
}

/// A Contact element cut into its parts with the URI left unparsed: enough to tell
/// whether a binding is the one we registered by its text alone, which is the common
/// case (registrars echo the Contact they stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactParts<'a> {
    /// The URI exactly as the registrar wrote it, without `<>`.
    pub raw_uri: &'a str,
    pub display_name: Option<String>,
    /// Header parameters (`expires`, `q`, `+sip.instance`, …), quoted values unescaped.
    pub params: ParamList,
}

impl<'a> ContactParts<'a> {
    /// Cuts one element of a Contact list (already split at top-level commas):
    /// `[display-name] <uri> *(;param)` or `uri *(;param)`, where a display name is a
    /// quoted string (with `\"` escapes) or unquoted words (seen in the field:
    /// `Karen Filippelli 24001 <sip:…>`).
    pub fn split(element: &'a str) -> Result<ContactParts<'a>, ParseError> {
        let element = element.trim();
        let bad = || unreadable(element);
        let (display_name, rest) = if element.starts_with('"') {
            let (name, rest) = quoted_string(element).ok_or_else(bad)?;
            (Some(name), rest.trim_start())
        } else {
            (None, element)
        };
        let (display_name, uri_text, params_text) = match find_outside_quotes(rest, '<') {
            Some(open) => {
                let before = rest[..open].trim();
                let display_name = match (display_name, before.is_empty()) {
                    (Some(_), false) => return Err(bad()),
                    (Some(d), true) => Some(d),
                    (None, false) => Some(before.to_string()),
                    (None, true) => None,
                };
                let after = &rest[open + 1..];
                let close = after.find('>').ok_or_else(bad)?;
                (display_name, after[..close].trim(), &after[close + 1..])
            }
            None if display_name.is_some() => return Err(bad()),
            // Without brackets the parameters belong to the header (RFC 3261 §20).
            None => match rest.find(';') {
                Some(semi) => (None, rest[..semi].trim(), &rest[semi..]),
                None => (None, rest, ""),
            },
        };
        Ok(ContactParts {
            raw_uri: uri_text,
            display_name,
            params: header_params(params_text).ok_or_else(bad)?,
        })
    }

    /// The URI read as a SIP URI.
    pub fn uri(&self) -> Result<SipUri, ParseError> {
        self.raw_uri.parse().map_err(|_| unreadable(self.raw_uri))
    }
}

fn unreadable(text: &str) -> ParseError {
    ParseError::Header {
        header: "Contact",
        value: text.to_string(),
    }
}

impl ContactValue {
    /// Parses one element of a Contact list; see [`ContactParts::split`].
    pub fn parse(element: &str) -> Result<ContactValue, ParseError> {
        let parts = ContactParts::split(element)?;
        let uri: SipUri = parts
            .raw_uri
            .parse()
            .map_err(|_| unreadable(element.trim()))?;
        Ok(ContactValue {
            raw_uri: parts.raw_uri.to_string(),
            uri,
            display_name: parts.display_name,
            params: parts.params,
        })
    }

    pub fn expires(&self) -> Option<u32> {
        expires_of(&self.params)
    }

    pub fn q(&self) -> Option<f32> {
        q_of(&self.params)
    }
}

impl ContactParts<'_> {
    pub fn expires(&self) -> Option<u32> {
        expires_of(&self.params)
    }

    /// The `expires` parameter, telling absent (`Ok(None)`) from unreadable (`Err`).
    pub fn expires_checked(&self) -> Result<Option<u32>, String> {
        expires_param(&self.params)
    }

    pub fn q(&self) -> Option<f32> {
        q_of(&self.params)
    }
}

fn expires_of(params: &ParamList) -> Option<u32> {
    expires_param(params).ok().flatten()
}

/// The `expires` parameter: `Ok(None)` when absent, `Err(text)` when present but not
/// delta-seconds that fit 32 bits (RFC 3261 §25.1), so that the caller can refuse to
/// read a grant into it instead of quietly falling back to something else.
fn expires_param(params: &ParamList) -> Result<Option<u32>, String> {
    match params.value("expires") {
        None => Ok(None),
        Some(e) => {
            let t = e.trim();
            match t.parse::<u32>() {
                Ok(v) if t.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(v)),
                _ => Err(t.to_string()),
            }
        }
    }
}

fn q_of(params: &ParamList) -> Option<f32> {
    params.value("q").and_then(|q| q.trim().parse().ok())
}

/// `;a=b;c;d="x"` into a list; None when anything but parameters is there.
fn header_params(text: &str) -> Option<ParamList> {
    let text = text.trim();
    if text.is_empty() {
        return Some(ParamList::default());
    }
    split_outside_quotes(text.strip_prefix(';')?, ';')
        .into_iter()
        .map(param)
        .collect::<Option<Vec<_>>>()
        .map(ParamList)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bracketed_with_instance_and_expires() {
        let c = ContactValue::parse(
            r#"<sip:alice@192.0.2.10:5060;transport=tcp;ob>;expires=3599;q=0.5;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1"#,
        )
        .unwrap();
        assert_eq!(c.raw_uri, "sip:alice@192.0.2.10:5060;transport=tcp;ob");
        assert_eq!(c.expires(), Some(3599));
        assert_eq!(c.q(), Some(0.5));
        assert_eq!(
            c.params.value("+sip.instance"),
            Some("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>")
        );
        assert_eq!(c.params.value("reg-id"), Some("1"));
        assert_eq!(c.uri.param("transport"), Some("tcp"));
    }

    #[test]
    fn unquoted_display_name_with_spaces() {
        let c = ContactValue::parse("Karen Filippelli 24001 <sip:24001@10.0.13.244>;expires=360")
            .unwrap();
        assert_eq!(c.display_name.as_deref(), Some("Karen Filippelli 24001"));
        assert_eq!(c.raw_uri, "sip:24001@10.0.13.244");
        assert_eq!(c.expires(), Some(360));
    }

    #[test]
    fn quoted_display_name_with_escapes() {
        let c = ContactValue::parse(r#""Quoted \"x\" <y>" <sip:a@b> ; q = 0.33 ; flag"#).unwrap();
        assert_eq!(c.display_name.as_deref(), Some(r#"Quoted "x" <y>"#));
        assert_eq!(c.q(), Some(0.33));
        assert!(c.params.contains("flag"));
    }

    #[test]
    fn unbracketed_params_belong_to_the_header() {
        let c = ContactValue::parse("sip:bob@[2001:db8::1]:5062;expires=60").unwrap();
        assert_eq!(c.raw_uri, "sip:bob@[2001:db8::1]:5062");
        assert!(c.uri.params.0.is_empty());
        assert_eq!(c.expires(), Some(60));
    }

    #[test]
    fn garbage_is_an_error() {
        for bad in [
            "<sip:a@b",
            "nonsense",
            "<http://x>",
            "\"name\" sip:a@b",
            "<sip:a@b> junk",
            "<sip:a@b>;p=\"open",
        ] {
            assert!(ContactValue::parse(bad).is_err(), "{bad}");
        }
    }
}
