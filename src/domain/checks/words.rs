//! Word matching for the checks: text folded to lower case without accents,
//! cut into words, so that "Dyslexie", "DYSLEXIE" and "dyslexie" match and
//! "TSA" does not match inside "tsar".

/// Lower case without diacritics (French and common Latin letters); `œ`
/// becomes `oe`, `æ` becomes `ae`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        for l in c.to_lowercase() {
            match l {
                'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => out.push('a'),
                'ç' => out.push('c'),
                'é' | 'è' | 'ê' | 'ë' => out.push('e'),
                'î' | 'ï' | 'í' | 'ì' => out.push('i'),
                'ô' | 'ö' | 'ó' | 'ò' | 'õ' => out.push('o'),
                'ù' | 'û' | 'ü' | 'ú' => out.push('u'),
                'ÿ' | 'ý' => out.push('y'),
                'ñ' => out.push('n'),
                'œ' => out.push_str("oe"),
                'æ' => out.push_str("ae"),
                // Combining diacritical marks (decomposed input).
                '\u{300}'..='\u{36f}' => {}
                l => out.push(l),
            }
        }
    }
    out
}

/// The folded words of `s` (runs of letters and digits).
pub fn words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether the words of `phrase` occur consecutively among `haystack`.
pub fn contains_phrase(haystack: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty()
        && haystack.len() >= phrase.len()
        && haystack.windows(phrase.len()).any(|w| w == phrase)
}

/// Whether `text` contains any of `terms`, on word boundaries, without
/// regard to case or accents.
pub fn mentions_any<'a>(text: &str, terms: impl IntoIterator<Item = &'a str>) -> bool {
    let hay = words(text);
    terms.into_iter().any(|t| contains_phrase(&hay, &words(t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Épilepsie DIABÈTE Cœur"), "epilepsie diabete coeur");
        assert_eq!(fold("e\u{301}pilepsie"), "epilepsie");
    }

    #[test]
    fn matching_is_on_word_boundaries() {
        assert!(mentions_any("Suivi pour TSA depuis 2015", ["tsa"]));
        assert!(!mentions_any("Le tsar de Russie", ["tsa"]));
        assert!(mentions_any(
            "un bilan  Orthophonique récent",
            ["bilan orthophonique"]
        ));
        assert!(!mentions_any("un bilan récent", ["bilan orthophonique"]));
        assert!(mentions_any("l'épilepsie", ["epilepsie"]));
        assert!(!mentions_any("", ["x"]));
        assert!(!mentions_any("texte", [""]));
    }
}
