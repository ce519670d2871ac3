//! The statistics as a PDF (English or Hindi, a flowing A4 document) and as CSV (one
//! figure per row: `figure,breakdown,value`, codes only, never a name). Both are built
//! from a computed [`Statistics`]; printing is audited.
use rusqlite::{Connection, Transaction};

use super::{Dimension, Figure, Period, Statistics, UNKNOWN};
use crate::audit;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::pdf::labels::{Label, date};
use crate::pdf::letter::{Block, FlowDoc};
use crate::pdf::stats_labels as l;
use crate::settings::Language;

pub fn figure_label(f: Figure) -> Label {
    match f {
        Figure::AdmissionsNew => l::F_ADMISSIONS_NEW,
        Figure::Readmissions => l::F_READMISSIONS,
        Figure::Discharges => l::F_DISCHARGES,
        Figure::InpatientsStart => l::F_INPATIENTS_START,
        Figure::InpatientsEnd => l::F_INPATIENTS_END,
        Figure::FollowupsDue => l::F_FOLLOWUPS_DUE,
        Figure::FollowupAttempts => l::F_FOLLOWUP_ATTEMPTS,
        Figure::FollowupsReached => l::F_FOLLOWUPS_REACHED,
        Figure::LostToFollowup => l::F_LOST,
        Figure::GroupSessions => l::F_GROUP_SESSIONS,
        Figure::GroupAttendances => l::F_GROUP_ATTENDANCES,
        Figure::CounsellingSessions => l::F_COUNSELLING,
        Figure::OutreachActivities => l::F_OUTREACH,
        Figure::OutreachPeopleReached => l::F_OUTREACH_REACHED,
    }
}

pub fn dimension_label(d: Dimension) -> Label {
    match d {
        Dimension::Type => l::D_TYPE,
        Dimension::Status => l::D_STATUS,
        Dimension::Group => l::D_GROUP,
        Dimension::Attendee => l::D_ATTENDEE,
        Dimension::Kind => l::D_KIND,
        Dimension::Sex => l::D_SEX,
        Dimension::Age => l::D_AGE,
        Dimension::Substance => l::D_SUBSTANCE,
        Dimension::District => l::D_DISTRICT,
    }
}

/// A split's value in words (districts are named by the caller).
pub fn value_label(f: Figure, d: Dimension, code: &str) -> Option<Label> {
    Some(match (d, code) {
        (_, UNKNOWN) => l::ST_UNKNOWN,
        (Dimension::Type, "completed") => l::V_COMPLETED,
        (Dimension::Type, "against_advice") => l::V_AGAINST_ADVICE,
        (Dimension::Type, "referred") => l::V_REFERRED,
        (Dimension::Type, "absconded") => l::V_ABSCONDED,
        (Dimension::Type, "administrative") => l::V_ADMINISTRATIVE,
        (Dimension::Status, "sober") => l::V_SOBER,
        (Dimension::Status, "lapse") => l::V_LAPSE,
        (Dimension::Status, "relapse") => l::V_RELAPSE,
        (Dimension::Group, "sharing_circle") => l::V_SHARING_CIRCLE,
        (Dimension::Group, "group_therapy") => l::V_GROUP_THERAPY,
        (Dimension::Group, "family_support") => l::V_FAMILY_SUPPORT,
        (Dimension::Group, "aftercare") => l::V_AFTERCARE,
        (Dimension::Group, "hosted_meeting") => l::V_HOSTED_MEETING,
        (Dimension::Attendee, "patient") => l::V_PATIENT,
        (Dimension::Attendee, "family") => l::V_FAMILY_MEMBER,
        (Dimension::Attendee, "dropin") => l::V_DROPIN,
        (Dimension::Kind, "individual") => l::V_INDIVIDUAL,
        (Dimension::Kind, "family") if f == Figure::CounsellingSessions => l::V_FAMILY,
        (Dimension::Kind, "school") => l::V_SCHOOL,
        (Dimension::Kind, "college") => l::V_COLLEGE,
        (Dimension::Kind, "community") => l::V_COMMUNITY,
        (Dimension::Kind, "workplace") => l::V_WORKPLACE,
        (Dimension::Kind, "camp") => l::V_CAMP,
        (Dimension::Kind, "media") => l::V_MEDIA,
        (Dimension::Sex, "female") => l::V_FEMALE,
        (Dimension::Sex, "male") => l::V_MALE,
        (Dimension::Sex, "other") => l::V_SEX_OTHER,
        (Dimension::Age, "under_18") => l::V_UNDER_18,
        (Dimension::Age, "18_25") => l::V_18_25,
        (Dimension::Age, "26_35") => l::V_26_35,
        (Dimension::Age, "36_45") => l::V_36_45,
        (Dimension::Age, "46_60") => l::V_46_60,
        (Dimension::Age, "over_60") => l::V_OVER_60,
        (Dimension::Substance, "alcohol") => l::V_ALCOHOL,
        (Dimension::Substance, "opioids") => l::V_OPIOIDS,
        (Dimension::Substance, "cannabis") => l::V_CANNABIS,
        (Dimension::Substance, "prescription") => l::V_PRESCRIPTION,
        (Dimension::Substance, "tobacco") => l::V_TOBACCO,
        (Dimension::Group | Dimension::Kind | Dimension::Substance, "other") => l::V_OTHER,
        _ => return None,
    })
}

/// One figure per row: `figure,breakdown,value` (`total`, then `dimension:code` for each
/// split). Codes and numbers only.
pub fn csv(stats: &Statistics) -> String {
    let mut out = String::from("figure,breakdown,value\n");
    for row in &stats.figures {
        out.push_str(&format!("{},total,{}\n", row.figure.as_str(), row.total));
        for split in &row.splits {
            for c in &split.counts {
                out.push_str(&format!("{},{}:{},{}\n", row.figure.as_str(), split.dimension.as_str(), c.code, c.value));
            }
        }
    }
    out
}

/// The printed document of the figures, in `lang`.
pub fn doc(conn: &Connection, ctx: &Ctx, stats: &Statistics, lang: Language) -> Result<FlowDoc> {
    let t = |label: Label| label.text(lang).to_owned();
    let mut doc = crate::rights::access_copy::frame(
        conn,
        ctx,
        l::ST_TITLE.fill(lang, &[("period", &stats.period)]),
        t(l::ST_BAND),
        Some(lang),
    )?;
    let b = &mut doc.blocks;
    b.push(Block::Para(l::ST_PERIOD.fill(lang, &[("from", &date(stats.from)), ("to", &date(stats.to))])));
    b.push(Block::Para(l::ST_INTRO.fill(lang, &[("date", &date(ctx.today))])));
    b.push(Block::Heading(t(l::ST_SUMMARY)));
    let summary = stats
        .figures
        .iter()
        .map(|r| {
            let mut name = t(figure_label(r.figure));
            if !r.adds_up {
                name.push_str(" *");
            }
            vec![name, r.total.to_string()]
        })
        .collect();
    b.push(Block::Table(vec![t(l::ST_FIGURE), t(l::ST_TOTAL)], summary));
    b.push(Block::Para(format!("* {}", t(l::ST_NOT_ADDING))));
    b.push(Block::Para(l::ST_LOST_NOTE.fill(lang, &[("days", &stats.lost_after_days.to_string())])));
    for row in &stats.figures {
        b.push(Block::Heading(format!("{}: {}", t(figure_label(row.figure)), row.total)));
        let rows = row
            .splits
            .iter()
            .map(|split| {
                let parts: Vec<String> = split
                    .counts
                    .iter()
                    .filter(|c| c.value != 0)
                    .map(|c| {
                        let name = match value_label(row.figure, split.dimension, &c.code) {
                            Some(label) => t(label),
                            None if lang == Language::Hi && !c.name_hi.is_empty() => c.name_hi.clone(),
                            None if !c.name_en.is_empty() => c.name_en.clone(),
                            None => c.code.clone(),
                        };
                        format!("{name}: {}", c.value)
                    })
                    .collect();
                let text = if parts.is_empty() { "–".to_owned() } else { parts.join(" · ") };
                vec![t(dimension_label(split.dimension)), text]
            })
            .collect::<Vec<_>>();
        if !rows.is_empty() {
            b.push(Block::Table(vec![String::new(), t(l::ST_VALUE)], rows));
        }
    }
    Ok(doc)
}

/// Computes the period's figures and prints them in `lang`, else in the centre's
/// language; the printing is audited.
pub fn pdf(tx: &Transaction<'_>, ctx: &Ctx, period: &Period, lang: Option<Language>) -> Result<(Statistics, Vec<u8>)> {
    let lang = crate::settings::print_language(tx, lang)?;
    let stats = super::compute(tx, ctx, period)?;
    let bytes = crate::pdf::letter::render(&doc(tx, ctx, &stats, lang)?)?;
    let detail = format!("{} {}", stats.period, if lang == Language::Hi { "hi" } else { "en" });
    audit::record(tx, ctx, "statistics_printed", "statistics", None, &detail)?;
    Ok((stats, bytes))
}

/// The access copy's part on a person's counselling sessions (a heading and a table).
pub(crate) fn counselling_part(conn: &Connection, lang: Language, patient_id: i64) -> Result<Vec<Block>> {
    let t = |label: Label| label.text(lang).to_owned();
    let mut stmt = conn.prepare(
        "SELECT c.on_date, c.kind, c.duration_min, s.full_name, c.note
         FROM counselling_sessions c LEFT JOIN staff s ON s.id = c.created_by
         WHERE c.patient_id = ?1 ORDER BY c.on_date, c.id",
    )?;
    let rows = stmt
        .query_map([patient_id], |r| {
            let kind: crate::counselling::CounsellingKind = r.get(1)?;
            let label = if kind == crate::counselling::CounsellingKind::Family { l::V_FAMILY } else { l::V_INDIVIDUAL };
            Ok(vec![
                date(r.get(0)?),
                t(label),
                r.get::<_, Option<u32>>(2)?.map(|m| m.to_string()).unwrap_or_default(),
                r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                r.get(4)?,
            ])
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = vec![Block::Heading(t(l::AC_COUNSELLING))];
    if rows.is_empty() {
        out.push(Block::Para(t(l::AC_NONE)));
    } else {
        let cols = [l::COL_DATE, l::COL_KIND, l::COL_MINUTES, l::COL_BY, l::COL_NOTE];
        out.push(Block::Table(cols.iter().map(|c| t(*c)).collect(), rows));
    }
    Ok(out)
}

/// Computes the period's figures as CSV; the export is audited.
pub fn csv_export(tx: &Transaction<'_>, ctx: &Ctx, period: &Period) -> Result<String> {
    let stats = super::compute(tx, ctx, period)?;
    audit::record(tx, ctx, "statistics_exported", "statistics", None, &stats.period)?;
    Ok(csv(&stats))
}
