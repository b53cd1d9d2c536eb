//! Profiles from the TOML config file (issue #5).
