use super::session::{Session, SessionOptions};
use crate::cli::UnregisterArgs;
use crate::core::{OpKind, Operation, UnregisterTarget};
use crate::exit::ExitStatus;
use crate::output::Output;
use crate::settings::parse_uri_arg;

/// `sipreg unregister`: Expires 0 for our contact, a named one, or `Contact: *`.
pub async fn run(args: UnregisterArgs) -> ExitStatus {
    let output = Output::new(&args.common, args.common.aor.clone());
    let target = if args.all {
        UnregisterTarget::All
    } else if let Some(c) = &args.contact {
        match parse_uri_arg("--contact", c) {
            Ok(uri) => UnregisterTarget::Contact(uri),
            Err(e) => return super::report_setup_error(&args.common, &e),
        }
    } else {
        UnregisterTarget::Ours
    };
    let opts = SessionOptions {
        contact: args.contact.as_deref(),
        ..SessionOptions::default()
    };
    if args.common.dry_run {
        return Session::dry_run(&args.common, output, opts, Operation::Unregister(target));
    }
    let mut session = match Session::open(&args.common, output, opts).await {
        Ok(s) => s,
        Err(e) => return super::report_setup_error(&args.common, &e),
    };
    if target == UnregisterTarget::All {
        session.contact_shown_as = Some("*".into());
    }
    session
        .run_and_report(Operation::Unregister(target), OpKind::Unregister)
        .await
}
