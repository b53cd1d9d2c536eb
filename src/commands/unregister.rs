use super::expect::same_contact;
use super::session::{Session, SessionOptions};
use crate::cli::UnregisterArgs;
use crate::core::{OpKind, Operation, UnregisterTarget};
use crate::exit::ExitStatus;
use crate::output::Output;
use crate::settings::parse_contact_arg;
use crate::sip::SipUri;

/// `sipreg unregister`: Expires 0 for our contact, a named one, or `Contact: *`.
pub async fn run(args: UnregisterArgs) -> ExitStatus {
    let output = Output::new(&args.common, args.common.aor.clone());
    let also_contacts = match super::further_contacts(&args.contact) {
        Ok(c) => c,
        Err(e) => return super::report_setup_error(&args.common, &e),
    };
    // Several contacts: the session's contact and the others, all with Expires 0.
    let several = !also_contacts.is_empty();
    let target = if args.all {
        UnregisterTarget::All
    } else if let (Some(c), false) = (args.contact.first(), several) {
        match parse_contact_arg(c) {
            Ok(uri) => UnregisterTarget::Contact(uri),
            Err(e) => return super::report_setup_error(&args.common, &e),
        }
    } else {
        UnregisterTarget::Ours
    };
    let opts = SessionOptions {
        contact: args.contact.first().map(String::as_str),
        names_home: true,
        also_contacts,
        ..SessionOptions::default()
    };
    if args.common.dry_run {
        return Session::dry_run(&args.common, output, opts, Operation::Unregister(target));
    }
    let mut session = match Session::open(&args.common, output, opts).await {
        Ok(s) => s,
        Err(e) => return super::report_setup_error(&args.common, &e),
    };
    let wanted = match &target {
        UnregisterTarget::All => {
            session.contact_shown_as = Some("*".into());
            None
        }
        UnregisterTarget::Contact(uri) => Some(uri.clone()),
        // Several at once: each was named by the user; no "not bound" check.
        UnregisterTarget::Ours if several => None,
        UnregisterTarget::Ours => Some(session.reg().contact().clone()),
    };
    // A query first (same Call-ID, next CSeq), so that removing a contact that is
    // not bound is said rather than reported as done: most registrars answer 200
    // either way. A query that goes unanswered ends the command as the removal would.
    let others = match &wanted {
        Some(uri) => match session.run(Operation::Query).await {
            Ok(before) if !before.bindings.iter().any(|b| same_contact(b, uri)) => {
                Some((uri, before.bindings.len()))
            }
            Ok(_) => None,
            Err(e) if e.exit_status() == ExitStatus::NoResponse => {
                session.output.failed(Some(OpKind::Unregister), &e);
                return e.exit_status();
            }
            Err(_) => None,
        },
        None => None,
    };
    let exit = session
        .run_and_report(Operation::Unregister(target.clone()), OpKind::Unregister)
        .await;
    if let (Some((uri, n)), ExitStatus::Success) = (others, exit) {
        session.output.notice(&not_bound(uri, n));
    }
    exit
}

/// What `unregister` says when the contact it removed was not bound.
fn not_bound(contact: &SipUri, others: usize) -> String {
    match others {
        0 => format!("{contact} was not bound; no bindings remain"),
        1 => format!("{contact} was not bound; 1 other binding remains — --all removes it"),
        n => format!(
            "{contact} was not bound; {n} other bindings remain — --all removes every binding"
        ),
    }
}
