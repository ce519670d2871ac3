//! The printed certificate's texts, in English and Hindi.
use crate::pdf::labels::{Label, labels};

labels! {
    ATTENDANCE_TITLE: "Certificate of attendance", "उपस्थिति प्रमाणपत्र";
    TREATMENT_TITLE: "Certificate of treatment", "उपचार प्रमाणपत्र";
    DUPLICATE: "DUPLICATE", "डुप्लिकेट";
    BAND: "CONFIDENTIAL health information", "गोपनीय स्वास्थ्य जानकारी";
    SERIAL: "Certificate no.", "प्रमाणपत्र क्रमांक";
    ISSUED_ON: "Date of issue", "जारी करने की तारीख़";
    NAME: "Name", "नाम";
    RECORD_NO: "Record no.", "रिकॉर्ड क्रमांक";
    PURPOSE: "Issued for", "किस काम के लिए";
    ISSUED_BY: "Issued by", "जारी करने वाले";
    ATTENDANCE_TEXT: "This is to certify that {name} attended {attended} of the {expected} group sessions expected of them as a member of the centre's groups between {from} and {to}.",
        "प्रमाणित किया जाता है कि {name} ने {from} से {to} के बीच केंद्र के समूहों के सदस्य के रूप में अपेक्षित {expected} समूह सत्रों में से {attended} सत्रों में भाग लिया।";
    ATTENDANCE_NONE: "No group sessions were expected of them as a member in this period.",
        "इस अवधि में सदस्य के रूप में उनसे किसी समूह सत्र की अपेक्षा नहीं थी।";
    TREATMENT_TEXT: "This is to certify that {name} was admitted to this centre for treatment on {admitted} and discharged on {discharged}.",
        "प्रमाणित किया जाता है कि {name} इस केंद्र में {admitted} को उपचार के लिए भर्ती हुए और {discharged} को उन्हें छुट्टी दी गई।";
    COMPLETED: "They completed the treatment programme.", "उन्होंने उपचार कार्यक्रम पूरा किया।";
    NOT_COMPLETED: "They did not complete the treatment programme.", "उन्होंने उपचार कार्यक्रम पूरा नहीं किया।";
    SUBSTANCE_SIGNED: "With their written consent (signed form), this certificate names the substance for which treatment was sought: {substance}.",
        "उनकी लिखित सहमति (हस्ताक्षरित फ़ॉर्म) से इस प्रमाणपत्र में वह पदार्थ लिखा गया है जिसके लिए उपचार लिया गया: {substance}।";
    SUBSTANCE_SPOKEN: "With their consent, given aloud before {witness}, this certificate names the substance for which treatment was sought: {substance}.",
        "{witness} के सामने बोलकर दी गई उनकी सहमति से इस प्रमाणपत्र में वह पदार्थ लिखा गया है जिसके लिए उपचार लिया गया: {substance}।";
    NO_DIAGNOSIS: "No diagnosis is given on this certificate.", "इस प्रमाणपत्र में कोई निदान नहीं लिखा गया है।";
    CONFIDENTIAL: "This certificate contains confidential health information about the person named. It is given at their request and may not be shown to anyone else or copied without their consent.",
        "इस प्रमाणपत्र में नामित व्यक्ति की गोपनीय स्वास्थ्य जानकारी है। यह उनके अनुरोध पर दिया गया है और उनकी सहमति के बिना किसी और को दिखाया या इसकी नकल नहीं की जा सकती।";
    DUPLICATE_TEXT: "DUPLICATE of certificate no. {serial} issued on {issued}; the original was printed on {original}. It says exactly what the original said.",
        "{issued} को जारी प्रमाणपत्र क्रमांक {serial} की दूसरी प्रति (डुप्लिकेट); मूल प्रति {original} को छपी थी। इसमें वही लिखा है जो मूल में था।";
    SIGNATURE: "Signature", "हस्ताक्षर";
    SEAL_SPACE: "Seal of the centre", "केंद्र की मुहर";
    DATE: "Date", "तारीख़";
    AC_HEADING: "Certificates issued", "जारी किए गए प्रमाणपत्र";
    AC_KIND: "Certificate", "प्रमाणपत्र";
    AC_WHAT: "What it certifies", "क्या प्रमाणित किया";
    AC_SUBSTANCE: "Substance named (consent)", "लिखा गया पदार्थ (सहमति)";
    AC_PRINTS: "Prints", "छपाई";
    AC_ATTENDANCE: "{attended} of {expected} sessions, {from} to {to}", "{from} से {to}, {expected} में से {attended} सत्र";
    AC_TREATMENT: "Stay {admitted} to {discharged}", "भर्ती {admitted} से {discharged}";
    AC_SIGNED: "signed form", "हस्ताक्षरित फ़ॉर्म";
    AC_SPOKEN: "aloud, witness {witness}", "बोलकर, गवाह {witness}";
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_label_has_english_and_hindi() {
        crate::pdf::labels::assert_complete(super::ALL);
    }
}
