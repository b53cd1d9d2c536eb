//! How sipreg names itself to the registrar.

/// `sipreg/VERSION`, sent when `--user-agent` is not given.
pub fn default_user_agent() -> String {
    format!("sipreg/{}", env!("CARGO_PKG_VERSION"))
}

/// The User-Agent header value: `--user-agent`, else [`default_user_agent`].
pub fn user_agent(flag: Option<&str>) -> String {
    flag.map_or_else(default_user_agent, str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_over_the_version() {
        assert_eq!(user_agent(Some("probe/1")), "probe/1");
        assert_eq!(
            user_agent(None),
            concat!("sipreg/", env!("CARGO_PKG_VERSION"))
        );
    }
}
