//! One stream connection (TCP, TLS, WS, WSS), the same for a single registration's
//! link and for the connections of a bulk run.
//!
//! Opening: the socket is bound first (so the address that goes into Via and Contact
//! is known before anything is sent), then connected, then TLS and the WebSocket
//! upgrade as the transport asks, all within one deadline. Once open, a connection is
//! a `Writer` the loop writes on, and one reader task that frames what arrives (one
//! persistent `StreamFramer` per connection, or one WebSocket message per SIP message)
//! and hands each message, tagged with the connection's number, to one bounded
//! channel. RFC 5626 keep-alive pongs reach the channel as `\r\n` messages: a CRLF
//! pair on a byte stream, a WebSocket Pong on a WebSocket.

use super::source::advertised;
use super::target::Target;
use super::tls::{explain_handshake_error, server_name};
use super::ws;
use crate::core::TransportKind;
use crate::sip::{Framed, StreamFramer};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use rustls::ClientConfig;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, WriteHalf};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// A connected stream of either kind, so that one type serves TCP and TLS under a
/// WebSocket.
pub trait ByteStream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> ByteStream for T {}

pub type BoxedStream = Box<dyn ByteStream>;

/// What one read takes at most; a longer message simply spans reads. A TLS
/// connection keeps a buffer of this size for its life (next to rustls's own), so
/// it is small; a TCP connection borrows one only while it reads.
const READ_CHUNK: usize = 4096;

/// The pong a keep-alive waits for (RFC 5626 §4.4.1).
const PONG: &[u8] = b"\r\n";

/// What the reader tasks hand the loop.
#[derive(Debug)]
pub enum StreamEvent {
    /// One complete SIP message, or `\r\n` for a keep-alive pong.
    Message { connection: u32, bytes: Vec<u8> },
    /// The connection is gone; the text says why. `generation` tells a reopened
    /// connection's close from its predecessor's.
    Closed {
        connection: u32,
        generation: u32,
        reason: String,
    },
}

/// Which connection a reader reads for: its number, and how many times it was
/// reopened before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReaderTag {
    pub connection: u32,
    pub generation: u32,
}

/// Why a connection could not be opened, or a message not sent.
#[derive(Debug, Error)]
pub enum LinkError {
    #[error("cannot connect to {target}: {reason}")]
    Connect { target: String, reason: String },
    #[error("TLS handshake with {target} failed: {reason}")]
    Tls {
        target: String,
        reason: String,
        /// The certificate was refused, rather than the network failing.
        certificate: bool,
    },
    #[error("{0}")]
    WebSocket(String),
    #[error("cannot send to {target}: {source}")]
    Send {
        target: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot bind {addr}: {reason}")]
    Bind { addr: SocketAddr, reason: String },
}

impl LinkError {
    /// A verification failure: the same certificate is behind every target, so
    /// failing over would only repeat it; it ends the run with its reason.
    pub fn is_certificate(&self) -> bool {
        matches!(
            self,
            LinkError::Tls {
                certificate: true,
                ..
            }
        )
    }

    pub fn into_error(self) -> crate::error::Error {
        use crate::error::Error;
        let (context, reason) = match self {
            LinkError::Bind { addr, reason } => (format!("cannot bind {addr}"), reason),
            LinkError::Send { target, source } => {
                return Error::io(format!("cannot send to {target}"), source)
            }
            LinkError::Tls { target, reason, .. } => {
                (format!("TLS handshake with {target} failed"), reason)
            }
            LinkError::Connect { target, reason } => {
                (format!("cannot connect to {target}"), reason)
            }
            LinkError::WebSocket(reason) => ("WebSocket".to_string(), reason),
        };
        Error::io(context, std::io::Error::other(reason))
    }
}

type WsStream = WebSocketStream<BoxedStream>;

/// The sending side of one connection: an enum rather than a boxed trait object,
/// so that a write is a direct call.
pub enum Writer {
    Tcp(OwnedWriteHalf),
    Tls(WriteHalf<TlsStream<TcpStream>>),
    Ws(Box<SplitSink<WsStream, Message>>),
}

impl Writer {
    /// Writes one message, or a CRLFCRLF keep-alive ping.
    pub async fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Writer::Tcp(w) => w.write_all(bytes).await,
            Writer::Tls(w) => {
                // rustls holds the record until it is flushed to the socket.
                w.write_all(bytes).await?;
                w.flush().await
            }
            Writer::Ws(w) => w
                .send(ws::message_for(bytes))
                .await
                .map_err(std::io::Error::other),
        }
    }
}

/// An open connection: where to write, the reader task that feeds the channel, and
/// our end of it (Via sent-by, the default Contact).
pub struct Opened {
    pub writer: Writer,
    pub reader: AbortHandle,
    pub local: SocketAddr,
}

/// How connections are opened, the same for every one of a run.
#[derive(Clone)]
pub struct Opening {
    /// For TLS and WSS.
    pub tls: Option<Arc<ClientConfig>>,
    /// `--tls-server-name`: the name to check the certificate against and send as
    /// SNI instead of the target's host.
    pub server_name: Option<rustls::pki_types::ServerName<'static>>,
    /// The path of the WebSocket URL (`/` unless a `ws://` URL said otherwise).
    pub ws_path: String,
    /// `--origin`, sent on the WebSocket upgrade.
    pub origin: Option<String>,
    /// Connecting, TLS and the upgrade together must not take longer.
    pub limit: Duration,
}

/// A TCP socket bound to `addr` for a connection to `destination`, and the address
/// to advertise for it: the bound port, with the address the kernel routes from
/// (`source`, asked once by the caller) when bound to "any".
pub fn bind_socket(
    addr: SocketAddr,
    source: impl FnOnce() -> Option<IpAddr>,
) -> Result<(TcpSocket, SocketAddr), LinkError> {
    let failed = |e: std::io::Error| LinkError::Bind {
        addr,
        reason: with_hint(&e),
    };
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .map_err(failed)?;
    if addr.port() != 0 {
        // A fixed --local port must be reusable for the reconnection that follows a
        // closed connection, and after a previous run (TIME_WAIT).
        socket.set_reuseaddr(true).map_err(failed)?;
    }
    socket.bind(addr).map_err(failed)?;
    let bound = socket.local_addr().map_err(failed)?;
    Ok((socket, advertised(bound, source)))
}

/// The error, with what to do about running out of descriptors.
pub fn with_hint(e: &std::io::Error) -> String {
    #[cfg(unix)]
    if matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE)) {
        return format!("{e}; share fewer connections with --connections N");
    }
    e.to_string()
}

/// Connects the bound `socket` to `target`, then TLS and the WebSocket upgrade as its
/// transport asks, within `opening.limit`; starts the reader, which tags what it reads
/// with `connection`. `source` is the address to advertise when bound to "any".
pub async fn open_connection(
    socket: TcpSocket,
    target: &Target,
    opening: &Opening,
    tag: ReaderTag,
    events: mpsc::Sender<StreamEvent>,
    source: Option<IpAddr>,
) -> Result<Opened, LinkError> {
    let at = tokio::time::Instant::now() + opening.limit;
    let late = |stage: &str| {
        format!(
            "no {stage} within {}",
            humantime::format_duration(opening.limit)
        )
    };
    let connect_failed = |reason: String| LinkError::Connect {
        target: target.to_string(),
        reason,
    };
    let tcp = match tokio::time::timeout_at(at, socket.connect(target.addr)).await {
        Ok(Ok(tcp)) => tcp,
        Ok(Err(e)) => return Err(connect_failed(with_hint(&e))),
        Err(_) => return Err(connect_failed(late("connection"))),
    };
    // Requests are small and latency matters more than packet count.
    let _ = tcp.set_nodelay(true);
    let local = tcp
        .local_addr()
        .map(|a| advertised(a, || source))
        .map_err(|e| connect_failed(e.to_string()))?;
    let secure = matches!(target.transport, TransportKind::Tls | TransportKind::Wss);
    if !secure {
        if target.transport == TransportKind::Ws {
            return upgrade(Box::new(tcp), target, opening, at, tag, events, local).await;
        }
        // Split at once: the reader holds no buffer while the connection is idle.
        let (read, write) = tcp.into_split();
        let reader = tokio::spawn(read_tcp(read, tag, events));
        return Ok(Opened {
            writer: Writer::Tcp(write),
            reader: reader.abort_handle(),
            local,
        });
    }
    let failed = |reason: String, certificate: bool| LinkError::Tls {
        target: target.to_string(),
        reason,
        certificate,
    };
    let Some(config) = &opening.tls else {
        return Err(failed("no TLS configuration".into(), false));
    };
    let name = match &opening.server_name {
        Some(given) => given.clone(),
        None => server_name(&target.host, None).map_err(|e| failed(e.to_string(), true))?,
    };
    let handshake = tokio_rustls::TlsConnector::from(config.clone()).connect(name.clone(), tcp);
    let tls = match tokio::time::timeout_at(at, handshake).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            let (reason, certificate) = explain_handshake_error(&e, &name);
            return Err(failed(reason, certificate));
        }
        Err(_) => return Err(failed(late("TLS handshake"), false)),
    };
    if target.transport == TransportKind::Wss {
        return upgrade(Box::new(tls), target, opening, at, tag, events, local).await;
    }
    let (read, write) = tokio::io::split(tls);
    let reader = tokio::spawn(read_stream(read, tag, events));
    Ok(Opened {
        writer: Writer::Tls(write),
        reader: reader.abort_handle(),
        local,
    })
}

/// The WebSocket upgrade of a connected stream (RFC 7118), then its reader.
async fn upgrade(
    stream: BoxedStream,
    target: &Target,
    opening: &Opening,
    at: tokio::time::Instant,
    tag: ReaderTag,
    events: mpsc::Sender<StreamEvent>,
    local: SocketAddr,
) -> Result<Opened, LinkError> {
    let scheme = if target.transport == TransportKind::Wss {
        "wss"
    } else {
        "ws"
    };
    let url = format!(
        "{scheme}://{}:{}{}",
        target.host,
        target.addr.port(),
        opening.ws_path
    );
    let ws =
        match tokio::time::timeout_at(at, ws::handshake(stream, &url, opening.origin.as_deref()))
            .await
        {
            Ok(Ok(ws)) => ws,
            Ok(Err(reason)) => return Err(LinkError::WebSocket(reason)),
            Err(_) => {
                return Err(LinkError::WebSocket(format!(
                    "{url}: no answer to the WebSocket upgrade within {}",
                    humantime::format_duration(opening.limit)
                )))
            }
        };
    let (write, read) = ws.split();
    let reader = tokio::spawn(read_ws(read, tag, events));
    Ok(Opened {
        writer: Writer::Ws(Box::new(write)),
        reader: reader.abort_handle(),
        local,
    })
}

const CLOSED_BY_PEER: &str = "connection closed by the peer";

/// The reader of a TLS connection (or any byte stream): frames messages until the
/// stream ends or cannot be read, then says why.
pub async fn read_stream<R: AsyncRead + Unpin>(
    mut reader: R,
    tag: ReaderTag,
    events: mpsc::Sender<StreamEvent>,
) {
    let mut framer = StreamFramer::default();
    let mut chunk = vec![0; READ_CHUNK];
    let reason = loop {
        let read = reader.read(&mut chunk).await;
        if let Ok(n) = read {
            framer.push(&chunk[..n]);
        }
        match after_read(read, &mut framer, tag, &events).await {
            Flow::More => {}
            Flow::LoopGone => return,
            Flow::Closed(reason) => break reason,
        }
    };
    closed(tag, reason, &events).await;
}

/// The reader of a TCP connection. It waits for the socket to be readable and only
/// then reads, into a buffer on the stack: an idle connection holds no read buffer at
/// all, which counts with one connection per AOR.
pub async fn read_tcp(reader: OwnedReadHalf, tag: ReaderTag, events: mpsc::Sender<StreamEvent>) {
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
        match after_read(read, &mut framer, tag, &events).await {
            Flow::More => {}
            Flow::LoopGone => return,
            Flow::Closed(reason) => break reason,
        }
    };
    closed(tag, reason, &events).await;
}

/// The reader of a WebSocket: one SIP message per WebSocket message; a Pong (the
/// answer to our keep-alive Ping) is handed on as the CRLF pong. Pings are answered
/// by tungstenite.
async fn read_ws(
    mut reader: SplitStream<WsStream>,
    tag: ReaderTag,
    events: mpsc::Sender<StreamEvent>,
) {
    let reason = loop {
        let bytes = match reader.next().await {
            Some(Ok(Message::Text(text))) => text.as_bytes().to_vec(),
            Some(Ok(Message::Binary(bytes))) => bytes.to_vec(),
            Some(Ok(Message::Pong(_))) => PONG.to_vec(),
            Some(Ok(Message::Close(frame))) => {
                let why = frame
                    .map(|f| format!(" ({} {})", u16::from(f.code), f.reason))
                    .unwrap_or_default();
                break format!("WebSocket closed by the peer{why}");
            }
            Some(Ok(Message::Ping(_) | Message::Frame(_))) => continue,
            Some(Err(e)) => break format!("WebSocket failed: {e}"),
            None => break "WebSocket closed by the peer".to_string(),
        };
        let connection = tag.connection;
        if events
            .send(StreamEvent::Message { connection, bytes })
            .await
            .is_err()
        {
            return;
        }
    };
    closed(tag, reason, &events).await;
}

/// What a reader does after a read.
enum Flow {
    More,
    /// The loop dropped its end of the channel: nobody listens any more.
    LoopGone,
    Closed(String),
}

/// After a read into `framer` (done already when it succeeded): the messages it
/// completed go to the loop; an end of stream, an error or garbage closes.
///
/// A TLS 1.3 server that wants a client certificate sends its alert after the
/// handshake, so it arrives here, on the first read, rather than at the handshake.
fn read_error(e: &std::io::Error) -> String {
    let alert = e
        .get_ref()
        .and_then(|inner| match inner.downcast_ref::<rustls::Error>() {
            Some(rustls::Error::AlertReceived(alert)) => Some(*alert),
            _ => None,
        });
    match alert {
        Some(alert) => super::tls::explain_alert(alert),
        None => e.to_string(),
    }
}

async fn after_read(
    read: std::io::Result<usize>,
    framer: &mut StreamFramer,
    tag: ReaderTag,
    events: &mpsc::Sender<StreamEvent>,
) -> Flow {
    match read {
        Ok(0) => return Flow::Closed(CLOSED_BY_PEER.to_string()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Flow::More,
        Err(e) => return Flow::Closed(format!("connection failed: {}", read_error(&e))),
    }
    match deliver(framer, tag.connection, events).await {
        Ok(true) => Flow::More,
        Ok(false) => Flow::LoopGone,
        Err(reason) => Flow::Closed(reason),
    }
}

/// Tells the loop that the connection `tag` reads for is gone.
async fn closed(tag: ReaderTag, reason: String, events: &mpsc::Sender<StreamEvent>) {
    let _ = events
        .send(StreamEvent::Closed {
            connection: tag.connection,
            generation: tag.generation,
            reason,
        })
        .await;
}

/// Hands every complete message (and pong) in `framer` to the channel. Ok(false): the
/// loop is gone; Err: the stream cannot be resynchronised.
async fn deliver(
    framer: &mut StreamFramer,
    connection: u32,
    events: &mpsc::Sender<StreamEvent>,
) -> Result<bool, String> {
    loop {
        let bytes = match framer.next_item() {
            Ok(Some(Framed::Message(bytes))) => bytes,
            Ok(Some(Framed::Pong)) => PONG.to_vec(),
            Ok(None) => return Ok(true),
            Err(e) => {
                return Err(format!(
                    "malformed message on the stream ({e}); connection dropped"
                ))
            }
        };
        if events
            .send(StreamEvent::Message { connection, bytes })
            .await
            .is_err()
        {
            return Ok(false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    const MSG: &[u8] = b"SIP/2.0 200 OK\r\nContent-Length: 4\r\n\r\nbody";
    const TAG: ReaderTag = ReaderTag {
        connection: 7,
        generation: 2,
    };

    /// What a stream reader hands on for `parts` written one after another, up to and
    /// including the close.
    async fn events_of(parts: &[&[u8]]) -> Vec<StreamEvent> {
        let (ours, mut theirs) = tokio::io::duplex(1 << 16);
        let (tx, mut rx) = mpsc::channel(4096);
        let reader = tokio::spawn(read_stream(ours, TAG, tx));
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

    fn message(e: &StreamEvent) -> &[u8] {
        match e {
            StreamEvent::Message {
                connection: 7,
                bytes,
            } => bytes,
            other => panic!("expected a message of connection 7, got {other:?}"),
        }
    }

    fn close_reason(e: &StreamEvent) -> &str {
        match e {
            StreamEvent::Closed {
                connection: 7,
                generation: 2,
                reason,
            } => reason,
            other => panic!("expected the close of connection 7, generation 2: {other:?}"),
        }
    }

    #[tokio::test]
    async fn split_coalesced_messages_and_a_pong_between_them() {
        let mut rest = b"\r\n".to_vec();
        rest.extend_from_slice(MSG);
        rest.extend_from_slice(b"\r\n\r\n");
        rest.extend_from_slice(MSG);
        let got = events_of(&[&MSG[..7], &MSG[7..], &rest]).await;
        assert_eq!(got.len(), 6, "{got:?}");
        let bytes: Vec<&[u8]> = got[..5].iter().map(message).collect();
        assert_eq!(bytes, [MSG, PONG, MSG, PONG, MSG]);
        assert!(close_reason(&got[5]).contains("closed by the peer"));
    }

    #[tokio::test]
    async fn a_pong_split_in_two_reads_is_one_pong() {
        let got = events_of(&[b"\r", b"\n"]).await;
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(message(&got[0]), PONG);
    }

    /// One framer for the life of the connection: a long run of messages cut at every
    /// possible place comes out whole and in order.
    #[tokio::test]
    async fn a_long_stream_cut_anywhere_comes_out_whole_and_in_order() {
        let mut all = Vec::new();
        for i in 0..50 {
            let body = format!("m{i:02}");
            all.extend_from_slice(
                format!(
                    "SIP/2.0 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        }
        let pieces: Vec<&[u8]> = all.chunks(7).collect();
        let got = events_of(&pieces).await;
        assert_eq!(got.len(), 51);
        for (i, e) in got[..50].iter().enumerate() {
            assert!(message(e).ends_with(format!("m{i:02}").as_bytes()));
        }
    }

    #[tokio::test]
    async fn a_bad_content_length_drops_the_connection_with_a_reason() {
        let got = events_of(&[b"SIP/2.0 200 OK\r\nContent-Length: twelve\r\n\r\n"]).await;
        let [closed] = &got[..] else {
            panic!("{got:?}")
        };
        let reason = close_reason(closed);
        assert!(reason.contains("Content-Length"), "{reason}");
        assert!(reason.contains("connection dropped"), "{reason}");
    }

    /// RFC 4475 mcl01: two Content-Length values that disagree. The message before it
    /// is delivered; then the connection is dropped, and the well-formed message after
    /// it is not read out of the leftover bytes.
    #[tokio::test]
    async fn conflicting_content_lengths_drop_the_connection_without_resynchronising() {
        let conflicting = b"SIP/2.0 200 OK\r\nContent-Length: 13\r\nContent-Length: 5\r\n\r\nhello";
        // One write: the reader stops reading at the error, so a later write would
        // find the pipe closed.
        let got = events_of(&[&[MSG, conflicting.as_slice(), MSG].concat()]).await;
        let [first, closed] = &got[..] else {
            panic!("{got:?}")
        };
        assert_eq!(message(first), MSG);
        let reason = close_reason(closed);
        assert!(
            reason.contains("conflicting Content-Length headers (13 and 5)"),
            "{reason}"
        );
        assert!(reason.contains("connection dropped"), "{reason}");
    }

    #[tokio::test]
    async fn an_oversized_message_is_refused() {
        let head = format!(
            "SIP/2.0 200 OK\r\nContent-Length: {}\r\n\r\n",
            crate::sip::MAX_MESSAGE_SIZE
        );
        let got = events_of(&[head.as_bytes()]).await;
        assert!(close_reason(&got[0]).contains("connection dropped"));
    }

    #[tokio::test]
    async fn a_flooding_registrar_waits_for_the_loop_instead_of_filling_memory() {
        let (ours, mut theirs) = tokio::io::duplex(1 << 16);
        let (tx, mut rx) = mpsc::channel(2);
        let reader = tokio::spawn(read_stream(ours, TAG, tx));
        theirs.write_all(&MSG.repeat(50)).await.unwrap();
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        assert_eq!(rx.len(), 2, "the reader waits at the queue's bound");
        assert!(!reader.is_finished());
        drop(theirs);
        let mut messages = 0;
        while let Some(event) = rx.recv().await {
            match event {
                StreamEvent::Message { bytes, .. } => {
                    assert_eq!(bytes, MSG);
                    messages += 1;
                }
                StreamEvent::Closed { .. } => break,
            }
        }
        assert_eq!(messages, 50, "nothing was lost by waiting");
        reader.await.unwrap();
    }

    #[tokio::test]
    async fn the_tcp_reader_frames_messages_and_holds_no_buffer_while_idle() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ours = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut theirs, _) = listener.accept().await.unwrap();
        let (read, _write) = ours.into_split();
        let (tx, mut rx) = mpsc::channel(4096);
        let reader = read_tcp(read, TAG, tx);
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
        let mut got = Vec::new();
        while let Ok(e) = rx.try_recv() {
            got.push(e);
        }
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(message(&got[0]), MSG);
        assert_eq!(message(&got[1]), MSG);
        assert_eq!(close_reason(&got[2]), CLOSED_BY_PEER);
    }
}
