//! ejabberd 23.01's `mod_sip` as a second real registrar for interop tests.
//!
//! `Ejabberd::start(opts)` renders the repository's config
//! (`tests/ejabberd/ejabberd.yml`) into a private temp dir with its own spool, log
//! and config directories, starts `ejabberdctl foreground` on free loopback ports
//! (SIP over UDP and TCP on one port, TLS on another) under an Erlang node name of
//! its own, waits until the SIP port answers, and adds the users with
//! `ejabberdctl register`. Starting Erlang takes a second or two: a test binary
//! shares one instance (`Ejabberd::shared`).
//!
//! ejabberdctl runs ejabberd as the `ejabberd` user (through `su`), so the tests
//! need root, and the temp dir is handed to that user. Only SIP listeners are
//! configured, on 127.0.0.1; the Erlang distribution that `ejabberdctl register`
//! and `stop` talk over is bound to 127.0.0.1 too, with a cookie of this instance.
//!
//! Stopping (`stop`, on Drop, or — for the shared instance, which is never dropped
//! — when the test process exits and the watchdog's stdin pipe closes) runs
//! `ejabberdctl stop`, then kills what is left of the node by its unique name.

use super::kamailio::{pick_free_port, pick_free_tcp_port, pids_with_arg_containing, read_lossy};
use std::fs;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const CTL: &str = "/usr/sbin/ejabberdctl";
const NOT_INSTALLED: &str = "ejabberd not installed: run scripts/install-deps.sh as root";
/// How long ejabberd may take to answer on its SIP port.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// Any one `ejabberdctl` command (each starts an Erlang node of its own).
const CTL_TIMEOUT: Duration = Duration::from_secs(30);
const START_ATTEMPTS: u32 = 3;
/// How often a ctl command is run again when its node name was taken.
const CTL_NAME_RETRIES: u32 = 4;

/// Runs `"$@" foreground` and, when our stdin closes (the test process ended,
/// however), `"$@" stop` and then SIGTERM to what it started; exits with
/// ejabberd's status.
const WATCHDOG: &str = r#"exec 3<&0 0</dev/null
"$@" foreground 3<&- &
k=$!
( read -r _ <&3; "$@" stop >/dev/null 2>&1; kill -TERM "$k" 2>/dev/null ) &
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

/// What the registrar is made with.
#[derive(Clone, Debug)]
pub struct EjabberdOptions {
    /// The SIP domain ejabberd serves (its `hosts`).
    pub domain: String,
    /// (user, password), added with `ejabberdctl register`.
    pub users: Vec<(String, String)>,
    /// The Flow-Timer ejabberd sends to outbound registrations over UDP, and after
    /// which it drops a flow that sent no keep-alive (its default is 29 s).
    pub flow_timeout_udp: u32,
}

pub struct Ejabberd {
    /// `127.0.0.1:PORT`: SIP over UDP and TCP.
    pub addr: SocketAddr,
    /// `127.0.0.1:PORT` of SIP over TLS.
    pub tls_addr: SocketAddr,
    pub domain: String,
    /// The CA that signed the TLS listener's certificate, for `--ca-file`.
    pub ca_file: PathBuf,
    node: String,
    child: Option<Child>,
    // Declared last: removed after Drop has stopped ejabberd.
    dir: tempfile::TempDir,
}

static SHARED: OnceLock<Ejabberd> = OnceLock::new();
static INSTANCES: AtomicU32 = AtomicU32::new(0);

impl Ejabberd {
    /// The instance this test binary shares, started with `opts` on first use (later
    /// callers get it as it was started).
    pub fn shared(opts: impl FnOnce() -> EjabberdOptions) -> &'static Ejabberd {
        SHARED.get_or_init(|| Ejabberd::start(opts()))
    }

    /// Starts ejabberd on free loopback ports and adds the users. Panics with its
    /// log when it does not come up.
    pub fn start(opts: EjabberdOptions) -> Ejabberd {
        assert!(Path::new(CTL).exists(), "{NOT_INSTALLED}");
        let owner = ejabberd_user().unwrap_or_else(|| panic!("{NOT_INSTALLED}: no ejabberd user"));
        assert!(
            is_root(),
            "the ejabberd tests need root: ejabberdctl runs ejabberd as the ejabberd user"
        );
        let mut last = String::new();
        for _ in 0..START_ATTEMPTS {
            let (Some(port), Some(tls)) = (pick_free_port(true), pick_free_tcp_port(0)) else {
                continue;
            };
            if tls == port {
                continue;
            }
            match Ejabberd::spawn(&opts, owner, port, tls) {
                Ok(ej) => {
                    // Each command starts an Erlang node of its own: side by side.
                    std::thread::scope(|s| {
                        for (user, password) in &opts.users {
                            let ej = &ej;
                            s.spawn(move || ej.register_user(user, password));
                        }
                    });
                    return ej;
                }
                Err(log) => last = log,
            }
        }
        panic!("ejabberd did not start after {START_ATTEMPTS} attempts:\n{last}");
    }

    fn spawn(
        opts: &EjabberdOptions,
        owner: (u32, u32),
        port: u16,
        tls_port: u16,
    ) -> Result<Ejabberd, String> {
        let dir = tempfile::Builder::new()
            .prefix("sipreg-ejabberd-")
            .tempdir()
            .expect("create a temp dir for ejabberd");
        let n = INSTANCES.fetch_add(1, Ordering::Relaxed);
        let node = format!("sipreg-ej-{}-{n}@localhost", std::process::id());
        render(dir.path(), opts, port, tls_port, &node).expect("write ejabberd's config");
        make_certificates(&dir.path().join("config"), &opts.domain);
        chown_tree(dir.path(), owner).expect("hand the temp dir to the ejabberd user");
        let log = fs::File::create(dir.path().join("foreground.log")).unwrap();
        let mut ej = Ejabberd {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            tls_addr: SocketAddr::from(([127, 0, 0, 1], tls_port)),
            domain: opts.domain.clone(),
            ca_file: dir.path().join("config/ca.pem"),
            node,
            child: None,
            dir,
        };
        let child = Command::new("/bin/sh")
            .arg("-c")
            .arg(WATCHDOG)
            .arg("sipreg-ejabberd-watchdog")
            .arg(CTL)
            .args(ej.ctl_args())
            .stdin(Stdio::piped())
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .current_dir(ej.dir.path())
            .process_group(0)
            .spawn()
            .expect("spawn ejabberdctl");
        ej.child = Some(child);
        let deadline = Instant::now() + READY_TIMEOUT;
        while Instant::now() < deadline {
            if let Some(Ok(Some(status))) = ej.child.as_mut().map(Child::try_wait) {
                return Err(format!("ejabberd exited ({status}):\n{}", ej.log()));
            }
            if answers(ej.addr) {
                return Ok(ej);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let log = ej.log();
        ej.stop();
        Err(format!(
            "ejabberd did not answer on {} within {READY_TIMEOUT:?}:\n{log}",
            ej.addr
        ))
    }

    /// `sip:127.0.0.1:PORT`
    pub fn registrar_uri(&self) -> String {
        format!("sip:{}", self.addr)
    }

    pub fn registrar_uri_tcp(&self) -> String {
        format!("sip:{};transport=tcp", self.addr)
    }

    pub fn registrar_uri_tls(&self) -> String {
        format!("sip:{};transport=tls", self.tls_addr)
    }

    /// Adds a user (or changes nothing when it exists). Panics when ejabberdctl fails.
    pub fn register_user(&self, user: &str, password: &str) {
        let mut out = self.ctl(&["register", user, &self.domain, password]);
        // ejabberdctl names its own Erlang node with only three random hex digits, so
        // commands run side by side now and then draw the same name: draw again.
        for _ in 0..CTL_NAME_RETRIES {
            let said = [&out.stdout[..], &out.stderr[..]].concat();
            if !String::from_utf8_lossy(&said).contains("seems to be in use") {
                break;
            }
            out = self.ctl(&["register", user, &self.domain, password]);
        }
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() || text.contains("already registered"),
            "ejabberdctl register {user}: {}{}",
            text,
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs `ejabberdctl ARGS` against this instance, with a deadline.
    pub fn ctl(&self, args: &[&str]) -> Output {
        let mut child = Command::new(CTL)
            .args(self.ctl_args())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .current_dir(self.dir.path())
            .spawn()
            .expect("spawn ejabberdctl");
        let deadline = Instant::now() + CTL_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return child.wait_with_output().unwrap();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("ejabberdctl {args:?} did not finish within {CTL_TIMEOUT:?}");
    }

    /// ejabberd's own log (info level: each listener, each failed authentication).
    pub fn log(&self) -> String {
        let logs = self.dir.path().join("logs");
        format!(
            "{}{}",
            read_lossy(&self.dir.path().join("foreground.log")),
            read_lossy(&logs.join("ejabberd.log"))
        )
    }

    /// Stops ejabberd and waits until nothing of its node is left. Idempotent.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // Closing the watchdog's stdin makes it run `ejabberdctl stop`.
        drop(child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        // ejabberd runs in a session of its own (su): find it by its node name.
        for pid in pids_with_arg_containing(&self.node) {
            let _ = Command::new("kill")
                .args(["-s", "KILL", &pid.to_string()])
                .status();
        }
    }

    /// `ejabberdctl`'s options for this instance: node, directories, config.
    fn ctl_args(&self) -> Vec<String> {
        let d = self.dir.path();
        let path = |p: &str| d.join(p).display().to_string();
        vec![
            "-n".into(),
            self.node.clone(),
            "-s".into(),
            path("spool"),
            "-l".into(),
            path("logs"),
            "-d".into(),
            path("config"),
            "-f".into(),
            path("config/ejabberd.yml"),
            "-c".into(),
            path("config/ejabberdctl.cfg"),
        ]
    }
}

impl Drop for Ejabberd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `tests/ejabberd/ejabberd.yml` in this repository.
pub fn config_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ejabberd/ejabberd.yml")
}

/// Writes the config, the certificate and ejabberdctl's settings under `dir`.
fn render(
    dir: &Path,
    opts: &EjabberdOptions,
    port: u16,
    tls_port: u16,
    node: &str,
) -> io::Result<()> {
    for sub in ["spool", "logs", "config"] {
        fs::create_dir_all(dir.join(sub))?;
    }
    let config = dir.join("config");
    let template = fs::read_to_string(config_path())?;
    let yml = template
        .replace("@DOMAIN@", &opts.domain)
        .replace("@CONFIG@", &config.display().to_string())
        .replace("@PORT@", &port.to_string())
        .replace("@TLS_PORT@", &tls_port.to_string())
        .replace("@FLOW_TIMEOUT_UDP@", &opts.flow_timeout_udp.to_string());
    fs::write(config.join("ejabberd.yml"), yml)?;
    // The Erlang distribution on loopback only, with a cookie of this instance
    // (shared by `foreground` and every later `ejabberdctl` command).
    // The temp dir's random name makes the cookie unguessable enough for loopback.
    let cookie: String = format!("{}{node}", dir.display())
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    fs::write(
        config.join("ejabberdctl.cfg"),
        format!(
            "ERL_OPTIONS=\"-setcookie {cookie} -kernel inet_dist_use_interface {{127,0,0,1}}\"\n\
             ERL_EPMD_ADDRESS=127.0.0.1\n"
        ),
    )?;
    // Name lookups from files first, as Debian's default; without it Erlang
    // complains on every start.
    fs::write(config.join("inetrc"), "{lookup,[\"file\",\"native\"]}.\n")?;
    Ok(())
}

/// A CA, and a `CA:FALSE` leaf it signs for `domain` and 127.0.0.1 (P-256, valid
/// for 30 days: ejabberd's certificate timers fail on a far-future expiry), made by
/// `openssl` in `config`: `ca.pem`, and `server.pem` with the leaf and its key.
fn make_certificates(config: &Path, domain: &str) {
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(config)
            .stdin(Stdio::null())
            .output()
            .expect("run openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec![
        "req", "-x509", "-days", "30", "-keyout", "ca.key", "-out", "ca.pem",
    ];
    ca.extend(ec);
    ca.extend([
        "-subj",
        "/CN=sipreg ejabberd test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(&ca);
    let subject = format!("/CN={domain}");
    let mut csr = vec!["req", "-new", "-keyout", "leaf.key", "-out", "leaf.csr"];
    csr.extend(ec);
    csr.extend(["-subj", &subject]);
    openssl(&csr);
    fs::write(
        config.join("leaf.ext"),
        format!(
            "basicConstraints=critical,CA:FALSE\n\
             keyUsage=critical,digitalSignature\n\
             extendedKeyUsage=serverAuth\n\
             subjectAltName=DNS:{domain},IP:127.0.0.1\n"
        ),
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        "leaf.ext",
        "-out",
        "leaf.pem",
    ]);
    let leaf = fs::read_to_string(config.join("leaf.pem")).unwrap();
    let key = fs::read_to_string(config.join("leaf.key")).unwrap();
    fs::write(config.join("server.pem"), format!("{leaf}{key}")).unwrap();
}

/// True when something answers a SIP OPTIONS on `addr` over UDP (ejabberd
/// answers only once its SIP listener is up).
fn answers(addr: SocketAddr) -> bool {
    let Ok(sock) = UdpSocket::bind("127.0.0.1:0") else {
        return false;
    };
    let local = sock.local_addr().unwrap();
    let request = format!(
        "OPTIONS sip:{addr} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {local};rport;branch=z9hG4bK-ejprobe{}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:probe@127.0.0.1>;tag=probe\r\n\
         To: <sip:{addr}>\r\n\
         Call-ID: ejprobe-{}@127.0.0.1\r\n\
         CSeq: 1 OPTIONS\r\n\
         Content-Length: 0\r\n\r\n",
        local.port(),
        local.port()
    );
    let _ = sock.set_read_timeout(Some(Duration::from_millis(300)));
    if sock.send_to(request.as_bytes(), addr).is_err() {
        return false;
    }
    let mut buf = [0u8; 4096];
    matches!(sock.recv_from(&mut buf), Ok((n, _)) if buf[..n].starts_with(b"SIP/2.0 "))
}

/// The ejabberd user's uid and gid, from /etc/passwd.
fn ejabberd_user() -> Option<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    let line = passwd.lines().find(|l| l.starts_with("ejabberd:"))?;
    let f: Vec<&str> = line.split(':').collect();
    Some((f.get(2)?.parse().ok()?, f.get(3)?.parse().ok()?))
}

fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

fn chown_tree(path: &Path, (uid, gid): (u32, u32)) -> io::Result<()> {
    std::os::unix::fs::chown(path, Some(uid), Some(gid))?;
    if path.is_dir() {
        for entry in fs::read_dir(path)? {
            chown_tree(&entry?.path(), (uid, gid))?;
        }
    }
    Ok(())
}
