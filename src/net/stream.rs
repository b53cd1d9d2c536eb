//! SIP over a byte stream (TCP, or TLS over TCP): messages framed by Content-Length
//! (RFC 3261 §18.3), RFC 5626 keep-alive CRLFs between them.

use super::link::Incoming;
use crate::sip::{StreamFramer, MAX_MESSAGE_SIZE};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// A connected stream of either kind, so that one type serves TCP and TLS.
pub trait ByteStream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> ByteStream for T {}

pub type BoxedStream = Box<dyn ByteStream>;

/// What one read may bring at most; a message may span many reads.
const READ_CHUNK: usize = 16 * 1024;

pub struct StreamLink {
    stream: BoxedStream,
    /// Bytes read and not yet handed out, always starting at a message boundary.
    pending: Vec<u8>,
    chunk: Vec<u8>,
}

impl StreamLink {
    pub fn new(stream: BoxedStream) -> StreamLink {
        StreamLink {
            stream,
            pending: Vec::new(),
            chunk: vec![0; READ_CHUNK],
        }
    }

    /// Writes one message, or raw bytes such as a CRLFCRLF keep-alive ping.
    pub async fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes).await?;
        self.stream.flush().await
    }

    /// The next message. Cancel-safe: bytes already read stay in `pending`.
    pub async fn recv(&mut self) -> Incoming {
        loop {
            match self.take_message() {
                Ok(Some(message)) => return Incoming::Message(message),
                Ok(None) => {}
                Err(reason) => return Incoming::Closed(reason),
            }
            match self.stream.read(&mut self.chunk).await {
                Ok(0) => return Incoming::Closed("connection closed by the peer".into()),
                Ok(n) => self.pending.extend_from_slice(&self.chunk[..n]),
                Err(e) => return Incoming::Closed(format!("connection failed: {e}")),
            }
        }
    }

    /// A complete message from the front of `pending`. CRLFs at a message boundary
    /// are keep-alive traffic; a run of them that ends a line is handed out as one
    /// `\r\n`, the RFC 5626 pong the core's keep-alive waits for. An error means the
    /// stream cannot be resynchronised.
    fn take_message(&mut self) -> Result<Option<Vec<u8>>, String> {
        let crlf_run = self
            .pending
            .iter()
            .position(|b| *b != b'\r' && *b != b'\n')
            .unwrap_or(self.pending.len());
        if crlf_run > 0 {
            let saw_line_end = self.pending[..crlf_run].contains(&b'\n');
            // A lone CR at the very end may be the first half of a pong.
            let keep = usize::from(crlf_run == self.pending.len() && !saw_line_end);
            self.pending.drain(..crlf_run - keep);
            if saw_line_end {
                return Ok(Some(b"\r\n".to_vec()));
            }
        }
        if self.pending.is_empty() || self.pending == b"\r" {
            return Ok(None);
        }
        // The shared framer decides where the message ends; `pending` starts with no
        // CRLF, so the length of what it returns is exactly what to remove here.
        let mut framer = StreamFramer::default();
        framer.push(&self.pending[..self.pending.len().min(MAX_MESSAGE_SIZE + 1)]);
        match framer.next_message() {
            Ok(Some(message)) => {
                self.pending.drain(..message.len());
                Ok(Some(message))
            }
            Ok(None) => Ok(None),
            Err(e) => Err(format!(
                "malformed message on the stream ({e}); connection dropped"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    const MSG: &[u8] = b"SIP/2.0 200 OK\r\nContent-Length: 4\r\n\r\nbody";

    fn link() -> (StreamLink, tokio::io::DuplexStream) {
        let (ours, theirs) = tokio::io::duplex(1 << 20);
        (StreamLink::new(Box::new(ours)), theirs)
    }

    async fn next(link: &mut StreamLink) -> Incoming {
        link.recv().await
    }

    #[tokio::test]
    async fn split_coalesced_and_keepalives() {
        let (mut link, mut peer) = link();
        peer.write_all(&MSG[..7]).await.unwrap();
        let read = tokio::spawn(async move {
            let mut got = Vec::new();
            for _ in 0..4 {
                got.push(next(&mut link).await);
            }
            got
        });
        tokio::task::yield_now().await;
        peer.write_all(&MSG[7..]).await.unwrap();
        let mut rest = b"\r\n".to_vec();
        rest.extend_from_slice(MSG);
        rest.extend_from_slice(MSG);
        peer.write_all(&rest).await.unwrap();
        let got = read.await.unwrap();
        assert_eq!(
            got,
            [
                Incoming::Message(MSG.to_vec()),
                Incoming::Message(b"\r\n".to_vec()),
                Incoming::Message(MSG.to_vec()),
                Incoming::Message(MSG.to_vec()),
            ]
        );
    }

    #[tokio::test]
    async fn pong_split_in_two_reads_is_one_pong() {
        let (mut link, mut peer) = link();
        peer.write_all(b"\r").await.unwrap();
        let read = tokio::spawn(async move { next(&mut link).await });
        tokio::task::yield_now().await;
        peer.write_all(b"\n").await.unwrap();
        assert_eq!(read.await.unwrap(), Incoming::Message(b"\r\n".to_vec()));
    }

    #[tokio::test]
    async fn bad_content_length_closes_with_a_reason() {
        let (mut link, mut peer) = link();
        peer.write_all(b"SIP/2.0 200 OK\r\nContent-Length: twelve\r\n\r\n")
            .await
            .unwrap();
        match next(&mut link).await {
            Incoming::Closed(reason) => {
                assert!(reason.contains("Content-Length"), "{reason}");
                assert!(reason.contains("connection dropped"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn oversized_message_is_refused() {
        let (mut link, mut peer) = link();
        let head = format!(
            "SIP/2.0 200 OK\r\nContent-Length: {}\r\n\r\n",
            MAX_MESSAGE_SIZE
        );
        peer.write_all(head.as_bytes()).await.unwrap();
        assert!(matches!(next(&mut link).await, Incoming::Closed(_)));
    }

    #[tokio::test]
    async fn peer_close_is_reported() {
        let (mut link, peer) = link();
        drop(peer);
        assert_eq!(
            next(&mut link).await,
            Incoming::Closed("connection closed by the peer".into())
        );
    }
}
