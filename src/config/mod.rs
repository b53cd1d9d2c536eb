//! Profiles: named accounts in a TOML config file (`$XDG_CONFIG_HOME/sipreg/config.toml`),
//! one `[profiles.NAME]` table each, used as `sipreg register @NAME` or `--profile NAME`.

mod error;
mod file;
mod profile;

pub use error::ConfigError;
pub use file::ConfigFile;
pub use profile::{CredentialSource, LiteralPassword, Located, Profile};

use std::path::PathBuf;

/// `$XDG_CONFIG_HOME/sipreg/config.toml`, or `~/.config/sipreg/config.toml` when
/// XDG_CONFIG_HOME is unset or not absolute (XDG Base Directory specification).
pub fn default_path() -> Result<PathBuf, ConfigError> {
    let from_env = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let dir = from_env("XDG_CONFIG_HOME")
        .or_else(|| from_env("HOME").map(|home| home.join(".config")))
        .ok_or(ConfigError::NoLocation)?;
    Ok(dir.join("sipreg").join("config.toml"))
}

#[cfg(test)]
mod tests;
