//! What every command sets up the same way: the AOR, where to send, the socket, our
//! Contact, the credentials; and running one operation to its end.

use super::credentials;
use crate::auth::AuthError;
use crate::cli::{Common, TransportArg};
use crate::core::{
    Event, OpKind, Operation, Outcome, RegError, Registration, RegistrationConfig, Timers,
    TransportKind,
};
use crate::error::{Error, Result};
use crate::exit::ExitStatus;
use crate::net::{now, resolve, Driver, UdpTransport};
use crate::output::Output;
use crate::sip::{Host, SipUri};
use std::net::{IpAddr, SocketAddr};

/// What differs between commands when opening a session.
#[derive(Default)]
pub struct SessionOptions<'a> {
    pub contact: Option<&'a str>,
    pub contact_params: Vec<String>,
    pub extra_headers: Vec<(&'static str, String)>,
    pub expires: u32,
}

pub struct Session {
    pub reg: Registration,
    pub driver: Driver,
    pub output: Output,
    /// Our Contact as written in requests, for output.
    pub contact: String,
    username: String,
    /// No credentials were configured: a challenge may be answered by asking.
    may_prompt: bool,
}

/// Reads a URI argument. `sip:` may be left out (`alice@example.com`, `pbx.example.com:5070`).
pub fn parse_uri_arg(option: &str, text: &str) -> Result<SipUri> {
    let t = text.trim();
    let with_scheme = if t.contains(':')
        && (t.to_ascii_lowercase().starts_with("sip:")
            || t.to_ascii_lowercase().starts_with("sips:"))
    {
        t.to_string()
    } else {
        format!("sip:{t}")
    };
    with_scheme.parse().map_err(|_| {
        Error::Usage(format!(
            "{option} {text:?} is not a SIP URI: write it like sip:alice@example.com or sip:pbx.example.com:5060"
        ))
    })
}

fn parse_local(text: &str) -> Result<SocketAddr> {
    let t = text.trim();
    if let Ok(addr) = t.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let ip_text = t.trim_start_matches('[').trim_end_matches(']');
    ip_text
        .parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, 0))
        .map_err(|_| Error::Usage(format!("--local {text:?} is not an IP address or IP:PORT (e.g. 192.0.2.10, 192.0.2.10:5062, [::1]:5062)")))
}

fn transport(common: &Common, registrar: &SipUri) -> Result<TransportKind> {
    let chosen = match common.transport {
        Some(TransportArg::Udp) => TransportKind::Udp,
        Some(TransportArg::Tcp) => TransportKind::Tcp,
        Some(TransportArg::Tls) => TransportKind::Tls,
        Some(TransportArg::Ws) => TransportKind::Ws,
        Some(TransportArg::Wss) => TransportKind::Wss,
        None => match registrar
            .param("transport")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("tcp") => TransportKind::Tcp,
            Some("tls") => TransportKind::Tls,
            Some("ws") => TransportKind::Ws,
            Some("wss") => TransportKind::Wss,
            _ if registrar.sips => TransportKind::Tls,
            _ => TransportKind::Udp,
        },
    };
    if chosen != TransportKind::Udp {
        return Err(Error::Usage(format!(
            "transport {} is not available in this build of sipreg; use udp",
            chosen.via_token().to_ascii_lowercase()
        )));
    }
    Ok(chosen)
}

impl Session {
    pub async fn open(
        common: &Common,
        output: Output,
        opts: SessionOptions<'_>,
    ) -> Result<Session> {
        let aor = parse_uri_arg("AOR", &common.aor)?;
        let Some(aor_user) = aor.user.clone() else {
            return Err(Error::Usage(format!(
                "AOR {:?} has no user part: write it like sip:alice@example.com",
                common.aor
            )));
        };
        let registrar = match &common.registrar {
            Some(r) => parse_uri_arg("--registrar", r)?,
            None => aor.domain_uri(),
        };
        let proxy = common
            .proxy
            .as_deref()
            .map(|p| parse_uri_arg("--proxy", p))
            .transpose()?;
        let transport = transport(common, &registrar)?;
        let local = common.local.as_deref().map(parse_local).transpose()?;
        let contact_arg = opts
            .contact
            .map(|c| parse_uri_arg("--contact", c))
            .transpose()?;
        let username = common.user.clone().unwrap_or_else(|| aor_user.clone());
        let configured = credentials::configured(&common.credentials, &username, &output)?;

        let destination = resolve(proxy.as_ref().unwrap_or(&registrar), transport).await?;
        let udp = UdpTransport::bind(local, destination).await?;
        let local_addr = udp.local_addr();
        let contact = contact_arg.unwrap_or_else(|| {
            let mut c = SipUri::new(Host::from(local_addr.ip()), Some(local_addr.port()));
            c.user = Some(aor_user.clone());
            c
        });
        let mut timers = Timers::default();
        if let Some(t) = common.timeout {
            timers.timeout = t;
        }
        let cfg = RegistrationConfig {
            request_uri: aor.domain_uri(),
            aor,
            destination,
            transport,
            local: local_addr,
            contact: contact.clone(),
            contact_params: opts.contact_params,
            extra_headers: opts.extra_headers,
            expires: opts.expires,
            proxy,
            user_agent: Some(
                common
                    .user_agent
                    .clone()
                    .unwrap_or_else(|| format!("sipreg/{}", env!("CARGO_PKG_VERSION"))),
            ),
            timers,
        };
        let may_prompt = configured.is_none();
        let reg = Registration::new(
            cfg,
            configured,
            common.realm.clone(),
            Box::new(rand::rngs::OsRng),
        );
        Ok(Session {
            reg,
            driver: Driver::new(udp),
            output,
            contact: contact.to_string(),
            username,
            may_prompt,
        })
    }

    /// The next event, with challenges that found no credentials answered by a prompt
    /// on the terminal (once) when one is attached. `retry` is the operation to repeat.
    pub async fn next_event(&mut self, retry: &Operation) -> Result<Event> {
        loop {
            let event = self
                .driver
                .next_event(&mut self.reg, &mut self.output)
                .await?;
            if let Event::Failed {
                error: RegError::Auth(AuthError::NoCredentials { realm }),
                ..
            } = &event
            {
                if self.may_prompt {
                    self.may_prompt = false;
                    if let Some(c) = credentials::prompt(&self.username, realm) {
                        self.reg.set_credentials(c);
                        self.reg.start(retry.clone(), now());
                        continue;
                    }
                }
            }
            return Ok(event);
        }
    }

    /// Runs one operation, prints its outcome or its failure, and says how to exit.
    pub async fn run_and_report(&mut self, op: Operation, kind: OpKind) -> ExitStatus {
        match self.run(op).await {
            Ok(outcome) => {
                self.output.completed(&outcome, &self.contact);
                ExitStatus::Success
            }
            Err(e) => {
                self.output.failed(Some(kind), &e);
                e.exit_status()
            }
        }
    }

    /// Runs one operation to its final outcome, reporting progress events on the way.
    pub async fn run(&mut self, op: Operation) -> Result<Outcome> {
        self.reg.start(op.clone(), now());
        loop {
            match self.next_event(&op).await? {
                Event::Completed(outcome) => return Ok(outcome),
                Event::Failed { error, .. } => return Err(error.into()),
                other => self.output.event(&other),
            }
        }
    }
}
