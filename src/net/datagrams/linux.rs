//! The `recvmmsg`/`sendmmsg` calls and the C structures they take.

use super::BATCH;
use std::io;
use std::net::SocketAddr;
use std::os::fd::RawFd;

/// Most datagrams handed to one `sendmmsg` (the kernel takes up to 1024).
const SEND_BATCH: usize = 64;

/// Room for the ancillary data of one datagram: its receive timestamp (a `timespec`
/// behind a `cmsghdr`), in 8-byte words so that the header is aligned.
const CONTROL_WORDS: usize = 8;

/// The headers of one `recvmmsg`, kept between calls.
pub struct Headers {
    iovecs: Box<[libc::iovec]>,
    headers: Box<[libc::mmsghdr]>,
    controls: Box<[[u64; CONTROL_WORDS]]>,
    /// Where each datagram came from: responses are routed by Call-ID, but the
    /// message ladder of `-v` says who answered.
    names: Box<[libc::sockaddr_storage]>,
}

impl Headers {
    pub fn new() -> Headers {
        // SAFETY: both are plain C structures for which all zeroes is valid
        // (null pointers, zero lengths).
        let zero_iovec = unsafe { std::mem::zeroed::<libc::iovec>() };
        let zero_header = unsafe { std::mem::zeroed::<libc::mmsghdr>() };
        // SAFETY: a plain C structure too; all zeroes is an unspecified address.
        let zero_name = unsafe { std::mem::zeroed::<libc::sockaddr_storage>() };
        Headers {
            iovecs: vec![zero_iovec; BATCH].into_boxed_slice(),
            headers: vec![zero_header; BATCH].into_boxed_slice(),
            controls: vec![[0; CONTROL_WORDS]; BATCH].into_boxed_slice(),
            names: vec![zero_name; BATCH].into_boxed_slice(),
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
            h.msg_name = (&mut self.names[k] as *mut libc::sockaddr_storage).cast();
            h.msg_namelen = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
            h.msg_iov = &mut self.iovecs[k];
            h.msg_iovlen = 1;
            h.msg_control = self.controls[k].as_mut_ptr().cast();
            h.msg_controllen = std::mem::size_of::<[u64; CONTROL_WORDS]>() as _;
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
                // glibc declares the flags int, musl unsigned int (the static build)
                libc::MSG_DONTWAIT as _,
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

    /// Where datagram `k` of the latest call came from.
    pub fn source(&self, k: usize) -> Option<SocketAddr> {
        socket_address(&self.names[k])
    }

    /// When the kernel queued datagram `k` of the latest call (wall clock), if the
    /// socket asked for timestamps (`enable_timestamps`).
    pub fn timestamp(&self, k: usize) -> Option<std::time::Duration> {
        let h = &self.headers[k].msg_hdr;
        if h.msg_flags & libc::MSG_CTRUNC != 0 {
            return None;
        }
        // SAFETY: the kernel wrote `msg_controllen` bytes of well-formed control
        // messages into our buffer; the CMSG_* functions walk them within that length.
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(h);
            while !c.is_null() {
                if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_TIMESTAMPNS {
                    let ts = std::ptr::read_unaligned(libc::CMSG_DATA(c).cast::<libc::timespec>());
                    let secs = u64::try_from(ts.tv_sec).ok()?;
                    let nanos = u32::try_from(ts.tv_nsec).ok()?;
                    return Some(std::time::Duration::new(secs, nanos));
                }
                c = libc::CMSG_NXTHDR(h, c);
            }
        }
        None
    }
}

/// Asks the kernel to note when each datagram of `fd` arrived (`SO_TIMESTAMPNS`).
pub fn enable_timestamps(fd: RawFd) -> io::Result<()> {
    let on: libc::c_int = 1;
    // SAFETY: a plain setsockopt with a pointer to an int that outlives the call.
    let r = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_TIMESTAMPNS,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
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
                // glibc declares the flags int, musl unsigned int (the static build)
                (libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL) as _,
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(n as usize)
    }
}

/// `SO_SELECT_ERR_QUEUE` (Linux 3.10; not in the libc crate): a queued socket error
/// is also reported as priority data (`EPOLLPRI`), which the reactor counts as
/// readable and so wakes the loop for it. Its value where `asm-generic/socket.h`
/// applies.
#[cfg(not(any(target_arch = "sparc", target_arch = "sparc64")))]
const SO_SELECT_ERR_QUEUE: libc::c_int = 45;

/// Asks the kernel to queue ICMP errors on `fd` although it is not connected
/// (`IP_RECVERR`, and `IPV6_RECVERR` for an IPv6 socket), and to wake the loop for
/// them. Without it, an unconnected UDP socket never learns that a port is closed.
pub fn enable_errors(fd: RawFd, v6: bool) -> io::Result<()> {
    if v6 {
        set_int(fd, libc::IPPROTO_IPV6, libc::IPV6_RECVERR)?;
    } else {
        set_int(fd, libc::IPPROTO_IP, libc::IP_RECVERR)?;
    }
    // Best effort: without it the errors are still read when a read or a send
    // reports one, only later.
    #[cfg(not(any(target_arch = "sparc", target_arch = "sparc64")))]
    let _ = set_int(fd, libc::SOL_SOCKET, SO_SELECT_ERR_QUEUE);
    Ok(())
}

fn set_int(fd: RawFd, level: libc::c_int, name: libc::c_int) -> io::Result<()> {
    let on: libc::c_int = 1;
    // SAFETY: a plain setsockopt with a pointer to an int that outlives the call.
    let r = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// One entry of a socket's error queue: an ICMP error about a datagram we sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuedError {
    /// Where the datagram that caused it was going.
    pub destination: Option<SocketAddr>,
    /// Who sent the ICMP message.
    pub offender: Option<std::net::IpAddr>,
    /// The error as errno (`ECONNREFUSED` for port unreachable, …).
    pub errno: i32,
    /// `SO_EE_ORIGIN_*`, and the ICMP type and code.
    pub origin: u8,
    pub icmp_type: u8,
    pub icmp_code: u8,
}

/// Takes one entry from `fd`'s error queue (`MSG_ERRQUEUE`); `Ok(None)` when it is
/// empty. The quoted payload is not kept: the destination says whom it concerns.
pub fn take_error(fd: RawFd) -> io::Result<Option<QueuedError>> {
    // SAFETY: plain C structures for which all zeroes is valid.
    let mut name = unsafe { std::mem::zeroed::<libc::sockaddr_storage>() };
    let mut header = unsafe { std::mem::zeroed::<libc::msghdr>() };
    let mut payload = [0u8; 64];
    let mut iov = libc::iovec {
        iov_base: payload.as_mut_ptr().cast(),
        iov_len: payload.len(),
    };
    let mut control = [0u64; 32];
    header.msg_name = (&mut name as *mut libc::sockaddr_storage).cast();
    header.msg_namelen = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    header.msg_iov = &mut iov;
    header.msg_iovlen = 1;
    header.msg_control = control.as_mut_ptr().cast();
    header.msg_controllen = std::mem::size_of_val(&control) as _;
    // SAFETY: the header points at buffers of ours that live through the call.
    let r = unsafe { libc::recvmsg(fd, &mut header, libc::MSG_ERRQUEUE | libc::MSG_DONTWAIT) };
    if r < 0 {
        let e = io::Error::last_os_error();
        if e.kind() == io::ErrorKind::WouldBlock {
            return Ok(None);
        }
        return Err(e);
    }
    let destination = socket_address(&name);
    // SAFETY: the kernel wrote `msg_controllen` bytes of well-formed control messages
    // into `control`; the CMSG_* functions walk them within that length, and a
    // sock_extended_err (followed by the offender's address) is what IP_RECVERR and
    // IPV6_RECVERR carry.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(&header);
        while !c.is_null() {
            let level = (*c).cmsg_level;
            let kind = (*c).cmsg_type;
            if (level == libc::IPPROTO_IP && kind == libc::IP_RECVERR)
                || (level == libc::IPPROTO_IPV6 && kind == libc::IPV6_RECVERR)
            {
                let data = libc::CMSG_DATA(c).cast::<libc::sock_extended_err>();
                let ee = std::ptr::read_unaligned(data);
                let offender = address_at(libc::SO_EE_OFFENDER(data)).map(|a| a.ip());
                return Ok(Some(QueuedError {
                    destination,
                    offender,
                    errno: ee.ee_errno as i32,
                    origin: ee.ee_origin,
                    icmp_type: ee.ee_type,
                    icmp_code: ee.ee_code,
                }));
            }
            c = libc::CMSG_NXTHDR(&header, c);
        }
    }
    // An entry without the extended error (the control buffer too short): taken all
    // the same, so that the queue empties.
    Ok(Some(QueuedError {
        destination,
        offender: None,
        errno: 0,
        origin: 0,
        icmp_type: 0,
        icmp_code: 0,
    }))
}

/// The address the kernel wrote in `name` (AF_UNSPEC or another family: none).
fn socket_address(name: &libc::sockaddr_storage) -> Option<SocketAddr> {
    // SAFETY: sockaddr_storage has room for either family's structure.
    unsafe { address_at((name as *const libc::sockaddr_storage).cast()) }
}

/// The IPv4 or IPv6 address at `p`, read as its family says.
///
/// # Safety
/// `p` points at a socket address the kernel wrote, readable for the size of its
/// family's structure.
unsafe fn address_at(p: *const libc::sockaddr) -> Option<SocketAddr> {
    let family = std::ptr::read_unaligned(std::ptr::addr_of!((*p).sa_family));
    match i32::from(family) {
        libc::AF_INET => {
            let a = std::ptr::read_unaligned(p.cast::<libc::sockaddr_in>());
            let ip = std::net::Ipv4Addr::from(u32::from_be(a.sin_addr.s_addr));
            Some(SocketAddr::from((ip, u16::from_be(a.sin_port))))
        }
        libc::AF_INET6 => {
            let a = std::ptr::read_unaligned(p.cast::<libc::sockaddr_in6>());
            let ip = std::net::Ipv6Addr::from(a.sin6_addr.s6_addr);
            Some(SocketAddr::from((ip, u16::from_be(a.sin6_port))))
        }
        _ => None,
    }
}
