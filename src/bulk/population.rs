//! The AORs of a bulk run, from a CSV file or from templates, cut to one shard.

use super::csv::{self, Field, Record};
use super::error::BulkError;
use super::shard::Shard;
use super::template::Template;
use crate::auth::Secret;
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
    let t = text.trim();
    // Compared in place: a population of millions would otherwise copy every AOR
    // twice before parsing it.
    let has_scheme = ["sip:", "sips:"].iter().any(|scheme| {
        t.get(..scheme.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
    });
    let parsed = if has_scheme {
        t.parse()
    } else {
        format!("sip:{t}").parse()
    };
    parsed.map_err(|_| format!("{text:?} is not a SIP URI (write it like sip:alice@example.com)"))
}

fn aor_with_user(text: &str) -> Result<(SipUri, String), String> {
    let aor = parse_uri(text)?;
    match aor.user.clone() {
        Some(user) if !user.is_empty() => Ok((aor, user)),
        _ => Err(format!(
            "AOR {text:?} has no user part (write it like sip:alice@example.com)"
        )),
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
    for position in slice {
        let n = u64::from(first) + position;
        let text = aor.expand(n, "");
        let (aor_uri, aor_user) = aor_with_user(&text).map_err(|why| BulkError::Template {
            option: aor.option(),
            template: text.clone(),
            why: format!("for n={n}: {why}"),
        })?;
        let contact = shaping
            .contact
            .map(|t| {
                parse_uri(&t.expand(n, &aor_user)).map_err(|why| BulkError::Template {
                    option: t.option(),
                    template: t.expand(n, &aor_user),
                    why: format!("for n={n}: {why}"),
                })
            })
            .transpose()?;
        members.push(Member {
            user: user.map_or_else(|| aor_user.clone(), |t| t.expand(n, &aor_user)),
            password: password
                .map(|t| t.expand(n, &aor_user))
                .or_else(|| shaping.default_password.map(str::to_string))
                .map(Secret::Password),
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
        let (aor, aor_user) =
            aor_with_user(&aor_field.text).map_err(|why| csv_error(path, aor_field, why))?;
        let n = position + 1;
        let contact = match field(cols.contact) {
            Some(f) => Some(parse_uri(&f.text).map_err(|why| csv_error(path, f, why))?),
            None => shaping
                .contact
                .inspect(|_| template_uses += 1)
                .map(|t| {
                    parse_uri(&t.expand(n, &aor_user))
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
