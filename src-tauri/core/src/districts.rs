//! India's states/union territories and districts with their Census 2011 codes, in English
//! and Hindi (Devanagari), for recording a person's district by code and grouping reports.
//!
//! The list is `data/districts.tsv` (how it was built and from what: `data/DISTRICTS-SOURCES.md`),
//! compiled into the program and read once. A district's code is its Census 2011 code (001
//! to 640) and never changes: a district renamed since 2011 keeps its code and shows the
//! name in use today in brackets ("Gurgaon (Gurugram)"). Districts created since 2011 are
//! not in the list; they are recorded under the Census district they were carved from.
//! Some districts have no Hindi name yet (`hi` is empty): show the English one.
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use unicode_normalization::UnicodeNormalization;

/// A state or union territory as in Census 2011 (35 of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct State {
    /// Census 2011 state code, 1 to 35.
    pub code: u8,
    pub en: String,
    pub hi: String,
}

/// A Census 2011 district (640 of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct District {
    /// Census 2011 district code, 1 to 640.
    pub code: u16,
    pub state_code: u8,
    pub en: String,
    /// Empty where no Hindi name is on the list yet.
    pub hi: String,
    /// Its state's names, so that a picker can say "Amritsar, Punjab".
    pub state_en: String,
    pub state_hi: String,
}

struct Table {
    states: Vec<State>,
    /// Sorted by code.
    districts: Vec<District>,
    /// The search forms of each district's names, in the order of `districts`.
    keys: Vec<Keys>,
}

struct Keys {
    /// The whole English and Hindi names and each name given in brackets.
    names: Vec<String>,
    /// The state's English and Hindi names.
    state: [String; 2],
    sort_en: String,
    sort_hi: String,
}

const TSV: &str = include_str!("../data/districts.tsv");
const HEADER: &str = "state_code\tstate_en\tstate_hi\tdistrict_code\tdistrict_en\tdistrict_hi";

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| parse(TSV))
}

/// Reads the list; the file is part of the program, so a fault in it is a bug (the tests
/// read it too).
fn parse(tsv: &str) -> Table {
    let mut lines = tsv.lines();
    assert_eq!(lines.next(), Some(HEADER), "districts.tsv: unexpected header");
    let mut states: Vec<State> = Vec::new();
    let mut districts = Vec::new();
    for (i, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let line_no = i + 2;
        assert_eq!(f.len(), 6, "districts.tsv line {line_no}: expected 6 fields");
        let state_code: u8 = f[0].parse().unwrap_or_else(|_| panic!("districts.tsv line {line_no}: state code"));
        let code: u16 = f[3].parse().unwrap_or_else(|_| panic!("districts.tsv line {line_no}: district code"));
        let name = |s: &str| s.trim().nfc().collect::<String>();
        match states.iter().find(|s| s.code == state_code) {
            Some(s) => assert!(
                s.en == name(f[1]) && s.hi == name(f[2]),
                "districts.tsv line {line_no}: state {state_code} named differently"
            ),
            None => states.push(State { code: state_code, en: name(f[1]), hi: name(f[2]) }),
        }
        districts.push(District {
            code,
            state_code,
            en: name(f[4]),
            hi: name(f[5]),
            state_en: name(f[1]),
            state_hi: name(f[2]),
        });
    }
    states.sort_by_key(|s| s.code);
    districts.sort_by_key(|d| d.code);
    let keys = districts
        .iter()
        .map(|d| {
            let st = states.iter().find(|s| s.code == d.state_code).expect("state of a district");
            let mut names = Vec::new();
            for n in [&d.en, &d.hi].into_iter().filter(|n| !n.is_empty()) {
                names.push(fold(n));
                names.extend(bracketed(n).map(fold).filter(|k| !k.is_empty()));
            }
            Keys {
                names,
                state: [fold(&st.en), fold(&st.hi)],
                sort_en: d.en.to_lowercase(),
                sort_hi: if d.hi.is_empty() { d.en.to_lowercase() } else { d.hi.nfd().collect() },
            }
        })
        .collect();
    Table { states, districts, keys }
}

/// The parts of a name in brackets: "Gurgaon (Gurugram)" gives "Gurugram".
fn bracketed(name: &str) -> impl Iterator<Item = &str> {
    name.split('(').skip(1).filter_map(|p| p.split_once(')').map(|(inside, _)| inside))
}

/// The form names and search text are compared in: NFC/NFD-insensitive, lower case,
/// without spaces or punctuation ("Bara Banki" = "barabanki"), and in Devanagari without
/// the nukta, with candrabindu as anusvara and a nasal consonant + virama before a
/// consonant as anusvara ("झाँसी" = "झांसी", "अम्बाला" = "अंबाला", "फ़िरोज़पुर" = "फिरोजपुर").
pub fn fold(s: &str) -> String {
    const NUKTA: char = '\u{093C}';
    const CANDRABINDU: char = '\u{0901}';
    const ANUSVARA: char = '\u{0902}';
    const VIRAMA: char = '\u{094D}';
    let is_consonant = |c: char| ('\u{0915}'..='\u{0939}').contains(&c);
    let is_nasal = |c: char| matches!(c, 'ङ' | 'ञ' | 'ण' | 'न' | 'म');
    let chars: Vec<char> = s
        .nfd()
        .flat_map(char::to_lowercase)
        .filter(|&c| c != NUKTA && (c.is_alphanumeric() || ('\u{0900}'..='\u{097F}').contains(&c)))
        .map(|c| if c == CANDRABINDU { ANUSVARA } else { c })
        .collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_nasal(c) && chars.get(i + 1) == Some(&VIRAMA) && chars.get(i + 2).is_some_and(|&n| is_consonant(n)) {
            out.push(ANUSVARA);
            i += 2;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The 35 states and union territories, by code.
pub fn states() -> &'static [State] {
    &table().states
}

/// The state or union territory with this Census 2011 code.
pub fn state(code: u8) -> Option<&'static State> {
    let t = table();
    t.states.binary_search_by_key(&code, |s| s.code).ok().map(|i| &t.states[i])
}

/// All 640 districts, by code.
pub fn districts() -> &'static [District] {
    &table().districts
}

/// The district with this Census 2011 code.
pub fn district(code: u16) -> Option<&'static District> {
    let t = table();
    t.districts.binary_search_by_key(&code, |d| d.code).ok().map(|i| &t.districts[i])
}

/// Whether a district code is on the list.
pub fn is_valid(code: u16) -> bool {
    district(code).is_some()
}

/// The districts of a state, by code (none for an unknown state).
pub fn of_state(state_code: u8) -> Vec<&'static District> {
    districts().iter().filter(|d| d.state_code == state_code).collect()
}

/// Districts whose English or Hindi name, or whose state's name, matches `query` (see
/// [`fold`] for what counts as the same), at most `limit` of them. Names that start with
/// the query come first (a district's own name, then its state's: "Punjab" lists Punjab's
/// districts), then names that contain it; within each, by name (in Hindi order when the
/// query is in Devanagari). A name in brackets counts as a name ("Gurugram", "Prayagraj").
pub fn search(query: &str, limit: usize) -> Vec<&'static District> {
    let q = fold(query);
    if q.is_empty() || limit == 0 {
        return Vec::new();
    }
    let hindi = query.chars().any(|c| ('\u{0900}'..='\u{097F}').contains(&c));
    let t = table();
    let mut hits: Vec<(u8, &str, &District)> = t
        .districts
        .iter()
        .zip(&t.keys)
        .filter_map(|(d, k)| {
            let rank = if k.names.iter().any(|n| n.starts_with(&q)) {
                0
            } else if k.state.iter().any(|n| n.starts_with(&q)) {
                1
            } else if k.names.iter().any(|n| n.contains(&q)) {
                2
            } else if k.state.iter().any(|n| n.contains(&q)) {
                3
            } else {
                return None;
            };
            Some((rank, if hindi { k.sort_hi.as_str() } else { k.sort_en.as_str() }, d))
        })
        .collect();
    hits.sort_by_key(|h| (h.0, h.1, h.2.code));
    hits.into_iter().take(limit).map(|h| h.2).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// The states whose Hindi names must all be there.
    const NORTH: [u8; 9] = [1, 2, 3, 4, 5, 6, 7, 8, 9];

    fn is_devanagari(s: &str) -> bool {
        s.chars().any(|c| c.is_alphabetic())
            && s.chars().all(|c| ('\u{0900}'..='\u{097F}').contains(&c) || matches!(c, ' ' | '(' | ')' | '-' | '.'))
    }

    fn codes(list: &[&District]) -> Vec<u16> {
        list.iter().map(|d| d.code).collect()
    }

    #[test]
    fn all_640_census_districts_of_35_states_with_codes_1_to_640() {
        assert_eq!(states().len(), 35);
        assert_eq!(districts().len(), 640);
        assert_eq!(TSV.lines().filter(|l| !l.trim().is_empty()).count(), 641, "header and 640 rows");
        let codes: Vec<u16> = districts().iter().map(|d| d.code).collect();
        assert_eq!(codes, (1..=640).collect::<Vec<u16>>());
        let states: Vec<u8> = states().iter().map(|s| s.code).collect();
        assert_eq!(states, (1..=35).collect::<Vec<u8>>());
        let per_state = |s: u8| of_state(s).len();
        assert_eq!(
            [1, 2, 3, 4, 5, 6, 7, 8, 9].map(per_state),
            [22, 12, 20, 1, 13, 21, 9, 33, 71],
            "J&K, HP, Punjab, Chandigarh, Uttarakhand, Haryana, Delhi, Rajasthan, UP"
        );
    }

    #[test]
    fn every_code_is_unique_and_every_district_has_its_state() {
        let mut seen = HashSet::new();
        for d in districts() {
            assert!(seen.insert(d.code), "district {} twice", d.code);
            assert!(state(d.state_code).is_some(), "district {} has no state {}", d.code, d.state_code);
            assert!(!d.en.is_empty());
        }
        let mut seen = HashSet::new();
        assert!(states().iter().all(|s| seen.insert(s.code)));
        // Every state has districts, and a state's districts are one run of codes.
        for s in states() {
            let c = codes(&of_state(s.code));
            assert!(!c.is_empty(), "{} has no districts", s.en);
            assert_eq!(c.last().unwrap() - c[0] + 1, c.len() as u16, "{}", s.en);
        }
    }

    #[test]
    fn hindi_names_are_devanagari_nfc_and_complete_for_the_north() {
        for s in states() {
            assert!(is_devanagari(&s.hi), "state {}: {:?}", s.en, s.hi);
        }
        for d in districts() {
            if !d.hi.is_empty() {
                assert!(is_devanagari(&d.hi), "district {}: {:?}", d.code, d.hi);
                assert_eq!(d.hi, d.hi.nfc().collect::<String>());
            }
            if NORTH.contains(&d.state_code) {
                assert!(!d.hi.is_empty(), "district {} {} has no Hindi name", d.code, d.en);
            }
            assert!(d.en.is_ascii(), "district {}: {:?}", d.code, d.en);
        }
    }

    #[test]
    fn known_codes() {
        let d = district(49).unwrap();
        assert_eq!((d.en.as_str(), d.hi.as_str(), d.state_code), ("Amritsar", "अमृतसर", 3));
        assert_eq!(state(3).unwrap().en, "Punjab");
        assert_eq!(district(41).unwrap().en, "Ludhiana");
        assert_eq!(district(80).unwrap().en, "Hisar");
        assert_eq!(district(55).unwrap().state_code, 4);
        assert!(is_valid(1) && is_valid(640));
        assert!(!is_valid(0) && !is_valid(641));
        assert!(district(0).is_none() && state(0).is_none() && state(36).is_none());
        assert!(of_state(99).is_empty());
    }

    #[test]
    fn search_finds_amritsar_in_both_scripts() {
        assert_eq!(search("amrit", 5)[0].code, 49);
        assert_eq!(search("AMRITSAR", 5)[0].code, 49);
        assert_eq!(search("अमृ", 5)[0].code, 49);
        assert_eq!(search("अमृतसर", 5)[0].code, 49);
        // NFD input is the same text.
        let nfd: String = "अमृतसर".nfd().collect();
        assert_eq!(search(&nfd, 5)[0].code, 49);
    }

    #[test]
    fn search_by_state_lists_its_districts() {
        let punjab = search("Punjab", 100);
        assert_eq!(punjab.len(), 20);
        assert!(punjab.iter().all(|d| d.state_code == 3));
        assert_eq!(search("पंजाब", 100).len(), 20);
        let mut got = codes(&search("haryana", 50));
        got.sort();
        assert_eq!(got, (69..=89).collect::<Vec<u16>>());
    }

    #[test]
    fn prefix_matches_come_first_then_by_name() {
        // "Hamirpur" is a district in Himachal and in Uttar Pradesh: same name, by code.
        assert_eq!(codes(&search("hamirpur", 10)), vec![28, 168]);
        let starts = |d: &District, q: &str| {
            [&d.en, &d.hi].into_iter().any(|n| fold(n).starts_with(q) || bracketed(n).any(|b| fold(b).starts_with(q)))
        };
        let r = search("kan", 100);
        let split = r.iter().position(|d| !starts(d, "kan")).expect("some names only contain \"kan\"");
        assert!(split > 3);
        assert!(r[split..].iter().all(|d| !starts(d, "kan")), "prefix matches first");
        assert!(r[..split].windows(2).all(|w| w[0].en.to_lowercase() <= w[1].en.to_lowercase()), "then by name");
        assert!(r[split..].windows(2).all(|w| w[0].en.to_lowercase() <= w[1].en.to_lowercase()), "then by name");
        // A district's own name comes before its state's name ...
        assert_eq!(search("uttar", 100)[0].en, "Uttar Bastar Kanker");
        assert_eq!(search("uttark", 3)[0].code, 56);
        // ... and Hindi queries sort in Hindi.
        let h = search("पुर", 400);
        assert_eq!(codes(&h[..2]), vec![387, 340], "पुरी, पुरुलिया");
        let hi = |d: &District| d.hi.nfd().collect::<String>();
        let own: Vec<_> = h[2..].iter().copied().filter(|d| fold(&d.hi).contains(&fold("पुर"))).collect();
        assert!(own.len() > 50 && own.windows(2).all(|w| hi(w[0]) <= hi(w[1])));
        // After them, the districts of मणिपुर and त्रिपुरा, by their state's name.
        let last_own = h.iter().rposition(|d| fold(&d.hi).contains(&fold("पुर"))).unwrap();
        assert!(last_own + 1 < h.len() && h[last_own + 1..].iter().all(|d| [14, 16].contains(&d.state_code)));
    }

    #[test]
    fn current_names_and_spelling_variants_are_found() {
        assert_eq!(search("Gurugram", 3)[0].code, 86);
        assert_eq!(search("गुरुग्राम", 3)[0].code, 86);
        assert_eq!(search("nuh", 3)[0].code, 87);
        assert_eq!(search("Prayagraj", 3)[0].code, 175);
        assert_eq!(search("mohali", 3)[0].code, 52);
        assert_eq!(search("poonch", 3)[0].code, 5);
        assert_eq!(search("barabanki", 3)[0].code, 176);
        assert_eq!(search("raebareli", 3)[0].code, 158);
        assert_eq!(search("अंबाला", 3)[0].code, 70);
        assert_eq!(search("अम्बाला", 3)[0].code, 70);
        assert_eq!(search("झाँसी", 3)[0].code, 166);
        assert_eq!(search("फ़िरोज़पुर", 3)[0].code, 43);
    }

    #[test]
    fn search_limits_and_empty_queries() {
        assert!(search("", 10).is_empty());
        assert!(search("  - ", 10).is_empty());
        assert!(search("amritsar", 0).is_empty());
        assert!(search("zzzz", 10).is_empty());
        assert_eq!(search("a", 7).len(), 7);
    }

    #[test]
    fn fold_forms() {
        assert_eq!(fold("Bara Banki"), "barabanki");
        assert_eq!(fold("झाँसी"), fold("झांसी"));
        assert_eq!(fold("चम्बा"), fold("चंबा"));
        assert_eq!(fold("मुज़फ़्फ़रनगर"), fold("मुजफ्फरनगर"));
        assert_ne!(fold("कन्नौज"), fold("कनौज"));
    }

    #[test]
    fn serialises_as_the_ui_expects() {
        let j = serde_json::to_value(district(49).unwrap()).unwrap();
        assert_eq!(
            j,
            serde_json::json!({"code": 49, "state_code": 3, "en": "Amritsar", "hi": "अमृतसर",
                               "state_en": "Punjab", "state_hi": "पंजाब"})
        );
    }
}
