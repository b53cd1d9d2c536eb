//! Scripted registrars on loopback: a TCP one whose script decides, per request,
//! what goes back on the connection (a response, the same in pieces, garbage, or a
//! close), and a UDP one that answers 200 or keeps silent.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A request as the test sees it.
#[derive(Debug, Clone)]
pub struct Req {
    pub text: String,
    /// Which connection it came on (0 for the first), always 0 on UDP.
    pub connection: usize,
}

impl Req {
    pub fn start_line(&self) -> &str {
        self.text.lines().next().unwrap_or_default()
    }

    /// Every value of header `name` (case-insensitive), in order.
    pub fn headers(&self, name: &str) -> Vec<&str> {
        self.text
            .split("\r\n")
            .skip(1)
            .take_while(|l| !l.is_empty())
            .filter_map(|l| l.split_once(':'))
            .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers(name).into_iter().next()
    }
}

/// `200 OK` to a REGISTER: the dialog headers copied, the Contact bound for what it
/// asked (Expires header or `expires` parameter, default 3600).
pub fn ok_response(req: &Req) -> String {
    let mut m = String::from("SIP/2.0 200 OK\r\n");
    for via in req.headers("via") {
        m.push_str(&format!("Via: {via}\r\n"));
    }
    for name in ["From", "Call-ID", "CSeq"] {
        m.push_str(&format!("{name}: {}\r\n", req.header(name).unwrap_or("")));
    }
    m.push_str(&format!(
        "To: {};tag=scripted\r\n",
        req.header("to").unwrap_or("")
    ));
    if let Some(contact) = req.header("contact") {
        if contact != "*" {
            let uri = contact.split('>').next().unwrap_or(contact);
            let expires = contact
                .split(";expires=")
                .nth(1)
                .map(|e| e.split(';').next().unwrap_or(e).to_string())
                .or_else(|| req.header("expires").map(str::to_string))
                .unwrap_or_else(|| "3600".into());
            if expires != "0" {
                m.push_str(&format!("Contact: {uri}>;expires={expires}\r\n"));
            }
        }
    }
    m.push_str("Content-Length: 0\r\n\r\n");
    m
}

/// The next complete message at the front of `buf` (CRLF keep-alives skipped),
/// framed by Content-Length.
fn take_message(buf: &mut Vec<u8>) -> Option<String> {
    let skip = buf
        .iter()
        .take_while(|b| **b == b'\r' || **b == b'\n')
        .count();
    buf.drain(..skip);
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .split("\r\n")
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| {
            n.trim().eq_ignore_ascii_case("content-length") || n.trim().eq_ignore_ascii_case("l")
        })
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    if buf.len() < head_end + length {
        return None;
    }
    let message = buf.drain(..head_end + length).collect::<Vec<u8>>();
    Some(String::from_utf8_lossy(&message).into_owned())
}

/// What the TCP script sends back for one request.
pub enum Reply {
    /// Bytes written at once.
    Send(Vec<u8>),
    /// Bytes written in pieces with a pause between them, so that the client's
    /// reads see the message split.
    Pieces(Vec<Vec<u8>>),
    /// Close the connection.
    Close,
}

pub type TcpScript = Box<dyn FnMut(&Req, usize) -> Vec<Reply> + Send>;

/// A scripted registrar on a loopback TCP port; its script is called with each
/// request and that request's index among all requests.
pub struct ScriptedTcp {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Req>>>,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// How long the server threads wait before looking at the stop flag again.
const POLL: Duration = Duration::from_millis(20);
/// The pause between the pieces of a `Reply::Pieces`.
const PIECE_PAUSE: Duration = Duration::from_millis(30);

impl ScriptedTcp {
    pub fn start(script: TcpScript) -> ScriptedTcp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let script = Arc::new(Mutex::new(script));
        let (seen, count, stopped) = (requests.clone(), connections.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut handlers = Vec::new();
            while !stopped.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let connection = count.fetch_add(1, Ordering::SeqCst);
                        let (seen, stopped, script) =
                            (seen.clone(), stopped.clone(), script.clone());
                        handlers.push(std::thread::spawn(move || {
                            serve(stream, connection, &seen, &stopped, &script)
                        }));
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(POLL),
                    Err(_) => break,
                }
            }
            for h in handlers {
                let _ = h.join();
            }
        });
        ScriptedTcp {
            addr,
            requests,
            connections,
            stop,
            thread: Some(thread),
        }
    }

    /// `sip:127.0.0.1:PORT;transport=tcp`
    pub fn uri(&self) -> String {
        format!("sip:{};transport=tcp", self.addr)
    }

    pub fn requests(&self) -> Vec<Req> {
        self.requests.lock().unwrap().clone()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

fn serve(
    mut stream: TcpStream,
    connection: usize,
    seen: &Mutex<Vec<Req>>,
    stop: &AtomicBool,
    script: &Mutex<TcpScript>,
) {
    let _ = stream.set_read_timeout(Some(POLL));
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    while !stop.load(Ordering::Relaxed) {
        match stream.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(_) => return,
        }
        while let Some(text) = take_message(&mut buf) {
            let req = Req { text, connection };
            let index = {
                let mut all = seen.lock().unwrap();
                all.push(req.clone());
                all.len() - 1
            };
            let replies = (script.lock().unwrap())(&req, index);
            for reply in replies {
                match reply {
                    Reply::Send(bytes) => {
                        let _ = stream.write_all(&bytes);
                    }
                    Reply::Pieces(pieces) => {
                        for piece in pieces {
                            let _ = stream.write_all(&piece);
                            let _ = stream.flush();
                            std::thread::sleep(PIECE_PAUSE);
                        }
                    }
                    Reply::Close => {
                        let _ = stream.shutdown(std::net::Shutdown::Both);
                        return;
                    }
                }
            }
        }
    }
}

impl Drop for ScriptedTcp {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A UDP registrar on loopback that answers every REGISTER with 200, or with a
/// refusal, or (silent) never answers at all: a dead target to fail over from.
pub struct UdpRegistrar {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Req>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl UdpRegistrar {
    pub fn answering() -> UdpRegistrar {
        UdpRegistrar::start(Some("200 OK"))
    }

    /// Answers everything with `status`, e.g. "503 Service Unavailable".
    pub fn refusing(status: &'static str) -> UdpRegistrar {
        UdpRegistrar::start(Some(status))
    }

    pub fn silent() -> UdpRegistrar {
        UdpRegistrar::start(None)
    }

    fn start(answer: Option<&'static str>) -> UdpRegistrar {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind loopback");
        socket.set_read_timeout(Some(POLL)).unwrap();
        let addr = socket.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, stopped) = (requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = vec![0u8; 65_536];
            while !stopped.load(Ordering::Relaxed) {
                let Ok((n, from)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                let req = Req {
                    text: String::from_utf8_lossy(&buf[..n]).into_owned(),
                    connection: 0,
                };
                seen.lock().unwrap().push(req.clone());
                if let Some(status) = answer {
                    let response = ok_response(&req).replacen("200 OK", status, 1);
                    let _ = socket.send_to(response.as_bytes(), from);
                }
            }
        });
        UdpRegistrar {
            addr,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn requests(&self) -> Vec<Req> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for UdpRegistrar {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
