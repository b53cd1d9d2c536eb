//! The profile a command line chooses (`@NAME`, `--profile NAME`, SIPREG_PROFILE) and
//! the options it fills in. Whatever the command line gives wins over the profile.

use super::credentials::ProfileSecret;
use crate::cli::Common;
use crate::config::{self, ConfigFile, CredentialSource, Located, Profile};
use crate::error::{Error, Result};
use crate::settings::parse_uri_arg;

/// The expiry asked for when neither -e nor the profile says: an hour, the usual
/// choice of user agents (RFC 3261 §10.2.1.1 leaves it to the client).
pub const DEFAULT_EXPIRES: u32 = 3600;

/// The command line with the profile's values filled in where it gave none.
pub struct ChosenProfile {
    pub common: Common,
    /// The profile's name and password source, when a profile was used.
    profile: Option<(String, Option<CredentialSource>)>,
    /// `contact` of the profile: a default for `-c`.
    pub contact: Option<String>,
    /// `expires` of the profile, in seconds: a default for `-e`.
    expires: Option<u32>,
}

impl ChosenProfile {
    /// Reads the config file only when a profile is asked for: a command line
    /// without one never fails over an unrelated config file.
    pub fn from_command_line(common: &Common) -> Result<ChosenProfile> {
        let Some(name) = profile_name(common)? else {
            return Ok(ChosenProfile {
                common: common.clone(),
                profile: None,
                contact: None,
                expires: None,
            });
        };
        let path = match &common.config {
            Some(p) => p.clone(),
            None => config::default_path()?,
        };
        let file = ConfigFile::load(&path)?;
        let profile = file.profile(&name)?;
        let mut merged = common.clone();
        merged.aor = match explicit_aor(common) {
            Some(aor) => aor.to_string(),
            None => {
                let aor = profile.aor.as_ref().ok_or_else(|| {
                    Error::Usage(format!(
                        "profile {name:?} in {} has no aor: add aor = \"sip:USER@DOMAIN\" or give the AOR",
                        path.display()
                    ))
                })?;
                checked_uri(&file, profile, "aor", aor)?
            }
        };
        let shared = &common.shared;
        merged.shared.registrar = fill(
            &file,
            profile,
            "registrar",
            &shared.registrar,
            &profile.registrar,
        )?;
        merged.shared.proxy = fill(&file, profile, "proxy", &shared.proxy, &profile.proxy)?;
        // The profile's headers first, then those of the command line.
        merged.shared.headers = profile
            .headers
            .iter()
            .chain(&shared.headers)
            .cloned()
            .collect();
        let contact = profile
            .contact
            .as_ref()
            .map(|c| checked_uri(&file, profile, "contact", c))
            .transpose()?;
        merged.shared.user = shared.user.clone().or_else(|| profile.user.clone());
        merged.shared.transport = shared.transport.or(profile.transport);
        Ok(ChosenProfile {
            common: merged,
            profile: Some((name, profile.credentials.clone())),
            contact,
            expires: profile.expires,
        })
    }

    /// The profile's password source, for `credentials::configured`.
    pub fn secret(&self) -> Option<ProfileSecret<'_>> {
        let (profile, source) = self.profile.as_ref()?;
        Some(ProfileSecret {
            profile,
            source: source.as_ref()?,
        })
    }

    /// The expiry to ask for: what -e says, else the profile's, else the default.
    pub fn expires(&self, typed: Option<u32>) -> u32 {
        typed.or(self.expires).unwrap_or(DEFAULT_EXPIRES)
    }
}

/// `@NAME` as the AOR wins over `--profile` and SIPREG_PROFILE.
fn profile_name(common: &Common) -> Result<Option<String>> {
    if let Some(name) = common.aor.strip_prefix('@') {
        if name.is_empty() {
            return Err(Error::Usage(
                "\"@\" names no profile: write @NAME, e.g. @work".into(),
            ));
        }
        return Ok(Some(name.to_string()));
    }
    Ok(common.profile.clone().filter(|n| !n.is_empty()))
}

/// The AOR typed on the command line, if it is one (not `@NAME`, not left out).
fn explicit_aor(common: &Common) -> Option<&str> {
    Some(common.aor.as_str()).filter(|a| !a.is_empty() && !a.starts_with('@'))
}

fn fill(
    file: &ConfigFile,
    profile: &Profile,
    key: &str,
    given: &Option<String>,
    from_profile: &Option<Located<String>>,
) -> Result<Option<String>> {
    if given.is_some() {
        return Ok(given.clone());
    }
    from_profile
        .as_ref()
        .map(|v| checked_uri(file, profile, key, v))
        .transpose()
}

/// A URI of the profile, checked now so that a mistake is reported with its line.
fn checked_uri(
    file: &ConfigFile,
    profile: &Profile,
    key: &str,
    value: &Located<String>,
) -> Result<String> {
    parse_uri_arg(key, &value.value).map_err(|_| {
        Error::from(file.invalid(
            value.line,
            format!(
                "profile {:?}: {key} {:?} is not a SIP URI: write it like sip:alice@example.com",
                profile.name, value.value
            ),
        ))
    })?;
    Ok(value.value.clone())
}
