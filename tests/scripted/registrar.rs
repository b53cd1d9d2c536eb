//! An in-process scripted registrar on a loopback UDP port, for the edge cases a real
//! registrar rarely produces. The script sees each request and says what to send back
//! (nothing, one response, or several datagrams).

use super::Req;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub type Script = Box<dyn FnMut(&Req, usize) -> Vec<Vec<u8>> + Send>;

pub struct ScriptedRegistrar {
    pub addr: SocketAddr,
    pub requests: Arc<Mutex<Vec<Req>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ScriptedRegistrar {
    /// Starts serving `script`; the second argument it gets is the request's index.
    pub fn start(mut script: Script) -> ScriptedRegistrar {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind loopback");
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let addr = socket.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, stopped) = (requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = vec![0u8; 65_536];
            while !stopped.load(Ordering::Relaxed) {
                let Ok((n, from)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                let req = Req::parse(&buf[..n]);
                let index = {
                    let mut all = seen.lock().unwrap();
                    all.push(req.clone());
                    all.len() - 1
                };
                for reply in script(&req, index) {
                    let _ = socket.send_to(&reply, from);
                }
            }
        });
        ScriptedRegistrar {
            addr,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn uri(&self) -> String {
        format!("sip:{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Req> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for ScriptedRegistrar {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
