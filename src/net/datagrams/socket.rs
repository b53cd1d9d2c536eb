//! A UDP socket of a bulk run and its place in the event loop's reactor.

use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

/// A UDP socket of a bulk run, registered with the event loop for reading, or (on
/// Linux, `set_watched(false)`) not registered at all.
///
/// On Linux it is registered for reading only. A socket registered for writing too
/// (as tokio's `UdpSocket` is) reports "room to send" after every datagram it sends,
/// since loopback and most network cards free the buffer at once, and each report
/// costs the loop an extra `epoll_wait`. A send that finds the buffer full waits for
/// room on a registration of its own (`writable`), which is rare.
///
/// While the loop runs on its tick (`ticker`), it reads the socket on every tick
/// whether or not anything arrived; a registration would only wake it once more per
/// datagram, between ticks, to do nothing. So the socket leaves the reactor then.
pub struct DatagramSocket {
    #[cfg(target_os = "linux")]
    watch: Watch,
    #[cfg(not(target_os = "linux"))]
    socket: tokio::net::UdpSocket,
}

/// Datagrams, and the ICMP errors queued on the socket, which `SO_SELECT_ERR_QUEUE`
/// reports as priority data (`linux::enable_errors`).
#[cfg(target_os = "linux")]
const READ_INTEREST: tokio::io::Interest =
    tokio::io::Interest::READABLE.add(tokio::io::Interest::PRIORITY);

#[cfg(target_os = "linux")]
enum Watch {
    Watched(tokio::io::unix::AsyncFd<std::net::UdpSocket>),
    Unwatched(std::net::UdpSocket),
    /// Only while `set_watched` moves the socket from one to the other.
    Moving,
}

impl DatagramSocket {
    /// Binds `addr`; must be called on the runtime that will drive the socket.
    pub fn bind(addr: SocketAddr) -> io::Result<DatagramSocket> {
        let socket = std::net::UdpSocket::bind(addr)?;
        socket.set_nonblocking(true)?;
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            super::linux::enable_timestamps(socket.as_raw_fd())?;
            super::linux::enable_errors(socket.as_raw_fd(), addr.is_ipv6())?;
            let fd = register(socket, READ_INTEREST).map_err(|(_, e)| e)?;
            Ok(DatagramSocket {
                watch: Watch::Watched(fd),
            })
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
        return self.std().local_addr();
        #[cfg(not(target_os = "linux"))]
        return self.socket.local_addr();
    }

    /// Ready when a datagram (or an error) waits; registers the waker otherwise.
    /// Never ready while the socket is not watched.
    pub fn poll_readable(&self, cx: &mut Context<'_>) -> Poll<()> {
        #[cfg(target_os = "linux")]
        return match &self.watch {
            Watch::Watched(fd) => fd.poll_read_ready(cx).map(|_| ()),
            _ => Poll::Pending,
        };
        #[cfg(not(target_os = "linux"))]
        return self.socket.poll_recv_ready(cx).map(|_| ());
    }

    /// Puts the socket in the reactor or takes it out. Datagrams that wait when it
    /// is put back are reported at once. If it cannot be put back, it stays out and
    /// the error says why. Elsewhere than on Linux the socket always stays in; only
    /// the loop's polling changes.
    pub fn set_watched(&mut self, on: bool) -> io::Result<()> {
        #[cfg(target_os = "linux")]
        {
            let mut result = Ok(());
            self.watch = match std::mem::replace(&mut self.watch, Watch::Moving) {
                Watch::Watched(fd) if !on => Watch::Unwatched(fd.into_inner()),
                Watch::Unwatched(socket) if on => match register(socket, READ_INTEREST) {
                    Ok(fd) => Watch::Watched(fd),
                    Err((socket, e)) => {
                        result = Err(e);
                        Watch::Unwatched(socket)
                    }
                },
                unchanged => unchanged,
            };
            result
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = on;
            Ok(())
        }
    }

    /// Waits until the send buffer has room again, after a send met `WouldBlock`.
    pub async fn writable(&self) -> io::Result<()> {
        #[cfg(target_os = "linux")]
        {
            // A second descriptor of the same socket, registered for writing only
            // while we wait: epoll reports it writable at once if room came back
            // before it was registered.
            let probe = register(self.std().try_clone()?, tokio::io::Interest::WRITABLE)
                .map_err(|(_, e)| e)?;
            probe.writable().await.map(|_| ())
        }
        #[cfg(not(target_os = "linux"))]
        {
            self.socket.writable().await
        }
    }

    /// Runs a read through tokio while watched, so that `WouldBlock` clears read
    /// readiness; directly otherwise.
    pub(super) fn try_read<R>(&self, f: impl FnOnce() -> io::Result<R>) -> io::Result<R> {
        #[cfg(target_os = "linux")]
        return match &self.watch {
            Watch::Watched(fd) => fd.try_io(tokio::io::Interest::READABLE, |_| f()),
            _ => f(),
        };
        #[cfg(not(target_os = "linux"))]
        return self.socket.try_io(tokio::io::Interest::READABLE, f);
    }

    #[cfg(target_os = "linux")]
    pub(super) fn std(&self) -> &std::net::UdpSocket {
        match &self.watch {
            Watch::Watched(fd) => fd.get_ref(),
            Watch::Unwatched(socket) => socket,
            Watch::Moving => unreachable!("set_watched always puts the socket back"),
        }
    }

    #[cfg(not(target_os = "linux"))]
    pub(super) fn tokio(&self) -> &tokio::net::UdpSocket {
        &self.socket
    }
}

/// `socket` registered with the runtime's reactor for `interest`; or the socket
/// back, with the reason it could not be.
#[cfg(target_os = "linux")]
fn register(
    socket: std::net::UdpSocket,
    interest: tokio::io::Interest,
) -> Result<tokio::io::unix::AsyncFd<std::net::UdpSocket>, (std::net::UdpSocket, io::Error)> {
    // SAFETY: a std UdpSocket owns its descriptor: it stays open, and the same,
    // for as long as the AsyncFd that owns the socket.
    unsafe { tokio::io::unix::AsyncFd::register_with_interest(socket, interest) }
        .map_err(|e| e.into_parts())
}
