//! Untrusted text at the edge of the terminal: every string that came in a
//! bundle goes through [`clean`] before it is drawn, so that control
//! characters, escape sequences and bidirectional overrides are shown as a
//! visible replacement character and never interpreted by the terminal.
//!
//! A thin layer over [`crate::text`], returning owned strings for the
//! screens.

pub use crate::text::{is_dangerous, REPLACEMENT};

/// One line of untrusted text, safe to draw: dangerous characters become
/// [`REPLACEMENT`], tabs and line breaks a space.
pub fn clean(s: &str) -> String {
    crate::text::sanitize(s).into_owned()
}

/// Multi-line untrusted text, one safe string per line (CR LF is a line
/// break, a tab four spaces, a lone CR and every other dangerous character
/// [`REPLACEMENT`]).
pub fn clean_lines(s: &str) -> Vec<String> {
    crate::text::sanitize_multiline(s)
        .split('\n')
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible() {
        let s = clean("a\x1b]0;titre\x07b\x1b[31mc");
        assert!(!s.chars().any(is_dangerous));
        assert_eq!(s, "a\u{FFFD}]0;titre\u{FFFD}b\u{FFFD}[31mc");
    }

    #[test]
    fn bidi_overrides_become_visible() {
        let s = clean("x\u{202E}y\u{2066}z\u{9b}");
        assert_eq!(s, "x\u{FFFD}y\u{FFFD}z\u{FFFD}");
    }

    #[test]
    fn lines_are_split_and_cleaned() {
        assert_eq!(clean_lines("a\r\nb\tc\x1b"), vec!["a", "b    c\u{FFFD}"]);
    }
}
