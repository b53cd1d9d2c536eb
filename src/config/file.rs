//! Reading the config file: TOML into raw tables, then each profile checked, with
//! every mistake reported as the file's path, the line and what is wrong.

use super::error::ConfigError;
use super::profile::{CredentialSource, LiteralPassword, Located, Profile};
use crate::cli::{parse_duration, TransportArg};
use clap::ValueEnum;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    profiles: BTreeMap<String, RawProfile>,
}

/// A profile as written. Unknown keys are errors, so that a typo (`registar`) is
/// reported rather than silently ignored.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    aor: Option<Spanned<String>>,
    registrar: Option<Spanned<String>>,
    user: Option<String>,
    transport: Option<Spanned<String>>,
    proxy: Option<Spanned<String>>,
    contact: Option<Spanned<String>>,
    expires: Option<Spanned<toml::Value>>,
    /// Header lines for every request, as `-H` takes them.
    #[serde(default)]
    headers: Vec<Spanned<String>>,
    password_env: Option<Spanned<String>>,
    password_file: Option<Spanned<String>>,
    password_command: Option<Spanned<String>>,
    password: Option<Spanned<LiteralPassword>>,
}

/// A loaded and checked config file.
#[derive(Debug)]
pub struct ConfigFile {
    pub path: PathBuf,
    profiles: BTreeMap<String, Profile>,
}

impl ConfigFile {
    /// Reads and checks the whole file. A literal password is refused here, for
    /// every use of the file, when others than the owner can read it.
    pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                ConfigError::Missing {
                    path: path.to_path_buf(),
                }
            } else {
                ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                }
            }
        })?;
        let mode = permission_bits(path);
        ConfigFile::parse(path, &text, mode)
    }

    /// Checks `text` as the contents of `path`, whose permission bits are `mode`
    /// (None where the platform has none: a literal password is then refused).
    pub fn parse(path: &Path, text: &str, mode: Option<u32>) -> Result<ConfigFile, ConfigError> {
        let locate = Locator { path, text };
        let raw: RawFile = toml::from_str(text).map_err(|e| locate.syntax(&e))?;
        let mut profiles = BTreeMap::new();
        for (name, raw_profile) in raw.profiles {
            let profile = check_profile(&locate, name.clone(), raw_profile, mode)?;
            profiles.insert(name, profile);
        }
        Ok(ConfigFile {
            path: path.to_path_buf(),
            profiles,
        })
    }

    pub fn profile(&self, name: &str) -> Result<&Profile, ConfigError> {
        self.profiles
            .get(name)
            .ok_or_else(|| ConfigError::NoSuchProfile {
                path: self.path.clone(),
                name: name.to_string(),
                available: self.profiles.keys().cloned().collect(),
            })
    }

    /// Every profile, in name order.
    pub fn profiles(&self) -> impl Iterator<Item = &Profile> {
        self.profiles.values()
    }

    /// An error about the value on `line`, found by the caller (a URI that does not parse).
    pub fn invalid(&self, line: usize, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.clone(),
            line,
            message: message.into(),
        }
    }
}

/// Turns byte offsets of the text into lines and columns for messages.
struct Locator<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Locator<'_> {
    fn line_column(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..floor_char_boundary(self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        (line, column)
    }

    fn line(&self, span: Range<usize>) -> usize {
        self.line_column(span.start).0
    }

    fn syntax(&self, e: &toml::de::Error) -> ConfigError {
        let (line, column) = e.span().map_or((1, 1), |span| self.line_column(span.start));
        // toml's messages may span lines (a hint on the second): keep one line.
        let message = e
            .message()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        ConfigError::Syntax {
            path: self.path.to_path_buf(),
            line,
            column,
            message,
        }
    }

    fn invalid(&self, span: Range<usize>, message: String) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.to_path_buf(),
            line: self.line(span),
            message,
        }
    }

    fn located(&self, value: Option<Spanned<String>>) -> Option<Located<String>> {
        value.map(|v| Located {
            line: self.line(v.span()),
            value: v.into_inner(),
        })
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn check_profile(
    locate: &Locator<'_>,
    name: String,
    raw: RawProfile,
    mode: Option<u32>,
) -> Result<Profile, ConfigError> {
    let transport = raw
        .transport
        .map(|t| {
            TransportArg::from_str(t.get_ref(), true).map_err(|_| {
                locate.invalid(
                    t.span(),
                    format!(
                        "profile {name:?}: transport {:?} is not one of udp, tcp, tls, ws, wss",
                        t.get_ref()
                    ),
                )
            })
        })
        .transpose()?;
    let expires = raw
        .expires
        .map(|e| {
            expires_seconds(e.get_ref())
                .map_err(|why| locate.invalid(e.span(), format!("profile {name:?}: expires {why}")))
        })
        .transpose()?;
    let headers = raw
        .headers
        .into_iter()
        .map(|h| {
            crate::settings::header_line(h.get_ref()).map_err(|why| {
                locate.invalid(h.span(), format!("profile {name:?}: headers: {why}"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let credentials = credential_source(
        locate,
        &name,
        raw.password_env,
        raw.password_file,
        raw.password_command,
        raw.password,
        mode,
    )?;
    Ok(Profile {
        aor: locate.located(raw.aor),
        registrar: locate.located(raw.registrar),
        user: raw.user,
        transport,
        proxy: locate.located(raw.proxy),
        contact: locate.located(raw.contact),
        expires,
        headers,
        credentials,
        name,
    })
}

/// `expires = 3600` or `expires = "1h"`, as `-e` takes it.
fn expires_seconds(value: &toml::Value) -> Result<u32, String> {
    let seconds = match value {
        toml::Value::Integer(n) => u64::try_from(*n).map_err(|_| format!("{n} is negative"))?,
        toml::Value::String(s) => parse_duration(s)
            .map_err(|_| {
                format!("{s:?} is not a duration: give seconds (3600) or a duration like \"90s\", \"10m\", \"1h\"")
            })?
            .as_secs(),
        other => {
            return Err(format!(
                "must be seconds (3600) or a duration string (\"1h\"), not a {}",
                other.type_str()
            ))
        }
    };
    u32::try_from(seconds)
        .map_err(|_| format!("{seconds} s is too long: at most 4294967295 seconds"))
}

fn credential_source(
    locate: &Locator<'_>,
    profile: &str,
    env: Option<Spanned<String>>,
    file: Option<Spanned<String>>,
    command: Option<Spanned<String>>,
    literal: Option<Spanned<LiteralPassword>>,
    mode: Option<u32>,
) -> Result<Option<CredentialSource>, ConfigError> {
    let mut found: Vec<(&str, Range<usize>, CredentialSource)> = Vec::new();
    if let Some(v) = env {
        if v.get_ref().trim().is_empty() {
            return Err(locate.invalid(v.span(), format!("profile {profile:?}: password_env is empty: give the name of an environment variable")));
        }
        found.push((
            "password_env",
            v.span(),
            CredentialSource::Env(v.into_inner()),
        ));
    }
    if let Some(v) = file {
        let path = password_file_path(locate.path, v.get_ref());
        found.push(("password_file", v.span(), CredentialSource::File(path)));
    }
    if let Some(v) = command {
        found.push((
            "password_command",
            v.span(),
            CredentialSource::Command(v.into_inner()),
        ));
    }
    if let Some(v) = literal {
        let span = v.span();
        // Group or other permission bits of any kind (as ssh does for its keys).
        match mode {
            Some(m) if m & 0o077 == 0 => {}
            _ => {
                return Err(ConfigError::ReadableByOthers {
                    path: locate.path.to_path_buf(),
                    line: locate.line(span),
                    mode: mode.unwrap_or(0o777),
                })
            }
        }
        found.push(("password", span, CredentialSource::Literal(v.into_inner())));
    }
    if found.len() > 1 {
        let (first, first_span, _) = &found[0];
        let (second, second_span, _) = &found[1];
        return Err(locate.invalid(
            second_span.clone(),
            format!(
                "profile {profile:?}: give one password source, not both {first} (line {}) and {second}",
                locate.line(first_span.clone())
            ),
        ));
    }
    Ok(found.pop().map(|(_, _, source)| source))
}

/// `~/…` from HOME; a relative path from the config file's directory, so that the
/// profile means the same whatever directory sipreg runs in.
fn password_file_path(config: &Path, written: &str) -> PathBuf {
    if let Some(rest) = written.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
    }
    let path = PathBuf::from(written);
    if path.is_relative() {
        if let Some(dir) = config.parent() {
            return dir.join(path);
        }
    }
    path
}

#[cfg(unix)]
fn permission_bits(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn permission_bits(_path: &Path) -> Option<u32> {
    None
}
