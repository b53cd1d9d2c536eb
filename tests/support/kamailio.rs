//! A real Kamailio registrar for interop tests.
//!
//! `Kamailio::start(opts)` renders a per-run subscriber table (db_text, plaintext
//! passwords) into a private temp dir, starts `kamailio` with the repository's
//! one config (`tests/kamailio/kamailio.cfg`) on a free loopback port, waits
//! until it answers an OPTIONS with 200 and hands back its address.  Stopping
//! (explicitly or on Drop) kills the whole process group Kamailio forked.
//!
//! Safety net: Kamailio runs under a tiny `sh` watchdog whose stdin is a pipe
//! from the test process.  If the test process dies without running Drop (it
//! was SIGKILLed, or aborted), the pipe closes and the watchdog sends SIGTERM
//! to Kamailio, so no registrar outlives the tests.
//!
//! Options add listeners beyond UDP: TCP, TLS (on a second port, with a
//! certificate the test supplies; the tls module's config file is written to
//! the temp dir), SIP over WebSocket on the TCP and TLS listeners, and the same
//! listeners on `[::1]`.
//!
//! Only std and `tempfile`.  All traffic goes to 127.0.0.1 and ::1.

use std::fs::{self, File};
use std::io::{self, Read};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How the registrar challenges REGISTER requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KamAuth {
    /// `401 Unauthorized` + `WWW-Authenticate` (www_authorize / www_challenge).
    Www,
    /// `407 Proxy Authentication Required` + `Proxy-Authenticate`.
    Proxy,
    /// No authentication at all: every REGISTER is saved.
    None,
}

/// What kind of registrar to start.
#[derive(Clone, Debug)]
pub struct KamailioOptions {
    pub auth: KamAuth,
    /// registrar `min_expires`; below it (and non-zero) the answer is
    /// `423 Interval Too Brief` with `Min-Expires`.  0 = no minimum.
    pub min_expires: u32,
    /// registrar `max_expires`: longer requests are granted this.  0 = no maximum.
    pub max_expires: u32,
    /// registrar `default_expires`: used when the request carries no expiry.
    pub default_expires: u32,
    /// (username, plaintext password) rows of the subscriber table.
    pub users: Vec<(String, String)>,
    /// Domain of the subscriber rows.  The realm is always the To domain of
    /// the request; usernames are looked up without the domain.
    pub domain: String,
    /// Digest algorithm offered: `None` or `"MD5"` → MD5, `"SHA-256"` → SHA-256.
    /// Kamailio 5.6 offers exactly one algorithm per instance.
    pub algorithm: Option<String>,
    /// Also listen on TCP (same port number as UDP).
    pub tcp: bool,
    /// Also listen on TLS, on a port of its own ([`Kamailio::tls_port`]),
    /// presenting this certificate chain and key.
    pub tls: Option<KamTls>,
    /// SIP over WebSocket (RFC 7118): `ws` on the TCP listener (which this
    /// turns on), `wss` on the TLS listener when there is one.
    pub websocket: bool,
    /// Listen on `[::1]` too (UDP, and TCP when it is on), same port numbers.
    pub ipv6: bool,
    /// Check and answer outbound-proxy REGISTERs: a REGISTER without a `Route`
    /// header is refused with 403; the answers carry `X-Route-Seen` (the Route
    /// received), a `Service-Route` and a `Path` for the client to report.
    pub service_route: bool,
    /// Keep RFC 5626 outbound flows (registrar `outbound_mode` 1; the outbound
    /// module loaded). GRUUs are always on.
    pub outbound: bool,
    /// Answer STUN Binding requests on the SIP UDP port (RFC 5626 §4.4.2).
    pub stun: bool,
    /// Close TCP connections idle this many seconds (a flow drop for the client).
    pub tcp_lifetime: Option<u32>,
    /// Relay requests for a user (other than REGISTER) to its bound contacts, or
    /// answer 404 when none is bound (see `WITH_ROUTING` in kamailio.cfg).
    pub routing: bool,
    /// Ping every bound contact with an OPTIONS from `sip:pinger@sipreg.test`
    /// this often, in seconds (nathelper SIP pings; `WITH_NATPING` and
    /// `NATPING_INTERVAL` in kamailio.cfg).  Each answer is logged in
    /// [`Kamailio::stderr_log`] as `natping reply CODE from IP:PORT`.  Add
    /// `KEEPALIVE_TIMEOUT=N` (and `USRLOC_TIMER=1`) with
    /// [`Kamailio::start_with_defines`] to have a contact that answers no ping
    /// for N seconds marked (its expiry cut to 10 s) and then removed.
    pub natping: Option<u32>,
    /// With `tls`: require a client certificate signed by this CA (PEM) on the TLS
    /// listener (mutual TLS; `verify_certificate` and `require_certificate`).
    pub tls_client_ca: Option<String>,
}

/// The server side of the TLS listener, in PEM.
#[derive(Clone, Debug)]
pub struct KamTls {
    /// Server certificate first, then any intermediates.
    pub cert_chain_pem: String,
    pub key_pem: String,
}

impl Default for KamailioOptions {
    fn default() -> Self {
        KamailioOptions {
            auth: KamAuth::Www,
            min_expires: 0,
            max_expires: 3600,
            default_expires: 3600,
            users: vec![
                ("alice".to_string(), "secret-alice".to_string()),
                ("bob".to_string(), "secret-bob".to_string()),
            ],
            domain: "sipreg.test".to_string(),
            algorithm: None,
            tcp: false,
            tls: None,
            websocket: false,
            ipv6: false,
            service_route: false,
            outbound: false,
            stun: false,
            routing: false,
            tcp_lifetime: None,
            natping: None,
            tls_client_ca: None,
        }
    }
}

/// A running Kamailio registrar on 127.0.0.1.
pub struct Kamailio {
    /// `127.0.0.1:PORT`, UDP (and TCP when `opts.tcp`).
    pub addr: SocketAddr,
    /// `127.0.0.1:PORT` of the TLS listener, when `opts.tls`.
    pub tls_addr: Option<SocketAddr>,
    /// The subscriber domain (`opts.domain`), e.g. `sipreg.test`.
    pub domain: String,
    opts: KamailioOptions,
    bin: PathBuf,
    child: Option<Child>,
    pgid: Option<u32>,
    generation: u32,
    extra_defines: Vec<String>,
    // Declared last: dropped (removed) after Drop::drop has stopped Kamailio.
    dir: tempfile::TempDir,
}

/// How long to wait for the first 200 to an OPTIONS probe.
const READY_TIMEOUT: Duration = Duration::from_secs(10);
/// Start attempts on fresh ports when the chosen port turned out to be taken.
const START_ATTEMPTS: u32 = 5;

const NOT_INSTALLED: &str = "kamailio not installed: run scripts/install-deps.sh as root";

/// Shell watchdog around kamailio ("$@"):
/// * kamailio runs in the background with stdin from /dev/null;
/// * a second background job waits for EOF on our stdin pipe (fd 3) and then
///   SIGTERMs kamailio: if the test process dies, the pipe closes;
/// * the shell traps TERM/INT/HUP (forwarding TERM to kamailio) and keeps
///   waiting, so it is still kamailio's parent when kamailio exits and reaps
///   it (otherwise the exited main process lingers as a zombie of init);
/// * it exits with kamailio's status.
const WATCHDOG: &str = r#"exec 3<&0 0</dev/null
"$@" 3<&- &
k=$!
( read -r _ <&3; kill -TERM "$k" 2>/dev/null ) &
w=$!
exec 3<&-
trap 'kill -TERM "$k" 2>/dev/null' TERM INT HUP
while :; do
  wait "$k"; s=$?
  kill -0 "$k" 2>/dev/null || break
done
{ kill -TERM "$w"; wait "$w"; } 2>/dev/null
exit "$s"
"#;

enum StartError {
    /// The port was taken between choosing and binding: try another one.
    Bind(String),
    /// Anything else: give up.
    Other(String),
}

impl Kamailio {
    /// Start a registrar on a free loopback port and wait until it answers
    /// OPTIONS over UDP with 200.  Panics (with Kamailio's stderr) when it
    /// cannot be started within ~10 s, and with a clear message when the
    /// `kamailio` binary is not installed.
    pub fn start(opts: KamailioOptions) -> Kamailio {
        Self::start_with_defines(opts, &[])
    }

    /// Like [`Kamailio::start`], with extra pre-processor defines for the
    /// config (each passed as `-A DEFINE`), e.g. `&["NONCE_EXPIRE=3"]` to test
    /// `stale=true`, or `&["DEBUG_LEVEL=3"]` for a verbose [`Kamailio::stderr_log`].
    /// See the top of tests/kamailio/kamailio.cfg for the list.
    pub fn start_with_defines(opts: KamailioOptions, defines: &[&str]) -> Kamailio {
        let bin = find_kamailio().unwrap_or_else(|| panic!("{NOT_INSTALLED}"));
        let cfg = config_path();
        assert!(cfg.is_file(), "missing Kamailio config {}", cfg.display());
        validate(&opts);

        let dir = tempfile::Builder::new()
            .prefix("sipreg-kamailio-")
            .tempdir()
            .expect("create temp dir for kamailio");
        render_db(&dir.path().join("db"), &opts.users, &opts.domain)
            .expect("write kamailio subscriber table");
        if let Some(tls) = &opts.tls {
            render_tls(dir.path(), tls, opts.tls_client_ca.as_deref())
                .expect("write kamailio tls config");
        }
        fs::create_dir_all(dir.path().join("run")).expect("create kamailio runtime dir");

        let mut kam = Kamailio {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls_addr: None,
            domain: opts.domain.clone(),
            opts,
            bin,
            child: None,
            pgid: None,
            generation: 0,
            extra_defines: defines.iter().map(|d| d.to_string()).collect(),
            dir,
        };

        let mut last = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = match pick_free_port(kam.opts.tcp || kam.opts.websocket) {
                Some(p) => p,
                None => continue,
            };
            let tls_port = match kam.opts.tls {
                Some(_) => match pick_free_tcp_port(port) {
                    Some(p) => Some(p),
                    None => continue,
                },
                None => None,
            };
            match kam.spawn_on(port, tls_port) {
                Ok(()) => return kam,
                Err(StartError::Bind(log)) => last = log,
                Err(StartError::Other(log)) => {
                    panic!("kamailio failed to start on 127.0.0.1:{port}:\n{log}")
                }
            }
        }
        panic!(
            "kamailio could not bind a free loopback port after {START_ATTEMPTS} attempts:\n{last}"
        );
    }

    /// `sip:127.0.0.1:PORT`
    pub fn registrar_uri(&self) -> String {
        format!("sip:127.0.0.1:{}", self.addr.port())
    }

    /// `sip:127.0.0.1:PORT;transport=tcp` (only useful with `opts.tcp`).
    pub fn registrar_uri_tcp(&self) -> String {
        format!("sip:127.0.0.1:{};transport=tcp", self.addr.port())
    }

    /// The TLS listener's port (only with `opts.tls`).
    pub fn tls_port(&self) -> u16 {
        self.tls_addr.expect("started without opts.tls").port()
    }

    /// `sip:HOST:TLSPORT;transport=tls`: HOST is what the client checks the
    /// certificate against (e.g. `localhost`, `127.0.0.1`).
    pub fn registrar_uri_tls(&self, host: &str) -> String {
        format!("sip:{host}:{};transport=tls", self.tls_port())
    }

    /// `ws://127.0.0.1:PORT/` (only with `opts.websocket`).
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/", self.addr.port())
    }

    /// `wss://HOST:TLSPORT/` (only with `opts.websocket` and `opts.tls`).
    pub fn wss_url(&self, host: &str) -> String {
        format!("wss://{host}:{}/", self.tls_port())
    }

    /// `sip:[::1]:PORT` (only with `opts.ipv6`).
    pub fn registrar_uri_v6(&self) -> String {
        format!("sip:[::1]:{}", self.addr.port())
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The options this instance was started with.
    pub fn options(&self) -> &KamailioOptions {
        &self.opts
    }

    /// The instance's private directory (subscriber table, runtime dir, logs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Is the Kamailio process of this instance still running?
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Kill Kamailio (SIGTERM to its process group, SIGKILL after 3 s) and
    /// wait until none of its processes is left.  Idempotent; also run on Drop.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pgid = self.pgid.take().unwrap_or(child.id());
        // Closing the watchdog's stdin makes it SIGTERM kamailio too.
        drop(child.stdin.take());
        signal_group(pgid, "TERM");
        let deadline = Instant::now() + Duration::from_secs(3);
        let mut reaped = false;
        while Instant::now() < deadline {
            if !reaped && matches!(child.try_wait(), Ok(Some(_))) {
                reaped = true;
            }
            if reaped && !group_alive(pgid) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if group_alive(pgid) {
            signal_group(pgid, "KILL");
        }
        let _ = child.kill();
        let _ = child.wait();
        // Children re-parented to init are gone shortly after SIGKILL.
        let deadline = Instant::now() + Duration::from_secs(2);
        while group_alive(pgid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stop and start again on the same port, with an empty location table
    /// (usrloc is memory-only).  Panics when it cannot come back within ~10 s.
    pub fn restart_empty(&mut self) {
        self.stop();
        let port = self.addr.port();
        let tls_port = self.tls_addr.map(|a| a.port());
        let mut last = String::new();
        for attempt in 0..START_ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(200 * attempt as u64));
            }
            match self.spawn_on(port, tls_port) {
                Ok(()) => return,
                Err(StartError::Bind(log)) => last = log,
                Err(StartError::Other(log)) => {
                    panic!("kamailio failed to restart on 127.0.0.1:{port}:\n{log}")
                }
            }
        }
        panic!("kamailio could not re-bind 127.0.0.1:{port}:\n{last}");
    }

    /// What the current Kamailio process printed (it logs to stderr).
    pub fn stderr_log(&self) -> String {
        fs::read(self.log_path(self.generation))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// PIDs of processes of this instance still alive (found by the instance's
    /// unique directory on their command line).  Empty after `stop()`.
    pub fn instance_pids(&self) -> Vec<u32> {
        pids_with_arg_containing(&self.dir.path().to_string_lossy())
    }

    /// Send one raw SIP request over UDP from a fresh 127.0.0.1 socket and
    /// return the first final (non-1xx) response.  `{local}` in `request` is
    /// replaced by the socket's `127.0.0.1:port` (for Via/Contact).  Retransmits
    /// like a UDP client transaction (0.5 s, 1 s, 2 s); `None` after ~4 s.
    pub fn udp_request(&self, request: &str) -> Option<String> {
        sip_udp_exchange(self.addr, request, Duration::from_secs(4))
    }

    // ---------------------------------------------------------------------

    fn log_path(&self, generation: u32) -> PathBuf {
        self.dir.path().join(format!("kamailio.{generation}.log"))
    }

    /// The exact command line (without the binary) for `port`.
    fn args(&self, port: u16, tls_port: Option<u16>) -> Vec<String> {
        let dir = self.dir.path();
        let run = dir.join("run");
        let mut a: Vec<String> = vec![
            "-f".into(),
            config_path().to_string_lossy().into_owned(),
            "-DD".into(), // stay in the foreground (no daemon), fork workers
            "-E".into(),  // log to stderr
            "-m".into(),
            "32".into(), // shared memory, MB
            "-M".into(),
            "4".into(), // private memory per process, MB
            "-n".into(),
            "1".into(), // one UDP worker
            "-Y".into(),
            run.to_string_lossy().into_owned(),
            "-P".into(),
            run.join("kamailio.pid").to_string_lossy().into_owned(),
            "-w".into(),
            dir.to_string_lossy().into_owned(),
            "-l".into(),
            format!("udp:127.0.0.1:{port}"),
        ];
        let tcp = self.opts.tcp || self.opts.websocket;
        if self.opts.ipv6 {
            a.extend(["-l".into(), format!("udp:[::1]:{port}")]);
        }
        if tcp {
            a.extend(["-l".into(), format!("tcp:127.0.0.1:{port}")]);
            if self.opts.ipv6 {
                a.extend(["-l".into(), format!("tcp:[::1]:{port}")]);
            }
        }
        if let Some(tls_port) = tls_port {
            a.extend([
                "-l".into(),
                format!("tls:127.0.0.1:{tls_port}"),
                "-A".into(),
                "WITH_TLS".into(),
                "-A".into(),
                format!("TLS_CFG=\"{}\"", dir.join("tls.cfg").display()),
            ]);
        }
        if tcp || tls_port.is_some() {
            a.extend(["-N".into(), "1".into()]); // one TCP/TLS worker
        } else {
            a.push("-T".into()); // no TCP at all
        }
        if self.opts.websocket {
            a.extend(["-A".into(), "WITH_WS".into()]);
        }
        if self.opts.service_route {
            a.extend(["-A".into(), "WITH_SERVICE_ROUTE".into()]);
        }
        if self.opts.outbound {
            a.extend(["-A".into(), "WITH_OUTBOUND".into()]);
        }
        if self.opts.routing {
            a.extend(["-A".into(), "WITH_ROUTING".into()]);
        }
        if self.opts.stun {
            a.extend(["-A".into(), "WITH_STUN".into()]);
        }
        if let Some(seconds) = self.opts.tcp_lifetime {
            a.extend(["-A".into(), format!("TCP_LIFETIME={seconds}")]);
        }
        if let Some(seconds) = self.opts.natping {
            a.extend([
                "-A".into(),
                "WITH_NATPING".into(),
                "-A".into(),
                format!("NATPING_INTERVAL={seconds}"),
            ]);
        }
        a.extend([
            "-A".into(),
            format!("DBURL=\"text://{}\"", dir.join("db").display()),
        ]);
        match self.opts.auth {
            KamAuth::Www => {}
            KamAuth::Proxy => a.extend(["-A".into(), "AUTH_PROXY".into()]),
            KamAuth::None => a.extend(["-A".into(), "NO_AUTH".into()]),
        }
        a.extend([
            "-A".into(),
            format!("MIN_EXPIRES={}", self.opts.min_expires),
            "-A".into(),
            format!("MAX_EXPIRES={}", self.opts.max_expires),
            "-A".into(),
            format!("DEFAULT_EXPIRES={}", self.opts.default_expires),
            "-A".into(),
            format!("ALGO=\"{}\"", algorithm_name(&self.opts.algorithm)),
        ]);
        for d in &self.extra_defines {
            a.extend(["-A".to_string(), d.clone()]);
        }
        a
    }

    fn spawn_on(&mut self, port: u16, tls_port: Option<u16>) -> Result<(), StartError> {
        self.generation += 1;
        let log_path = self.log_path(self.generation);
        let log = File::create(&log_path).expect("create kamailio log file");
        let log2 = log.try_clone().expect("clone log file handle");
        let args = self.args(port, tls_port);
        let mut cmd = Command::new("/bin/sh");
        cmd.arg("-c")
            .arg(WATCHDOG)
            .arg("sipreg-kamailio-watchdog")
            .arg(&self.bin)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log2))
            .current_dir(self.dir.path())
            .process_group(0);
        let child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::NotFound => panic!("{NOT_INSTALLED} ({e})"),
            Err(e) => panic!("spawning kamailio: {e}"),
        };
        self.pgid = Some(child.id());
        self.child = Some(child);
        self.addr = SocketAddr::from(([127, 0, 0, 1], port));
        self.tls_addr = tls_port.map(|p| SocketAddr::from(([127, 0, 0, 1], p)));

        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(c) = self.child.as_mut() {
                if let Ok(Some(status)) = c.try_wait() {
                    let text = format!(
                        "kamailio exited early ({status}); command line:\n  {} {}\n--- stderr ---\n{}",
                        self.bin.display(),
                        args.join(" "),
                        read_lossy(&log_path)
                    );
                    self.stop();
                    return Err(if is_bind_failure(&text) {
                        StartError::Bind(text)
                    } else {
                        StartError::Other(text)
                    });
                }
            }
            let accepts = |addr: Option<SocketAddr>| {
                addr.map_or(true, |a| {
                    TcpStream::connect_timeout(&a, Duration::from_millis(500)).is_ok()
                })
            };
            let tcp = self.opts.tcp || self.opts.websocket;
            if probe_options(self.addr, Duration::from_millis(250))
                && accepts(tcp.then_some(self.addr))
                && accepts(self.tls_addr)
            {
                return Ok(());
            }
            if Instant::now() >= deadline {
                self.stop();
                return Err(StartError::Other(format!(
                    "kamailio did not answer OPTIONS on 127.0.0.1:{port} within {:?}; command line:\n  {} {}\n--- stderr ---\n{}",
                    READY_TIMEOUT,
                    self.bin.display(),
                    args.join(" "),
                    read_lossy(&log_path)
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        self.stop();
    }
}

// -------------------------------------------------------------------------
// helpers

/// `tests/kamailio/kamailio.cfg` in this repository.
pub fn config_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kamailio/kamailio.cfg")
}

/// The `kamailio` binary: `$SIPREG_KAMAILIO_BIN`, else `$PATH`, else the
/// usual sbin directories (not always on a non-root `$PATH`).
pub fn find_kamailio() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SIPREG_KAMAILIO_BIN") {
        let p = PathBuf::from(p);
        return is_executable(&p).then_some(p);
    }
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    for d in ["/usr/sbin", "/usr/local/sbin", "/sbin"] {
        dirs.push(PathBuf::from(d));
    }
    dirs.into_iter()
        .map(|d| d.join("kamailio"))
        .find(|p| is_executable(p))
}

/// True when Kamailio is installed (for tests that want to skip instead of fail).
pub fn kamailio_available() -> bool {
    find_kamailio().is_some()
}

fn is_executable(p: &Path) -> bool {
    fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

fn algorithm_name(a: &Option<String>) -> &'static str {
    match a.as_deref().map(|s| s.to_ascii_uppercase()) {
        None => "MD5",
        Some(s) if s == "MD5" => "MD5",
        Some(s) if s == "SHA-256" || s == "SHA256" => "SHA-256",
        Some(other) => panic!(
            "Kamailio 5.6 offers only MD5 or SHA-256 (auth modparam \"algorithm\"), not {other:?}"
        ),
    }
}

fn validate(opts: &KamailioOptions) {
    let _ = algorithm_name(&opts.algorithm);
    assert!(
        !opts.domain.is_empty(),
        "KamailioOptions.domain must not be empty"
    );
    for (u, p) in &opts.users {
        assert!(!u.is_empty(), "empty username in KamailioOptions.users");
        // db_text reads an empty field as NULL, which auth_db rejects.
        assert!(
            !p.is_empty(),
            "empty password for user {u:?} in KamailioOptions.users"
        );
    }
}

/// Escape a value for a db_text row (`:` separates columns).
fn dbtext_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            ':' => o.push_str("\\:"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            '\0' => o.push_str("\\0"),
            c => o.push(c),
        }
    }
    o
}

/// Write a db_text database (`version` + `subscriber`, plaintext passwords).
pub fn render_db(db_dir: &Path, users: &[(String, String)], domain: &str) -> io::Result<()> {
    fs::create_dir_all(db_dir)?;
    fs::write(
        db_dir.join("version"),
        "id(int,auto) table_name(string) table_version(int) \n0:version:1\n0:subscriber:7\n",
    )?;
    let mut s = String::from("id(int,auto) username(string) domain(string) password(string) \n");
    for (i, (u, p)) in users.iter().enumerate() {
        s.push_str(&format!(
            "{}:{}:{}:{}\n",
            i + 1,
            dbtext_escape(u),
            dbtext_escape(domain),
            dbtext_escape(p)
        ));
    }
    fs::write(db_dir.join("subscriber"), s)
}

/// Write the tls module's config: our certificate and key; client certificates
/// asked for and checked against `client_ca` when given.
fn render_tls(dir: &Path, tls: &KamTls, client_ca: Option<&str>) -> io::Result<()> {
    let cert = dir.join("tls-cert.pem");
    let key = dir.join("tls-key.pem");
    fs::write(&cert, &tls.cert_chain_pem)?;
    fs::write(&key, &tls.key_pem)?;
    let clients = match client_ca {
        Some(pem) => {
            let ca = dir.join("tls-client-ca.pem");
            fs::write(&ca, pem)?;
            format!(
                "verify_certificate = yes\nrequire_certificate = yes\nca_list = {}\n",
                ca.display()
            )
        }
        None => "verify_certificate = no\nrequire_certificate = no\n".to_string(),
    };
    fs::write(
        dir.join("tls.cfg"),
        format!(
            "[server:default]\n\
             method = TLSv1.2+\n\
             {clients}\
             private_key = {}\n\
             certificate = {}\n\n\
             [client:default]\n\
             method = TLSv1.2+\n\
             verify_certificate = no\n\
             require_certificate = no\n",
            key.display(),
            cert.display()
        ),
    )
}

/// A TCP port free on 127.0.0.1 right now, other than `not`.
pub fn pick_free_tcp_port(not: u16) -> Option<u16> {
    for _ in 0..20 {
        let port = TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        if port != not {
            return Some(port);
        }
    }
    None
}

/// A port free for UDP (and TCP when asked) on 127.0.0.1 right now.
pub fn pick_free_port(tcp: bool) -> Option<u16> {
    for _ in 0..20 {
        let udp = UdpSocket::bind("127.0.0.1:0").ok()?;
        let port = udp.local_addr().ok()?.port();
        if !tcp {
            return Some(port);
        }
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Some(port);
        }
    }
    None
}

fn is_bind_failure(log: &str) -> bool {
    log.contains("Address already in use") || log.contains("EADDRINUSE")
}

pub fn read_lossy(p: &Path) -> String {
    let mut b = Vec::new();
    let _ = File::open(p).and_then(|mut f| f.read_to_end(&mut b));
    String::from_utf8_lossy(&b).into_owned()
}

/// `kill -SIG -- -PGID` via the procps/util-linux `kill` binary (std has no
/// kill(2) for arbitrary pids; no libc dependency here).
fn signal_group(pgid: u32, sig: &str) -> bool {
    Command::new("kill")
        .args(["-s", sig, "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Is any process left in process group `pgid`?  Reads /proc (signal 0 would
/// also count zombies, which are harmless and go away when reaped).
fn group_alive(pgid: u32) -> bool {
    let Ok(rd) = fs::read_dir("/proc") else {
        return signal_group(pgid, "0");
    };
    for e in rd.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // "pid (comm) state ppid pgrp ..." — comm may contain spaces/parens.
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        if f.len() > 2 && f[2] == pgid.to_string() && f[0] != "Z" {
            return true;
        }
    }
    false
}

/// PIDs (excluding zombies) whose command line contains `needle`.
pub fn pids_with_arg_containing(needle: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(rd) = fs::read_dir("/proc") else {
        return out;
    };
    for e in rd.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(cmd) = fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        if cmd.is_empty() {
            continue; // zombie or kernel thread
        }
        let cmd = String::from_utf8_lossy(&cmd);
        if cmd.split('\0').any(|a| a.contains(needle)) {
            out.push(pid);
        }
    }
    out
}

/// PIDs of every `kamailio` process on the machine (all instances).
pub fn all_kamailio_pids() -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(rd) = fs::read_dir("/proc") else {
        return out;
    };
    for e in rd.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if fs::read_to_string(format!("/proc/{pid}/comm"))
            .map(|c| c.trim() == "kamailio")
            .unwrap_or(false)
        {
            out.push(pid);
        }
    }
    out
}

fn random_token() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.write_u32(std::process::id());
    format!("{:016x}", h.finish())
}

/// One OPTIONS to `addr`; true on a `200` within `wait`.
fn probe_options(addr: SocketAddr, wait: Duration) -> bool {
    let Ok(sock) = UdpSocket::bind("127.0.0.1:0") else {
        return false;
    };
    let Ok(local) = sock.local_addr() else {
        return false;
    };
    let t = random_token();
    let req = format!(
        "OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {local};rport;branch=z9hG4bK-probe-{t}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:probe@127.0.0.1>;tag=p{t}\r\n\
         To: <sip:127.0.0.1:{port}>\r\n\
         Call-ID: probe-{t}@127.0.0.1\r\n\
         CSeq: 1 OPTIONS\r\n\
         Content-Length: 0\r\n\r\n",
        port = addr.port()
    );
    if sock.send_to(req.as_bytes(), addr).is_err() {
        return false;
    }
    let _ = sock.set_read_timeout(Some(wait));
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + wait;
    while Instant::now() < deadline {
        match sock.recv_from(&mut buf) {
            Ok((n, _)) => {
                let s = String::from_utf8_lossy(&buf[..n]);
                if s.starts_with("SIP/2.0 200") && s.contains(&t) {
                    return true;
                }
            }
            Err(_) => return false, // timeout or ICMP port unreachable
        }
    }
    false
}

/// Send a raw SIP request over UDP to `addr` (must be loopback) and return
/// the first final response.  `{local}` is replaced by the local address.
pub fn sip_udp_exchange(addr: SocketAddr, request: &str, total: Duration) -> Option<String> {
    assert!(
        addr.ip().is_loopback(),
        "test traffic must stay on loopback, not {addr}"
    );
    let sock = UdpSocket::bind("127.0.0.1:0").ok()?;
    let local = sock.local_addr().ok()?;
    let msg = request.replace("{local}", &local.to_string());
    let deadline = Instant::now() + total;
    let mut interval = Duration::from_millis(500);
    let mut buf = vec![0u8; 65536];
    loop {
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        sock.send_to(msg.as_bytes(), addr).ok()?;
        let until = (now + interval).min(deadline);
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            let _ = sock.set_read_timeout(Some(left));
            match sock.recv_from(&mut buf) {
                Ok((n, _)) => {
                    let s = String::from_utf8_lossy(&buf[..n]).into_owned();
                    if s.starts_with("SIP/2.0 1") {
                        continue; // provisional
                    }
                    return Some(s);
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    break
                }
                Err(_) => {
                    // ICMP port unreachable surfaces as ConnectionRefused on Linux;
                    // wait out the interval before retransmitting.
                    std::thread::sleep(left.min(Duration::from_millis(100)));
                }
            }
        }
        interval = (interval * 2).min(Duration::from_secs(4));
    }
}

/// A REGISTER from `user@domain` with no credentials, ready for
/// [`Kamailio::udp_request`] (`{local}` is filled in there).
/// `contact`: `Some("<sip:...>")`, `Some("*")` or `None` (a query).
pub fn raw_register(
    user: &str,
    domain: &str,
    contact: Option<&str>,
    expires: Option<u32>,
    extra_headers: &str,
) -> String {
    let t = random_token();
    let mut m = format!(
        "REGISTER sip:{domain} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {{local}};rport;branch=z9hG4bK-{t}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:{user}@{domain}>;tag=f{t}\r\n\
         To: <sip:{user}@{domain}>\r\n\
         Call-ID: {t}@sipreg-test\r\n\
         CSeq: 1 REGISTER\r\n"
    );
    if let Some(c) = contact {
        m.push_str(&format!("Contact: {c}\r\n"));
    }
    if let Some(e) = expires {
        m.push_str(&format!("Expires: {e}\r\n"));
    }
    m.push_str(extra_headers);
    m.push_str("Content-Length: 0\r\n\r\n");
    m
}

/// The value of the first header `name` (case-insensitive) in a SIP message.
pub fn header<'a>(msg: &'a str, name: &str) -> Option<&'a str> {
    msg.split("\r\n")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
}

/// The status code of a SIP response.
pub fn status_code(msg: &str) -> Option<u16> {
    msg.strip_prefix("SIP/2.0 ")?.get(..3)?.parse().ok()
}
