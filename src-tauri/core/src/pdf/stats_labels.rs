//! The texts of the statistics printout (issue 17 §2), in English and Hindi, checked like
//! the other printed labels (labels.rs).
use super::labels::{Label, labels};

labels! {
    ST_TITLE: "Statistics for {period}", "{period} के आँकड़े";
    ST_BAND: "Figures only: no one is named in this report", "केवल आँकड़े: इस रिपोर्ट में किसी का नाम नहीं है";
    ST_PERIOD: "From {from} to {to}", "{from} से {to} तक";
    ST_INTRO: "Counted from the centre's records on {date}. Figures about people are split by sex, age at the \
        time, primary substance (the case record's first substance) and home district.",
        "{date} को केंद्र के रिकॉर्ड से गिने गए। लोगों से जुड़े आँकड़े लिंग, उस समय की उम्र, मुख्य नशा (केस रिकॉर्ड का पहला \
        नशा) और गृह ज़िले के हिसाब से बाँटे गए हैं।";
    ST_LOST_NOTE: "Lost to follow-up: an aftercare plan open at the end of the period, begun at least {days} days \
        earlier, and the person not reached in the last {days} days.",
        "फ़ॉलो-अप से छूटे: अवधि के अंत में खुली आफ़्टरकेयर योजना, जो कम से कम {days} दिन पहले शुरू हुई, और व्यक्ति से \
        आख़िरी {days} दिनों में बात नहीं हो पाई।";
    ST_SUMMARY: "Summary", "सारांश";
    ST_FIGURE: "Figure", "आँकड़ा";
    ST_TOTAL: "Total", "कुल";
    ST_VALUE: "Count", "संख्या";
    ST_NOT_ADDING: "At a point in time (does not add up over months)", "एक समय पर (महीनों में जोड़ा नहीं जाता)";
    ST_UNKNOWN: "Not recorded", "दर्ज नहीं";
    AC_COUNSELLING: "Counselling sessions", "परामर्श सत्र";
    AC_NONE: "None recorded.", "कुछ दर्ज नहीं है।";
    COL_DATE: "Date", "तारीख";
    COL_KIND: "Kind", "प्रकार";
    COL_MINUTES: "Minutes", "मिनट";
    COL_BY: "Counsellor", "परामर्शदाता";
    COL_NOTE: "Note", "नोट";

    F_ADMISSIONS_NEW: "New admissions", "नए दाख़िले";
    F_READMISSIONS: "Re-admissions", "दोबारा दाख़िले";
    F_DISCHARGES: "Discharges", "छुट्टियाँ";
    F_INPATIENTS_START: "In-patients at the start", "शुरुआत में भर्ती लोग";
    F_INPATIENTS_END: "In-patients at the end", "अंत में भर्ती लोग";
    F_FOLLOWUPS_DUE: "Follow-ups due", "देय फ़ॉलो-अप";
    F_FOLLOWUP_ATTEMPTS: "Follow-up contacts attempted", "फ़ॉलो-अप संपर्क के प्रयास";
    F_FOLLOWUPS_REACHED: "Follow-up contacts reached", "फ़ॉलो-अप में संपर्क हुआ";
    F_LOST: "Lost to follow-up", "फ़ॉलो-अप से छूटे";
    F_GROUP_SESSIONS: "Group sessions held", "हुए समूह सत्र";
    F_GROUP_ATTENDANCES: "Group attendances", "समूह में उपस्थिति";
    F_COUNSELLING: "Counselling sessions", "परामर्श सत्र";
    F_OUTREACH: "Awareness and outreach activities", "जागरूकता और आउटरीच गतिविधियाँ";
    F_OUTREACH_REACHED: "People reached by outreach", "आउटरीच से पहुँचे लोग";

    D_TYPE: "By discharge type", "छुट्टी के प्रकार से";
    D_STATUS: "By status", "स्थिति से";
    D_GROUP: "By kind of group", "समूह के प्रकार से";
    D_ATTENDEE: "By who attended", "कौन आया";
    D_KIND: "By kind", "प्रकार से";
    D_SEX: "By sex", "लिंग से";
    D_AGE: "By age", "उम्र से";
    D_SUBSTANCE: "By primary substance", "मुख्य नशे से";
    D_DISTRICT: "By district", "ज़िले से";

    V_COMPLETED: "Completed", "पूरा किया";
    V_AGAINST_ADVICE: "Against advice", "सलाह के विरुद्ध";
    V_REFERRED: "Referred", "रेफ़र किया";
    V_ABSCONDED: "Absconded", "भाग गए";
    V_ADMINISTRATIVE: "Administrative", "प्रशासनिक";
    V_SOBER: "Abstinent", "नशा-मुक्त";
    V_LAPSE: "Lapse", "चूक";
    V_RELAPSE: "Relapse", "दोबारा नशा";
    V_SHARING_CIRCLE: "Sharing circle", "साझा घेरा";
    V_GROUP_THERAPY: "Group therapy", "समूह चिकित्सा";
    V_FAMILY_SUPPORT: "Family", "परिवार";
    V_AFTERCARE: "Aftercare", "आफ़्टरकेयर";
    V_HOSTED_MEETING: "Hosted meeting", "मेज़बानी वाली बैठक";
    V_OTHER: "Other", "अन्य";
    V_PATIENT: "Person on the register", "रजिस्टर में दर्ज व्यक्ति";
    V_FAMILY_MEMBER: "Family member", "परिवार का सदस्य";
    V_DROPIN: "Drop-in", "अचानक आए";
    V_INDIVIDUAL: "Individual", "व्यक्तिगत";
    V_FAMILY: "Family", "पारिवारिक";
    V_SCHOOL: "School", "स्कूल";
    V_COLLEGE: "College", "कॉलेज";
    V_COMMUNITY: "Community", "समुदाय";
    V_WORKPLACE: "Workplace", "कार्यस्थल";
    V_CAMP: "Camp", "शिविर";
    V_MEDIA: "Media", "मीडिया";
    V_FEMALE: "Female", "महिला";
    V_MALE: "Male", "पुरुष";
    V_SEX_OTHER: "Other", "अन्य";
    V_UNDER_18: "Under 18", "18 से कम";
    V_18_25: "18 to 25", "18 से 25";
    V_26_35: "26 to 35", "26 से 35";
    V_36_45: "36 to 45", "36 से 45";
    V_46_60: "46 to 60", "46 से 60";
    V_OVER_60: "Over 60", "60 से अधिक";
    V_ALCOHOL: "Alcohol", "शराब";
    V_OPIOIDS: "Opioids", "अफ़ीम से बने नशे";
    V_CANNABIS: "Cannabis", "भांग/गांजा";
    V_PRESCRIPTION: "Prescription drugs", "दवाइयाँ";
    V_TOBACCO: "Tobacco", "तंबाकू";
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_label_has_english_and_hindi_with_the_same_placeholders() {
        super::super::labels::assert_complete(super::ALL);
    }
}
