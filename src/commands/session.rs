//! What every command sets up the same way: the AOR, where to send, the socket, our
//! Contact, the credentials; and running one operation to its end.

use super::arguments::Arguments;
use super::chosen_profile::{ChosenProfile, DEFAULT_EXPIRES};

use super::credentials::{self, ProfileSecret};
use super::dry_run;
use super::expect::{Answer, Expectations};
use crate::auth::AuthError;
use crate::cli::{Common, ContactArgs, ExpectArgs, OutputFormat};
use crate::core::{
    Endpoint, EndpointConfig, Event, Handle, OpKind, Operation, Outcome, RegError, Registration,
    RegistrationConfig, TransportKind,
};
use crate::error::{Error, Result};
use crate::exit::ExitStatus;
use crate::net::{locate, now, CarrierSettings, Driver, Interrupts, Next};
use crate::output::{DryRun, Output, Thresholds};
use crate::settings::{
    chosen_transport, default_contact, dns_settings, home_port, insecure_warning, tls_settings,
    ws_path, Place, RequestShape,
};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::time::Instant as Deadline;

/// What differs between commands when opening a session.
#[derive(Default)]
pub struct SessionOptions<'a> {
    pub contact: Option<&'a str>,
    pub contact_params: Vec<String>,
    /// The expiry typed with -e; None: the profile's, else the default.
    pub expires: Option<u32>,
    /// Keep the binding refreshed until stopped (a staying `register`).
    pub stays: bool,
    /// The default Contact is the AOR's home contact even when this run could not
    /// bind its port (`unregister`: the contact to remove, not one to be reached at).
    pub names_home: bool,
    /// Answer requests at our contact while the binding is ours (`register`).
    pub answer: Option<ContactArgs>,
    /// Contacts bound (or removed) along with `contact` (`-c` given more than once).
    pub also_contacts: Vec<crate::sip::SipUri>,
}

/// The one registration of a single-AOR command's endpoint.
const ME: Handle = Handle(0);

pub struct Session {
    /// An endpoint of one registration (`ME`).
    pub endpoint: Endpoint,
    pub driver: Driver,
    pub output: Output,
    /// What output shows as our contact instead of the core's (`*` for --all).
    pub contact_shown_as: Option<String>,
    username: String,
    /// No credentials were configured: a challenge may be answered by asking.
    may_prompt: bool,
    /// When --max-time runs out, and the limit it stands for.
    max_time: Option<(Deadline, Duration)>,
}

/// The error --max-time ends a command with: no final response in time (exit 4).
/// `destination` is unspecified when the time ran out before anything was sent.
fn max_time_error(destination: Option<SocketAddr>, limit: Duration) -> Error {
    Error::Registration(RegError::Timeout {
        destination: destination
            .unwrap_or_else(|| SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), 0)),
        after: limit,
    })
}

/// A seed for the core's random source, from the operating system's generator.
fn os_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed);
    seed
}

/// The core's configuration for the command line (`settings::registration_config`):
/// the same for a real and a dry run, so a dry run shows exactly what a real run sends.
fn registration_config(
    common: &Common,
    place: Place,
    opts: SessionOptions<'_>,
    expires: u32,
) -> RegistrationConfig {
    let shape = RequestShape {
        contact_params: opts.contact_params,
        also_contacts: opts.also_contacts,
        expires,
    };
    crate::settings::registration_config(&common.shared, place, shape)
}

impl Session {
    /// Opens a session for the command line, with the chosen profile filled in,
    /// bounded by --max-time. A dry run never gets here: every command calls
    /// [`Session::dry_run`] instead.
    pub async fn open(
        common: &Common,
        mut output: Output,
        opts: SessionOptions<'_>,
    ) -> Result<Session> {
        let deadline = common.max_time.map(|limit| Deadline::now() + limit);
        let shared = &common.shared;
        if let Some(capture) = crate::output::Capture::open(shared.pcap.as_deref(), shared.hep)? {
            output.capture_to(capture);
        }
        let chosen = ChosenProfile::from_command_line(common)?;
        output.set_aor(chosen.common.aor.clone());
        let opts = SessionOptions {
            contact: opts.contact.or(chosen.contact.as_deref()),
            expires: Some(chosen.expires(opts.expires)),
            ..opts
        };
        let connecting = Session::connect(&chosen.common, output, opts, chosen.secret());
        let mut session = match (deadline, common.max_time) {
            (Some(at), Some(limit)) => tokio::time::timeout_at(at, connecting)
                .await
                .unwrap_or_else(|_| Err(max_time_error(None, limit)))?,
            _ => connecting.await?,
        };
        session.max_time = deadline.zip(common.max_time);
        Ok(session)
    }

    async fn connect(
        common: &Common,
        output: Output,
        opts: SessionOptions<'_>,
        profile_secret: Option<ProfileSecret<'_>>,
    ) -> Result<Session> {
        let Arguments {
            aor,
            aor_user,
            registrar,
            proxy,
            // Only checked here: DNS has the last word on the transport.
            transport: _,
            local,
            contact_arg,
            username,
        } = Arguments::read(common, opts.contact)?;
        let configured =
            credentials::configured(&common.credentials, profile_secret, &username, &output)?;

        // RFC 3263: every target for the next hop, best first; the driver fails over.
        let shared = &common.shared;
        let dns = dns_settings(shared)?;
        let next_hop = proxy.as_ref().unwrap_or(&registrar);
        let targets = locate(next_hop, chosen_transport(shared.transport), &dns).await?;
        let transports = targets.iter().map(|t| t.transport);
        if let Some(e) =
            crate::settings::origin_without_websocket(shared.origin.as_deref(), transports)
        {
            return Err(e);
        }
        let tls = tls_settings(shared);
        if let Some(warning) = insecure_warning(&tls, targets.iter().map(|t| t.transport)) {
            output.warn(warning);
        }
        // Connecting and handshakes take at most the transaction timeout.
        let limit = crate::settings::timers(shared.timeout).timeout;
        let mut carrier = CarrierSettings::new(local, tls, ws_path(shared), limit);
        if contact_arg.is_none() {
            carrier.home_port = Some(home_port(&aor));
        }
        carrier.origin = shared.origin.clone();
        let driver = Driver::single(targets, carrier, dns).await?;
        let Some(first) = driver.target() else {
            return Err(Error::Usage("no target to send to".into()));
        };
        let (destination, transport) = (first.addr, first.transport);
        let local_addr = driver.local_addr();
        let contact = contact_arg.unwrap_or_else(|| {
            // A removal names the home contact even when another run holds the port.
            let home = opts.names_home
                && transport == TransportKind::Udp
                && !matches!(local, Some(l) if l.port() != 0);
            let at = match home {
                true => SocketAddr::new(local_addr.ip(), home_port(&aor)),
                false => local_addr,
            };
            default_contact(Some(&aor_user), at, transport)
        });
        let expires = opts.expires.unwrap_or(DEFAULT_EXPIRES);
        let stays = opts.stays;
        let uas = opts
            .answer
            .as_ref()
            .map(|a| crate::settings::uas_config(&common.shared, a));
        let cfg = registration_config(
            common,
            Place {
                aor,
                proxy,
                destination,
                transport,
                local: local_addr,
                contact: contact.clone(),
            },
            opts,
            expires,
        );
        let may_prompt = configured.is_none();
        let mut endpoint = Endpoint::new(EndpointConfig::single(stays), os_seed());
        if let Some(uas) = uas {
            endpoint.answer_requests(uas, transport.is_reliable());
        }
        let me = endpoint.add(cfg, configured, common.shared.realm.clone());
        endpoint.set_fallbacks(me, driver.fallbacks());
        Ok(Session {
            endpoint,
            driver,
            output,
            contact_shown_as: None,
            username,
            may_prompt,
            max_time: None,
        })
    }

    /// Our contact for output: the core's, which a NAT rewrite may have changed.
    pub fn shown_contact(&self) -> String {
        self.contact_shown_as
            .clone()
            .unwrap_or_else(|| self.reg().contact().to_string())
    }

    /// The registration of this command.
    pub fn reg(&self) -> &Registration {
        self.endpoint.registration(ME)
    }

    /// For configuring the registration (recovery, NAT rewriting, keep-alives).
    pub fn reg_mut(&mut self) -> &mut Registration {
        self.endpoint.registration_mut(ME)
    }

    /// Starts `op`; its events come from `next_event`.
    pub fn start(&mut self, op: Operation) {
        self.endpoint.start(ME, op, now());
    }

    /// The next event, within --max-time (exit 4 when it runs out).
    pub async fn next_event(&mut self) -> Result<Event> {
        let Some((at, limit)) = self.max_time else {
            return self.next_event_unbounded().await;
        };
        match tokio::time::timeout_at(at, self.next_event_unbounded()).await {
            Ok(event) => event,
            Err(_) if self.reg().is_busy() => {
                Err(max_time_error(Some(self.reg().config().destination), limit))
            }
            Err(_) => {
                // Between requests: a staying registration that --max-time ends.
                self.output.max_time_ended_idle();
                Err(max_time_error(None, limit))
            }
        }
    }

    /// The next event, with challenges that found no credentials answered by a prompt
    /// on the terminal (once) when one is attached.
    async fn next_event_unbounded(&mut self) -> Result<Event> {
        loop {
            let next = self
                .driver
                .next(
                    &mut self.endpoint,
                    &mut self.output,
                    &mut Interrupts::default(),
                )
                .await?;
            let event = match next {
                Next::Event(_, event) => event,
                Next::Incoming(incoming) => {
                    self.output.incoming(&incoming);
                    continue;
                }
                // One registration with no interrupts: its endpoint never finishes
                // while its command still waits for an event.
                _ => continue,
            };
            if let Event::Redirected { .. } = &event {
                // 3xx: the driver located the new registrar and started again there.
                self.output.event(&event);
                continue;
            }
            if let Event::Failed {
                error: RegError::Auth(AuthError::NoCredentials { realm }),
                ..
            } = &event
            {
                if self.may_prompt {
                    self.may_prompt = false;
                    if let Some(c) = credentials::prompt(&self.username, realm) {
                        self.reg_mut().set_credentials(c);
                        self.endpoint.restart(ME, now());
                        continue;
                    }
                }
            }
            let reg = self.reg();
            let refusal = reg.last_refusal().map(|(code, _)| code);
            let refusal = refusal.zip(reg.last_refuser().cloned());
            self.output.note_refusal(refusal);
            return Ok(event);
        }
    }

    /// Runs one operation, prints its outcome or its failure, and says how to exit.
    pub async fn run_and_report(&mut self, op: Operation, kind: OpKind) -> ExitStatus {
        self.run_and_check(op, kind, &ExpectArgs::default()).await
    }

    /// Runs one operation and checks the --expect-… options against its answer.
    ///
    /// The exit status: a 2xx is 0, or 6 when an expectation failed. A failure whose
    /// final status is the one --expect-status names was expected: 0, or 6 when
    /// another expectation failed. Any other failure keeps its own status (1, 3, 4,
    /// 5): there was no answer to check, or a refusal nobody expected.
    pub async fn run_and_check(
        &mut self,
        op: Operation,
        kind: OpKind,
        expect: &ExpectArgs,
    ) -> ExitStatus {
        let expectations = match Expectations::from_args(expect) {
            Ok(e) => e,
            Err(e) => {
                self.output.failed(None, &e);
                return e.exit_status();
            }
        };
        let monitoring = self.output.format == OutputFormat::Nagios;
        if !monitoring && (expect.warning_time.is_some() || expect.critical_time.is_some()) {
            let e = Error::Usage(
                "--warning-time and --critical-time are the thresholds of -o nagios".into(),
            );
            self.output.failed(None, &e);
            return e.exit_status();
        }
        let mut result = self.run(op).await;
        if let (true, Ok(outcome)) = (expectations.reachable, &mut result) {
            match self.probe().await {
                Ok(found) => outcome.reachability = Some(found),
                Err(e) => result = Err(e),
            }
        }
        if let (true, Ok(outcome)) = (monitoring, &result) {
            let checks = expectations.check(&Answer::Completed(outcome));
            let limits = Thresholds {
                warning: expect.warning_time,
                critical: expect.critical_time,
            };
            return ExitStatus::Monitoring(self.output.monitored(outcome, &checks, limits));
        }
        if expectations.is_empty() {
            return match result {
                Ok(outcome) => {
                    self.output.completed(&outcome, &self.shown_contact());
                    ExitStatus::Success
                }
                Err(e) => {
                    self.output.failed(Some(kind), &e);
                    e.exit_status()
                }
            };
        }
        let verdict = |checks: &[crate::output::Check]| {
            if checks.iter().all(|c| c.passed) {
                ExitStatus::Success
            } else {
                ExitStatus::Expectation
            }
        };
        match result {
            Ok(outcome) => {
                let checks = expectations.check(&Answer::Completed(&outcome));
                self.output
                    .completed_checked(&outcome, &self.shown_contact(), &checks);
                verdict(&checks)
            }
            Err(e) => {
                let status = self.final_response_of(&e);
                let checks = expectations.check(&Answer::Failed {
                    status: status.clone(),
                });
                match status {
                    Some((code, reason)) if expectations.status == Some(code) => {
                        let exit = verdict(&checks);
                        self.output
                            .refusal_expected(kind, (code, &reason), &e, &checks, exit);
                        exit
                    }
                    _ => {
                        let exit = e.exit_status();
                        self.output.failed_checked(Some(kind), &e, &checks, exit);
                        exit
                    }
                }
            }
        }
    }

    /// Sends a reachability probe; what it finds comes as `Event::Probed`.
    pub fn start_probe(&mut self) {
        self.endpoint.start_probe(ME, now());
    }

    /// Sends a reachability probe and waits for what it finds (within Timer F).
    pub async fn probe(&mut self) -> Result<crate::core::Reachability> {
        self.start_probe();
        loop {
            match self.next_event().await? {
                Event::Probed(found) => return Ok(found),
                other => self.output.event(&other),
            }
        }
    }

    /// The final response a failure came from, when one did: the error carries the
    /// status for most refusals; authentication failures (a repeated 401/407) are
    /// caused by the last final response received.
    fn final_response_of(&self, error: &Error) -> Option<(u16, String)> {
        let Error::Registration(e) = error else {
            return None;
        };
        let last = self
            .reg()
            .last_refusal()
            .map(|(code, reason)| (code, crate::output::printable_reason(reason)));
        match (e.status(), e) {
            (
                Some(code),
                RegError::Forbidden { reason, .. }
                | RegError::Refused { reason, .. }
                | RegError::NothingGranted { reason, .. }
                | RegError::BindingMissing { reason, .. },
            ) => Some((code, crate::output::printable_reason(reason))),
            (Some(code), _) => Some(match last {
                Some((c, reason)) if c == code => (code, reason),
                _ => (code, String::new()),
            }),
            (None, RegError::Auth(_) | RegError::ChallengeLoop(_)) => last,
            (None, _) => None,
        }
    }

    /// `--dry-run`: builds the first request of `op` with the core, as a real run
    /// would, and prints it. Nothing is resolved, bound or sent; credentials are not
    /// read (the first request carries none).
    pub fn dry_run(
        common: &Common,
        mut output: Output,
        opts: SessionOptions<'_>,
        op: Operation,
    ) -> ExitStatus {
        match Session::first_request(common, &mut output, opts, op) {
            Ok(request) => {
                output.dry_run(&request);
                ExitStatus::Success
            }
            Err(e) => {
                output.failed(None, &e);
                e.exit_status()
            }
        }
    }

    fn first_request(
        common: &Common,
        output: &mut Output,
        opts: SessionOptions<'_>,
        op: Operation,
    ) -> Result<DryRun> {
        let chosen = ChosenProfile::from_command_line(common)?;
        let common = &chosen.common;
        output.set_aor(common.aor.clone());
        let contact = opts.contact.or(chosen.contact.as_deref());
        let args = Arguments::read(common, contact)?;
        let target = args.proxy.as_ref().unwrap_or(&args.registrar);
        let place = dry_run::addresses(target, args.transport, args.local);
        let contact = args
            .contact_arg
            .unwrap_or_else(|| default_contact(Some(&args.aor_user), place.local, args.transport));
        // The same configuration connect() builds, with the addresses found above.
        let expires = chosen.expires(opts.expires);
        let cfg = registration_config(
            common,
            Place {
                aor: args.aor,
                proxy: args.proxy,
                destination: place.destination,
                transport: args.transport,
                local: place.local,
                contact,
            },
            opts,
            expires,
        );
        let mut reg = Registration::new(cfg, None, common.shared.realm.clone(), os_seed());
        reg.start(op, now());
        let first = reg.poll_transmit().ok_or_else(|| {
            Error::io(
                "the registration built no request",
                std::io::Error::other("nothing to send"),
            )
        })?;
        Ok(DryRun {
            destination: place.shown_destination,
            transport: args.transport.via_token(),
            message: first.payload,
            notes: place.notes,
        })
    }

    /// Runs one operation to its final outcome, reporting progress events on the way.
    pub async fn run(&mut self, op: Operation) -> Result<Outcome> {
        self.start(op);
        loop {
            match self.next_event().await? {
                Event::Completed(outcome) => return Ok(outcome),
                Event::Failed { error, .. } => return Err(error.into()),
                other => self.output.event(&other),
            }
        }
    }
}
