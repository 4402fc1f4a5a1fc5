//! A one-shot timer with microsecond resolution for the generator's send schedule.
//!
//! tokio's timer wheel has millisecond granularity: pacing an open-loop run with it would
//! release requests in bursts at each millisecond tick, and since latency is measured
//! from each request's scheduled time, up to a millisecond of the generator's own lag
//! would be charged to the server. On Linux a `timerfd` (hrtimer, default slack 50 µs)
//! registered with the reactor wakes the task close to the scheduled time instead.

use std::task::{Context, Poll};
use std::time::Instant;

/// Wakes a task at an [`Instant`]; re-armed only when the deadline changes.
pub struct Pacer {
    inner: imp::Timer,
    armed: Option<Instant>,
}

impl Pacer {
    pub fn new() -> std::io::Result<Pacer> {
        Ok(Pacer { inner: imp::Timer::new()?, armed: None })
    }

    /// Ready once `deadline` has passed; otherwise arranges a wake-up at it.
    pub fn poll_until(&mut self, cx: &mut Context<'_>, deadline: Instant) -> Poll<()> {
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Poll::Ready(());
            }
            if self.armed != Some(deadline) {
                if self.inner.arm(deadline - now).is_err() {
                    // Without a timer the caller's loop still progresses on I/O; report
                    // the deadline as reached rather than sleep forever.
                    return Poll::Ready(());
                }
                self.armed = Some(deadline);
            }
            match self.inner.poll_fired(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(()) => self.armed = None,
            }
        }
    }
}

#[cfg(target_os = "linux")]
mod imp {
    use std::os::fd::OwnedFd;
    use std::task::{Context, Poll};
    use std::time::Duration;

    use rustix::time::{
        Itimerspec, TimerfdClockId, TimerfdFlags, TimerfdTimerFlags, Timespec, timerfd_create,
        timerfd_settime,
    };
    use tokio::io::Interest;
    use tokio::io::unix::AsyncFd;

    pub struct Timer {
        fd: AsyncFd<OwnedFd>,
    }

    impl Timer {
        pub fn new() -> std::io::Result<Timer> {
            let fd =
                timerfd_create(TimerfdClockId::Monotonic, TimerfdFlags::NONBLOCK | TimerfdFlags::CLOEXEC)?;
            // SAFETY: the AsyncFd owns the OwnedFd, which stays open and is never
            // replaced until the AsyncFd is dropped.
            let fd = unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE)? };
            Ok(Timer { fd })
        }

        /// Fires once after `after` (a zero value would disarm a timerfd, so at least 1 ns).
        pub fn arm(&mut self, after: Duration) -> std::io::Result<()> {
            let after = after.max(Duration::from_nanos(1));
            let spec = Itimerspec {
                it_interval: Timespec { tv_sec: 0, tv_nsec: 0 },
                it_value: Timespec { tv_sec: after.as_secs() as _, tv_nsec: after.subsec_nanos() as _ },
            };
            timerfd_settime(self.fd.get_ref(), TimerfdTimerFlags::empty(), &spec)?;
            Ok(())
        }

        pub fn poll_fired(&mut self, cx: &mut Context<'_>) -> Poll<()> {
            match self.fd.poll_read_ready(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Err(_)) => Poll::Ready(()),
                Poll::Ready(Ok(mut guard)) => {
                    // Consume the expiration count so the fd is quiet until re-armed.
                    let mut count = [0u8; 8];
                    let _ = rustix::io::read(guard.get_inner(), &mut count);
                    guard.clear_ready();
                    Poll::Ready(())
                }
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use std::time::Duration;

    /// Elsewhere: tokio's timer (millisecond granularity).
    pub struct Timer {
        sleep: Pin<Box<tokio::time::Sleep>>,
    }

    impl Timer {
        pub fn new() -> std::io::Result<Timer> {
            Ok(Timer { sleep: Box::pin(tokio::time::sleep(Duration::ZERO)) })
        }

        pub fn arm(&mut self, after: Duration) -> std::io::Result<()> {
            self.sleep.as_mut().reset(tokio::time::Instant::now() + after);
            Ok(())
        }

        pub fn poll_fired(&mut self, cx: &mut Context<'_>) -> Poll<()> {
            self.sleep.as_mut().poll(cx)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn never_early_and_follows_a_deadline_moved_earlier() {
        let mut p = Pacer::new().unwrap();
        for _ in 0..20 {
            let deadline = Instant::now() + Duration::from_micros(300);
            std::future::poll_fn(|cx| p.poll_until(cx, deadline)).await;
            assert!(Instant::now() >= deadline);
        }
        // Armed for 10 s, then asked for 1 ms from now: the earlier deadline wins.
        let far = Instant::now() + Duration::from_secs(10);
        let waker = std::task::Waker::noop();
        assert!(p.poll_until(&mut Context::from_waker(waker), far).is_pending());
        let near = Instant::now() + Duration::from_millis(1);
        let t = Instant::now();
        std::future::poll_fn(|cx| p.poll_until(cx, near)).await;
        assert!(t.elapsed() < Duration::from_secs(5));
    }
}
