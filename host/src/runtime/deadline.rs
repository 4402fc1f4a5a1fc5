//! The wall clock of one plugin call, and the watchdog that answers for a plugin that
//! does not return in time.
//!
//! Epoch interruption only stops a plugin while its code runs: a plugin blocked in a
//! WASI `poll` (a sleep, a pollable that never fires) runs no code, so nothing would
//! ever stop it. The watchdog races the call against a timer instead, on the same
//! clock the epoch callback reads, and drops the call when either bound is passed:
//!
//! - the plugin's own time (running or blocked in WASI) reaches `limits.deadline`;
//! - the whole call, PlugHSS host calls included, reaches `limits.timeout`.
//!
//! Time spent in PlugHSS host calls (store, AuC, peers) is not the plugin's own: those
//! waits are bounded by their own timeouts and by `limits.timeout`.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;
use std::time::{Duration, Instant};

use super::state::Limits;

/// How long past its deadline a plugin that runs code is left to its own epoch check
/// (which stops it with a precise `Interrupt` trap) before the watchdog drops the call.
/// A plugin blocked in WASI is dropped this much after its deadline.
pub const WATCHDOG_SLACK: Duration = Duration::from_millis(10);

/// The clock of the current call of one instance, shared between the instance's
/// store (host calls, epoch callback) and the watchdog polling the call. Times are
/// microseconds since `base`; atomics, because the watchdog reads while the call
/// holds the store.
#[derive(Debug)]
pub struct CallClock {
    base: Instant,
    /// When the current call started (the request's arrival, so that waiting for an
    /// instance counts).
    started: AtomicU64,
    /// Time spent in PlugHSS host calls that have returned, this call.
    host_wait: AtomicU64,
    /// 1 + the start of the PlugHSS host call in progress, or 0 when there is none.
    in_host_since: AtomicU64,
}

/// What the watchdog decides when its timer fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within bounds: look again at this instant.
    Wait(Instant),
    /// The plugin's own time passed `deadline` (plus the slack).
    Deadline,
    /// The call passed `timeout`.
    Timeout,
}

/// Why a bounded call was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overrun {
    Deadline,
    Timeout,
}

impl Default for CallClock {
    fn default() -> Self {
        CallClock {
            base: Instant::now(),
            started: AtomicU64::new(0),
            host_wait: AtomicU64::new(0),
            in_host_since: AtomicU64::new(0),
        }
    }
}

impl CallClock {
    fn micros(&self, t: Instant) -> u64 {
        t.saturating_duration_since(self.base).as_micros() as u64
    }

    /// Starts a call that began at `at`.
    pub fn begin(&self, at: Instant) {
        self.started.store(self.micros(at), Ordering::Relaxed);
        self.host_wait.store(0, Ordering::Relaxed);
        self.in_host_since.store(0, Ordering::Relaxed);
    }

    /// The start of the current call.
    pub fn started(&self) -> Instant {
        self.base + Duration::from_micros(self.started.load(Ordering::Relaxed))
    }

    /// A PlugHSS host call begins waiting; pass what this returns to `leave_host`.
    pub fn enter_host(&self) -> Instant {
        let now = Instant::now();
        self.in_host_since.store(self.micros(now) + 1, Ordering::Relaxed);
        now
    }

    /// The host call begun at `since` returned.
    pub fn leave_host(&self, since: Instant) {
        self.host_wait.fetch_add(since.elapsed().as_micros() as u64, Ordering::Relaxed);
        self.in_host_since.store(0, Ordering::Relaxed);
    }

    /// The plugin's own time in this call at `now`: everything but PlugHSS host calls.
    pub fn own_time(&self, now: Instant) -> Duration {
        let now_us = self.micros(now);
        let elapsed = now_us.saturating_sub(self.started.load(Ordering::Relaxed));
        let mut host = self.host_wait.load(Ordering::Relaxed);
        let since = self.in_host_since.load(Ordering::Relaxed);
        if since > 0 {
            host += now_us.saturating_sub(since - 1);
        }
        Duration::from_micros(elapsed.saturating_sub(host))
    }

    /// Whether the call is within `limits` at `now`, and if so when to look again.
    pub fn check(&self, now: Instant, limits: &Limits) -> Verdict {
        let started = self.started();
        let elapsed = now.saturating_duration_since(started);
        if elapsed >= limits.timeout {
            return Verdict::Timeout;
        }
        let own = self.own_time(now);
        let allowed = limits.deadline + WATCHDOG_SLACK;
        if own >= allowed {
            return Verdict::Deadline;
        }
        // Own time grows at most as fast as the wall clock, so nothing can be over
        // before the smaller of the two remainders has passed.
        let next = (now + (allowed - own)).min(started + limits.timeout);
        Verdict::Wait(next)
    }
}

/// Runs `call` until it finishes or the clock says it is over its limits. The caller
/// must discard the instance on an overrun: the call was dropped wherever it was.
pub async fn bounded<F: Future>(clock: &CallClock, limits: &Limits, call: F) -> Result<F::Output, Overrun> {
    let mut call = std::pin::pin!(call);
    // Most calls finish on their first poll: they then cost no timer at all.
    if let Poll::Ready(out) = std::future::poll_fn(|cx| Poll::Ready(call.as_mut().poll(cx))).await {
        return Ok(out);
    }
    let first = clock.started() + limits.deadline.min(limits.timeout) + WATCHDOG_SLACK;
    let mut timer = std::pin::pin!(tokio::time::sleep_until(first.into()));
    loop {
        tokio::select! {
            biased;
            out = &mut call => return Ok(out),
            () = &mut timer => match clock.check(Instant::now(), limits) {
                Verdict::Wait(next) => timer.as_mut().reset(next.into()),
                Verdict::Deadline => return Err(Overrun::Deadline),
                Verdict::Timeout => return Err(Overrun::Timeout),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(deadline_ms: u64, timeout_ms: u64) -> Limits {
        Limits {
            deadline: Duration::from_millis(deadline_ms),
            timeout: Duration::from_millis(timeout_ms),
            ..Limits::default()
        }
    }

    #[test]
    fn host_waits_are_not_the_plugins_time() {
        let c = CallClock::default();
        let t0 = Instant::now();
        c.begin(t0);
        let since = c.enter_host();
        // In a host call: the time since it began is not counted.
        let later = since + Duration::from_millis(500);
        assert!(c.own_time(later) < Duration::from_millis(5), "{:?}", c.own_time(later));
        assert!(matches!(c.check(later, &limits(200, 5000)), Verdict::Wait(_)));
        // Past the timeout it is over whatever the plugin does.
        assert_eq!(c.check(t0 + Duration::from_millis(5000), &limits(200, 5000)), Verdict::Timeout);
    }

    #[test]
    fn blocked_time_outside_host_calls_counts() {
        let c = CallClock::default();
        let t0 = Instant::now();
        c.begin(t0);
        let l = limits(200, 5000);
        match c.check(t0 + Duration::from_millis(100), &l) {
            Verdict::Wait(next) => assert!(next >= t0 + Duration::from_millis(200)),
            v => panic!("{v:?}"),
        }
        assert_eq!(c.check(t0 + Duration::from_millis(200) + WATCHDOG_SLACK, &l), Verdict::Deadline);
    }

    #[tokio::test]
    async fn a_call_that_never_returns_is_dropped_at_its_deadline() {
        let c = CallClock::default();
        let t0 = Instant::now();
        c.begin(t0);
        let l = limits(20, 5000);
        let r = bounded(&c, &l, std::future::pending::<()>()).await;
        assert_eq!(r, Err(Overrun::Deadline));
        assert!(t0.elapsed() >= Duration::from_millis(20) + WATCHDOG_SLACK);
        c.begin(Instant::now());
        assert_eq!(bounded(&c, &l, async { 7 }).await, Ok(7));
        // Inside a host call only the timeout applies.
        let l = limits(20, 100);
        let t1 = Instant::now();
        c.begin(t1);
        let _in_host = c.enter_host();
        let r = bounded(&c, &l, std::future::pending::<()>()).await;
        assert_eq!(r, Err(Overrun::Timeout));
        assert!(t1.elapsed() >= Duration::from_millis(100));
    }
}
