//! Datagrams in and out of a bulk run's UDP sockets, many per system call.
//!
//! On Linux one `recvmmsg` reads up to `BATCH` datagrams and one `sendmmsg` writes
//! a whole run of the outbox: at thousands of registrations a second the fixed cost
//! of a system call is a good part of the loop's. Elsewhere the same interface reads
//! and writes one datagram per call.
//!
//! Reads go through tokio's `try_io`, so that an empty queue clears the socket's
//! readiness and the loop is woken when a datagram arrives.

use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

/// Datagrams read by one system call at most.
#[cfg(target_os = "linux")]
pub const BATCH: usize = 32;
#[cfg(not(target_os = "linux"))]
pub const BATCH: usize = 1;

/// A UDP socket of a bulk run, registered with the event loop.
///
/// On Linux it is registered for reading only. A socket registered for writing too
/// (as tokio's `UdpSocket` is) reports "room to send" after every datagram it sends,
/// since loopback and most network cards free the buffer at once, and each report
/// costs the loop an extra `epoll_wait`. A send that finds the buffer full waits for
/// room on a registration of its own (`writable`), which is rare.
pub struct DatagramSocket {
    #[cfg(target_os = "linux")]
    fd: tokio::io::unix::AsyncFd<std::net::UdpSocket>,
    #[cfg(not(target_os = "linux"))]
    socket: tokio::net::UdpSocket,
}

impl DatagramSocket {
    /// Binds `addr`; must be called on the runtime that will drive the socket.
    pub fn bind(addr: SocketAddr) -> io::Result<DatagramSocket> {
        let socket = std::net::UdpSocket::bind(addr)?;
        socket.set_nonblocking(true)?;
        #[cfg(target_os = "linux")]
        {
            let fd = register(socket, tokio::io::Interest::READABLE)?;
            Ok(DatagramSocket { fd })
        }
        #[cfg(not(target_os = "linux"))]
        {
            Ok(DatagramSocket {
                socket: tokio::net::UdpSocket::from_std(socket)?,
            })
        }
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        #[cfg(target_os = "linux")]
        return self.fd.get_ref().local_addr();
        #[cfg(not(target_os = "linux"))]
        return self.socket.local_addr();
    }

    /// Ready when a datagram (or an error) waits; registers the waker otherwise.
    pub fn poll_readable(&self, cx: &mut Context<'_>) -> Poll<()> {
        #[cfg(target_os = "linux")]
        return self.fd.poll_read_ready(cx).map(|_| ());
        #[cfg(not(target_os = "linux"))]
        return self.socket.poll_recv_ready(cx).map(|_| ());
    }

    /// Waits until the send buffer has room again, after a send met `WouldBlock`.
    pub async fn writable(&self) -> io::Result<()> {
        #[cfg(target_os = "linux")]
        {
            // A second descriptor of the same socket, registered for writing only
            // while we wait: epoll reports it writable at once if room came back
            // before it was registered.
            let probe = register(
                self.fd.get_ref().try_clone()?,
                tokio::io::Interest::WRITABLE,
            )?;
            probe.writable().await.map(|_| ())
        }
        #[cfg(not(target_os = "linux"))]
        {
            self.socket.writable().await
        }
    }

    /// Runs a read through tokio, so that `WouldBlock` clears read readiness.
    fn try_read<R>(&self, f: impl FnOnce() -> io::Result<R>) -> io::Result<R> {
        #[cfg(target_os = "linux")]
        return self.fd.try_io(tokio::io::Interest::READABLE, |_| f());
        #[cfg(not(target_os = "linux"))]
        return self.socket.try_io(tokio::io::Interest::READABLE, f);
    }
}

/// `socket` registered with the runtime's reactor for `interest`.
#[cfg(target_os = "linux")]
fn register(
    socket: std::net::UdpSocket,
    interest: tokio::io::Interest,
) -> io::Result<tokio::io::unix::AsyncFd<std::net::UdpSocket>> {
    // SAFETY: a std UdpSocket owns its descriptor: it stays open, and the same,
    // for as long as the AsyncFd that owns the socket.
    Ok(unsafe { tokio::io::unix::AsyncFd::register_with_interest(socket, interest) }?)
}

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
            .receive(socket.fd.as_raw_fd(), &mut self.buffers, self.room)?;
        for (k, slot) in self.lengths.iter_mut().enumerate().take(n) {
            *slot = self.batch.received(k, self.room);
        }
        Ok(n)
    }

    #[cfg(not(target_os = "linux"))]
    fn read_batch(&mut self, socket: &DatagramSocket) -> io::Result<usize> {
        let (n, _) = socket
            .socket
            .try_recv_from(&mut self.buffers[..self.room + 1])?;
        self.lengths[0] = (n.min(self.room), n > self.room);
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
            self.batch.send(socket.fd.as_raw_fd(), datagrams)
        }
        #[cfg(not(target_os = "linux"))]
        {
            let (payload, to) = datagrams[0];
            socket.socket.try_send_to(payload, to).map(|_| 1)
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    //! The `recvmmsg`/`sendmmsg` calls and the C structures they take.

    use super::BATCH;
    use std::io;
    use std::net::SocketAddr;
    use std::os::fd::RawFd;

    /// Most datagrams handed to one `sendmmsg` (the kernel takes up to 1024).
    const SEND_BATCH: usize = 64;

    /// The headers of one `recvmmsg`, kept between calls.
    pub struct Headers {
        iovecs: Box<[libc::iovec]>,
        headers: Box<[libc::mmsghdr]>,
    }

    impl Headers {
        pub fn new() -> Headers {
            // SAFETY: both are plain C structures for which all zeroes is valid
            // (null pointers, zero lengths).
            let zero_iovec = unsafe { std::mem::zeroed::<libc::iovec>() };
            let zero_header = unsafe { std::mem::zeroed::<libc::mmsghdr>() };
            Headers {
                iovecs: vec![zero_iovec; BATCH].into_boxed_slice(),
                headers: vec![zero_header; BATCH].into_boxed_slice(),
            }
        }

        /// One `recvmmsg` into `buffers`, cut into `BATCH` pieces of `room` bytes.
        pub fn receive(&mut self, fd: RawFd, buffers: &mut [u8], room: usize) -> io::Result<usize> {
            assert!(buffers.len() >= room * BATCH);
            let base = buffers.as_mut_ptr();
            for k in 0..BATCH {
                // The pointers are made afresh on every call from the buffers borrowed
                // now, so none outlives the borrow it came from.
                self.iovecs[k] = libc::iovec {
                    // SAFETY: k * room + room <= buffers.len(), checked above.
                    iov_base: unsafe { base.add(k * room) }.cast(),
                    iov_len: room,
                };
                let h = &mut self.headers[k].msg_hdr;
                // The sender's address is of no use: responses are routed by Call-ID.
                h.msg_name = std::ptr::null_mut();
                h.msg_namelen = 0;
                h.msg_iov = &mut self.iovecs[k];
                h.msg_iovlen = 1;
                h.msg_control = std::ptr::null_mut();
                h.msg_controllen = 0;
                h.msg_flags = 0;
                self.headers[k].msg_len = 0;
            }
            // SAFETY: every header points at one iovec of ours, each iovec at `room`
            // bytes of `buffers`, all borrowed mutably for the length of the call.
            let n = unsafe {
                libc::recvmmsg(
                    fd,
                    self.headers.as_mut_ptr(),
                    BATCH as libc::c_uint,
                    libc::MSG_DONTWAIT,
                    std::ptr::null_mut(),
                )
            };
            if n < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(n as usize)
        }

        /// Length and "cut short" of datagram `k` of the latest call.
        pub fn received(&self, k: usize, room: usize) -> (usize, bool) {
            let h = &self.headers[k];
            let len = h.msg_len as usize;
            let cut = h.msg_hdr.msg_flags & libc::MSG_TRUNC != 0 || len > room;
            (len.min(room), cut)
        }
    }

    /// A destination in the form the kernel takes; room for either family.
    #[derive(Clone, Copy)]
    #[repr(C)]
    union RawAddress {
        v4: libc::sockaddr_in,
        v6: libc::sockaddr_in6,
    }

    fn raw_address(addr: SocketAddr) -> (RawAddress, libc::socklen_t) {
        match addr {
            SocketAddr::V4(a) => {
                let v4 = libc::sockaddr_in {
                    sin_family: libc::AF_INET as libc::sa_family_t,
                    sin_port: a.port().to_be(),
                    sin_addr: libc::in_addr {
                        s_addr: u32::from_ne_bytes(a.ip().octets()),
                    },
                    sin_zero: [0; 8],
                };
                (
                    RawAddress { v4 },
                    std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
                )
            }
            SocketAddr::V6(a) => {
                let v6 = libc::sockaddr_in6 {
                    sin6_family: libc::AF_INET6 as libc::sa_family_t,
                    sin6_port: a.port().to_be(),
                    sin6_flowinfo: a.flowinfo(),
                    sin6_addr: libc::in6_addr {
                        s6_addr: a.ip().octets(),
                    },
                    sin6_scope_id: a.scope_id(),
                };
                (
                    RawAddress { v6 },
                    std::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t,
                )
            }
        }
    }

    /// The arrays of one `sendmmsg`, kept between calls so that sending allocates
    /// nothing once they have grown.
    #[derive(Default)]
    pub struct Outgoing {
        addresses: Vec<(RawAddress, libc::socklen_t)>,
        iovecs: Vec<libc::iovec>,
        headers: Vec<libc::mmsghdr>,
    }

    impl Outgoing {
        /// One `sendmmsg` of up to `SEND_BATCH` datagrams from the start of `datagrams`.
        pub fn send(&mut self, fd: RawFd, datagrams: &[(&[u8], SocketAddr)]) -> io::Result<usize> {
            let run = &datagrams[..datagrams.len().min(SEND_BATCH)];
            self.addresses.clear();
            self.iovecs.clear();
            self.headers.clear();
            for (payload, to) in run {
                self.addresses.push(raw_address(*to));
                self.iovecs.push(libc::iovec {
                    // The kernel only reads from it.
                    iov_base: payload.as_ptr().cast_mut().cast(),
                    iov_len: payload.len(),
                });
            }
            // The vectors are complete: pointers into them stay valid until the next
            // call clears them.
            for k in 0..run.len() {
                // SAFETY: all zeroes is a valid mmsghdr (null pointers, zero lengths).
                let mut header = unsafe { std::mem::zeroed::<libc::mmsghdr>() };
                let (address, length) = &mut self.addresses[k];
                header.msg_hdr.msg_name = (address as *mut RawAddress).cast();
                header.msg_hdr.msg_namelen = *length;
                header.msg_hdr.msg_iov = &mut self.iovecs[k];
                header.msg_hdr.msg_iovlen = 1;
                self.headers.push(header);
            }
            // SAFETY: each header points at an address and an iovec of ours, each
            // iovec at a payload borrowed for the length of the call.
            let n = unsafe {
                libc::sendmmsg(
                    fd,
                    self.headers.as_mut_ptr(),
                    self.headers.len() as libc::c_uint,
                    libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL,
                )
            };
            if n < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(n as usize)
        }
    }
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
}
