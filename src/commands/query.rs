use super::session::{Session, SessionOptions};
use crate::cli::QueryArgs;
use crate::core::{OpKind, Operation};
use crate::exit::ExitStatus;
use crate::output::Output;

/// `sipreg query`: a REGISTER without Contact lists the bindings (RFC 3261 §10.2.3).
pub async fn run(args: QueryArgs) -> ExitStatus {
    let output = Output::new(&args.common, args.common.aor.clone());
    if args.expect.expect_reachable {
        let e = crate::error::Error::Usage(
            "--expect-reachable checks a contact of ours: use register --once --expect-reachable"
                .into(),
        );
        return super::report_setup_error(&args.common, &e);
    }
    let opts = SessionOptions {
        ..SessionOptions::default()
    };
    if args.common.dry_run {
        return Session::dry_run(&args.common, output, opts, Operation::Query);
    }
    let mut session = match Session::open(&args.common, output, opts).await {
        Ok(s) => s,
        Err(e) => return super::report_setup_error(&args.common, &e),
    };
    session
        .run_and_check(Operation::Query, OpKind::Query, &args.expect)
        .await
}
