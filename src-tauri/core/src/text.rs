//! Normalising names and phone numbers typed in any script.
use unicode_normalization::UnicodeNormalization;

/// NFC form, trimmed, inner runs of white space folded to one space.
pub fn clean(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The form names are searched and sorted by: clean + lower case.
pub fn search_key(s: &str) -> String {
    clean(s).to_lowercase()
}

/// The national digits of a phone number: spaces, dashes and brackets dropped, and a
/// leading +91, 0091 or trunk 0 removed. "+91 98765-43210" and "098765 43210" both give
/// "9876543210".
pub fn phone_digits(s: &str) -> String {
    let t = s.trim();
    let plus = t.starts_with('+');
    let mut d: String = t.chars().filter(char::is_ascii_digit).collect();
    if plus && d.starts_with("91") {
        d.drain(..2);
    } else if d.starts_with("0091") {
        d.drain(..4);
    } else if d.len() == 12 && d.starts_with("91") {
        d.drain(..2);
    }
    while d.starts_with('0') {
        d.remove(0);
    }
    d
}

/// If a search box text looks like (part of) a phone number, the digits to look for.
pub fn phone_query(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')')) {
        return None;
    }
    let digits = phone_digits(t);
    (!digits.is_empty()).then_some(digits)
}

/// Number of Unicode scalar values (what the trigram index counts).
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_forms_agree() {
        for p in ["+91 98765-43210", "098765 43210", "9876543210", "0091 98765 43210", "919876543210"] {
            assert_eq!(phone_digits(p), "9876543210", "{p}");
        }
        assert_eq!(phone_digits("0172-2712345"), "1722712345");
        assert_eq!(phone_digits(""), "");
    }

    #[test]
    fn phone_queries() {
        assert_eq!(phone_query("98765").as_deref(), Some("98765"));
        assert_eq!(phone_query("+91 987").as_deref(), Some("987"));
        assert_eq!(phone_query("0987").as_deref(), Some("987"));
        assert_eq!(phone_query("ram"), None);
        assert_eq!(phone_query("  "), None);
    }

    #[test]
    fn names_are_composed_and_folded() {
        // "क्षि" typed as decomposed sequences stays the same after NFC; Latin is lowered.
        assert_eq!(search_key("  Ravi   KUMAR "), "ravi kumar");
        assert_eq!(search_key("क्षितिज  त्रिपाठी"), "क्षितिज त्रिपाठी");
        // A nukta letter typed as two code points equals the precomposed form after NFC
        // (Devanagari nukta forms are composition exclusions, so both become the pair).
        assert_eq!(search_key("\u{095B}"), search_key("\u{091C}\u{093C}"));
    }
}
