//! What a plugin may write to the host's log. A plugin's message is untrusted text:
//! unescaped, a newline or a terminal escape in it forges log lines of its own, and an
//! unbounded stream of calls floods the log. So each line is escaped and cut, each
//! call may write a bounded number of lines, and each plugin a bounded number per
//! second (a token bucket shared by its instances). What is refused is counted, and
//! summarised in one line at most once a second.

use std::time::{Duration, Instant};

/// Lines one call (`handle` or `notify`) may write; the rest are dropped.
pub const MAX_LINES_PER_CALL: u32 = 100;
/// Bytes of one line as logged, after escaping; longer lines are cut.
pub const MAX_LINE_BYTES: usize = 4096;
/// Lines per second one plugin may write across its instances, once its burst is spent.
pub const LINES_PER_SECOND: u32 = 100;
/// Lines a plugin that was quiet may write at once.
pub const BURST_LINES: u32 = 200;
/// At most one "lines dropped" summary per plugin in this interval.
const SUMMARY_INTERVAL: Duration = Duration::from_secs(1);

/// One plugin's log budget.
#[derive(Debug)]
pub struct LogGate {
    tokens: f64,
    refilled: Instant,
    /// Dropped since the last summary.
    unreported: u64,
    last_summary: Option<Instant>,
}

impl Default for LogGate {
    fn default() -> Self {
        LogGate {
            tokens: f64::from(BURST_LINES),
            refilled: Instant::now(),
            unreported: 0,
            last_summary: None,
        }
    }
}

impl LogGate {
    /// Takes the budget of one line; false when the plugin is over its rate.
    pub fn take(&mut self, now: Instant) -> bool {
        let gained = now.saturating_duration_since(self.refilled).as_secs_f64() * f64::from(LINES_PER_SECOND);
        self.tokens = (self.tokens + gained).min(f64::from(BURST_LINES));
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    pub fn dropped(&mut self) {
        self.unreported += 1;
    }

    /// How many lines to report as dropped now, if a summary is due.
    pub fn summary(&mut self, now: Instant) -> Option<u64> {
        if self.unreported == 0 || self.last_summary.is_some_and(|t| now < t + SUMMARY_INTERVAL) {
            return None;
        }
        self.last_summary = Some(now);
        Some(std::mem::take(&mut self.unreported))
    }
}

/// Characters that would let a plugin's text pass for something else in a log:
/// control characters (newlines forge lines, ESC drives terminals), the Unicode line
/// and paragraph separators, and the bidirectional overrides that reorder what is shown.
fn must_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The message as one safe log line: escaped as Rust escapes strings (so `\` itself
/// too, and a plugin cannot pass a literal `\n` off as an escaped newline), and cut at
/// [`MAX_LINE_BYTES`] with a note of how much was cut.
pub fn escape_line(message: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(message.len().min(MAX_LINE_BYTES) + 32);
    for (i, c) in message.char_indices() {
        let before = out.len();
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if must_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
        if out.len() > MAX_LINE_BYTES {
            out.truncate(before);
            let _ = write!(out, " [{} bytes cut]", message.len() - i);
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_cannot_forge_lines() {
        let forged = "ok\n2026-01-01T00:00:00Z  INFO plughss: admin logged in\r\x1b[2J\u{2028}\u{202e}";
        let line = escape_line(forged);
        assert!(!line.chars().any(must_escape), "{line:?}");
        assert_eq!(
            line,
            "ok\\n2026-01-01T00:00:00Z  INFO plughss: admin logged in\\r\\u{1b}[2J\\u{2028}\\u{202e}"
        );
        assert_eq!(escape_line("a\\nb"), "a\\\\nb", "a literal backslash stays distinguishable");
        assert_eq!(escape_line("plain é"), "plain é");
    }

    #[test]
    fn long_lines_are_cut_with_a_note() {
        let line = escape_line(&"é".repeat(10_000));
        assert!(line.len() <= MAX_LINE_BYTES + 32, "{}", line.len());
        assert!(line.ends_with(" [15904 bytes cut]"), "{}", &line[line.len() - 40..]);
        // Escapes count as what they become.
        let line = escape_line(&"\x01".repeat(5_000));
        assert!(line.len() <= MAX_LINE_BYTES + 32);
    }

    #[test]
    fn the_bucket_refills_at_its_rate_and_summaries_are_spaced() {
        let mut g = LogGate::default();
        let t0 = Instant::now();
        let taken = (0..1000).filter(|_| g.take(t0)).count();
        assert_eq!(taken, BURST_LINES as usize);
        for _ in taken..1000 {
            g.dropped();
        }
        assert!(!g.take(t0));
        let half = t0 + Duration::from_millis(500);
        let refilled = (0..1000).filter(|_| g.take(half)).count();
        assert_eq!(refilled, LINES_PER_SECOND as usize / 2);
        assert_eq!(g.summary(t0), Some(800));
        g.dropped();
        assert_eq!(g.summary(half), None, "one summary a second");
        assert_eq!(g.summary(t0 + SUMMARY_INTERVAL), Some(1));
        assert_eq!(g.summary(t0 + 3 * SUMMARY_INTERVAL), None, "nothing to report");
    }
}
