//! A UDP relay between sipreg and a registrar that loses, duplicates, delays and so
//! reorders datagrams by a plan: the fault injection these machines have no netem for.
//! Loopback only. sipreg sends to `Relay::addr()`; the relay forwards from one socket
//! of its own to the registrar and sends the answers back to whoever spoke last.

use std::collections::VecDeque;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// sipreg → registrar.
    Up,
    /// registrar → sipreg.
    Down,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Drop,
    Duplicate,
    Delay(Duration),
}

/// Decides the fate of each datagram; it sees the direction and the bytes.
pub type Plan = Box<dyn FnMut(Direction, &[u8]) -> Verdict + Send>;

/// One datagram the relay saw: its direction, first line, CSeq and what was done.
#[derive(Debug, Clone)]
pub struct Seen {
    pub direction: Direction,
    pub first_line: String,
    pub cseq: Option<u32>,
    pub verdict: Verdict,
}

pub struct Relay {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Seen>>>,
    thread: Option<JoinHandle<()>>,
}

/// A small seeded generator (splitmix64) for plans that drop "at random", repeatably.
pub struct Seeded(u64);

impl Seeded {
    pub fn new(seed: u64) -> Seeded {
        Seeded(seed)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }
}

impl Relay {
    pub fn start(registrar: SocketAddr, mut plan: Plan) -> Relay {
        let down = UdpSocket::bind("127.0.0.1:0").unwrap();
        let up = UdpSocket::bind("127.0.0.1:0").unwrap();
        for s in [&down, &up] {
            s.set_read_timeout(Some(Duration::from_millis(2))).unwrap();
        }
        let addr = down.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (stop2, log2) = (stop.clone(), log.clone());
        let thread = std::thread::spawn(move || {
            let mut client: Option<SocketAddr> = None;
            let mut later: VecDeque<(Instant, Direction, Vec<u8>)> = VecDeque::new();
            let mut buf = vec![0u8; 65536];
            let send = |d: Direction, bytes: &[u8], client: Option<SocketAddr>| match d {
                Direction::Up => {
                    let _ = up.send_to(bytes, registrar);
                }
                Direction::Down => {
                    if let Some(c) = client {
                        let _ = down.send_to(bytes, c);
                    }
                }
            };
            while !stop2.load(Ordering::Relaxed) {
                let mut arrived = Vec::new();
                if let Ok((n, from)) = down.recv_from(&mut buf) {
                    client = Some(from);
                    arrived.push((Direction::Up, buf[..n].to_vec()));
                }
                if let Ok((n, _)) = up.recv_from(&mut buf) {
                    arrived.push((Direction::Down, buf[..n].to_vec()));
                }
                for (d, bytes) in arrived {
                    let verdict = plan(d, &bytes);
                    log2.lock().unwrap().push(Seen {
                        direction: d,
                        first_line: first_line(&bytes),
                        cseq: cseq_of(&bytes),
                        verdict,
                    });
                    match verdict {
                        Verdict::Pass => send(d, &bytes, client),
                        Verdict::Drop => {}
                        Verdict::Duplicate => {
                            send(d, &bytes, client);
                            send(d, &bytes, client);
                        }
                        Verdict::Delay(by) => later.push_back((Instant::now() + by, d, bytes)),
                    }
                }
                let now = Instant::now();
                let (due, wait): (Vec<_>, Vec<_>) =
                    later.drain(..).partition(|(at, _, _)| *at <= now);
                later = wait.into();
                for (_, d, bytes) in due {
                    send(d, &bytes, client);
                }
            }
        });
        Relay {
            addr,
            stop,
            log,
            thread: Some(thread),
        }
    }

    /// Where sipreg sends.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn uri(&self) -> String {
        format!("sip:{}", self.addr)
    }

    /// Everything seen so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn first_line(bytes: &[u8]) -> String {
    let end = bytes
        .iter()
        .position(|b| *b == b'\r')
        .unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end.min(120)]).into_owned()
}

pub fn cseq_of(bytes: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(bytes).ok()?;
    text.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        if !name.trim().eq_ignore_ascii_case("cseq") {
            return None;
        }
        value.split_whitespace().next()?.parse().ok()
    })
}
