//! Group commit for sled flushes: callers that wrote concurrently share one flush.
//!
//! A caller's write is durable once a flush that *started* after the write has
//! finished. Each caller takes a ticket after writing; a flush that starts when tickets
//! up to `n` exist covers them all. So under load one fsync serves every writer that
//! queued while the previous one ran, instead of one fsync each (the SQN reservations
//! of an AIR storm, the serving-MME records of a ULR storm).

use std::sync::{Condvar, Mutex};

#[derive(Default)]
struct State {
    /// Tickets handed out.
    issued: u64,
    /// Every ticket up to this one is durable.
    durable: u64,
    /// A flush is running.
    flushing: bool,
}

#[derive(Default)]
pub struct GroupFlush {
    state: Mutex<State>,
    done: Condvar,
}

impl GroupFlush {
    /// Returns once everything written before the call is durable, running `flush`
    /// itself or waiting for a flush another caller started after this call began.
    /// A failed flush is reported to the caller that ran it; the callers it would have
    /// covered run their own.
    pub fn sync<E>(&self, flush: impl Fn() -> Result<(), E>) -> Result<(), E> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.issued += 1;
        let ticket = st.issued;
        loop {
            if st.durable >= ticket {
                return Ok(());
            }
            if !st.flushing {
                st.flushing = true;
                let covers = st.issued;
                drop(st);
                let result = flush();
                st = self.state.lock().unwrap_or_else(|p| p.into_inner());
                st.flushing = false;
                if result.is_ok() {
                    st.durable = st.durable.max(covers);
                }
                self.done.notify_all();
                result?;
                continue;
            }
            st = self.done.wait(st).unwrap_or_else(|p| p.into_inner());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    /// Every caller returns only after a flush that started after it called, and
    /// concurrent callers share flushes.
    #[test]
    fn concurrent_callers_share_flushes_that_started_after_them() {
        let g = Arc::new(GroupFlush::default());
        let writes = Arc::new(AtomicU64::new(0));
        let flushed_upto = Arc::new(AtomicU64::new(0));
        let flushes = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (g, writes, flushed_upto, flushes) =
                    (g.clone(), writes.clone(), flushed_upto.clone(), flushes.clone());
                std::thread::spawn(move || {
                    for _ in 0..200 {
                        let mine = writes.fetch_add(1, Ordering::SeqCst) + 1;
                        g.sync(|| {
                            // A flush makes durable every write made before it started.
                            let upto = writes.load(Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_micros(200));
                            flushes.fetch_add(1, Ordering::SeqCst);
                            flushed_upto.fetch_max(upto, Ordering::SeqCst);
                            Ok::<(), ()>(())
                        })
                        .unwrap();
                        assert!(flushed_upto.load(Ordering::SeqCst) >= mine, "returned before durable");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let n = flushes.load(Ordering::SeqCst);
        assert!(n < 1600, "8 threads x 200 writes took {n} flushes: none shared");
    }

    #[test]
    fn a_failed_flush_is_reported_and_the_next_caller_retries() {
        let g = GroupFlush::default();
        assert_eq!(g.sync(|| Err("disk full")), Err("disk full"));
        let calls = AtomicU64::new(0);
        assert_eq!(
            g.sync(|| {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok::<(), &str>(())
            }),
            Ok(())
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
