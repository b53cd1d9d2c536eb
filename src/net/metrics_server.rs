//! The HTTP side of `--metrics`: `GET /metrics` answered with the registry in the
//! OpenMetrics text format, anything else 404, one request per connection. It runs
//! as a task of its own on the runtime already there; a slow or silent client is
//! dropped after a few seconds and never holds up the registrations.

use prometheus_client::registry::Registry;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How long one client may take to send its request and read the answer.
const CLIENT_LIMIT: Duration = Duration::from_secs(5);
/// A request head larger than this is not a scrape.
const MAX_REQUEST: usize = 8 * 1024;

/// Binds `addr` and serves `/metrics` from `registry` until the process ends.
pub async fn serve(addr: SocketAddr, registry: Arc<Registry>) -> crate::Result<SocketAddr> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| crate::Error::Usage(format!("--metrics {addr}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| crate::Error::io("--metrics", e))?;
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                continue;
            };
            let registry = Arc::clone(&registry);
            tokio::spawn(async move {
                let _ = tokio::time::timeout(CLIENT_LIMIT, answer(client, &registry)).await;
            });
        }
    });
    Ok(bound)
}

async fn answer(mut client: TcpStream, registry: &Registry) -> std::io::Result<()> {
    let mut head = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_REQUEST {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&chunk[..n]);
    }
    let first = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let mut words = first.split(|b| *b == b' ');
    let (method, path) = (words.next(), words.next());
    let reply = match (method, path) {
        (Some(b"GET"), Some(p)) if p == b"/metrics" || p.starts_with(b"/metrics?") => {
            let mut body = String::new();
            match prometheus_client::encoding::text::encode(&mut body, registry) {
                Ok(()) => response(
                    "200 OK",
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    &body,
                ),
                Err(_) => response(
                    "500 Internal Server Error",
                    "text/plain",
                    "encoding failed\n",
                ),
            }
        }
        (Some(b"GET"), _) => response("404 Not Found", "text/plain", "try /metrics\n"),
        _ => response("405 Method Not Allowed", "text/plain", "GET /metrics\n"),
    };
    client.write_all(reply.as_bytes()).await?;
    client.shutdown().await
}

fn response(status: &str, content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}
