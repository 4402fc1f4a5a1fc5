//! Requests we originated that await their answers, matched by Hop-by-Hop Identifier
//! (RFC 6733 6.2.1), and the identifier generators of RFC 6733 3.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use bytes::Bytes;
use tokio::sync::oneshot;

/// Outstanding requests on one connection.
#[derive(Default)]
pub struct Pending {
    waiting: Mutex<HashMap<u32, oneshot::Sender<Bytes>>>,
    next_hbh: AtomicU32,
}

impl Pending {
    pub fn new() -> Self {
        // RFC 6733 3: the Hop-by-Hop Identifier starts at a random value.
        Pending { waiting: Mutex::default(), next_hbh: AtomicU32::new(rand::random()) }
    }

    /// Reserves a fresh Hop-by-Hop Identifier and the receiver its answer will reach.
    pub fn register(&self) -> (u32, oneshot::Receiver<Bytes>) {
        let (tx, rx) = oneshot::channel();
        let mut w = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            let hbh = self.next_hbh.fetch_add(1, Ordering::Relaxed);
            if let std::collections::hash_map::Entry::Vacant(e) = w.entry(hbh) {
                e.insert(tx);
                return (hbh, rx);
            }
        }
    }

    /// Delivers an answer. Returns false for an unknown identifier, which RFC 6733 6.2.1
    /// says to discard.
    pub fn complete(&self, hbh: u32, answer: Bytes) -> bool {
        let tx = self.waiting.lock().unwrap_or_else(|p| p.into_inner()).remove(&hbh);
        match tx {
            Some(tx) => tx.send(answer).is_ok(),
            None => false,
        }
    }

    /// Forgets a request whose caller stopped waiting.
    pub fn cancel(&self, hbh: u32) {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner()).remove(&hbh);
    }

    pub fn len(&self) -> usize {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every waiter: their receivers see the connection closed.
    pub fn fail_all(&self) {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// End-to-End Identifiers: the high 12 bits from the start time, the low 20 bits a
/// counter (RFC 6733 3), unique per originator across restarts within the wrap period.
pub struct EndToEnd(AtomicU32);

impl EndToEnd {
    pub fn new() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as u32)
            .unwrap_or(0);
        EndToEnd(AtomicU32::new((secs & 0xfff) << 20 | (rand::random::<u32>() & 0xfffff)))
    }

    pub fn next(&self) -> u32 {
        self.0.fetch_add(1, Ordering::Relaxed)
    }
}

impl Default for EndToEnd {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_reach_their_request_only() {
        let p = Pending::new();
        let (a, ra) = p.register();
        let (b, rb) = p.register();
        assert_ne!(a, b);
        assert!(p.complete(b, Bytes::from_static(b"B")));
        assert!(!p.complete(b, Bytes::from_static(b"again")));
        assert!(!p.complete(a.wrapping_add(1000), Bytes::new()));
        assert_eq!(rb.await.unwrap(), Bytes::from_static(b"B"));
        p.fail_all();
        assert!(ra.await.is_err());
    }
}
