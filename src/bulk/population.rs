//! The AORs of a bulk run, from a CSV file or from templates, cut to one shard.

use super::csv::{self, Field, Record};
use super::error::BulkError;
use super::shard::Shard;
use super::template::Template;
use crate::auth::Secret;
use crate::settings::{scheme_len, uri_with_optional_scheme};
use crate::sip::SipUri;

/// One AOR of the population and how it authenticates.
#[derive(Debug, Clone)]
pub struct Member {
    pub aor: SipUri,
    /// The digest user name.
    pub user: String,
    /// None: the registration answers no challenge (and fails if challenged).
    pub password: Option<Secret>,
    /// None: `sip:USER@LOCAL-ADDRESS:PORT` of the socket the AOR uses.
    pub contact: Option<SipUri>,
}

/// Where the population comes from.
pub enum Source<'a> {
    /// The text of a `--users` file (named `path` in errors).
    Csv { path: &'a str, text: &'a str },
    Templates {
        aor: Template,
        count: u32,
        first: u32,
        user: Option<Template>,
        password: Option<Template>,
    },
}

/// Everything that shapes the members besides their source.
pub struct Shaping<'a> {
    pub contact: Option<&'a Template>,
    /// For members with no password of their own (SIPREG_PASSWORD).
    pub default_password: Option<&'a str>,
    pub shard: Shard,
}

/// The members of `shard`, in population order, each checked (AOR and contact parse).
pub fn build(source: Source<'_>, shaping: &Shaping<'_>) -> Result<Vec<Member>, BulkError> {
    match source {
        Source::Csv { path, text } => from_csv(path, text, shaping),
        Source::Templates {
            aor,
            count,
            first,
            user,
            password,
        } => from_templates(
            &aor,
            count,
            first,
            user.as_ref(),
            password.as_ref(),
            shaping,
        ),
    }
}

/// Every AOR needs a Contact of its own, or the registrar cannot tell them apart: a
/// contact template used for more than one AOR must vary.
fn check_contact_varies(template: &Template, uses: usize) -> Result<(), BulkError> {
    if uses > 1 && !template.varies() {
        return Err(BulkError::Usage(format!(
            "{} has neither {{n}} nor {{user}}, so every AOR would bind the same contact: write e.g. 'sip:{{user}}@192.0.2.10:5060'",
            template.option()
        )));
    }
    Ok(())
}

/// Reads an AOR or contact; `sip:` may be left out, as on the command line.
fn parse_uri(text: &str) -> Result<SipUri, String> {
    uri_with_optional_scheme(text)
        .ok_or_else(|| format!("{text:?} is not a SIP URI (write it like sip:alice@example.com)"))
}

/// RFC 3261 §25.1 `unreserved` and `user-unreserved`: a user part made of nothing
/// else reads back as itself (no `%` escape to decode, no `:` password, no `@`).
fn is_plain_user(user: &str) -> bool {
    !user.is_empty()
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.!~*'()&=+$,;?/".contains(&b))
}

/// Reads the URIs of a population, which mostly differ in their user part only
/// (`sip:bench0001@x`, `sip:bench0002@x`, …). Parsing every one in full is the
/// greater part of building a population, so a URI that has the same text as the
/// last one parsed around a plain user part is that URI with the user replaced:
/// the parser reads `scheme user @rest` the same way whatever plain user stands in
/// the middle. Anything else is parsed in full, and its errors are the parser's.
#[derive(Default)]
struct UriReader {
    last: Option<Shape>,
}

/// A parsed URI cut around its user: `scheme` `user` `rest`, `rest` starting at `@`.
struct Shape {
    scheme: String,
    rest: String,
    /// The URI parsed from the text, without its user.
    uri: SipUri,
}

impl Shape {
    /// How `t` (trimmed) parsed into `uri`, when its user part is plain text.
    fn of(t: &str, uri: &SipUri) -> Option<Shape> {
        let user = uri.user.as_deref().filter(|u| is_plain_user(u))?;
        let (scheme, after) = t.split_at(scheme_len(t));
        let rest = after.strip_prefix(user)?;
        if !rest.starts_with('@') {
            return None;
        }
        Some(Shape {
            scheme: scheme.to_string(),
            rest: rest.to_string(),
            uri: SipUri {
                user: None,
                ..uri.clone()
            },
        })
    }

    /// The user part of `t` (trimmed) when `t` is this shape around a plain user.
    fn user_in<'t>(&self, t: &'t str) -> Option<&'t str> {
        let user = t.strip_prefix(&self.scheme)?.strip_suffix(&self.rest)?;
        is_plain_user(user).then_some(user)
    }
}

impl UriReader {
    /// What `parse_uri(text)` returns.
    fn read(&mut self, text: &str) -> Result<SipUri, String> {
        let t = text.trim();
        if let Some(shape) = &self.last {
            if let Some(user) = shape.user_in(t) {
                let mut uri = shape.uri.clone();
                uri.user = Some(user.to_string());
                return Ok(uri);
            }
        }
        let uri = parse_uri(text)?;
        if let Some(shape) = Shape::of(t, &uri) {
            self.last = Some(shape);
        }
        Ok(uri)
    }

    /// An AOR and its user part, which it must have.
    fn read_aor(&mut self, text: &str) -> Result<(SipUri, String), String> {
        let aor = self.read(text)?;
        match aor.user.clone() {
            Some(user) if !user.is_empty() => Ok((aor, user)),
            _ => Err(format!(
                "AOR {text:?} has no user part (write it like sip:alice@example.com)"
            )),
        }
    }
}

fn from_templates(
    aor: &Template,
    count: u32,
    first: u32,
    user: Option<&Template>,
    password: Option<&Template>,
    shaping: &Shaping<'_>,
) -> Result<Vec<Member>, BulkError> {
    if count > 1 && !aor.is_numbered() {
        return Err(BulkError::Usage(format!(
            "--aor has no {{n}}, so all {count} AORs would be the same: write e.g. 'sip:bench{{n:04}}@example.test'"
        )));
    }
    if u64::from(first) + u64::from(count) > u64::from(u32::MAX) + 1 {
        return Err(BulkError::Usage(
            "--first plus --count goes past 4294967295".into(),
        ));
    }
    let slice = shaping.shard.slice(u64::from(count));
    if let Some(t) = shaping.contact {
        check_contact_varies(t, (slice.end - slice.start) as usize)?;
    }
    let mut members = Vec::with_capacity((slice.end - slice.start) as usize);
    let (mut aors, mut contacts) = (UriReader::default(), UriReader::default());
    // One buffer each for the AOR and contact texts, refilled for every member.
    let (mut aor_text, mut contact_text) = (String::new(), String::new());
    for position in slice {
        let n = u64::from(first) + position;
        aor_text.clear();
        aor.expand_into(n, "", &mut aor_text);
        let (aor_uri, aor_user) = aors
            .read_aor(&aor_text)
            .map_err(|why| BulkError::Template {
                option: aor.option(),
                template: aor_text.clone(),
                why: format!("for n={n}: {why}"),
            })?;
        let contact = match shaping.contact {
            Some(t) => {
                contact_text.clear();
                t.expand_into(n, &aor_user, &mut contact_text);
                let uri = contacts
                    .read(&contact_text)
                    .map_err(|why| BulkError::Template {
                        option: t.option(),
                        template: contact_text.clone(),
                        why: format!("for n={n}: {why}"),
                    })?;
                Some(uri)
            }
            None => None,
        };
        let password = password
            .map(|t| t.expand(n, &aor_user))
            .or_else(|| shaping.default_password.map(str::to_string))
            .map(Secret::Password);
        let digest_user = match user {
            Some(t) => t.expand(n, &aor_user),
            // The AOR's user is not needed any more: it moves instead of being copied.
            None => aor_user,
        };
        members.push(Member {
            user: digest_user,
            password,
            aor: aor_uri,
            contact,
        });
    }
    Ok(members)
}

/// The columns a `--users` file may have, by their header names.
#[derive(Default)]
struct Columns {
    aor: usize,
    user: Option<usize>,
    password: Option<usize>,
    contact: Option<usize>,
}

fn read_header(path: &str, header: &Record) -> Result<Columns, BulkError> {
    let mut aor = None;
    let mut cols = Columns::default();
    for (i, f) in header.fields.iter().enumerate() {
        let slot = match f.text.trim().to_ascii_lowercase().as_str() {
            "aor" => &mut aor,
            "user" => &mut cols.user,
            "password" => &mut cols.password,
            "contact" => &mut cols.contact,
            other => {
                return Err(csv_error(
                    path,
                    f,
                    format!(
                        "unknown column {other:?}: the header names aor,user,password[,contact]"
                    ),
                ))
            }
        };
        if slot.replace(i).is_some() {
            return Err(csv_error(
                path,
                f,
                format!("column {:?} appears twice", f.text),
            ));
        }
    }
    cols.aor = aor.ok_or_else(|| BulkError::Csv {
        path: path.to_string(),
        line: header.line(),
        column: 1,
        why: "the header line has no aor column: start the file with aor,user,password[,contact]"
            .into(),
    })?;
    Ok(cols)
}

fn csv_error(path: &str, at: &Field, why: String) -> BulkError {
    BulkError::Csv {
        path: path.to_string(),
        line: at.at.line,
        column: at.at.column,
        why,
    }
}

fn from_csv(path: &str, text: &str, shaping: &Shaping<'_>) -> Result<Vec<Member>, BulkError> {
    let records = csv::parse(text).map_err(|e| BulkError::Csv {
        path: path.to_string(),
        line: e.at.line,
        column: e.at.column,
        why: e.why,
    })?;
    let Some((header, rows)) = records.split_first() else {
        return Err(BulkError::Csv {
            path: path.to_string(),
            line: 1,
            column: 1,
            why: "the file is empty: it needs a header line aor,user,password[,contact] and one line per AOR".into(),
        });
    };
    let cols = read_header(path, header)?;
    let width = header.fields.len();
    let slice = shaping.shard.slice(rows.len() as u64);
    let mut members = Vec::with_capacity((slice.end - slice.start) as usize);
    let mut template_uses = 0;
    let mut aors = UriReader::default();
    // Contacts written in the file and those made from the template differ in shape.
    let (mut written_contacts, mut templated_contacts) =
        (UriReader::default(), UriReader::default());
    let mut contact_text = String::new();
    for position in slice {
        let row = &rows[position as usize];
        if row.fields.len() != width {
            let last = row.fields.last().unwrap_or(&row.fields[0]);
            return Err(csv_error(
                path,
                last,
                format!(
                    "this line has {} fields, the header has {width}",
                    row.fields.len()
                ),
            ));
        }
        let field = |i: Option<usize>| i.map(|i| &row.fields[i]).filter(|f| !f.text.is_empty());
        let aor_field = &row.fields[cols.aor];
        let (aor, aor_user) = aors
            .read_aor(&aor_field.text)
            .map_err(|why| csv_error(path, aor_field, why))?;
        let n = position + 1;
        let contact = match field(cols.contact) {
            Some(f) => Some(
                written_contacts
                    .read(&f.text)
                    .map_err(|why| csv_error(path, f, why))?,
            ),
            None => shaping
                .contact
                .inspect(|_| template_uses += 1)
                .map(|t| {
                    contact_text.clear();
                    t.expand_into(n, &aor_user, &mut contact_text);
                    templated_contacts
                        .read(&contact_text)
                        .map_err(|why| csv_error(path, aor_field, format!("{}: {why}", t.option())))
                })
                .transpose()?,
        };
        members.push(Member {
            user: field(cols.user).map_or(aor_user, |f| f.text.trim().to_string()),
            password: field(cols.password)
                .map(|f| f.text.clone())
                .or_else(|| shaping.default_password.map(str::to_string))
                .map(Secret::Password),
            aor,
            contact,
        });
    }
    if let Some(t) = shaping.contact {
        check_contact_varies(t, template_uses)?;
    }
    Ok(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shaping(shard: Shard) -> Shaping<'static> {
        Shaping {
            contact: None,
            default_password: None,
            shard,
        }
    }

    fn csv_members(text: &str) -> Result<Vec<Member>, BulkError> {
        build(
            Source::Csv {
                path: "users.csv",
                text,
            },
            &shaping(Shard::WHOLE),
        )
    }

    #[test]
    fn templates_number_the_shard() {
        let source = Source::Templates {
            aor: Template::parse("--aor", "sip:bench{n:04}@example.test", false).unwrap(),
            count: 10,
            first: 1,
            user: None,
            password: Some(Template::parse("--password-template", "pw{n:04}", false).unwrap()),
        };
        let m = build(source, &shaping(Shard { index: 2, count: 3 })).unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].aor.to_string(), "sip:bench0004@example.test");
        assert_eq!(m[2].user, "bench0006");
        assert!(matches!(&m[2].password, Some(Secret::Password(p)) if p == "pw0006"));
    }

    #[test]
    fn csv_with_quotes_optional_columns_and_defaults() {
        let m = csv_members(
            "aor,user,password,contact\n\
             sip:alice@x.test,,\"se,cret\",\n\
             \"sip:bob@x.test\",bobby,pw,sip:bob@192.0.2.1:5070\n",
        )
        .unwrap();
        assert_eq!(m[0].user, "alice");
        assert!(matches!(&m[0].password, Some(Secret::Password(p)) if p == "se,cret"));
        assert!(m[0].contact.is_none());
        assert_eq!(m[1].user, "bobby");
        assert_eq!(m[1].contact.as_ref().unwrap().port, Some(5070));
    }

    #[test]
    fn csv_problems_name_line_and_column() {
        let cases = [
            ("aor,user,password\nsip:a@x,a,\"pw\n", 2, 11, "never closed"),
            ("aor,user,password\nsip:a@x,a\n", 2, 9, "2 fields"),
            (
                "aor,user,password\nsip:a@x,a,p\nsip:@x,b,p\n",
                3,
                1,
                "no user part",
            ),
            ("aor,usr,password\n", 1, 5, "unknown column"),
            ("user,password\nbob,pw\n", 1, 1, "no aor column"),
            ("aor\nsip:a@x\"y\n", 2, 8, "quote inside"),
        ];
        for (text, line, column, why) in cases {
            match csv_members(text) {
                Err(BulkError::Csv {
                    line: l,
                    column: c,
                    why: w,
                    ..
                }) => {
                    assert_eq!((l, c), (line, column), "{text:?}: {w}");
                    assert!(w.contains(why), "{text:?}: {w}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_contact_template_must_differ_between_aors() {
        let fixed = Template::parse("--contact-template", "sip:x@192.0.2.1", true).unwrap();
        let shaping = Shaping {
            contact: Some(&fixed),
            default_password: None,
            shard: Shard::WHOLE,
        };
        let two = "aor\nsip:a@x.test\nsip:b@x.test\n";
        let one = "aor\nsip:a@x.test\n";
        let csv = |text| Source::Csv {
            path: "u.csv",
            text,
        };
        assert!(matches!(
            build(csv(two), &shaping),
            Err(BulkError::Usage(_))
        ));
        assert!(
            build(csv(one), &shaping).is_ok(),
            "one AOR may use a fixed contact"
        );
    }

    /// Reads `texts` in order with one reader, checking each against a full parse.
    fn reads_as_parsed(texts: &[String]) {
        let mut reader = UriReader::default();
        for text in texts {
            assert_eq!(reader.read(text), parse_uri(text), "{text:?}");
        }
    }

    #[test]
    fn a_uri_derived_from_the_last_is_the_uri_parsed() {
        for template in [
            "sip:bench{n:04}@example.test",
            "bench{n}@example.test",
            "  SIP:u{n}x@example.test:5070;transport=tcp?subject=hi  ",
            "sips:{n:06}@[2001:db8::10];lr",
            "sip:b{n}@192.0.2.1:5062;user=phone;maddr=192.0.2.2",
            // The number is not in the user part: nothing to derive, all parsed.
            "sip:u@10.0.{n}.1",
            "sip:u@h{n}.test",
        ] {
            let t = Template::parse("--aor", template, false).unwrap();
            let texts: Vec<String> = (0..300).map(|n| t.expand(n * 7919, "")).collect();
            reads_as_parsed(&texts);
        }
    }

    #[test]
    fn every_plain_user_character_derives_as_it_parses() {
        let mut texts = vec!["sip:first@x.test;ob".to_string()];
        for c in "-_.!~*'()&=+$,;?/azAZ09".chars() {
            texts.push(format!("sip:a{c}b@x.test;ob"));
            texts.push(format!("sip:{c}@x.test;ob"));
        }
        reads_as_parsed(&texts);
    }

    #[test]
    fn what_is_not_a_plain_user_is_parsed_in_full() {
        let mut texts = vec!["sip:first@x.test".to_string()];
        for odd in [
            "sip:%41lice@x.test",      // escaped: decodes to Alice
            "sip:a%zz@x.test",         // a bad escape: an error
            "sip:alice:secret@x.test", // a password: dropped
            "sip:a@b@x.test",
            "sip:a b@x.test",
            "sip:a\"b@x.test",
            "sip:ünï@x.test",
            "sip:@x.test",
            "sip:x.test",
            "sips:alice@x.test",
            "<sip:alice@x.test>",
            "sip:alice@x.test:99999",
            "sip:alice@x.test;",
            "sip:alice@x.test ",
            "sip:alice@x.test:5060",
        ] {
            texts.push(odd.to_string());
            // …and an ordinary one after each, as the reader may have moved on.
            texts.push("sip:second@x.test".to_string());
        }
        reads_as_parsed(&texts);
        let mut reader = UriReader::default();
        reader.read("sip:first@x.test").unwrap();
        assert_eq!(
            reader.read("sip:%41lice@x.test").unwrap().user.as_deref(),
            Some("Alice"),
            "an escape is decoded, not copied"
        );
        assert!(reader.read("sip:a%FF@x.test").is_err());
        assert!(reader
            .read_aor("sip:@x.test")
            .unwrap_err()
            .contains("no user part"));
    }

    #[test]
    fn a_template_member_that_does_not_parse_is_named() {
        // The port of the third member is out of range; the first two are fine.
        let source = Source::Templates {
            aor: Template::parse("--aor", "sip:b{n}@x.test:{n}", false).unwrap(),
            count: 3,
            first: 65534,
            user: None,
            password: None,
        };
        match build(source, &shaping(Shard::WHOLE)) {
            Err(BulkError::Template {
                option,
                template,
                why,
                ..
            }) => {
                assert_eq!(option, "--aor");
                assert_eq!(template, "sip:b65536@x.test:65536");
                assert!(why.starts_with("for n=65536: "), "{why}");
                assert!(why.contains("is not a SIP URI"), "{why}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn template_contacts_and_users_follow_each_aor() {
        let contact =
            Template::parse("--contact-template", "sip:{user}@192.0.2.10:{n}", true).unwrap();
        let shaping = Shaping {
            contact: Some(&contact),
            default_password: Some("shared"),
            shard: Shard::WHOLE,
        };
        let source = Source::Templates {
            aor: Template::parse("--aor", "sip:bench{n:04}@example.test", false).unwrap(),
            count: 50,
            first: 5000,
            user: Some(Template::parse("--user-template", "u{n}", false).unwrap()),
            password: None,
        };
        let members = build(source, &shaping).unwrap();
        for (m, n) in members.iter().zip(5000..) {
            assert_eq!(
                m.aor,
                parse_uri(&format!("sip:bench{n:04}@example.test")).unwrap()
            );
            let expected = parse_uri(&format!("sip:bench{n:04}@192.0.2.10:{n}")).unwrap();
            assert_eq!(m.contact.as_ref(), Some(&expected));
            assert_eq!(m.user, format!("u{n}"));
            assert!(matches!(&m.password, Some(Secret::Password(p)) if p == "shared"));
        }
    }

    #[test]
    fn csv_aors_after_a_run_of_alike_ones_still_report_line_and_column() {
        let mut text = String::from("aor,contact\n");
        for i in 0..20 {
            text.push_str(&format!("sip:u{i}@x.test,sip:u{i}@192.0.2.1:5070\n"));
        }
        let members = csv_members(&text).unwrap();
        assert_eq!(members[7].aor.user.as_deref(), Some("u7"));
        assert_eq!(members[7].user, "u7");
        assert_eq!(members[7].contact.as_ref().unwrap().port, Some(5070));
        for (bad_row, column) in [
            ("sip:a%FF@x.test,", 1),
            ("sip:v@x.test,sip:v@192.0.2.1:99999", 14),
        ] {
            let with_bad = format!("{text}{bad_row}\n");
            match csv_members(&with_bad) {
                Err(BulkError::Csv {
                    line,
                    column: c,
                    why,
                    ..
                }) => {
                    assert_eq!((line, c), (22, column), "{why}");
                    assert!(why.contains("is not a SIP URI"), "{why}");
                }
                other => panic!("{bad_row}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_template_without_n_is_refused_for_many() {
        let source = Source::Templates {
            aor: Template::parse("--aor", "sip:same@x", false).unwrap(),
            count: 2,
            first: 1,
            user: None,
            password: None,
        };
        assert!(build(source, &shaping(Shard::WHOLE)).is_err());
    }
}
