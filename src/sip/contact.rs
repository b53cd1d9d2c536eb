//! One Contact value of a response: a binding the registrar holds (RFC 3261 §10.3 step 8).

use super::error::ParseError;
use super::params::ParamList;
use super::uri::SipUri;
use bytes::Bytes;
use ezk_sip_types::header::typed::Contact as EzkContact;
use ezk_sip_types::header::HeaderParse;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactValue {
    /// The URI exactly as the registrar wrote it, without `<>`.
    pub raw_uri: String,
    pub uri: SipUri,
    pub display_name: Option<String>,
    pub params: ParamList,
}

impl ContactValue {
    /// Parses one element of a Contact list (already split at top-level commas).
    pub fn parse(element: &str) -> Result<ContactValue, ParseError> {
        let element = element.trim();
        let bad = || ParseError::Header {
            header: "Contact",
            value: element.to_string(),
        };
        let src = Bytes::copy_from_slice(element.as_bytes());
        let text = std::str::from_utf8(&src).map_err(|_| bad())?;
        let (rest, contact) = EzkContact::parse(&src, text).map_err(|_| bad())?;
        if !rest.trim().is_empty() {
            return Err(bad());
        }
        Ok(ContactValue {
            raw_uri: raw_uri_text(element).ok_or_else(bad)?.to_string(),
            uri: SipUri::from_ezk(&contact.uri.uri),
            display_name: contact.uri.name.map(|n| n.to_string()),
            params: ParamList::from_ezk(&contact.params),
        })
    }

    pub fn expires(&self) -> Option<u32> {
        self.params
            .value("expires")
            .and_then(|e| e.trim().parse().ok())
    }

    pub fn q(&self) -> Option<f32> {
        self.params.value("q").and_then(|q| q.trim().parse().ok())
    }
}

/// The URI text of a contact element: inside `<…>` when bracketed, otherwise up to the
/// first `;` (RFC 3261 §20: without brackets, parameters belong to the header).
fn raw_uri_text(element: &str) -> Option<&str> {
    match element.find('<') {
        Some(open) => {
            let after = &element[open + 1..];
            after.find('>').map(|close| after[..close].trim())
        }
        None => Some(element.split(';').next().unwrap_or(element).trim()),
    }
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
    fn unbracketed_params_belong_to_the_header() {
        let c = ContactValue::parse("sip:bob@[2001:db8::1]:5062;expires=60").unwrap();
        assert_eq!(c.raw_uri, "sip:bob@[2001:db8::1]:5062");
        assert!(c.uri.params.0.is_empty());
        assert_eq!(c.expires(), Some(60));
    }

    #[test]
    fn garbage_is_an_error() {
        for bad in ["<sip:a@b", "nonsense", "<http://x>"] {
            assert!(ContactValue::parse(bad).is_err(), "{bad}");
        }
    }
}
