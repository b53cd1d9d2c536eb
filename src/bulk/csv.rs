//! A small CSV reader (RFC 4180): comma-separated fields, double-quoted fields that may
//! hold commas, quotes (`""`) and line breaks, LF or CRLF line ends. Every field keeps
//! the line and column where it starts, so that later checks (a bad AOR) can point at
//! it; every syntax error names its own line and column.

/// Where a problem is: 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub text: String,
    pub at: Position,
}

/// One record: the fields of one (logical) line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub fields: Vec<Field>,
}

impl Record {
    pub fn line(&self) -> usize {
        self.fields.first().map_or(0, |f| f.at.line)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub at: Position,
    pub why: String,
}

/// Reads every record of `text`. Blank lines are skipped.
pub fn parse(text: &str) -> Result<Vec<Record>, SyntaxError> {
    let mut reader = Reader {
        chars: text.chars().peekable(),
        pos: Position { line: 1, column: 1 },
    };
    let mut records = Vec::new();
    while let Some(record) = reader.record()? {
        let blank = record.fields.len() == 1 && record.fields[0].text.trim().is_empty();
        if !blank {
            records.push(record);
        }
    }
    Ok(records)
}

struct Reader<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    pos: Position,
}

impl Reader<'_> {
    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.pos.line += 1;
            self.pos.column = 1;
        } else {
            self.pos.column += 1;
        }
        Some(c)
    }

    /// Consumes a line end (LF or CRLF) if one is next; true when it did.
    fn line_end(&mut self) -> bool {
        match self.chars.peek() {
            Some('\n') => {
                self.bump();
                true
            }
            Some('\r') => {
                self.bump();
                if self.chars.peek() == Some(&'\n') {
                    self.bump();
                } else {
                    // A lone CR ends the line too; keep the column count honest.
                    self.pos.line += 1;
                    self.pos.column = 1;
                }
                true
            }
            _ => false,
        }
    }

    fn record(&mut self) -> Result<Option<Record>, SyntaxError> {
        if self.chars.peek().is_none() {
            return Ok(None);
        }
        let mut fields = Vec::new();
        loop {
            fields.push(self.field()?);
            match self.chars.peek() {
                Some(',') => {
                    self.bump();
                }
                _ => {
                    self.line_end();
                    return Ok(Some(Record { fields }));
                }
            }
        }
    }

    fn field(&mut self) -> Result<Field, SyntaxError> {
        let at = self.pos;
        if self.chars.peek() == Some(&'"') {
            self.bump();
            return self.quoted(at);
        }
        let mut text = String::new();
        while let Some(&c) = self.chars.peek() {
            match c {
                ',' | '\n' | '\r' => break,
                '"' => {
                    return Err(SyntaxError {
                        at: self.pos,
                        why: "a quote inside an unquoted field: quote the whole field and \
                              double the quote (\"a\"\"b\")"
                            .into(),
                    })
                }
                _ => {
                    text.push(c);
                    self.bump();
                }
            }
        }
        Ok(Field { text, at })
    }

    fn quoted(&mut self, at: Position) -> Result<Field, SyntaxError> {
        let mut text = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(SyntaxError {
                        at,
                        why: "this quoted field is never closed".into(),
                    })
                }
                Some('"') if self.chars.peek() == Some(&'"') => {
                    self.bump();
                    text.push('"');
                }
                Some('"') => break,
                Some(c) => text.push(c),
            }
        }
        match self.chars.peek() {
            None | Some(',') | Some('\n') | Some('\r') => Ok(Field { text, at }),
            Some(_) => Err(SyntaxError {
                at: self.pos,
                why: "text after the closing quote of a field: put a comma between fields".into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(input: &str) -> Vec<Vec<String>> {
        parse(input)
            .unwrap()
            .into_iter()
            .map(|r| r.fields.into_iter().map(|f| f.text).collect())
            .collect()
    }

    #[test]
    fn plain_quoted_and_multiline_fields() {
        assert_eq!(
            texts("a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\n\n\"two\nlines\",z,\n"),
            vec![
                vec!["a", "b", "c"],
                vec!["x,1", "say \"hi\"", ""],
                vec!["two\nlines", "z", ""],
            ]
        );
        assert_eq!(texts("last,line"), vec![vec!["last", "line"]]);
        assert!(texts("").is_empty());
    }

    #[test]
    fn fields_know_where_they_start() {
        let r = parse("aor,user\n\"multi\nline\",bob\n").unwrap();
        assert_eq!(r[1].fields[0].at, Position { line: 2, column: 1 });
        assert_eq!(r[1].fields[1].at, Position { line: 3, column: 7 });
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("aor,user\nsip:a@x,b\"c\n").unwrap_err();
        assert_eq!(
            e.at,
            Position {
                line: 2,
                column: 10
            }
        );
        let e = parse("aor\n\"open,\nmore\n").unwrap_err();
        assert_eq!(e.at, Position { line: 2, column: 1 });
        assert!(e.why.contains("never closed"), "{}", e.why);
        let e = parse("a,\"b\"x\n").unwrap_err();
        assert_eq!(e.at, Position { line: 1, column: 6 });
    }
}
