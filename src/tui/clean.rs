//! Untrusted text at the edge of the terminal: every string that came in a
//! bundle goes through [`clean`] before it is drawn, so that control
//! characters, escape sequences and bidirectional overrides are shown as a
//! visible replacement character and never interpreted by the terminal.
//!
//! Stand-in until `crate::text::sanitize` lands; same contract.

/// The visible replacement shown instead of a dangerous character.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Whether `c` must never reach the terminal raw.
pub fn is_dangerous(c: char) -> bool {
    let u = c as u32;
    u < 0x20
        || u == 0x7f
        || (0x80..=0x9f).contains(&u)
        || (0x202a..=0x202e).contains(&u)
        || (0x2066..=0x2069).contains(&u)
        || u == 0x200e
        || u == 0x200f
        || u == 0x061c
}

/// One line of untrusted text, safe to draw: dangerous characters (newlines
/// and tabs included) become [`REPLACEMENT`].
pub fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if is_dangerous(c) { REPLACEMENT } else { c })
        .collect()
}

/// Multi-line untrusted text: split on `\n` (a `\r` before it is dropped),
/// each line cleaned; tabs become four spaces.
pub fn clean_lines(s: &str) -> Vec<String> {
    s.split('\n')
        .map(|line| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            clean(&line.replace('\t', "    "))
        })
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
