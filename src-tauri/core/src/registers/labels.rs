//! The registers' and sign-in sheet's printed texts, in English and Hindi (the roster's
//! shared ones, e.g. "Page {x} of {y}", are in [`crate::pdf::labels`]).
use crate::pdf::labels::{Label, labels};
use crate::settings::Language;

labels! {
    T_ADMISSIONS: "Admission register, {from} to {to}", "भर्ती रजिस्टर, {from} से {to}";
    T_DISCHARGES: "Discharge register, {from} to {to}", "छुट्टी रजिस्टर, {from} से {to}";
    T_FOLLOW_UPS: "Follow-up register, {from} to {to}", "फ़ॉलो-अप रजिस्टर, {from} से {to}";
    T_SESSIONS: "Group session register, {from} to {to}", "ग्रुप सत्र रजिस्टर, {from} से {to}";
    T_CERTIFICATES: "Certificate register, {from} to {to}", "प्रमाण-पत्र रजिस्टर, {from} से {to}";
    H_ADMISSIONS: "Admissions", "भर्ती";
    H_DISCHARGES: "Discharges", "छुट्टियाँ";
    H_FOLLOW_UPS: "Follow-up contacts", "फ़ॉलो-अप संपर्क";
    H_SESSIONS: "Group sessions held", "हुए ग्रुप सत्र";
    H_CERTIFICATES: "Certificates issued", "जारी प्रमाण-पत्र";
    ENTRIES: "{n} entries. Serial numbers are fixed: a later entry gets a new number.",
        "{n} प्रविष्टियाँ। क्रमांक पक्के हैं: बाद की प्रविष्टि को नया क्रमांक मिलता है।";
    NO_ENTRIES: "No entries in this period.", "इस अवधि में कोई प्रविष्टि नहीं।";

    COL_ADM_NO: "Adm. No.", "भर्ती क्र.";
    COL_SERIAL: "Sl. No.", "क्रमांक";
    COL_CERT_NO: "Cert. No.", "प्रमाण-पत्र क्र.";
    COL_DATE: "Date", "तारीख";
    COL_SEX_AGE: "Sex/Age", "लिंग/उम्र";
    COL_DISTRICT: "District", "ज़िला";
    COL_REFERRED: "Referred by", "किसने भेजा";
    COL_BASIS: "Admission", "भर्ती का प्रकार";
    COL_STAY: "New / again", "नई / दोबारा";
    COL_ADMITTED: "Admitted", "भर्ती";
    COL_DAYS: "Days", "दिन";
    COL_DISCHARGE_TYPE: "Discharge", "छुट्टी का प्रकार";
    COL_DUE: "Due", "कब था";
    COL_METHOD: "How", "कैसे";
    COL_RESULT: "Result", "नतीजा";
    COL_STATUS: "Status", "हाल";
    COL_COUNSELLING: "Counselling", "काउंसलिंग";
    COL_BY: "By", "किसने";
    COL_GROUP: "Group", "ग्रुप";
    COL_TIME: "Time", "समय";
    COL_TOPIC: "Topic", "विषय";
    COL_FACILITATOR: "Facilitator", "संचालक";
    COL_EXPECTED: "M", "स";
    COL_PRESENT: "P", "हा";
    COL_ABSENT: "A", "ग़ै";
    COL_DROPINS: "D", "ड्रॉ";
    SESSIONS_LEGEND: "M: members expected, P: members present (or late), A: members absent, D: drop-ins who came.",
        "स: उस दिन के सदस्य, हा: हाज़िर सदस्य (देर से भी), ग़ै: ग़ैरहाज़िर सदस्य, ड्रॉ: आए ड्रॉप-इन।";
    COL_KIND: "Kind", "प्रकार";
    COL_DETAILS: "Details", "विवरण";
    COL_PURPOSE: "For", "किसके लिए";
    COL_PRINTS: "Prints", "छपाई";

    SEX_FEMALE: "F", "म";
    SEX_MALE: "M", "पु";
    SEX_OTHER: "O", "अ";
    STAY_NEW: "New", "नई";
    STAY_AGAIN: "Again ({n})", "दोबारा ({n})";
    BASIS_INDEPENDENT: "Independent", "स्वतंत्र";
    BASIS_SUPPORTED: "Supported", "सहायता से";
    BASIS_MINOR: "Minor", "नाबालिग";
    D_COMPLETED: "Completed", "इलाज पूरा";
    D_AGAINST_ADVICE: "Against advice", "सलाह के ख़िलाफ़";
    D_REFERRED: "Referred", "रेफ़र";
    D_ABSCONDED: "Absconded", "फ़रार";
    D_ADMINISTRATIVE: "Administrative", "प्रशासनिक";
    M_PHONE: "Phone", "फ़ोन";
    M_VISIT: "Visit", "मुलाक़ात";
    M_FAMILY: "Via family", "परिवार से";
    M_CAME_IN: "Came in", "केंद्र आए";
    R_REACHED: "Reached", "बात हुई";
    R_NO_ANSWER: "No answer", "जवाब नहीं";
    R_SWITCHED_OFF: "Switched off", "फ़ोन बंद";
    R_WRONG_NUMBER: "Wrong number", "ग़लत नंबर";
    R_REFUSED: "Refused", "मना किया";
    R_SPOKE_TO_FAMILY: "Spoke to family", "परिवार से बात";
    S_SOBER: "Sober", "नशा-मुक्त";
    S_LAPSE: "Lapse", "एक बार फिसले";
    S_RELAPSE: "Relapse", "दोबारा नशा";
    S_UNKNOWN: "Unknown", "पता नहीं";
    YES: "Yes", "हाँ";
    NO: "No", "नहीं";
    K_ATTENDANCE: "Attendance", "हाज़िरी";
    K_TREATMENT: "Treatment", "इलाज";
    ATTENDED: "{from} to {to}: {attended} of {expected}", "{from} से {to}: {expected} में से {attended}";
    STAY_DONE: "Stay from {from}, programme completed", "{from} से भर्ती, कार्यक्रम पूरा";
    STAY_NOT_DONE: "Stay from {from}, programme not completed", "{from} से भर्ती, कार्यक्रम पूरा नहीं";
    PRINTS_ORIGINAL: "Original only", "सिर्फ़ मूल";
    PRINTS_DUPLICATES: "Original + {n} duplicate", "मूल + {n} डुप्लिकेट";
    PRINTS_NONE: "Not printed", "नहीं छपा";

    SIGN_IN_TITLE: "Sign-in sheet: {group}, {date}", "हाज़िरी पत्रक: {group}, {date}";
    SIGN_IN_NOTE: "Members expected on the day; drop-ins write their name in a blank row.",
        "उस दिन के सदस्य; ड्रॉप-इन ख़ाली पंक्ति में अपना नाम लिखें।";
}

/// A stored code in the reader's language; an unknown code as it is.
pub fn code(lang: Language, value: &str) -> String {
    let label = match value {
        "female" => SEX_FEMALE,
        "male" => SEX_MALE,
        "other" => SEX_OTHER,
        "independent" => BASIS_INDEPENDENT,
        "supported" => BASIS_SUPPORTED,
        "minor" => BASIS_MINOR,
        "completed" => D_COMPLETED,
        "against_advice" => D_AGAINST_ADVICE,
        "referred" => D_REFERRED,
        "absconded" => D_ABSCONDED,
        "administrative" => D_ADMINISTRATIVE,
        "phone" => M_PHONE,
        "visit" => M_VISIT,
        "family" => M_FAMILY,
        "came_in" => M_CAME_IN,
        "reached" => R_REACHED,
        "no_answer" => R_NO_ANSWER,
        "switched_off" => R_SWITCHED_OFF,
        "wrong_number" => R_WRONG_NUMBER,
        "refused" => R_REFUSED,
        "spoke_to_family" => R_SPOKE_TO_FAMILY,
        "sober" => S_SOBER,
        "lapse" => S_LAPSE,
        "relapse" => S_RELAPSE,
        "unknown" => S_UNKNOWN,
        "attendance" => K_ATTENDANCE,
        "treatment" => K_TREATMENT,
        _ => return value.to_owned(),
    };
    label.text(lang).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_has_english_and_hindi_with_the_same_placeholders() {
        crate::pdf::labels::assert_complete(ALL);
        assert_eq!(code(Language::Hi, "against_advice"), "सलाह के ख़िलाफ़");
        assert_eq!(code(Language::En, "relapse"), "Relapse");
    }
}
