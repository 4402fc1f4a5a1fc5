//! Peer-supplied text in log lines. Origin-Host, Product-Name, Error-Message and the like
//! are UTF8String or DiameterIdentity values (RFC 6733 4.3.1) that a peer chooses freely;
//! written raw, a newline forges a log line and an ESC sequence drives the operator's
//! terminal. Every such value the Diameter module logs goes through [`Escaped`].

use std::fmt::{self, Write};

/// Formats a string with control and other non-printable characters escaped as Rust
/// escapes (`\n`, `\u{1b}`), and `\` doubled so that an escape in the output always
/// means an escaped character. Printable text, quotes included, is written as it is.
#[derive(Clone, Copy)]
pub struct Escaped<'a>(pub &'a str);

/// [`Escaped`] of an optional value; absent prints as nothing.
pub fn escaped(s: Option<&str>) -> Escaped<'_> {
    Escaped(s.unwrap_or(""))
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                // escape_debug would put a backslash before quotes; they are harmless.
                '"' | '\'' => f.write_char(c)?,
                _ => write!(f, "{}", c.escape_debug())?,
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        let s = Escaped("mme\n\x1b[2J\r\t\u{7f}\u{85}\u{202e}x\\n\"q\"").to_string();
        assert_eq!(s, "mme\\n\\u{1b}[2J\\r\\t\\u{7f}\\u{85}\\u{202e}x\\\\n\"q\"");
        assert!(!s.chars().any(char::is_control));
        assert_eq!(
            Escaped("mme-1.epc.mnc001.mcc001.3gppnetwork.org").to_string(),
            "mme-1.epc.mnc001.mcc001.3gppnetwork.org"
        );
        assert_eq!(escaped(None).to_string(), "");
    }
}
