//! Datagrams in and out of a bulk run's UDP sockets, many per system call.
//!
//! On Linux one `recvmmsg` reads up to `BATCH` datagrams and one `sendmmsg` writes
//! a whole run of the outbox: at thousands of registrations a second the fixed cost
//! of a system call is a good part of the loop's. Elsewhere the same interface reads
//! and writes one datagram per call.
//!
//! Reads go through tokio's `try_io`, so that an empty queue clears the socket's
//! readiness and the loop is woken when a datagram arrives. While the loop ticks, the
//! sockets are out of the reactor and read directly (`socket`).
//!
//! On Linux the sockets also ask for the ICMP errors about what they sent
//! (`IP_RECVERR`): a port or host unreachable for a registrar is a transport error
//! to act on at once (RFC 3261 §18.4), not a silence to wait out for Timer F. A read
//! or a send that fails with the socket's pending error calls for `take_unreachable`,
//! which empties the error queue.
//!
//! On Linux the kernel stamps each datagram with the time it arrived
//! (`SO_TIMESTAMPNS`), so that a response read at the next tick is still timed from
//! its arrival (`arrival`).

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Datagrams read by one system call at most.
#[cfg(target_os = "linux")]
pub const BATCH: usize = 32;
#[cfg(not(target_os = "linux"))]
pub const BATCH: usize = 1;

#[cfg(target_os = "linux")]
mod linux;
mod socket;

pub use socket::DatagramSocket;

/// One datagram read: its bytes, or that it did not fit its buffer.
#[derive(Debug, PartialEq, Eq)]
pub enum Datagram<'a> {
    Whole(&'a [u8]),
    /// Longer than the buffer it was read into; only part of it arrived.
    Oversized,
}

/// Buffers for one batch of datagrams, allocated once for the whole run.
pub struct Receiver {
    /// Bytes per datagram buffer.
    room: usize,
    buffers: Box<[u8]>,
    /// Per buffer: the length read and whether it was cut short.
    lengths: [(usize, bool); BATCH],
    /// Per buffer: when the kernel queued the datagram (wall clock), where it says.
    stamps: [Option<Duration>; BATCH],
    /// Per buffer: who sent it.
    sources: [Option<SocketAddr>; BATCH],
    #[cfg(target_os = "linux")]
    batch: linux::Headers,
}

impl Receiver {
    /// Room for `BATCH` datagrams of up to `room` bytes each. Pages of the buffers are
    /// only touched when a datagram that long arrives.
    pub fn new(room: usize) -> Receiver {
        assert!(room > 0);
        Receiver {
            room,
            // One byte more than the room: where datagrams are read one at a time, a
            // datagram that fills it did not fit.
            buffers: vec![0; room * BATCH + 1].into_boxed_slice(),
            lengths: [(0, false); BATCH],
            stamps: [None; BATCH],
            sources: [None; BATCH],
            #[cfg(target_os = "linux")]
            batch: linux::Headers::new(),
        }
    }

    /// Reads what `socket` has queued, up to `BATCH` datagrams. `Ok(0)` or
    /// `WouldBlock`: nothing was waiting, and the socket's readiness is cleared.
    /// Fewer than `BATCH` datagrams also mean the queue was emptied (the read stops
    /// only at an empty queue or an error), so readiness is cleared then too, which
    /// spares the loop a second call that would only find the queue empty.
    pub fn receive(&mut self, socket: &DatagramSocket) -> io::Result<usize> {
        let mut read = 0;
        let result = socket.try_read(|| {
            read = self.read_batch(socket)?;
            if read < BATCH {
                // The queue is empty: say so, and tokio clears the readiness.
                return Err(io::ErrorKind::WouldBlock.into());
            }
            Ok(read)
        });
        match result {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && read > 0 => Ok(read),
            other => other,
        }
    }

    /// When datagram `k` of the latest `receive` arrived, on the loop's clock: `now`
    /// is that clock read after the call and `wall` the wall clock read with it.
    /// Without a timestamp from the kernel, `now`.
    pub fn arrival(&self, k: usize, now: Instant, wall: Duration, floor: Instant) -> Instant {
        arrival(self.stamps[k], now, wall, floor)
    }

    /// Who sent datagram `k` of the latest `receive`.
    pub fn source(&self, k: usize) -> Option<SocketAddr> {
        self.sources[k]
    }

    /// Datagram `k` of the latest `receive`.
    pub fn datagram(&self, k: usize) -> Datagram<'_> {
        let (len, cut) = self.lengths[k];
        if cut {
            return Datagram::Oversized;
        }
        let start = k * self.room;
        Datagram::Whole(&self.buffers[start..start + len])
    }

    #[cfg(target_os = "linux")]
    fn read_batch(&mut self, socket: &DatagramSocket) -> io::Result<usize> {
        use std::os::fd::AsRawFd;
        let n = self
            .batch
            .receive(socket.std().as_raw_fd(), &mut self.buffers, self.room)?;
        for k in 0..n {
            self.lengths[k] = self.batch.received(k, self.room);
            self.stamps[k] = self.batch.timestamp(k);
            self.sources[k] = self.batch.source(k);
        }
        Ok(n)
    }

    #[cfg(not(target_os = "linux"))]
    fn read_batch(&mut self, socket: &DatagramSocket) -> io::Result<usize> {
        let (n, from) = socket
            .tokio()
            .try_recv_from(&mut self.buffers[..self.room + 1])?;
        self.lengths[0] = (n.min(self.room), n > self.room);
        self.stamps[0] = None;
        self.sources[0] = Some(from);
        Ok(1)
    }
}

/// Writes datagrams, a run of them per system call where the system allows.
#[derive(Default)]
pub struct Sender {
    #[cfg(target_os = "linux")]
    batch: linux::Outgoing,
}

impl Sender {
    /// Sends from the start of `datagrams` without waiting; returns how many went
    /// (at least one). `WouldBlock`: none went, the send buffer is full; wait for
    /// `socket.writable()`. Any other error belongs to the first datagram alone:
    /// skip it and send the rest.
    pub fn try_send(
        &mut self,
        socket: &DatagramSocket,
        datagrams: &[(&[u8], SocketAddr)],
    ) -> io::Result<usize> {
        if datagrams.is_empty() {
            return Ok(0);
        }
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            // Straight to the kernel: write readiness is not tracked (see
            // `DatagramSocket`).
            self.batch.send(socket.std().as_raw_fd(), datagrams)
        }
        #[cfg(not(target_os = "linux"))]
        {
            let (payload, to) = datagrams[0];
            socket.tokio().try_send_to(payload, to).map(|_| 1)
        }
    }
}

/// Entries read from a socket's error queue at most per call of `take_unreachable`;
/// the kernel bounds the queue by the receive buffer anyway.
const MAX_ERRORS: usize = 1024;

/// A destination that an ICMP error says cannot be reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable {
    /// Where the datagram that drew the error was going.
    pub destination: SocketAddr,
    /// What the ICMP message said, for the user: `port unreachable`, …, and who
    /// sent it when that is not the destination.
    pub why: String,
}

/// Empties `socket`'s error queue into `out`, keeping the destination-unreachable
/// errors (not "fragmentation needed", which is about the path's MTU, nor time
/// exceeded). Elsewhere than on Linux the errors are not queued: nothing is read.
pub fn take_unreachable(socket: &DatagramSocket, out: &mut Vec<Unreachable>) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let fd = socket.std().as_raw_fd();
        for _ in 0..MAX_ERRORS {
            match linux::take_error(fd) {
                Ok(Some(e)) => out.extend(unreachable(&e)),
                // Empty, or nothing more to learn from it.
                Ok(None) | Err(_) => break,
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (socket, out, MAX_ERRORS);
}

/// What a queued error says, if it says a destination cannot be reached.
#[cfg(target_os = "linux")]
fn unreachable(e: &linux::QueuedError) -> Option<Unreachable> {
    let destination = e.destination?;
    let what = match (e.origin, e.icmp_type, e.icmp_code) {
        // ICMP destination unreachable, but not "fragmentation needed" (code 4).
        (libc::SO_EE_ORIGIN_ICMP, 3, 0) => "network unreachable",
        (libc::SO_EE_ORIGIN_ICMP, 3, 1) => "host unreachable",
        (libc::SO_EE_ORIGIN_ICMP, 3, 2) => "protocol unreachable",
        (libc::SO_EE_ORIGIN_ICMP, 3, 3) => "port unreachable",
        (libc::SO_EE_ORIGIN_ICMP, 3, 9 | 10 | 13) => "administratively prohibited",
        (libc::SO_EE_ORIGIN_ICMP, 3, c) if c != 4 => "unreachable",
        // ICMPv6 destination unreachable (type 1).
        (libc::SO_EE_ORIGIN_ICMP6, 1, 0) => "no route",
        (libc::SO_EE_ORIGIN_ICMP6, 1, 1 | 5 | 6) => "administratively prohibited",
        (libc::SO_EE_ORIGIN_ICMP6, 1, 3) => "address unreachable",
        (libc::SO_EE_ORIGIN_ICMP6, 1, 4) => "port unreachable",
        (libc::SO_EE_ORIGIN_ICMP6, 1, _) => "unreachable",
        _ => return None,
    };
    let why = match e.offender {
        Some(from) if from != destination.ip() => format!("ICMP {what} from {from}"),
        _ => format!("ICMP {what}"),
    };
    Some(Unreachable { destination, why })
}

/// The wall clock as the kernel's timestamps give it: time since the Unix epoch.
pub fn wall_clock() -> Duration {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
}

/// The kernel's wall-clock timestamp `stamp` moved to the loop's clock by the age it
/// had when `wall` was read together with `now`. A datagram cannot have arrived
/// before `floor` (the previous read that emptied the queue) nor after `now`, which
/// also keeps a wall clock set back or forward meanwhile from doing harm.
pub fn arrival(stamp: Option<Duration>, now: Instant, wall: Duration, floor: Instant) -> Instant {
    let Some(stamp) = stamp else {
        return now;
    };
    let age = wall.saturating_sub(stamp);
    now.checked_sub(age)
        .unwrap_or(floor)
        .clamp(floor.min(now), now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn pair() -> (DatagramSocket, DatagramSocket) {
        let any = "127.0.0.1:0".parse().unwrap();
        (
            DatagramSocket::bind(any).unwrap(),
            DatagramSocket::bind(any).unwrap(),
        )
    }

    async fn readable(socket: &DatagramSocket) {
        std::future::poll_fn(|cx| socket.poll_readable(cx)).await
    }

    /// Sends all of `items`, waiting for room when the buffer is full; the indices
    /// of those that failed.
    async fn send_all(socket: &DatagramSocket, items: &[(&[u8], SocketAddr)]) -> Vec<usize> {
        let mut sender = Sender::default();
        let mut k = 0;
        let mut failed = Vec::new();
        while k < items.len() {
            match sender.try_send(socket, &items[k..]) {
                Ok(n) => {
                    assert!(n >= 1);
                    k += n;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => socket.writable().await.unwrap(),
                Err(_) => {
                    failed.push(k);
                    k += 1;
                }
            }
        }
        failed
    }

    /// Reads until `want` datagrams arrived, waiting for readiness between reads.
    async fn read_all(rx: &mut Receiver, socket: &DatagramSocket, want: usize) -> Vec<Vec<u8>> {
        let mut got = Vec::new();
        while got.len() < want {
            readable(socket).await;
            match rx.receive(socket) {
                Ok(n) => {
                    for k in 0..n {
                        match rx.datagram(k) {
                            Datagram::Whole(bytes) => got.push(bytes.to_vec()),
                            Datagram::Oversized => got.push(b"<oversized>".to_vec()),
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => panic!("{e}"),
            }
        }
        got
    }

    #[tokio::test]
    async fn a_burst_is_sent_and_read_in_batches_in_order() {
        let (tx, rxs) = pair();
        let to = rxs.local_addr().unwrap();
        let payloads: Vec<Vec<u8>> = (0..100).map(|i| format!("datagram {i}").into()).collect();
        let items: Vec<(&[u8], SocketAddr)> = payloads.iter().map(|p| (&p[..], to)).collect();
        assert_eq!(send_all(&tx, &items).await, Vec::<usize>::new());
        let mut rx = Receiver::new(2048);
        let got = tokio::time::timeout(Duration::from_secs(10), read_all(&mut rx, &rxs, 100))
            .await
            .expect("every datagram arrives");
        assert_eq!(got, payloads);
    }

    #[tokio::test]
    async fn a_full_batch_keeps_readiness_and_the_rest_is_read_next() {
        let (tx, rxs) = pair();
        let to = rxs.local_addr().unwrap();
        let count = BATCH + 3;
        let payloads: Vec<String> = (0..count).map(|i| format!("{i}")).collect();
        let items: Vec<(&[u8], SocketAddr)> = payloads.iter().map(|p| (p.as_bytes(), to)).collect();
        send_all(&tx, &items).await;
        // Loopback delivers while sending: all are queued now.
        readable(&rxs).await;
        let mut rx = Receiver::new(64);
        let first = rx.receive(&rxs).unwrap();
        assert_eq!(first, BATCH.min(count));
        // Each datagram says who sent it (the `-v` ladder shows it).
        let sender = tx.local_addr().unwrap();
        assert_eq!(rx.source(0), Some(sender));
        assert_eq!(rx.source(first - 1), Some(sender));
        // Readiness was kept: the rest is read without waiting for a new event.
        let (mut rest, mut last) = (0, 0);
        while first + rest < count {
            last = rx.receive(&rxs).expect("the queue still holds datagrams");
            rest += last;
        }
        assert_eq!(
            rx.datagram(last - 1),
            Datagram::Whole(format!("{}", count - 1).as_bytes())
        );
        // Drained: nothing more, and no error but WouldBlock.
        let empty = rx.receive(&rxs).unwrap_err();
        assert_eq!(empty.kind(), io::ErrorKind::WouldBlock);
    }

    #[tokio::test]
    async fn a_datagram_longer_than_its_buffer_is_flagged_not_misread() {
        let (tx, rxs) = pair();
        let to = rxs.local_addr().unwrap();
        let items: Vec<(&[u8], SocketAddr)> = vec![
            (b"short", to),
            (&[b'x'; 600], to),
            (&[b'y'; 512], to),
            (b"after", to),
        ];
        send_all(&tx, &items).await;
        let mut rx = Receiver::new(512);
        let got = tokio::time::timeout(Duration::from_secs(10), read_all(&mut rx, &rxs, 4))
            .await
            .expect("every datagram arrives");
        assert_eq!(got[0], b"short");
        assert_eq!(got[1], b"<oversized>");
        assert_eq!(got[2], vec![b'y'; 512], "exactly the room still fits");
        assert_eq!(got[3], b"after");
    }

    #[tokio::test]
    async fn a_failed_datagram_is_reported_alone() {
        let (tx, rxs) = pair();
        let to = rxs.local_addr().unwrap();
        // An IPv6 destination from an IPv4 socket fails; the one after it still goes.
        let bad: SocketAddr = "[::1]:9".parse().unwrap();
        let items: Vec<(&[u8], SocketAddr)> = vec![(b"one", to), (b"two", bad), (b"three", to)];
        assert_eq!(send_all(&tx, &items).await, vec![1]);
        let mut rx = Receiver::new(64);
        let got = tokio::time::timeout(Duration::from_secs(10), read_all(&mut rx, &rxs, 2))
            .await
            .expect("both good datagrams arrive");
        assert_eq!(got, vec![b"one".to_vec(), b"three".to_vec()]);
    }

    #[test]
    fn arrival_moves_the_kernel_stamp_to_the_loop_clock_within_bounds() {
        let now = Instant::now();
        let floor = now - Duration::from_millis(10);
        let wall = Duration::from_secs(1_700_000_000);
        let ms = Duration::from_millis;
        // Queued 3 ms before the read.
        assert_eq!(arrival(Some(wall - ms(3)), now, wall, floor), now - ms(3));
        // No stamp: the read.
        assert_eq!(arrival(None, now, wall, floor), now);
        // A stamp from the future (the wall clock was set back meanwhile): the read.
        assert_eq!(arrival(Some(wall + ms(50)), now, wall, floor), now);
        // Older than the previous read that emptied the queue (the wall clock was set
        // forward): no earlier than that read.
        assert_eq!(arrival(Some(wall - ms(500)), now, wall, floor), floor);
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_datagram_read_late_keeps_the_time_it_arrived() {
        let (tx, rxs) = pair();
        let to = rxs.local_addr().unwrap();
        let mut rx = Receiver::new(64);
        // Linux turns receive timestamps on for the whole stack lazily, from a work
        // queue, after the first socket asks: until then a datagram is stamped when it
        // is read. A loaded machine runs that work late, so the first few tries may
        // see read times; the kernel's own stamp must show within a bounded number.
        let mut seen = Vec::new();
        for _ in 0..50 {
            let floor = Instant::now();
            send_all(&tx, &[(b"early", to)]).await;
            // Queued (and stamped) by the time the socket is readable; it then waits
            // unread.
            readable(&rxs).await;
            std::thread::sleep(Duration::from_millis(20));
            assert_eq!(rx.receive(&rxs).unwrap(), 1);
            let (read_at, wall) = (Instant::now(), wall_clock());
            let arrived = rx.arrival(0, read_at, wall, floor);
            assert!(arrived >= floor);
            if read_at - arrived >= Duration::from_millis(20) {
                return;
            }
            seen.push(read_at - arrived);
        }
        panic!("the kernel's timestamp, never the time of the read: only {seen:?} before it");
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_closed_port_is_reported_by_its_icmp_error_and_wakes_the_reader() {
        let (tx, _) = pair();
        let closed = {
            let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            s.local_addr().unwrap()
        };
        assert_eq!(
            send_all(&tx, &[(b"anyone?", closed)]).await,
            Vec::<usize>::new()
        );
        // The error wakes a reader waiting for datagrams.
        tokio::time::timeout(Duration::from_secs(10), readable(&tx))
            .await
            .expect("the ICMP error makes the socket readable");
        let mut rx = Receiver::new(64);
        let read = rx.receive(&tx);
        assert!(
            matches!(&read, Err(e) if e.kind() == io::ErrorKind::ConnectionRefused),
            "the pending error comes first: {read:?}"
        );
        let mut errors = Vec::new();
        take_unreachable(&tx, &mut errors);
        assert_eq!(
            errors,
            vec![Unreachable {
                destination: closed,
                why: "ICMP port unreachable".into()
            }]
        );
        // Taken: the queue is empty and the socket reads as before.
        take_unreachable(&tx, &mut errors);
        assert_eq!(errors.len(), 1);
        assert_eq!(
            rx.receive(&tx).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
    }

    #[tokio::test]
    async fn an_unwatched_socket_is_still_read_and_reports_what_waits_when_watched_again() {
        let (tx, mut rxs) = pair();
        let to = rxs.local_addr().unwrap();
        let mut rx = Receiver::new(64);
        rxs.set_watched(false).unwrap();
        send_all(&tx, &[(b"while unwatched", to)]).await;
        assert_eq!(rx.receive(&rxs).unwrap(), 1, "read without the reactor");
        send_all(&tx, &[(b"waiting", to)]).await;
        rxs.set_watched(true).unwrap();
        // Readiness comes at once for the datagram that was already queued.
        tokio::time::timeout(Duration::from_secs(10), readable(&rxs))
            .await
            .expect("reported when put back");
        assert_eq!(rx.receive(&rxs).unwrap(), 1);
        assert_eq!(rx.datagram(0), Datagram::Whole(b"waiting"));
    }
}
