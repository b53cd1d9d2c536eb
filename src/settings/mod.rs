//! From the parsed command line (and the profile it chose) to what the core and the
//! network need, written once: `register`, `query`, `unregister` and `bulk` all read
//! their flags through these functions, so whatever a flag means in one command it
//! means in every other. Nothing here touches the network or prints.
//!
//! One file per job: `uri` reads URI and address arguments, `transport` picks the
//! transport before DNS, `contact` makes the default Contact, `identity` the
//! User-Agent, `timers` the transaction timers, `network` the DNS and TLS settings
//! (with the `--insecure` warning), `registration` the core's configuration of
//! one single-AOR registration, and `at_contact` how the user agent at our contact
//! answers.

mod at_contact;
mod contact;
mod headers;
mod identity;
mod locals;
mod network;
mod output;
mod registration;
mod timers;
mod transport;
mod uri;

pub use at_contact::{uas_config, DEFAULT_ANSWER};
pub use contact::{default_contact, home_port};
pub use headers::{header_line, origin, origin_without_websocket, quoted_display_name};
pub use identity::{default_user_agent, user_agent};
pub use locals::{parse_locals, per_address, single_local, MAX_LOCALS};
pub use network::{dns_settings, insecure_warning, tls_settings, INSECURE_WARNING};
pub use output::output_format;
pub use registration::{registration_config, Place, RequestShape};
pub use timers::{expires_secs, timers};
pub use transport::{chosen_transport, transport_before_dns};
pub use uri::{
    parse_contact_arg, parse_local, parse_next_hop_arg, parse_uri_arg, scheme_len,
    uri_with_optional_scheme, ws_path,
};

/// The shared flags as clap reads them from `args`, for the unit tests here.
#[cfg(test)]
fn shared_args(args: &[&str]) -> crate::cli::SharedArgs {
    use clap::Parser;
    #[derive(Parser)]
    struct Line {
        #[command(flatten)]
        shared: crate::cli::SharedArgs,
    }
    Line::parse_from(std::iter::once("sipreg").chain(args.iter().copied())).shared
}
