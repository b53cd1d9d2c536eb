//! SIP over WebSocket (RFC 7118): the `sip` subprotocol, one SIP message per
//! WebSocket message, over TCP (`ws`) or TLS (`wss`).

use super::connection::BoxedStream;
use crate::sip::MAX_MESSAGE_SIZE;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{client_async_with_config, WebSocketStream};

const SUBPROTOCOL: &str = "sip";
/// The core's keep-alive ping (RFC 5626 §4.4.1).
const KEEPALIVE_PING: &[u8] = b"\r\n\r\n";

/// Upgrades a connected stream: `GET path` with `Sec-WebSocket-Protocol: sip`; a
/// server that does not agree to `sip` is refused (RFC 7118 §4.1).
pub async fn handshake(
    stream: BoxedStream,
    url: &str,
    origin: Option<&str>,
) -> Result<WebSocketStream<BoxedStream>, String> {
    let mut request = url
        .into_client_request()
        .map_err(|e| format!("bad WebSocket URL {url}: {e}"))?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(SUBPROTOCOL),
    );
    if let Some(origin) = origin {
        let value = HeaderValue::from_str(origin)
            .map_err(|_| format!("--origin {origin:?} cannot be a header value"))?;
        request.headers_mut().insert("Origin", value);
    }
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE_SIZE))
        .max_frame_size(Some(MAX_MESSAGE_SIZE));
    let (ws, response) = client_async_with_config(request, stream, Some(config))
        .await
        .map_err(|e| format!("WebSocket upgrade of {url} refused: {e}"))?;
    let agreed = response
        .headers()
        .get("Sec-WebSocket-Protocol")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(SUBPROTOCOL));
    if !agreed {
        return Err(format!(
            "{url} accepted the WebSocket but not the \"sip\" subprotocol (RFC 7118)"
        ));
    }
    Ok(ws)
}

/// One SIP message as one WebSocket message: text when it is UTF-8 (it always is
/// for what sipreg sends), binary otherwise (RFC 7118 §5.1 allows both).
///
/// The core's RFC 5626 keep-alive ping (CRLFCRLF) becomes a WebSocket Ping: a bare
/// CRLF is no SIP message on a WebSocket (RFC 7118 §5), while Ping/Pong is the
/// WebSocket's own keep-alive that every server answers.
pub fn message_for(bytes: &[u8]) -> Message {
    if bytes == KEEPALIVE_PING {
        return Message::Ping(Vec::new().into());
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Message::text(text),
        Err(_) => Message::binary(bytes.to_vec()),
    }
}
