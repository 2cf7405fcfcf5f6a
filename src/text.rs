//! Terminal hygiene for untrusted text.
//!
//! Every string that comes from outside (a request, a bundle, a file name, a
//! settings file) goes through [`sanitize`] (one line: lists, titles, status
//! lines) or [`sanitize_multiline`] (free text shown over several lines)
//! before it reaches a terminal, so that it is *shown*, never *interpreted*.
//!
//! Each dangerous character is replaced by U+FFFD REPLACEMENT CHARACTER
//! (`�`): one visible cell, never mistaken for ordinary text, and it cannot
//! start an escape sequence. Dangerous characters are:
//! - C0 controls (U+0000–U+001F, including ESC), DEL (U+007F) and C1
//!   controls (U+0080–U+009F, including the 8-bit CSI U+009B);
//! - bidirectional controls: U+202A–U+202E (embeddings, overrides),
//!   U+2066–U+2069 (isolates), U+200E/U+200F (LRM/RLM), U+061C (ALM);
//! - the Unicode line and paragraph separators U+2028/U+2029.
//!
//! Whitespace is kept readable: [`sanitize`] turns tab, line feed and
//! carriage return into one space; [`sanitize_multiline`] keeps line feeds,
//! turns CR LF into LF, a tab into four spaces, and a lone CR into `�`.

use std::borrow::Cow;

/// What replaces a dangerous character.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Whether `c` is a control character (C0, DEL, C1).
pub fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// Whether `c` is a bidirectional formatting control.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
    )
}

/// Whether `c` must never reach a terminal as it is (control, bidi control,
/// line or paragraph separator).
pub fn is_dangerous(c: char) -> bool {
    is_control(c) || is_bidi_control(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Makes an untrusted string safe to show on one line: every control and
/// bidi character becomes `�`, tab/LF/CR become a space. Borrows when
/// nothing needs changing.
///
/// ```
/// use avis::text::sanitize;
/// assert_eq!(sanitize("Léa"), "Léa");
/// assert_eq!(sanitize("a\u{1b}]0;titre\u{7}b"), "a�]0;titre�b");
/// assert_eq!(sanitize("x\u{202e}y"), "x�y");
/// ```
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_dangerous) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\t' | '\n' | '\r' => ' ',
                c if is_dangerous(c) => REPLACEMENT,
                c => c,
            })
            .collect(),
    )
}

/// Like [`sanitize`] but keeps line feeds: CR LF becomes LF, a tab becomes
/// four spaces, a lone CR (which would overwrite the line) becomes `�`.
pub fn sanitize_multiline(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && is_dangerous(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push_str("    "),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    // CR LF: the LF is pushed on the next turn.
                } else {
                    out.push(REPLACEMENT);
                }
            }
            c if is_dangerous(c) => out.push(REPLACEMENT),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn clean_text_is_borrowed() {
        let s = "Léa Durand — Lycée Victor Hugo, Marseille";
        assert!(matches!(sanitize(s), Cow::Borrowed(_)));
        assert!(matches!(sanitize_multiline("a\nb"), Cow::Borrowed(_)));
    }

    #[test]
    fn title_setting_sequence_is_neutralised() {
        let out = sanitize("x\x1b]0;evil\x07y");
        assert_eq!(out, "x\u{FFFD}]0;evil\u{FFFD}y");
        assert!(!out.contains('\x1b'));
        assert!(!out.contains('\x07'));
    }

    #[test]
    fn csi_sequences_are_neutralised() {
        assert_eq!(sanitize("\x1b[2J\x1b[31mred"), "\u{FFFD}[2J\u{FFFD}[31mred");
        // 8-bit CSI (C1).
        assert_eq!(sanitize("a\u{9b}2Jb"), "a\u{FFFD}2Jb");
        assert_eq!(sanitize("\u{85}\u{80}\u{9f}"), "\u{FFFD}\u{FFFD}\u{FFFD}");
    }

    #[test]
    fn bidi_overrides_are_neutralised() {
        let s = "facture\u{202e}fdp.exe\u{202c} \u{2066}x\u{2069}\u{200e}\u{200f}\u{061c}";
        let out = sanitize(s);
        assert_eq!(
            out,
            "facture\u{FFFD}fdp.exe\u{FFFD} \u{FFFD}x\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"
        );
        assert_eq!(sanitize("a\u{2028}b\u{2029}"), "a\u{FFFD}b\u{FFFD}");
    }

    #[test]
    fn del_and_nul_are_neutralised() {
        assert_eq!(sanitize("a\x7fb\0c"), "a\u{FFFD}b\u{FFFD}c");
    }

    #[test]
    fn single_line_turns_whitespace_into_spaces() {
        assert_eq!(sanitize("a\tb\nc\r\nd"), "a b c  d");
    }

    #[test]
    fn multiline_keeps_newlines_only() {
        assert_eq!(
            sanitize_multiline("l1\r\nl2\n\tx\rover\x1b[1m"),
            "l1\nl2\n    x\u{FFFD}over\u{FFFD}[1m"
        );
    }

    proptest! {
        #[test]
        fn output_never_contains_dangerous_chars(s in any::<String>()) {
            let out = sanitize(&s);
            prop_assert!(!out.chars().any(is_dangerous));
            let multi = sanitize_multiline(&s);
            prop_assert!(!multi.chars().any(|c| c != '\n' && is_dangerous(c)));
        }

        #[test]
        fn output_keeps_every_safe_char(s in "[a-zA-Zéèàç0-9 .,;:'-]{0,40}") {
            let out = sanitize(&s);
            prop_assert_eq!(out.as_ref(), s.as_str());
        }

        #[test]
        fn controls_are_replaced_one_for_one(
            s in proptest::collection::vec(prop_oneof![
                Just('\u{1b}'), Just('\u{9b}'), Just('\u{202e}'), Just('\u{7f}'), Just('a')
            ], 0..30)
        ) {
            let input: String = s.iter().collect();
            prop_assert_eq!(sanitize(&input).chars().count(), s.len());
        }
    }
}
