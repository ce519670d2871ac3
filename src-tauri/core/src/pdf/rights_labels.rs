//! The texts of the rights desk's printouts (the access copy and the reply letters), in
//! English and Hindi, beside the other printed labels (labels.rs) and checked the same way.
use super::labels::{Label, labels};

labels! {
    AC_TITLE: "Copy of the records the centre holds about you", "केंद्र के पास रखी आपकी जानकारी की प्रति";
    AC_BAND: "CONFIDENTIAL: the person's own copy (Mental Healthcare Act 2017 s.25; DPDP Act 2023 s.11)",
        "गोपनीय: व्यक्ति की अपनी प्रति (मानसिक स्वास्थ्य देखभाल अधिनियम 2017 धारा 25; डीपीडीपी अधिनियम 2023 धारा 11)";
    AC_INTRO: "This is everything the centre holds about you in its records as of {date}, printed at your request. \
        Record numbers and dates are as the centre keeps them.",
        "यह {date} तक केंद्र के रिकॉर्ड में आपके बारे में रखी पूरी जानकारी है, जो आपके अनुरोध पर छापी गई है। रिकॉर्ड नंबर \
        और तारीखें वैसी ही हैं जैसी केंद्र रखता है।";
    AC_RECORD: "Record no.", "रिकॉर्ड नं.";
    AC_NONE: "None recorded.", "कुछ दर्ज नहीं है।";
    AC_WITHHELD_PART: "This part is withheld: see the end of this copy.", "यह हिस्सा रोका गया है: इस प्रति का आख़िरी हिस्सा देखें।";
    AC_WITHHELD: "Parts withheld (Mental Healthcare Act 2017, section 25)",
        "रोके गए हिस्से (मानसिक स्वास्थ्य देखभाल अधिनियम 2017, धारा 25)";
    AC_WITHHELD_NONE: "Nothing has been withheld.", "कुछ भी रोका नहीं गया है।";
    AC_WITHHELD_REVIEW: "You may ask the centre to look at this again, or complain to the Mental Health Review Board.",
        "आप केंद्र से इस पर दोबारा विचार करने को कह सकते हैं, या मानसिक स्वास्थ्य समीक्षा बोर्ड में शिकायत कर सकते हैं।";

    PART_REGISTER: "Your details in the register", "रजिस्टर में आपका विवरण";
    PART_STAYS: "Stays at the centre", "केंद्र में भर्ती";
    PART_CONSENTS: "Consents", "सहमतियाँ";
    PART_GROUPS: "Groups and attendance", "ग्रुप और हाज़िरी";
    PART_AFTERCARE: "Aftercare", "आफ़्टरकेयर";
    PART_MENTORSHIP: "Peer mentorship", "साथी मार्गदर्शन";
    PART_NOTES: "Clinical notes", "क्लिनिकल नोट";
    PART_REQUESTS: "Your requests to the centre", "केंद्र से आपके अनुरोध";

    REASON_SERIOUS_HARM: "Reading it now would be likely to cause you serious mental harm.",
        "अभी इसे पढ़ने से आपको गंभीर मानसिक नुकसान होने की संभावना है।";
    REASON_HARM_TO_OTHERS: "Reading it now would be likely to cause harm to other people.",
        "अभी इसे पढ़ने से दूसरे लोगों को नुकसान होने की संभावना है।";
    REASON_THIRD_PARTY: "It is about other people, whose privacy the centre must keep too.",
        "यह दूसरे लोगों के बारे में है, जिनकी गोपनीयता भी केंद्र को रखनी है।";

    F_FULL_NAME: "Full name", "पूरा नाम";
    F_PREFERRED: "Called", "पुकारने का नाम";
    F_GENDER: "Gender", "लिंग";
    F_BIRTH: "Date of birth", "जन्म तिथि";
    F_AGE: "Age", "उम्र";
    F_PHONE: "Phone", "फ़ोन";
    F_FAMILY: "Family contact", "परिवार का संपर्क";
    F_LANGUAGES: "Languages", "भाषाएँ";
    F_SUBSTANCES: "Substances", "नशे के पदार्थ";
    F_PHASE: "Now", "अभी";
    F_REGISTERED: "Registered on", "रजिस्टर में दर्ज";
    F_DAYS_FREE: "Free on", "खाली समय";
    F_LOCALITY: "Area", "इलाका";

    G_FEMALE: "Female", "महिला";
    G_MALE: "Male", "पुरुष";
    G_OTHER: "Other", "अन्य";
    PH_INPATIENT: "Admitted", "भर्ती";
    PH_AFTERCARE: "Aftercare", "आफ़्टरकेयर";
    PH_ALUMNI: "Former patient", "पूर्व मरीज़";
    PH_INACTIVE: "Not active", "सक्रिय नहीं";
    S_ALCOHOL: "Alcohol", "शराब";
    S_OPIOIDS: "Opioids", "अफ़ीम से बने नशे";
    S_CANNABIS: "Cannabis", "भांग/गांजा";
    S_PRESCRIPTION: "Prescription medicines", "डॉक्टरी दवाइयाँ";
    S_TOBACCO: "Tobacco", "तंबाकू";
    S_OTHER: "Other", "अन्य";
    D_COMPLETED: "Completed", "इलाज पूरा";
    D_AGAINST_ADVICE: "Left against advice", "सलाह के ख़िलाफ़ गए";
    D_REFERRED: "Referred", "रेफ़र किया गया";
    STILL_ADMITTED: "Still admitted", "अभी भर्ती";

    C_TREATMENT: "Treatment", "इलाज";
    C_PHONE: "Follow-up calls", "फ़ॉलो-अप कॉल";
    C_FAMILY: "Contact with family", "परिवार से संपर्क";
    C_FULL_NAME: "Full name on printed lists", "छपी सूचियों में पूरा नाम";
    C_SHARING: "Sharing the record", "जानकारी देना";
    C_PHOTOS: "Photographs", "फ़ोटो";
    C_GIVEN: "Agreed", "सहमत";
    C_GIVEN_YES: "Yes", "हाँ";
    C_GIVEN_NO: "No", "नहीं";
    C_REFUSED: "Refused", "असहमत";
    C_SIGNED: "Signed form", "हस्ताक्षर किया पत्र";
    C_SPOKEN: "Said aloud, with a witness", "गवाह के सामने मौखिक";
    C_REGISTER: "From the old register", "पुराने रजिस्टर से";

    COL_DATE: "Date", "तारीख";
    COL_ADMITTED: "Admitted", "भर्ती";
    COL_DISCHARGED: "Discharged", "छुट्टी";
    COL_HOW_ENDED: "How it ended", "कैसे ख़त्म हुआ";
    COL_CONSENT: "Consent to", "किस बात की सहमति";
    COL_ANSWER: "Answer", "जवाब";
    COL_HOW: "How", "कैसे";
    COL_DETAIL: "Detail", "विवरण";
    COL_WITHDRAWN: "Withdrawn", "वापस ली";
    COL_GROUP: "Group", "ग्रुप";
    COL_JOINED: "Joined", "जुड़े";
    COL_LEFT: "Left", "छोड़ा";
    COL_MARKS: "Present / late / absent / excused", "हाज़िर / देर से / ग़ैरहाज़िर / छुट्टी";
    COL_PLAN: "Plan", "योजना";
    COL_STARTED: "Started", "शुरू";
    COL_ENDED: "Ended", "ख़त्म";
    COL_STATUS: "Status", "स्थिति";
    COL_METHOD: "Contact", "संपर्क";
    COL_RESULT: "Result", "नतीजा";
    COL_NOTE: "Note", "नोट";
    COL_ROLE: "You were", "आप थे";
    COL_BY: "Written by", "किसने लिखा";
    COL_REQUEST: "Request", "अनुरोध";
    COL_RECEIVED: "Received", "मिला";

    PLAN_ACTIVE: "Active", "चालू";
    PLAN_PAUSED: "Paused", "रुकी हुई";
    PLAN_CLOSED: "Closed", "बंद";
    M_PHONE: "Phone", "फ़ोन";
    M_VISIT: "Visit", "मुलाक़ात";
    M_FAMILY: "Through family", "परिवार के ज़रिए";
    M_CAME_IN: "Came to the centre", "केंद्र आए";
    R_REACHED: "Spoke to you", "आपसे बात हुई";
    R_NO_ANSWER: "No answer", "जवाब नहीं मिला";
    R_SWITCHED_OFF: "Phone switched off", "फ़ोन बंद";
    R_WRONG_NUMBER: "Wrong number", "ग़लत नंबर";
    R_REFUSED: "Did not want to talk", "बात नहीं करना चाहा";
    R_FAMILY: "Spoke to family", "परिवार से बात हुई";
    AS_MENTOR: "Mentor", "मार्गदर्शक";
    AS_MENTEE: "Mentee", "जिनका मार्गदर्शन हुआ";

    K_ACCESS: "Copy of your records", "आपकी जानकारी की प्रति";
    K_CORRECTION: "Correction of your records", "आपकी जानकारी में सुधार";
    K_ERASURE: "Erasure of your records", "आपकी जानकारी मिटाना";
    K_GRIEVANCE: "Grievance", "शिकायत";
    ST_OPEN: "Open", "जारी";
    ST_DONE: "Done", "पूरा";
    ST_REFUSED: "Refused", "अस्वीकार";

    RL_TITLE: "Reply to your request", "आपके अनुरोध का जवाब";
    RL_BAND: "CONFIDENTIAL", "गोपनीय";
    RL_TO: "To", "सेवा में";
    RL_REFERENCE: "Our reference", "हमारा संदर्भ";
    RL_RECEIVED: "Request received on", "अनुरोध मिलने की तारीख";
    RL_DATE: "Date of this letter", "इस पत्र की तारीख";
    RL_ABOUT: "About", "विषय";
    RL_OPEN: "We are still working on your request and will reply by {date}.",
        "हम आपके अनुरोध पर काम कर रहे हैं और {date} तक जवाब देंगे।";
    RL_ACCESS_DONE: "A copy of the records the centre holds about you is given with this letter. If any part was \
        withheld, the copy says which and why.",
        "केंद्र के पास रखी आपकी जानकारी की प्रति इस पत्र के साथ दी जा रही है। अगर कोई हिस्सा रोका गया है, तो प्रति में \
        लिखा है कि कौन-सा और क्यों।";
    RL_CORRECTION_DONE: "We have corrected your record ({field}) on {date}. The earlier entry is kept in the \
        record's history, as the law on medical records requires.",
        "हमने {date} को आपका रिकॉर्ड ({field}) सुधार दिया है। पहले की प्रविष्टि रिकॉर्ड के इतिहास में रखी गई है, जैसा \
        मेडिकल रिकॉर्ड का क़ानून कहता है।";
    RL_ERASURE_DONE: "On {date} we erased your personal data from the centre's records: your name, phone numbers, \
        family details, notes and every other text about you. Only record numbers, dates and counts remain, which \
        do not say who you are, so that the centre's past reports stay correct.",
        "{date} को हमने केंद्र के रिकॉर्ड से आपकी व्यक्तिगत जानकारी मिटा दी: आपका नाम, फ़ोन नंबर, परिवार का विवरण, नोट \
        और आपके बारे में लिखी हर बात। सिर्फ़ रिकॉर्ड नंबर, तारीखें और गिनती बची हैं, जिनसे पता नहीं चलता कि आप कौन हैं, \
        ताकि केंद्र की पुरानी रिपोर्टें सही रहें।";
    RL_ERASURE_BACKUPS: "Copies in backups made before that date are not opened or changed; they are deleted as the \
        backups are replaced in turn, all of them within {months} months.",
        "उस तारीख से पहले बने बैकअप में रखी प्रतियाँ खोली या बदली नहीं जातीं; बैकअप बारी-बारी से बदले जाने पर वे मिट जाती \
        हैं, सब {months} महीनों के भीतर।";
    RL_ERASURE_RETENTION: "We cannot erase your records yet. Clinical records must be kept for {years} years after \
        treatment (Indian Medical Council Regulations 2002, 1.3.1; DPDP Act 2023, section 8(7)). Your records must be \
        kept until {date}; you may ask again after that date.",
        "हम अभी आपका रिकॉर्ड नहीं मिटा सकते। इलाज के बाद क्लिनिकल रिकॉर्ड {years} साल तक रखना ज़रूरी है (भारतीय \
        चिकित्सा परिषद विनियम 2002, 1.3.1; डीपीडीपी अधिनियम 2023, धारा 8(7))। आपका रिकॉर्ड {date} तक रखा जाएगा; उस \
        तारीख के बाद आप फिर से अनुरोध कर सकते हैं।";
    RL_ERASURE_ADMITTED: "We cannot erase your records while you are admitted at the centre: they are needed for \
        your treatment.",
        "आप केंद्र में भर्ती हैं, इसलिए हम अभी आपका रिकॉर्ड नहीं मिटा सकते: आपके इलाज के लिए इसकी ज़रूरत है।";
    RL_ERASURE_IN_CARE: "We cannot erase your records while you are still in the centre's aftercare, a group or a \
        mentor pair. Tell us if you wish to leave them; then ask again.",
        "आप अभी केंद्र के आफ़्टरकेयर, किसी ग्रुप या मार्गदर्शन की जोड़ी में हैं, इसलिए हम अभी आपका रिकॉर्ड नहीं मिटा सकते। \
        अगर आप इन्हें छोड़ना चाहते हैं तो हमें बताएँ; फिर दोबारा अनुरोध करें।";
    RL_NOT_IDENTIFIED: "We could not confirm that the request came from you. Please come to the centre with proof of \
        who you are, or ask again.",
        "हम पक्का नहीं कर सके कि अनुरोध आपने ही किया है। कृपया अपनी पहचान का सबूत लेकर केंद्र आएँ, या दोबारा अनुरोध करें।";
    RL_GRIEVANCE_DONE: "We have looked into your grievance. What we found and what we have done is below.",
        "हमने आपकी शिकायत की जाँच की है। हमें क्या पता चला और हमने क्या किया, यह नीचे लिखा है।";
    RL_REFUSED_OTHER: "We cannot do what you asked, for the reason below.",
        "नीचे लिखे कारण से हम आपका अनुरोध पूरा नहीं कर सकते।";
    RL_DETAILS: "Details", "विवरण";
    RL_FURTHER: "If you are not satisfied with this answer, you may complain to the Data Protection Board of India \
        (DPDP Act 2023, section 13(3)).",
        "अगर आप इस जवाब से संतुष्ट नहीं हैं, तो आप भारतीय डेटा संरक्षण बोर्ड में शिकायत कर सकते हैं (डीपीडीपी अधिनियम \
        2023, धारा 13(3))।";
    RL_SIGN: "For the centre: signature, name and date", "केंद्र की ओर से: हस्ताक्षर, नाम और तारीख";
    // ---- issue 17: participant notes (in the clinical notes part)
    AC_GROUP_NOTES: "Notes from group sessions", "समूह सत्रों के नोट";
    COL_SESSION: "Session", "सत्र";
    AC_NOTE_DRAFT: "(draft, not signed)", "(मसौदा, हस्ताक्षर नहीं)";
    AC_NOTE_SIGNED: "Signed by {name} on {date}.", "{name} ने {date} को हस्ताक्षर किए।";
    AC_NOTE_ADDENDUM: "Addendum of {date} by {name}:", "{date} का परिशिष्ट, {name} द्वारा:";
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_label_has_english_and_hindi_with_the_same_placeholders() {
        super::super::labels::assert_complete(super::ALL);
    }
}
