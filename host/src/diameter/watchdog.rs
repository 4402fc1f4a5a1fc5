//! The RFC 3539 3.4.1 watchdog as a pure state machine: the connection feeds it events
//! and acts on what it returns, so the algorithm is tested without sockets or clocks.

use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Okay,
    Suspect,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    None,
    /// Send a DWR now.
    SendDwr,
    /// No answer for two intervals: the peer is down; close the connection.
    Close,
}

#[derive(Debug)]
pub struct Watchdog {
    tw: Duration,
    state: State,
    pending: bool,
    deadline: Instant,
}

impl Watchdog {
    pub fn new(tw: Duration, now: Instant) -> Self {
        let mut w = Watchdog { tw, state: State::Okay, pending: false, deadline: now };
        w.set(now);
        w
    }

    /// SetWatchdog: Tw plus a jitter of up to ±2 s (RFC 3539 3.4.1), scaled down for
    /// short intervals so tests with sub-second Tw stay ordered.
    fn set(&mut self, now: Instant) {
        let span = (self.tw / 10).min(Duration::from_secs(2));
        let jitter = if span.is_zero() { 0 } else { rand::random_range(0..span.as_millis() as u64 * 2 + 1) };
        self.deadline = now + self.tw - span + Duration::from_millis(jitter);
    }

    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    pub fn state(&self) -> State {
        self.state
    }

    /// Any message from the peer proves it alive: restart the timer, and leave SUSPECT
    /// (RFC 3539 3.4.1 "receive non-DWA" and "receive DWA").
    pub fn on_receive(&mut self, is_dwa: bool, now: Instant) {
        if is_dwa {
            self.pending = false;
        }
        self.state = State::Okay;
        self.set(now);
    }

    /// The timer fired.
    pub fn on_timeout(&mut self, now: Instant) -> Action {
        self.set(now);
        match (self.state, self.pending) {
            (State::Okay, false) => {
                self.pending = true;
                Action::SendDwr
            }
            (State::Okay, true) => {
                self.state = State::Suspect;
                Action::None
            }
            (State::Suspect, _) => Action::Close,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silent_peer_is_closed_after_two_more_intervals() {
        let t0 = Instant::now();
        let tw = Duration::from_secs(30);
        let mut w = Watchdog::new(tw, t0);
        assert!(w.deadline() >= t0 + tw - Duration::from_secs(2));
        assert!(w.deadline() <= t0 + tw + Duration::from_secs(2));
        assert_eq!(w.on_timeout(t0 + tw), Action::SendDwr);
        assert_eq!(w.on_timeout(t0 + tw * 2), Action::None);
        assert_eq!(w.state(), State::Suspect);
        assert_eq!(w.on_timeout(t0 + tw * 3), Action::Close);
    }

    #[test]
    fn answered_watchdog_keeps_the_peer_okay() {
        let t0 = Instant::now();
        let tw = Duration::from_secs(30);
        let mut w = Watchdog::new(tw, t0);
        for i in 1..10 {
            assert_eq!(w.on_timeout(t0 + tw * i), Action::SendDwr);
            w.on_receive(true, t0 + tw * i);
        }
        assert_eq!(w.state(), State::Okay);
    }

    #[test]
    fn traffic_revives_a_suspect_peer() {
        let t0 = Instant::now();
        let mut w = Watchdog::new(Duration::from_secs(1), t0);
        w.on_timeout(t0);
        w.on_timeout(t0);
        assert_eq!(w.state(), State::Suspect);
        w.on_receive(false, t0);
        assert_eq!(w.state(), State::Okay);
        // The DWR is still unanswered: the next expiry suspects again rather than
        // sending a second DWR.
        assert_eq!(w.on_timeout(t0), Action::None);
    }
}
