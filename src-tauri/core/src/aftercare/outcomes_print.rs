//! The printed aftercare outcomes (issue 17): the period, what the figures mean, a bar
//! chart of everyone's checkpoints, and a table per cohort (everyone, counselling,
//! monitoring only). English or Hindi. Printing is audited.
use chrono::NaiveDate;
use rusqlite::{Connection, Transaction};

use super::outcomes::{self, CohortOutcome, FIGURES, OutcomeCohort, Outcomes};
use crate::audit;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::pdf::chart::BarChart;
use crate::pdf::labels::{Label, date, labels};
use crate::pdf::letter::{Block, FlowDoc};
use crate::settings::Language;

labels! {
    TITLE: "Aftercare outcomes: people discharged {from} to {to}", "आफ़्टरकेयर परिणाम: {from} से {to} तक छुट्टी पाए लोग";
    BAND: "CONFIDENTIAL: figures only, no names", "गोपनीय: सिर्फ़ आँकड़े, कोई नाम नहीं";
    AS_OF: "Figures as of {date}. A checkpoint counts only the people for whom that day has come.",
        "आँकड़े {date} तक के। हर पड़ाव में सिर्फ़ वे लोग गिने गए जिनके लिए वह दिन आ चुका है।";
    MEANING: "Each checkpoint looks at its own window after discharge (days 1-30, 31-90, 91-180, 181-365). Reached: a call or visit reached the person (or their family, with consent) in the window; the status is the last one recorded there. Lost to follow-up: not re-admitted, and not reached in the window nor at any time since. Re-admitted: admitted again by that day. In an aftercare group: a member of one on that day.",
        "हर पड़ाव छुट्टी के बाद की अपनी अवधि देखता है (दिन 1-30, 31-90, 91-180, 181-365)। संपर्क हुआ: उस अवधि में कॉल या मुलाक़ात से व्यक्ति (या सहमति से उनके परिवार) से बात हुई; स्थिति वहाँ दर्ज आख़िरी स्थिति है। फ़ॉलो-अप से छूटे: दोबारा भर्ती नहीं हुए, और न उस अवधि में न उसके बाद कभी संपर्क हुआ। दोबारा भर्ती: उस दिन तक फिर भर्ती हुए। आफ़्टरकेयर समूह में: उस दिन किसी आफ़्टरकेयर समूह के सदस्य।";
    COHORT_ALL: "Everyone discharged", "छुट्टी पाए सभी लोग";
    COHORT_COUNSELLING: "Calls that gave counselling", "जिनकी कॉल में परामर्श दिया गया";
    COHORT_MONITORING: "Monitoring only (no counselling on calls)", "सिर्फ़ निगरानी (कॉल में परामर्श नहीं)";
    DISCHARGED: "Discharged in the period", "इस अवधि में छुट्टी";
    RELAPSE_90: "Relapses within 90 days", "90 दिन के भीतर दोबारा नशा (रिलैप्स)";
    FIGURE: "Figure", "आँकड़ा";
    DAY: "Day {day}", "दिन {day}";
    F_DUE: "Day has come", "दिन आ चुका";
    F_REACHED: "Reached", "संपर्क हुआ";
    F_SOBER: "Sober", "नशामुक्त";
    F_LAPSE: "Lapse", "फिसलन (लैप्स)";
    F_RELAPSE: "Relapse", "दोबारा नशा (रिलैप्स)";
    F_UNKNOWN: "Status unknown", "स्थिति अज्ञात";
    F_NOT_REACHED: "Not reached", "संपर्क नहीं हुआ";
    F_READMITTED: "Re-admitted", "दोबारा भर्ती";
    F_LOST: "Lost to follow-up", "फ़ॉलो-अप से छूटे";
    F_IN_GROUP: "In an aftercare group", "आफ़्टरकेयर समूह में";
    CHART_TITLE: "Everyone discharged: reached, sober, relapse and lost at each checkpoint",
        "छुट्टी पाए सभी लोग: हर पड़ाव पर संपर्क, नशामुक्त, रिलैप्स और छूटे";
    NONE: "Nobody was discharged in this period.", "इस अवधि में किसी को छुट्टी नहीं मिली।";
}

fn figure_label(name: &str) -> Label {
    match name {
        "due" => F_DUE,
        "reached" => F_REACHED,
        "sober" => F_SOBER,
        "lapse" => F_LAPSE,
        "relapse" => F_RELAPSE,
        "unknown" => F_UNKNOWN,
        "not_reached" => F_NOT_REACHED,
        "readmitted" => F_READMITTED,
        "lost" => F_LOST,
        _ => F_IN_GROUP,
    }
}

fn cohort_label(c: OutcomeCohort) -> Label {
    match c {
        OutcomeCohort::All => COHORT_ALL,
        OutcomeCohort::Counselling => COHORT_COUNSELLING,
        OutcomeCohort::Monitoring => COHORT_MONITORING,
    }
}

fn table(lang: Language, c: &CohortOutcome) -> Block {
    let mut columns = vec![FIGURE.text(lang).to_owned()];
    columns.extend(c.checkpoints.iter().map(|p| DAY.fill(lang, &[("day", &p.day.to_string())])));
    let rows = FIGURES
        .iter()
        .map(|f| {
            let mut row = vec![figure_label(f).text(lang).to_owned()];
            row.extend(c.checkpoints.iter().map(|p| if p.due == 0 { "-".to_owned() } else { p.figure(f).to_string() }));
            row
        })
        .collect();
    Block::Table(columns, rows)
}

/// The chart of everyone's checkpoints.
pub fn chart(lang: Language, c: &CohortOutcome) -> BarChart {
    let series = ["reached", "sober", "relapse", "lost"]
        .iter()
        .map(|f| (figure_label(f).text(lang).to_owned(), c.checkpoints.iter().map(|p| p.figure(f)).collect()))
        .collect();
    BarChart {
        title: CHART_TITLE.text(lang).to_owned(),
        categories: c.checkpoints.iter().map(|p| DAY.fill(lang, &[("day", &p.day.to_string())])).collect(),
        series,
    }
}

/// The outcomes' document.
pub fn doc(conn: &Connection, ctx: &Ctx, o: &Outcomes, lang: Language) -> Result<FlowDoc> {
    let title = TITLE.fill(lang, &[("from", &date(o.from)), ("to", &date(o.to))]);
    let mut doc = crate::rights::access_copy::frame(conn, ctx, title, BAND.text(lang).to_owned(), Some(lang))?;
    let b = &mut doc.blocks;
    b.push(Block::Para(AS_OF.fill(lang, &[("date", &date(o.on))])));
    b.push(Block::Para(MEANING.text(lang).to_owned()));
    let Some(all) = o.cohorts.iter().find(|c| c.cohort == OutcomeCohort::All) else { return Ok(doc) };
    if all.discharged == 0 {
        b.push(Block::Para(NONE.text(lang).to_owned()));
        return Ok(doc);
    }
    b.push(Block::Gap(4.0));
    b.push(Block::Chart(chart(lang, all)));
    for c in &o.cohorts {
        b.push(Block::Heading(cohort_label(c.cohort).text(lang).to_owned()));
        b.push(Block::Fact(DISCHARGED.text(lang).to_owned(), c.discharged.to_string()));
        b.push(Block::Fact(RELAPSE_90.text(lang).to_owned(), c.relapse_90.to_string()));
        if c.discharged > 0 {
            b.push(table(lang, c));
        }
    }
    Ok(doc)
}

/// The outcomes of the stays that ended between `from` and `to` as PDF bytes; audited.
/// The PDF in `lang`, else in the centre's language.
pub fn pdf(tx: &Transaction<'_>, ctx: &Ctx, from: NaiveDate, to: NaiveDate, lang: Option<Language>) -> Result<Vec<u8>> {
    let lang = crate::settings::print_language(tx, lang)?;
    let o = outcomes::outcomes(tx, ctx, from, to)?;
    let bytes = crate::pdf::letter::render(&doc(tx, ctx, &o, lang)?)?;
    audit::record(tx, ctx, "outcomes_printed", "report", None, &format!("{from}..{to}"))?;
    Ok(bytes)
}

/// Writes the figures as CSV to `path` (a full file name ending in .csv, chosen by the
/// user); audited.
pub fn export_csv(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    from: NaiveDate,
    to: NaiveDate,
    path: &std::path::Path,
) -> Result<()> {
    let o = outcomes::outcomes(tx, ctx, from, to)?;
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if !is_csv || !path.is_absolute() || path.is_dir() {
        return Err(crate::error::Error::invalid(
            "path_invalid",
            "path",
            "Please choose a full file name ending in .csv to save the report as.",
        ));
    }
    std::fs::write(path, outcomes::to_csv(&o))?;
    audit::record(tx, ctx, "outcomes_exported", "report", None, &format!("{from}..{to}, CSV"))?;
    Ok(())
}

/// The file name of the printed outcomes.
pub fn file_name(from: NaiveDate, to: NaiveDate, csv: bool) -> String {
    format!("aftercare-outcomes-{from}-to-{to}.{}", if csv { "csv" } else { "pdf" })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_label_has_english_and_hindi() {
        crate::pdf::labels::assert_complete(super::ALL);
    }
}
