//! The case record's printed texts (the access copy), in English and Hindi: the same
//! words as the window's catalogue, under the codes the database stores.
use super::labels::Label;
use crate::settings::Language;

macro_rules! labels {
    ($($name:ident: $key:literal, $en:literal, $hi:literal;)*) => {
        $(pub const $name: Label = Label { key: stringify!($name), en: $en, hi: $hi };)*
        /// Every label, for the completeness test.
        pub const ALL: &[Label] = &[$($name),*];
        /// Each label under its catalogue key ("referral.family", "case.town" …).
        const KEYED: &[(&str, Label)] = &[$(($key, $name)),*];
    };
}

labels! {
    K_DISCHARGE_ABSCONDED: "discharge.absconded", "Left without notice (absconded)", "बिना बताए चले गए (फ़रार)";
    K_DISCHARGE_ADMINISTRATIVE: "discharge.administrative", "Administrative discharge", "प्रशासनिक छुट्टी";
    K_DISCHARGE_SUMMARY: "discharge.summary", "Discharge summary", "छुट्टी का सारांश";
    K_CASE_TITLE: "case.title", "Case record", "केस रिकॉर्ड";
    K_CASE_ADDRESS: "case.address", "Address", "पता";
    K_CASE_DISTRICT: "case.district", "District", "ज़िला";
    K_CASE_STATE: "case.state", "State", "राज्य";
    K_CASE_PIN_CODE: "case.pin_code", "PIN code", "पिन कोड";
    K_CASE_REFERRAL_SOURCE: "case.referral_source", "Referred by", "किसने भेजा";
    K_CASE_OCCUPATION: "case.occupation", "Occupation", "काम-धंधा";
    K_CASE_EDUCATION: "case.education", "Education", "शिक्षा";
    K_CASE_MARITAL_STATUS: "case.marital_status", "Marital status", "वैवाहिक स्थिति";
    K_CASE_LIVING_WITH: "case.living_with", "Lives with", "किसके साथ रहते हैं";
    K_CASE_INCOME_BAND: "case.income_band", "Monthly family income", "परिवार की मासिक आय";
    K_CASE_INJECTING_LAST_YEAR: "case.injecting_last_year", "Injected drugs in the last year", "पिछले एक साल में इंजेक्शन से नशा किया";
    K_CASE_LEGAL_PENDING: "case.legal_pending", "Legal matters pending", "कोई कानूनी मामला चल रहा है";
    K_CASE_SUBSTANCE_HISTORY: "case.substance_history", "Substance history", "नशे का इतिहास";
    K_CASE_SUBSTANCE: "case.substance", "Substance", "नशा";
    K_CASE_AGE_FIRST_USE: "case.age_first_use", "Age at first use", "पहली बार किस उम्र में";
    K_CASE_YEARS_OF_USE: "case.years_of_use", "Years of use", "कितने साल से";
    K_CASE_ROUTE: "case.route", "How taken", "कैसे लेते थे";
    K_CASE_FREQUENCY: "case.frequency", "How often", "कितनी बार";
    K_CASE_PREVIOUS_TREATMENTS: "case.previous_treatments", "Earlier treatment", "पहले का इलाज";
    K_CASE_PLACE: "case.place", "Where", "कहाँ";
    K_CASE_YEAR: "case.year", "Year", "साल";
    K_REFERRAL_SELF_REFERRED: "referral.self_referred", "Came by themselves", "खुद आए";
    K_REFERRAL_FAMILY: "referral.family", "Family", "परिवार";
    K_REFERRAL_HOSPITAL: "referral.hospital", "Hospital or doctor", "अस्पताल या डॉक्टर";
    K_REFERRAL_COURT_POLICE: "referral.court_police", "Court or police", "अदालत या पुलिस";
    K_REFERRAL_OTHER_CENTRE: "referral.other_centre", "Another centre", "दूसरा केंद्र";
    K_REFERRAL_OUTREACH_CAMP: "referral.outreach_camp", "Outreach camp", "जागरूकता शिविर";
    K_REFERRAL_FORMER_PATIENT: "referral.former_patient", "A former patient", "पुराने मरीज़";
    K_REFERRAL_OTHER: "referral.other", "Other", "अन्य";
    K_OCCUPATION_UNEMPLOYED: "occupation.unemployed", "Unemployed", "बेरोज़गार";
    K_OCCUPATION_STUDENT: "occupation.student", "Student", "विद्यार्थी";
    K_OCCUPATION_FARMER: "occupation.farmer", "Farmer", "किसान";
    K_OCCUPATION_DAILY_WAGE: "occupation.daily_wage", "Daily-wage labour", "दिहाड़ी मज़दूर";
    K_OCCUPATION_DRIVER: "occupation.driver", "Driver", "ड्राइवर";
    K_OCCUPATION_SKILLED_WORKER: "occupation.skilled_worker", "Skilled worker (mechanic, carpenter …)", "कारीगर (मिस्त्री, बढ़ई …)";
    K_OCCUPATION_BUSINESS: "occupation.business", "Own business or shop", "अपना काम या दुकान";
    K_OCCUPATION_SALARIED: "occupation.salaried", "Salaried job", "नौकरी";
    K_OCCUPATION_HOMEMAKER: "occupation.homemaker", "Homemaker", "गृहिणी / घर का काम";
    K_OCCUPATION_RETIRED: "occupation.retired", "Retired", "सेवानिवृत्त";
    K_OCCUPATION_OTHER: "occupation.other", "Other", "अन्य";
    K_EDUCATION_NONE: "education.none", "No schooling", "कोई पढ़ाई नहीं";
    K_EDUCATION_PRIMARY: "education.primary", "Primary (up to class 5)", "प्राथमिक (5वीं तक)";
    K_EDUCATION_MIDDLE: "education.middle", "Middle (class 6–8)", "मिडिल (6वीं–8वीं)";
    K_EDUCATION_SECONDARY: "education.secondary", "Secondary (class 9–10)", "दसवीं तक";
    K_EDUCATION_HIGHER_SECONDARY: "education.higher_secondary", "Higher secondary (class 11–12)", "बारहवीं तक";
    K_EDUCATION_GRADUATE: "education.graduate", "Graduate", "स्नातक";
    K_EDUCATION_POSTGRADUATE: "education.postgraduate", "Postgraduate", "स्नातकोत्तर";
    K_MARITAL_NEVER_MARRIED: "marital.never_married", "Never married", "अविवाहित";
    K_MARITAL_MARRIED: "marital.married", "Married", "विवाहित";
    K_MARITAL_SEPARATED: "marital.separated", "Separated", "अलग रहते हैं";
    K_MARITAL_DIVORCED: "marital.divorced", "Divorced", "तलाक़शुदा";
    K_MARITAL_WIDOWED: "marital.widowed", "Widowed", "विधुर / विधवा";
    K_LIVING_FAMILY: "living.family", "Family (joint)", "परिवार (संयुक्त)";
    K_LIVING_SPOUSE: "living.spouse", "Spouse and children", "पति/पत्नी और बच्चे";
    K_LIVING_PARENTS: "living.parents", "Parents", "माता-पिता";
    K_LIVING_ALONE: "living.alone", "Alone", "अकेले";
    K_LIVING_FRIENDS: "living.friends", "Friends", "दोस्तों के साथ";
    K_LIVING_HOMELESS: "living.homeless", "No fixed home", "कोई स्थायी घर नहीं";
    K_LIVING_OTHER: "living.other", "Other", "अन्य";
    K_INCOME_UNDER5K: "income.under5k", "Under ₹5,000", "₹5,000 से कम";
    K_INCOME_UPTO10K: "income.upto10k", "₹5,000–10,000", "₹5,000–10,000";
    K_INCOME_UPTO25K: "income.upto25k", "₹10,000–25,000", "₹10,000–25,000";
    K_INCOME_UPTO50K: "income.upto50k", "₹25,000–50,000", "₹25,000–50,000";
    K_INCOME_OVER50K: "income.over50k", "Over ₹50,000", "₹50,000 से ज़्यादा";
    K_ROUTE_ORAL: "route.oral", "By mouth", "मुँह से";
    K_ROUTE_SMOKING: "route.smoking", "Smoking or chasing", "धुआँ (सिगरेट/चेज़िंग)";
    K_ROUTE_SNIFFING: "route.sniffing", "Sniffing", "सूँघकर";
    K_ROUTE_INJECTING: "route.injecting", "Injecting", "इंजेक्शन";
    K_FREQUENCY_DAILY: "frequency.daily", "Daily", "रोज़";
    K_FREQUENCY_WEEKLY: "frequency.weekly", "Weekly", "हफ़्ते में";
    K_FREQUENCY_OCCASIONAL: "frequency.occasional", "Now and then", "कभी-कभी";
    K_ADMISSION_BASIS: "admission.basis", "Admission", "भर्ती का प्रकार";
    K_ADMISSION_BASIS_INDEPENDENT: "admission.basis.independent", "Independent admission (s.86)", "स्वतंत्र भर्ती (धारा 86)";
    K_ADMISSION_BASIS_SUPPORTED: "admission.basis.supported", "Supported admission (s.89)", "सहायता से भर्ती (धारा 89)";
    K_ADMISSION_BASIS_MINOR: "admission.basis.minor", "Minor, with guardian (s.87)", "नाबालिग, अभिभावक के साथ (धारा 87)";
    K_ADMISSION_REPRESENTATIVE: "admission.representative", "Nominated representative", "नामित प्रतिनिधि";
    K_ADMISSION_GUARDIAN: "admission.guardian", "Guardian", "अभिभावक";
    K_ADMISSION_ASSESSED_BY: "admission.assessed_by", "Capacity assessed by", "क्षमता का आकलन किसने किया";
    K_ADMISSION_REVIEW_DUE: "admission.review_due", "Review due on", "समीक्षा की तारीख़";
}

/// A stored code in the reader's language: `prefix` is the catalogue's ("referral",
/// "income" …); an unknown code is printed as it is, nothing as "".
pub fn coded(lang: Language, prefix: &str, code: Option<&str>) -> String {
    let Some(code) = code else { return String::new() };
    let key = format!("{prefix}.{code}");
    KEYED.iter().find(|(k, _)| *k == key).map_or_else(|| code.to_owned(), |(_, l)| l.text(lang).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_has_english_and_hindi() {
        for l in ALL {
            assert!(!l.en.trim().is_empty() && !l.hi.trim().is_empty(), "{}", l.key);
        }
        assert_eq!(coded(Language::Hi, "referral", Some("court_police")), "अदालत या पुलिस");
        assert_eq!(coded(Language::En, "income", Some("upto25k")), "₹10,000–25,000");
    }
}
