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

/// A sentence in one language, or (`None`) in English and then Hindi on the next line:
/// the bilingual documents (certificates, the rights desk's letters).
pub fn fill_in(lang: Option<Language>, label: Label, values: &[(&str, &str)]) -> String {
    match lang {
        Some(lang) => label.fill(lang, values),
        None => format!("{}\n{}", label.fill(Language::En, values), label.fill(Language::Hi, values)),
    }
}

/// A short label in one language, or (`None`) "English / हिंदी".
pub fn short(lang: Option<Language>, label: Label) -> String {
    match lang {
        Some(lang) => label.text(lang).to_owned(),
        None => format!("{} / {}", label.en, label.hi),
    }
}

macro_rules! labels {
    ($($name:ident: $en:literal, $hi:literal;)*) => {
        $(pub const $name: Label = Label { key: stringify!($name), en: $en, hi: $hi };)*
        /// Every label, for the completeness test.
        pub const ALL: &[Label] = &[$($name),*];
    };
}
pub(crate) use labels;

/// Checks a module's labels: each has English (ASCII) and Hindi (Devanagari) texts with
/// the same `{placeholders}`, and no key is used twice.
#[cfg(test)]
pub(crate) fn assert_complete(all: &[Label]) {
    fn placeholders(s: &str) -> Vec<&str> {
        let mut out: Vec<&str> = s.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(name, _)| name)).collect();
        out.sort_unstable();
        out
    }
    for l in all {
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
    let mut keys: Vec<&str> = all.iter().map(|l| l.key).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), all.len());
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

    CF_TITLE: "Consent form", "सहमति पत्र";
    CF_SUBTITLE: "Informed consent: Mental Healthcare Act 2017 and Digital Personal Data Protection Act 2023",
        "सूचित सहमति: मानसिक स्वास्थ्य देखभाल अधिनियम 2017 और डिजिटल व्यक्तिगत डेटा संरक्षण अधिनियम 2023";
    CF_CENTRE_COPY: "Centre's copy", "केंद्र की प्रति";
    CF_PATIENT_COPY: "Patient's copy", "मरीज़ की प्रति";
    CF_RECORD: "Record no.", "रिकॉर्ड नं.";
    CF_AGE: "Age", "उम्र";
    CF_ADMITTED: "Date of admission", "भर्ती की तारीख";
    CF_INTRO: "Please read each part, or ask for it to be read to you in a language you understand, and tick one \
        box in each. You may agree to some parts and not to others. Ask the staff about anything that is not clear.",
        "कृपया हर हिस्सा पढ़ें, या अपनी समझ की भाषा में पढ़कर सुनाने को कहें, और हर हिस्से में एक खाने पर सही का \
        निशान लगाएँ। आप कुछ बातों के लिए हाँ और कुछ के लिए ना कह सकते हैं। जो बात साफ़ न हो, वह स्टाफ़ से पूछें।";
    CF_AGREE: "I agree", "मैं सहमत हूँ";
    CF_DISAGREE: "I do not agree", "मैं सहमत नहीं हूँ";
    CF_TREATMENT: "Treatment", "इलाज";
    CF_TREATMENT_TEXT: "The centre may treat me for my addiction: counselling, group sessions, medical care and the \
        medicines its doctor prescribes. The staff have explained the treatment, how long it may take and the \
        centre's rules to me.",
        "केंद्र मेरी नशे की लत का इलाज कर सकता है: काउंसलिंग, ग्रुप सत्र, डॉक्टर की देखभाल और डॉक्टर की लिखी \
        दवाइयाँ। स्टाफ़ ने मुझे इलाज, उसमें लगने वाला समय और केंद्र के नियम समझा दिए हैं।";
    CF_PHONE_FOLLOWUP: "Phone calls after I go home", "घर जाने के बाद फ़ोन";
    CF_PHONE_FOLLOWUP_TEXT: "The centre's staff may phone me after I go home to ask how I am and to remind me of \
        aftercare meetings.",
        "घर जाने के बाद केंद्र का स्टाफ़ मेरा हालचाल पूछने और आफ़्टरकेयर मीटिंग की याद दिलाने के लिए मुझे फ़ोन कर \
        सकता है।";
    CF_FAMILY: "Talking to my family", "मेरे परिवार से बात";
    CF_FAMILY_WHO: "Family member", "परिवार का सदस्य";
    CF_FAMILY_TEXT: "The centre's staff may talk to the family member named here about my treatment and progress, \
        and phone them if they cannot reach me.",
        "केंद्र का स्टाफ़ यहाँ लिखे परिवार के सदस्य से मेरे इलाज और मेरी प्रगति के बारे में बात कर सकता है, और मुझसे \
        संपर्क न हो पाने पर उन्हें फ़ोन कर सकता है।";
    CF_FULL_NAME: "My full name on printed lists", "छपी सूचियों में मेरा पूरा नाम";
    CF_FULL_NAME_TEXT: "My full name may be printed on lists used inside the centre (group attendance, call lists). \
        If I say no, only my first name and the first letter of my surname are printed.",
        "केंद्र के अंदर काम आने वाली छपी सूचियों (ग्रुप हाज़िरी, कॉल सूची) में मेरा पूरा नाम छप सकता है। सहमत न होने पर \
        सिर्फ़ मेरा पहला नाम और उपनाम का पहला अक्षर छपेगा।";
    CF_SHARING: "Sharing my records", "मेरी जानकारी देना";
    CF_SHARING_WHO: "Shared with", "किसे दी जाएगी";
    CF_SHARING_TEXT: "The centre may share my records (attendance, progress and a summary of my treatment) with the \
        referral, court or other body named here, only for the purpose I have been told about.",
        "केंद्र मेरी जानकारी (हाज़िरी, प्रगति और इलाज का सारांश) यहाँ लिखी रेफ़रल संस्था, अदालत या अन्य संस्था को दे \
        सकता है, सिर्फ़ उसी काम के लिए जो मुझे बताया गया है।";
    CF_PHOTOS: "Photographs", "फ़ोटो";
    CF_PHOTOS_TEXT: "The centre may take photographs of me at its activities and events. They will not be shown \
        outside the centre or on social media without asking me again.",
        "केंद्र अपनी गतिविधियों और कार्यक्रमों में मेरी फ़ोटो ले सकता है। मुझसे दोबारा पूछे बिना ये फ़ोटो केंद्र के बाहर \
        या सोशल मीडिया पर नहीं दिखाई जाएँगी।";
    CF_RIGHTS: "Your rights", "आपके अधिकार";
    CF_RIGHTS_WITHDRAW: "You can withdraw any consent at any time, as easily as you gave it: tell any staff member \
        or phone the centre.",
        "आप कोई भी सहमति कभी भी वापस ले सकते हैं, उतनी ही आसानी से जितनी आसानी से दी थी: किसी भी स्टाफ़ सदस्य को \
        बताएँ या केंद्र को फ़ोन करें।";
    CF_RIGHTS_CARE: "Saying no, or withdrawing later, will not change your treatment or how the staff treat you.",
        "मना करने या बाद में सहमति वापस लेने से आपके इलाज पर या स्टाफ़ के व्यवहार पर कोई असर नहीं पड़ेगा।";
    CF_RIGHTS_DATA: "You may ask to see the information the centre keeps about you, to have it corrected or \
        completed, and to know whom it was shared with. If you are not satisfied, complain to the centre \
        (DPDP Act 2023, sections 6 and 11 to 13).",
        "आप केंद्र के पास रखी अपनी जानकारी देखने, उसे सही या पूरा करवाने और यह जानने के लिए कह सकते हैं कि वह \
        किसे दी गई। संतुष्ट न होने पर केंद्र से शिकायत करें (डीपीडीपी अधिनियम 2023, धारा 6 और 11 से 13)।";
    CF_DECLARATION: "This form was explained to me in a language I understand, my questions were answered, and I \
        sign it of my own free will. I have been given a copy.",
        "यह पत्र मुझे मेरी समझ की भाषा में समझाया गया, मेरे सवालों के जवाब दिए गए, और मैं अपनी मर्ज़ी से इस पर \
        हस्ताक्षर कर रहा/रही हूँ। मुझे इसकी एक प्रति दी गई है।";
    CF_SIGN_PERSON: "The person: signature or left thumb impression", "व्यक्ति: हस्ताक्षर या बाएँ अंगूठे का निशान";
    CF_SIGN_WITNESS: "Witness (saw the form explained and signed)", "गवाह (जिसके सामने पत्र समझाया और भरा गया)";
    CF_SIGN_STAFF: "Staff member recording the consent", "सहमति दर्ज करने वाले स्टाफ़ सदस्य";
    CF_SIGN_GUARDIAN: "For a minor or a supported admission: parent, guardian or nominated representative",
        "नाबालिग या सहायता से भर्ती के लिए: माता-पिता, अभिभावक या नामित प्रतिनिधि";
    CF_THUMB: "Thumb", "अंगूठा";
    CF_DATE: "Date", "तारीख";
    CF_RELATIONSHIP: "Relationship", "रिश्ता";
    CF_PRINTED: "Printed on {date} by {name}. Confidential.", "{date} को {name} ने छापा। गोपनीय।";
    CF_SEAL: "Audit seal", "ऑडिट मुहर";

    // ---- issue 17: registers and sign-in sheets
    TOPIC: "Topic: {topic}", "विषय: {topic}";
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

    #[test]
    fn every_label_has_english_and_hindi_with_the_same_placeholders() {
        assert_complete(ALL);
    }

    #[test]
    fn placeholders_are_filled() {
        let s = PAGE.fill(Language::Hi, &[("x", "2"), ("y", "3")]);
        assert_eq!(s, "पृष्ठ 2 / 3");
        assert_eq!(weekday(chrono::Weekday::Tue, Language::Hi), "मंगलवार");
        assert_eq!(date(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()), "01-12-2026");
    }
}
