//! Normalising names and phone numbers typed in any script.
use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// NFC form, trimmed, inner runs of white space folded to one space.
///
/// Lists sort thousands of names by [`search_key`], and nearly every name is already
/// clean: those are only checked, not rebuilt.
pub fn clean(s: &str) -> String {
    let nfc =
        if is_nfc_quick(s.chars()) == IsNormalized::Yes { Cow::Borrowed(s) } else { Cow::Owned(s.nfc().collect()) };
    if is_folded(&nfc) {
        return nfc.into_owned();
    }
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// No white space but single spaces between words.
fn is_folded(s: &str) -> bool {
    let mut after_space = true;
    for c in s.chars() {
        if c.is_whitespace() {
            if c != ' ' || after_space {
                return false;
            }
            after_space = true;
        } else {
            after_space = false;
        }
    }
    !after_space || s.is_empty()
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

    /// The plain definition [`clean`] must always agree with.
    fn clean_slowly(s: &str) -> String {
        let nfc: String = s.nfc().collect();
        nfc.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn clean_keeps_clean_text_and_cleans_the_rest() {
        for s in
            ["", " ", "a", "a b", " a", "a ", "a  b", "a\tb", "a\u{00A0}b", "क्षितिज त्रिपाठी", "\u{095B}", "e\u{0301}"]
        {
            assert_eq!(search_key(s), clean_slowly(s).to_lowercase(), "{s:?}");
        }
        for s in
            ["", " ", "a", "a b", " a", "a ", "a  b", "a\tb", "a\u{00A0}b", "क्षितिज त्रिपाठी", "\u{095B}", "e\u{0301}"]
        {
            assert_eq!(clean(s), clean_slowly(s), "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn clean_agrees_with_its_definition(s in "[ a\t\u{00A0}\u{2003}\u{0915}\u{094D}\u{0937}\u{093C}\u{095B}\u{0301}\u{0A38}\u{0A3C}\u{0A36}é]{0,12}") {
            proptest::prop_assert_eq!(clean(&s), clean_slowly(&s));
            proptest::prop_assert_eq!(search_key(&s), clean_slowly(&s).to_lowercase());
        }
    }
}
