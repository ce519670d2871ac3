//! Every text a printed page shows that is not data (headings, column titles, notes,
//! footers, weekdays), in English and Hindi, in one table. A PDF is made in Rust, so its
//! labels cannot live in the UI's catalogue; the test below fails when a label lacks a
//! text or the two texts take different `{placeholders}`.
//!
//! Dates are printed as the screens show them (DD-MM-YYYY, `ui/src/lib/dates.ts`) and
//! numbers in Western digits, in both languages.
use crate::settings::Language;

/// One label: its English and Hindi texts, with `{name}` placeholders.
#[derive(Debug, Clone, Copy)]
pub struct Label {
    pub key: &'static str,
    pub en: &'static str,
    pub hi: &'static str,
}

impl Label {
    pub fn text(&self, lang: Language) -> &'static str {
        match lang {
            Language::En => self.en,
            Language::Hi => self.hi,
        }
    }

    /// The text with each `{name}` replaced by its value.
    pub fn fill(&self, lang: Language, values: &[(&str, &str)]) -> String {
        let mut out = self.text(lang).to_owned();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

macro_rules! labels {
    ($($name:ident: $en:literal, $hi:literal;)*) => {
        $(pub const $name: Label = Label { key: stringify!($name), en: $en, hi: $hi };)*
        /// Every label, for the completeness test.
        pub const ALL: &[Label] = &[$($name),*];
    };
}

labels! {
    TITLE: "Aftercare roster and follow-up calls, week {from} to {to}",
        "आफ़्टरकेयर रोस्टर और फ़ॉलो-अप कॉल, हफ़्ता {from} से {to}";
    NOTE_PRIVATE: "Privacy mode: first names and initials only, no phone numbers.",
        "गोपनीय मोड: सिर्फ़ पहला नाम और उपनाम का पहला अक्षर, कोई फ़ोन नंबर नहीं।";
    NOTE_FULL: "Full names and phone numbers (except people who asked to be left off printed lists).",
        "पूरे नाम और फ़ोन नंबर (उन लोगों को छोड़कर जिन्होंने छपी सूचियों में न आने को कहा है)।";
    PAGE: "Page {x} of {y}", "पृष्ठ {x} / {y}";
    PRINTED: "Printed on {date} by {name}. Confidential: shred after use.",
        "{date} को {name} ने छापा। गोपनीय: काम के बाद फाड़कर नष्ट करें।";
    PRINTED_BY_COMMAND_LINE: "Saathi (command line)", "साथी (कमांड लाइन)";
    SEAL: "Audit seal {seal}", "ऑडिट मुहर {seal}";
    CONTINUED: "(continued)", "(जारी)";

    COL_NO: "No.", "क्र.";
    COL_NAME: "Name", "नाम";
    COL_PHONE: "Phone", "फ़ोन";
    COL_LAST_ATTENDED: "Last attended", "पिछली हाज़िरी";
    COL_FOLLOWUP_DUE: "Follow-up due", "फ़ॉलो-अप कब";
    COL_PRESENT: "Present", "हाज़िर";
    COL_SIGNATURE: "Signature", "हस्ताक्षर";
    SESSION_WHEN: "{day}, {date}   {time}   Room: {room}", "{day}, {date}   {time}   कमरा: {room}";
    FACILITATORS: "Facilitators: {names}", "संचालक: {names}";
    NO_MEMBERS: "No members.", "कोई सदस्य नहीं।";
    CANCELLED_HEADING: "{group} - CANCELLED", "{group} - रद्द";
    CANCELLED: "This session is cancelled.", "यह सत्र रद्द है।";
    CANCELLED_BECAUSE: "This session is cancelled: {reason}.", "यह सत्र रद्द है: {reason}।";
    CANCELLED_EMPTY: "Cancelled: no attendance to take.", "रद्द: हाज़िरी नहीं लेनी है।";
    MOVED_FROM: "Moved from {day}, {date}.", "{day}, {date} से बदलकर यहाँ रखा गया।";

    CALLS: "Follow-up calls", "फ़ॉलो-अप कॉल";
    CALLS_DUE: "Due from {from} to {to} (and overdue)", "{from} से {to} तक के (और जो देर से हैं)";
    COL_LAST_CONTACT: "Last contact", "पिछला संपर्क";
    COL_DUE: "Due", "कब";
    COL_REACHED: "Reached", "बात हुई";
    COL_NOTES: "Notes", "नोट";
    OVERDUE: "{date} (overdue)", "{date} (देर से)";
    NO_CALLS: "No follow-ups due this week.", "इस हफ़्ते कोई फ़ॉलो-अप नहीं।";

    MONDAY: "Monday", "सोमवार";
    TUESDAY: "Tuesday", "मंगलवार";
    WEDNESDAY: "Wednesday", "बुधवार";
    THURSDAY: "Thursday", "गुरुवार";
    FRIDAY: "Friday", "शुक्रवार";
    SATURDAY: "Saturday", "शनिवार";
    SUNDAY: "Sunday", "रविवार";
}

/// The weekday's name.
pub fn weekday(day: chrono::Weekday, lang: Language) -> &'static str {
    use chrono::Weekday::*;
    let label = match day {
        Mon => MONDAY,
        Tue => TUESDAY,
        Wed => WEDNESDAY,
        Thu => THURSDAY,
        Fri => FRIDAY,
        Sat => SATURDAY,
        Sun => SUNDAY,
    };
    label.text(lang)
}

/// A date as the screens show it: DD-MM-YYYY (the same in both languages).
pub fn date(d: chrono::NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<&str> {
        let mut out: Vec<&str> = s.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(name, _)| name)).collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn every_label_has_english_and_hindi_with_the_same_placeholders() {
        for l in ALL {
            assert!(!l.en.trim().is_empty(), "{} has no English text", l.key);
            assert!(!l.hi.trim().is_empty(), "{} has no Hindi text", l.key);
            assert!(l.en.is_ascii(), "{}: the English text is English", l.key);
            assert!(
                l.hi.chars().any(|c| ('\u{0900}'..='\u{097F}').contains(&c)),
                "{}: the Hindi text is in Devanagari, not English",
                l.key
            );
            assert_eq!(placeholders(l.en), placeholders(l.hi), "{}: the same placeholders in both", l.key);
        }
        let mut keys: Vec<&str> = ALL.iter().map(|l| l.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), ALL.len());
    }

    #[test]
    fn placeholders_are_filled() {
        let s = PAGE.fill(Language::Hi, &[("x", "2"), ("y", "3")]);
        assert_eq!(s, "पृष्ठ 2 / 3");
        assert_eq!(weekday(chrono::Weekday::Tue, Language::Hi), "मंगलवार");
        assert_eq!(date(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()), "01-12-2026");
    }
}
