//! The TCP or TLS connections a bulk run shares among its registrations: one per AOR,
//! or `--connections N` with AOR i on connection i % N.
//!
//! Each connection has one reader task, spawned once when it is opened: it frames
//! the byte stream into messages (the shared `StreamFramer`) and hands them, tagged
//! with the connection's index, to the engine through one channel. The engine
//! itself writes. Nothing is allocated per registration or per transaction here;
//! a message read costs the one `Vec` the framer hands out.
//!
//! A connection that closes or fails is not reopened: the registrations waiting on
//! it fail with a transport error, and so does every later request meant for it.
//! A load test wants to see that the registrar dropped connections, not hide it.

use crate::core::TransportKind;
use crate::sip::StreamFramer;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, WriteHalf};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tokio_rustls::client::TlsStream;

/// What one read takes at most; a longer message simply spans reads. A TLS
/// connection keeps a buffer of this size for its life (next to rustls's own), so
/// it is small; a TCP connection borrows one only while it reads.
const READ_CHUNK: usize = 4096;

/// Events the readers may have queued for the engine before they must wait. A
/// registrar sending faster than the loop takes its messages then meets TCP flow
/// control instead of growing our memory without bound.
pub const EVENT_QUEUE: usize = 4096;

/// What the reader tasks tell the engine.
#[derive(Debug)]
pub enum StreamEvent {
    /// One complete SIP message (keep-alive CRLFs already skipped).
    Message { connection: u32, bytes: Vec<u8> },
    /// The connection is gone; the text says why.
    Closed { connection: u32, reason: String },
}

/// The sending side of one connection: an enum rather than a boxed trait object,
/// so that a write is a direct call.
pub enum Writer {
    Tcp(OwnedWriteHalf),
    Tls(WriteHalf<TlsStream<TcpStream>>),
}

impl Writer {
    async fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Writer::Tcp(w) => w.write_all(bytes).await,
            Writer::Tls(w) => {
                // rustls holds the record until it is flushed to the socket.
                w.write_all(bytes).await?;
                w.flush().await
            }
        }
    }
}

/// One connection as the engine sees it.
pub struct Connection {
    /// None once the connection is gone (or never came up).
    writer: Option<Writer>,
    /// Why it is gone: every request meant for it fails with this.
    gone: Option<String>,
    /// Our end of it: Via sent-by and the default Contacts.
    pub local: SocketAddr,
}

impl Connection {
    pub fn open(writer: Writer, local: SocketAddr) -> Connection {
        Connection {
            writer: Some(writer),
            gone: None,
            local,
        }
    }

    /// A connection that could not be opened; `local` is the address it was bound to.
    pub fn failed(local: SocketAddr, reason: String) -> Connection {
        Connection {
            writer: None,
            gone: Some(reason),
            local,
        }
    }
}

/// What became of a write.
pub enum Sent {
    Ok,
    /// The connection was gone already: only this request fails.
    Gone(String),
    /// The write failed: the connection is gone from now on, with all it carried.
    Broke(String),
}

pub struct Streams {
    pub transport: TransportKind,
    connections: Vec<Connection>,
    events: mpsc::Receiver<StreamEvent>,
    readers: Vec<AbortHandle>,
    /// A write that finds no room for this long breaks its connection: a registrar
    /// that stopped reading must not stall the whole loop (and every other AOR).
    write_timeout: Duration,
}

impl Streams {
    pub fn new(
        transport: TransportKind,
        connections: Vec<Connection>,
        events: mpsc::Receiver<StreamEvent>,
        readers: Vec<AbortHandle>,
        write_timeout: Duration,
    ) -> Streams {
        assert!(!connections.is_empty(), "a bulk run needs a connection");
        Streams {
            transport,
            connections,
            events,
            readers,
            write_timeout,
        }
    }

    pub fn len(&self) -> usize {
        self.connections.len()
    }

    pub fn is_empty(&self) -> bool {
        self.connections.is_empty()
    }

    pub fn local(&self, connection: usize) -> SocketAddr {
        self.connections[connection].local
    }

    /// Connections that are still up.
    pub fn open_count(&self) -> usize {
        self.connections
            .iter()
            .filter(|c| c.writer.is_some())
            .count()
    }

    /// Writes one message on `connection`.
    pub async fn send(&mut self, connection: usize, bytes: &[u8]) -> Sent {
        let c = &mut self.connections[connection];
        let Some(writer) = &mut c.writer else {
            return Sent::Gone(c.gone.clone().unwrap_or_default());
        };
        let written = tokio::time::timeout(self.write_timeout, writer.send(bytes)).await;
        match written {
            Ok(Ok(())) => Sent::Ok,
            failed => {
                let why = match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => format!(
                        "the registrar read nothing for {}",
                        humantime::format_duration(self.write_timeout)
                    ),
                };
                let reason = format!("cannot send on the connection from {}: {why}", c.local);
                self.close(connection, reason.clone());
                Sent::Broke(reason)
            }
        }
    }

    /// Marks `connection` gone. False when it was gone already.
    pub fn close(&mut self, connection: usize, reason: String) -> bool {
        let c = &mut self.connections[connection];
        if c.writer.take().is_none() {
            return false;
        }
        c.gone = Some(reason);
        true
    }

    /// The next event of any connection; never resolves once every reader has ended
    /// and its events were taken.
    pub async fn next_event(&mut self) -> StreamEvent {
        match self.events.recv().await {
            Some(event) => event,
            None => std::future::pending().await,
        }
    }

    /// An event already waiting, without waiting for one.
    pub fn try_next_event(&mut self) -> Option<StreamEvent> {
        self.events.try_recv().ok()
    }
}

impl Drop for Streams {
    fn drop(&mut self) {
        for r in &self.readers {
            r.abort();
        }
    }
}

/// The reader task of one TLS connection: frames messages until the stream ends or
/// cannot be read, then says why.
pub async fn read_messages<R: AsyncRead + Unpin>(
    mut reader: R,
    connection: u32,
    events: mpsc::Sender<StreamEvent>,
) {
    let mut framer = StreamFramer::default();
    let mut chunk = vec![0; READ_CHUNK];
    let reason = loop {
        match reader.read(&mut chunk).await {
            Ok(0) => break CLOSED_BY_PEER.to_string(),
            Ok(n) => framer.push(&chunk[..n]),
            Err(e) => break format!("connection failed: {e}"),
        }
        match deliver(&mut framer, connection, &events).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(reason) => break reason,
        }
    };
    let _ = events
        .send(StreamEvent::Closed { connection, reason })
        .await;
}

/// The reader task of one TCP connection. It waits for the socket to be readable
/// and only then reads, into a buffer on the stack: an idle connection holds no
/// read buffer at all, which counts with one connection per AOR.
pub async fn read_tcp_messages(
    reader: OwnedReadHalf,
    connection: u32,
    events: mpsc::Sender<StreamEvent>,
) {
    let mut framer = StreamFramer::default();
    let reason = loop {
        if let Err(e) = reader.readable().await {
            break format!("connection failed: {e}");
        }
        // In a block of its own: the chunk must be gone before the next await, or
        // the task would keep it for its whole life.
        let read = {
            let mut chunk = [0u8; READ_CHUNK];
            let read = reader.try_read(&mut chunk);
            if let Ok(n) = read {
                framer.push(&chunk[..n]);
            }
            read
        };
        match read {
            Ok(0) => break CLOSED_BY_PEER.to_string(),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(e) => break format!("connection failed: {e}"),
        }
        match deliver(&mut framer, connection, &events).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(reason) => break reason,
        }
    };
    let _ = events
        .send(StreamEvent::Closed { connection, reason })
        .await;
}

const CLOSED_BY_PEER: &str = "connection closed by the registrar";

/// Hands every complete message in `framer` to the engine. Ok(false): the engine is
/// gone; Err: the stream cannot be resynchronised.
async fn deliver(
    framer: &mut StreamFramer,
    connection: u32,
    events: &mpsc::Sender<StreamEvent>,
) -> Result<bool, String> {
    loop {
        match framer.next_message() {
            Ok(Some(bytes)) => {
                if events
                    .send(StreamEvent::Message { connection, bytes })
                    .await
                    .is_err()
                {
                    return Ok(false);
                }
            }
            Ok(None) => return Ok(true),
            Err(e) => {
                return Err(format!(
                    "malformed message on the stream ({e}); connection dropped"
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    const MSG: &[u8] = b"SIP/2.0 200 OK\r\nContent-Length: 4\r\n\r\nbody";

    async fn events_of(parts: &[&[u8]]) -> Vec<StreamEvent> {
        let (ours, mut theirs) = tokio::io::duplex(1 << 16);
        let (tx, mut rx) = mpsc::channel(EVENT_QUEUE);
        let reader = tokio::spawn(read_messages(ours, 7, tx));
        for p in parts {
            theirs.write_all(p).await.unwrap();
            tokio::task::yield_now().await;
        }
        drop(theirs);
        reader.await.unwrap();
        let mut got = Vec::new();
        while let Ok(e) = rx.try_recv() {
            got.push(e);
        }
        got
    }

    /// Virtual time: the write blocks for real (the peer never reads), the clock
    /// jumps to the timeout as soon as nothing else can run.
    #[tokio::test(start_paused = true)]
    async fn a_registrar_that_stops_reading_breaks_its_connection_instead_of_stalling() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ours = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (_theirs_never_read, _) = listener.accept().await.unwrap();
        let local = ours.local_addr().unwrap();
        let (_read, write) = ours.into_split();
        let (_tx, rx) = mpsc::channel(EVENT_QUEUE);
        let mut streams = Streams::new(
            TransportKind::Tcp,
            vec![Connection::open(Writer::Tcp(write), local)],
            rx,
            Vec::new(),
            Duration::from_secs(32),
        );
        // Far more than the socket buffers of both ends hold.
        let too_much = vec![b'x'; 32 << 20];
        match streams.send(0, &too_much).await {
            Sent::Broke(reason) => assert!(reason.contains("read nothing for 32s"), "{reason}"),
            _ => panic!("a write that finds no room must break the connection"),
        }
        assert_eq!(streams.open_count(), 0);
        assert!(matches!(streams.send(0, b"x").await, Sent::Gone(_)));
    }

    #[tokio::test]
    async fn a_flooding_registrar_waits_for_the_engine_instead_of_filling_memory() {
        let (ours, mut theirs) = tokio::io::duplex(1 << 16);
        let (tx, mut rx) = mpsc::channel(2);
        let reader = tokio::spawn(read_messages(ours, 5, tx));
        let flood = MSG.repeat(50);
        theirs.write_all(&flood).await.unwrap();
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        assert_eq!(rx.len(), 2, "the reader waits at the queue's bound");
        assert!(!reader.is_finished());
        drop(theirs);
        let mut messages = 0;
        while let Some(event) = rx.recv().await {
            match event {
                StreamEvent::Message { connection, bytes } => {
                    assert_eq!((connection, bytes.as_slice()), (5, MSG));
                    messages += 1;
                }
                StreamEvent::Closed { .. } => break,
            }
        }
        assert_eq!(messages, 50, "nothing was lost by waiting");
        reader.await.unwrap();
    }

    #[tokio::test]
    async fn split_and_coalesced_messages_are_framed_then_the_close_is_told() {
        let mut two = MSG.to_vec();
        two.extend_from_slice(b"\r\n\r\n");
        two.extend_from_slice(MSG);
        let got = events_of(&[&MSG[..9], &MSG[9..], &two]).await;
        assert_eq!(got.len(), 4, "{got:?}");
        for e in &got[..3] {
            match e {
                StreamEvent::Message { connection, bytes } => {
                    assert_eq!(*connection, 7);
                    assert_eq!(bytes, MSG);
                }
                other => panic!("{other:?}"),
            }
        }
        match &got[3] {
            StreamEvent::Closed { connection, reason } => {
                assert_eq!(*connection, 7);
                assert!(reason.contains("closed by the registrar"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn tcp_reader_frames_messages_and_holds_no_buffer_while_idle() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ours = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut theirs, _) = listener.accept().await.unwrap();
        let (read, _write) = ours.into_split();
        let (tx, mut rx) = mpsc::channel(EVENT_QUEUE);
        let reader = read_tcp_messages(read, 3, tx);
        // The read buffer lives on the stack only while a read runs.
        assert!(
            std::mem::size_of_val(&reader) < READ_CHUNK / 4,
            "{}",
            std::mem::size_of_val(&reader)
        );
        let reader = tokio::spawn(reader);
        theirs.write_all(&MSG[..5]).await.unwrap();
        tokio::task::yield_now().await;
        theirs.write_all(&MSG[5..]).await.unwrap();
        theirs.write_all(MSG).await.unwrap();
        drop(theirs);
        reader.await.unwrap();
        let mut messages = 0;
        while let Ok(e) = rx.try_recv() {
            match e {
                StreamEvent::Message { connection, bytes } => {
                    assert_eq!((connection, &bytes[..]), (3, MSG));
                    messages += 1;
                }
                StreamEvent::Closed { reason, .. } => {
                    assert_eq!(messages, 2);
                    assert_eq!(reason, CLOSED_BY_PEER);
                }
            }
        }
        assert_eq!(messages, 2);
    }

    #[tokio::test]
    async fn a_bad_content_length_drops_the_connection() {
        let got = events_of(&[b"SIP/2.0 200 OK\r\nContent-Length: x\r\n\r\n"]).await;
        match &got[..] {
            [StreamEvent::Closed { reason, .. }] => {
                assert!(reason.contains("connection dropped"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }
}
