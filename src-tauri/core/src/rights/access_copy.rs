//! The access copy (DPDP Act s.11, MHCA s.25): everything Saathi holds about a person, in
//! their language, part by part (register, stays, consents, groups and attendance,
//! aftercare, mentorship, clinical notes, their requests), with the parts an administrator
//! withheld under MHCA s.25(2) named at the end with the reason. Other people are never
//! named in it (a mentor pair says only the person's own role). Printing is audited.
use rusqlite::{Connection, Transaction, params};

use super::{AccessPart, RequestKind, RequestStatus, Withheld, WithholdReason};
use crate::access::Action;
use crate::audit::{self, entity};
use crate::consents::{ConsentHow, ConsentKind};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::patients::{self, DischargeType, Gender, Phase, Substance};
use crate::pdf::case_labels as cl;
use crate::pdf::labels::{self, Label, date};
use crate::pdf::letter::{Block, FlowDoc};
use crate::pdf::rights_labels as l;
use crate::settings::Language;

pub(crate) fn part_label(p: AccessPart) -> Label {
    match p {
        AccessPart::Register => l::PART_REGISTER,
        AccessPart::Stays => l::PART_STAYS,
        AccessPart::Consents => l::PART_CONSENTS,
        AccessPart::Groups => l::PART_GROUPS,
        AccessPart::Aftercare => l::PART_AFTERCARE,
        AccessPart::Mentorship => l::PART_MENTORSHIP,
        AccessPart::Notes => l::PART_NOTES,
        AccessPart::Requests => l::PART_REQUESTS,
    }
}

fn reason_label(r: WithholdReason) -> Label {
    match r {
        WithholdReason::SeriousHarm => l::REASON_SERIOUS_HARM,
        WithholdReason::HarmToOthers => l::REASON_HARM_TO_OTHERS,
        WithholdReason::ThirdParty => l::REASON_THIRD_PARTY,
    }
}

fn gender(g: Gender) -> Label {
    match g {
        Gender::Female => l::G_FEMALE,
        Gender::Male => l::G_MALE,
        Gender::Other => l::G_OTHER,
    }
}

fn phase(p: Phase) -> Label {
    match p {
        Phase::Inpatient => l::PH_INPATIENT,
        Phase::Aftercare => l::PH_AFTERCARE,
        Phase::Alumni => l::PH_ALUMNI,
        Phase::Inactive => l::PH_INACTIVE,
    }
}

fn substance(s: Substance) -> Label {
    match s {
        Substance::Alcohol => l::S_ALCOHOL,
        Substance::Opioids => l::S_OPIOIDS,
        Substance::Cannabis => l::S_CANNABIS,
        Substance::Prescription => l::S_PRESCRIPTION,
        Substance::Tobacco => l::S_TOBACCO,
        Substance::Other => l::S_OTHER,
    }
}

fn discharge(d: DischargeType) -> Label {
    match d {
        DischargeType::Completed => l::D_COMPLETED,
        DischargeType::AgainstAdvice => l::D_AGAINST_ADVICE,
        DischargeType::Referred => l::D_REFERRED,
        DischargeType::Absconded => cl::K_DISCHARGE_ABSCONDED,
        DischargeType::Administrative => cl::K_DISCHARGE_ADMINISTRATIVE,
    }
}

fn consent_kind(k: ConsentKind) -> Label {
    match k {
        ConsentKind::Treatment => l::C_TREATMENT,
        ConsentKind::PhoneFollowup => l::C_PHONE,
        ConsentKind::FamilyContact => l::C_FAMILY,
        ConsentKind::FullNameOnLists => l::C_FULL_NAME,
        ConsentKind::Sharing => l::C_SHARING,
        ConsentKind::Photographs => l::C_PHOTOS,
    }
}

fn consent_how(h: ConsentHow) -> Label {
    match h {
        ConsentHow::SignedForm => l::C_SIGNED,
        ConsentHow::VerbalWitnessed => l::C_SPOKEN,
        ConsentHow::Register => l::C_REGISTER,
    }
}

pub(crate) fn kind_label(k: RequestKind) -> Label {
    match k {
        RequestKind::Access => l::K_ACCESS,
        RequestKind::Correction => l::K_CORRECTION,
        RequestKind::Erasure => l::K_ERASURE,
        RequestKind::Grievance => l::K_GRIEVANCE,
    }
}

fn status_label(s: RequestStatus) -> Label {
    match s {
        RequestStatus::Open => l::ST_OPEN,
        RequestStatus::Done => l::ST_DONE,
        RequestStatus::Refused => l::ST_REFUSED,
    }
}

/// A stored code shown in the reader's language (codes not known here as they are).
fn code(lang: Language, value: &str, table: &[(&str, Label)]) -> String {
    table.iter().find(|(c, _)| *c == value).map_or_else(|| value.to_owned(), |(_, label)| label.text(lang).to_owned())
}

const PLAN_STATUS: &[(&str, Label)] =
    &[("active", l::PLAN_ACTIVE), ("paused", l::PLAN_PAUSED), ("closed", l::PLAN_CLOSED)];
const METHODS: &[(&str, Label)] =
    &[("phone", l::M_PHONE), ("visit", l::M_VISIT), ("family", l::M_FAMILY), ("came_in", l::M_CAME_IN)];
const RESULTS: &[(&str, Label)] = &[
    ("reached", l::R_REACHED),
    ("no_answer", l::R_NO_ANSWER),
    ("switched_off", l::R_SWITCHED_OFF),
    ("wrong_number", l::R_WRONG_NUMBER),
    ("refused", l::R_REFUSED),
    ("spoke_to_family", l::R_FAMILY),
];

fn rows(
    conn: &Connection,
    sql: &str,
    id: i64,
    f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<Vec<String>>,
) -> Result<Vec<Vec<String>>> {
    let mut stmt = conn.prepare(sql)?;
    let out = stmt.query_map(params![id], f)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(out)
}

fn table(lang: Language, columns: &[Label], rows: Vec<Vec<String>>) -> Block {
    if rows.is_empty() {
        return Block::Para(l::AC_NONE.text(lang).to_owned());
    }
    Block::Table(columns.iter().map(|c| c.text(lang).to_owned()).collect(), rows)
}

/// The date of a stored time stamp ("2026-11-20T10:00:00Z" → "20-11-2026").
fn day_of(stamp: &str) -> String {
    stamp.get(..10).and_then(|s| s.parse().ok()).map(date).unwrap_or_default()
}

fn d(s: Option<chrono::NaiveDate>) -> String {
    s.map(date).unwrap_or_default()
}

/// The case record's facts, printed after the register's: address, circumstances (codes
/// in the reader's language), substance history and earlier treatment.
fn case_record(conn: &Connection, lang: Language, id: i64) -> Result<Vec<Block>> {
    let r = crate::case_record::get(conn, id)?;
    let t = |label: Label| label.text(lang).to_owned();
    let c = |prefix: &str, code: Option<&str>| cl::coded(lang, prefix, code);
    let yes_no = |v: Option<bool>| v.map(|v| t(if v { l::C_GIVEN_YES } else { l::C_GIVEN_NO })).unwrap_or_default();
    let place = r.district_code.and_then(crate::districts::district).map(|d| match lang {
        Language::Hi if !d.hi.is_empty() => format!("{}, {}", d.hi, d.state_hi),
        _ => format!("{}, {}", d.en, d.state_en),
    });
    let address = [Some(r.address_line.clone()), Some(r.town.clone()), place, Some(r.pin_code.clone())]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let uses: Vec<String> = r
        .substance_history
        .iter()
        .map(|u| {
            let mut parts = vec![t(substance(u.substance))];
            if let Some(a) = u.age_first_use {
                parts.push(format!("{} {a}", t(cl::K_CASE_AGE_FIRST_USE)));
            }
            if let Some(y) = u.years_of_use {
                parts.push(format!("{} {y}", t(cl::K_CASE_YEARS_OF_USE)));
            }
            parts.push(c("route", u.route.map(|x| x.as_str())));
            parts.push(c("frequency", u.frequency.map(|x| x.as_str())));
            parts.retain(|p| !p.is_empty());
            parts.join(" · ")
        })
        .collect();
    let treatments: Vec<String> = r
        .previous_treatments
        .iter()
        .map(|p| p.year.map_or_else(|| p.place.clone(), |y| format!("{} ({y})", p.place)))
        .collect();
    Ok(vec![
        Block::Fact(t(cl::K_CASE_ADDRESS), address),
        Block::Fact(t(cl::K_CASE_REFERRAL_SOURCE), c("referral", r.referral_source.map(|x| x.as_str()))),
        Block::Fact(t(cl::K_CASE_OCCUPATION), c("occupation", r.occupation.map(|x| x.as_str()))),
        Block::Fact(t(cl::K_CASE_EDUCATION), c("education", r.education.map(|x| x.as_str()))),
        Block::Fact(t(cl::K_CASE_MARITAL_STATUS), c("marital", r.marital_status.map(|x| x.as_str()))),
        Block::Fact(t(cl::K_CASE_LIVING_WITH), c("living", r.living_with.map(|x| x.as_str()))),
        Block::Fact(t(cl::K_CASE_INCOME_BAND), c("income", r.income_band.map(|x| x.as_str()))),
        Block::Fact(t(cl::K_CASE_SUBSTANCE_HISTORY), uses.join("; ")),
        Block::Fact(t(cl::K_CASE_INJECTING_LAST_YEAR), yes_no(r.injecting_last_year)),
        Block::Fact(t(cl::K_CASE_PREVIOUS_TREATMENTS), treatments.join("; ")),
        Block::Fact(t(cl::K_CASE_LEGAL_PENDING), yes_no(r.legal_pending)),
    ])
}

/// issue 17: the person's notes from group sessions, with who signed them and their
/// addenda (the group's name and date only: nobody else from the session is named).
fn group_notes(conn: &Connection, lang: Language, id: i64) -> Result<Block> {
    let mut addenda = conn.prepare(
        "SELECT a.written_at, s.full_name, a.body FROM participant_note_addenda a
         LEFT JOIN staff s ON s.id = a.written_by WHERE a.note_id = ?1 ORDER BY a.id",
    )?;
    struct Row {
        note: i64,
        on: Option<chrono::NaiveDate>,
        group: String,
        author: Option<String>,
        body: String,
        signed_at: Option<String>,
        signer: Option<String>,
    }
    let notes: Vec<Row> = conn
        .prepare(
            "SELECT n.id, s.date, g.name, w.full_name, n.body, n.signed_at, sg.full_name
             FROM participant_notes n JOIN group_sessions s ON s.id = n.session_id
             JOIN group_series x ON x.id = s.series_id JOIN therapy_groups g ON g.id = x.group_id
             LEFT JOIN staff w ON w.id = n.written_by LEFT JOIN staff sg ON sg.id = n.signed_by
             WHERE n.patient_id = ?1 ORDER BY s.date, s.start_time, n.id",
        )?
        .query_map([id], |r| {
            Ok(Row {
                note: r.get(0)?,
                on: r.get(1)?,
                group: r.get(2)?,
                author: r.get(3)?,
                body: r.get(4)?,
                signed_at: r.get(5)?,
                signer: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut rows = Vec::new();
    for Row { note, on, group, author, body, signed_at, signer } in notes {
        let mut text = body;
        match signed_at {
            Some(at) => {
                let signer = signer.unwrap_or_default();
                text.push(' ');
                text.push_str(&l::AC_NOTE_SIGNED.fill(lang, &[("name", &signer), ("date", &day_of(&at))]));
            }
            None => {
                text.push(' ');
                text.push_str(l::AC_NOTE_DRAFT.text(lang));
            }
        }
        let extra = addenda
            .query_map([note], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (at, by, body) in extra {
            let by = by.unwrap_or_default();
            text.push(' ');
            text.push_str(&l::AC_NOTE_ADDENDUM.fill(lang, &[("date", &day_of(&at)), ("name", &by)]));
            text.push(' ');
            text.push_str(&body);
        }
        rows.push(vec![d(on), group, author.unwrap_or_default(), text]);
    }
    Ok(table(lang, &[l::COL_SESSION, l::COL_GROUP, l::COL_BY, l::COL_NOTE], rows))
}

/// One part's blocks (without its heading).
fn part(conn: &Connection, ctx: &Ctx, lang: Language, id: i64, p: AccessPart) -> Result<Vec<Block>> {
    let t = |label: Label| label.text(lang).to_owned();
    Ok(match p {
        AccessPart::Register => {
            let pt = patients::get(conn, ctx, id)?;
            let dd = &pt.details;
            let family = [dd.family_name.as_str(), dd.family_relation.as_str(), dd.family_phone.as_str()]
                .into_iter()
                .filter(|s| !s.trim().is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            let mut subs: Vec<String> = dd.substances.iter().map(|s| t(substance(*s))).collect();
            if !dd.substance_other.trim().is_empty() {
                subs.push(dd.substance_other.clone());
            }
            vec![
                Block::Fact(t(l::AC_RECORD), pt.id.to_string()),
                Block::Fact(t(l::F_FULL_NAME), dd.full_name.clone()),
                Block::Fact(t(l::F_PREFERRED), dd.preferred_name.clone()),
                Block::Fact(t(l::F_GENDER), t(gender(dd.gender))),
                Block::Fact(t(l::F_BIRTH), d(dd.birth_date)),
                Block::Fact(t(l::F_AGE), pt.age.map(|a| a.to_string()).unwrap_or_default()),
                Block::Fact(t(l::F_PHONE), dd.phone.clone()),
                Block::Fact(t(l::F_FAMILY), family),
                Block::Fact(t(l::F_LANGUAGES), dd.languages.join(", ")),
                Block::Fact(t(l::F_SUBSTANCES), subs.join(", ")),
                Block::Fact(t(l::F_PHASE), t(phase(pt.phase))),
                Block::Fact(t(l::F_REGISTERED), day_of(&pt.created_at)),
            ]
            .into_iter()
            .chain(case_record(conn, lang, id)?)
            .collect()
        }
        AccessPart::Stays => {
            let pt = patients::get(conn, ctx, id)?;
            let rows = pt
                .stays
                .iter()
                .map(|s| {
                    let a = &s.admission;
                    let mut basis = cl::coded(lang, "admission.basis", Some(a.basis.as_str()));
                    if !a.representative_name.is_empty() {
                        basis = format!("{basis}: {}", a.representative_name);
                    }
                    vec![
                        date(s.admitted_on),
                        basis,
                        s.discharged_on.map_or_else(|| t(l::STILL_ADMITTED), date),
                        s.discharge_type.map(|k| t(discharge(k))).unwrap_or_default(),
                        s.discharge_summary.clone(),
                    ]
                })
                .collect();
            let cols =
                [l::COL_ADMITTED, cl::K_ADMISSION_BASIS, l::COL_DISCHARGED, l::COL_HOW_ENDED, cl::K_DISCHARGE_SUMMARY];
            let mut blocks = vec![table(lang, &cols, rows)];
            // ---- issue 17: the certificates issued to the person
            blocks.extend(crate::certificates::print::access_copy_blocks(conn, lang, id)?);
            blocks
        }
        AccessPart::Consents => {
            let rows = rows(
                conn,
                "SELECT decided_on, kind, given, how, detail, witness, withdrawn_on FROM consents
                 WHERE patient_id = ?1 ORDER BY decided_on, id",
                id,
                |r| {
                    let kind: ConsentKind = r.get(1)?;
                    let given: bool = r.get(2)?;
                    let how: ConsentHow = r.get(3)?;
                    let witness: String = r.get(5)?;
                    let how = if witness.is_empty() {
                        t(consent_how(how))
                    } else {
                        format!("{} ({witness})", t(consent_how(how)))
                    };
                    Ok(vec![
                        d(r.get(0)?),
                        t(consent_kind(kind)),
                        t(if given { l::C_GIVEN } else { l::C_REFUSED }),
                        how,
                        r.get(4)?,
                        d(r.get(6)?),
                    ])
                },
            )?;
            let cols = [l::COL_DATE, l::COL_CONSENT, l::COL_ANSWER, l::COL_HOW, l::COL_DETAIL, l::COL_WITHDRAWN];
            vec![table(lang, &cols, rows)]
        }
        AccessPart::Groups => {
            let rows = rows(
                conn,
                "SELECT g.name, m.joined_on, m.left_on,
                        (SELECT count(*) FILTER (WHERE a.status = 'present') || ' / '
                             || count(*) FILTER (WHERE a.status = 'late') || ' / '
                             || count(*) FILTER (WHERE a.status = 'absent') || ' / '
                             || count(*) FILTER (WHERE a.status = 'excused')
                         FROM group_attendance a JOIN group_sessions s ON s.id = a.session_id
                         WHERE a.patient_id = m.patient_id AND a.group_id = m.group_id
                           AND s.date >= m.joined_on AND (m.left_on IS NULL OR s.date <= m.left_on))
                 FROM group_memberships m JOIN therapy_groups g ON g.id = m.group_id
                 WHERE m.patient_id = ?1 ORDER BY m.joined_on, m.id",
                id,
                |r| Ok(vec![r.get(0)?, d(r.get(1)?), d(r.get(2)?), r.get(3)?]),
            )?;
            vec![table(lang, &[l::COL_GROUP, l::COL_JOINED, l::COL_LEFT, l::COL_MARKS], rows)]
        }
        AccessPart::Aftercare => {
            let plans = rows(
                conn,
                "SELECT template_name, started_on, status, closed_on FROM aftercare_plans
                 WHERE patient_id = ?1 ORDER BY started_on, id",
                id,
                |r| {
                    let status: String = r.get(2)?;
                    Ok(vec![r.get(0)?, d(r.get(1)?), code(lang, &status, PLAN_STATUS), d(r.get(3)?)])
                },
            )?;
            let attempts = rows(
                conn,
                "SELECT on_date, method, result, note FROM aftercare_attempts WHERE patient_id = ?1 ORDER BY on_date, id",
                id,
                |r| {
                    let (method, result): (String, String) = (r.get(1)?, r.get(2)?);
                    Ok(vec![d(r.get(0)?), code(lang, &method, METHODS), code(lang, &result, RESULTS), r.get(3)?])
                },
            )?;
            vec![
                table(lang, &[l::COL_PLAN, l::COL_STARTED, l::COL_STATUS, l::COL_ENDED], plans),
                Block::Gap(4.0),
                table(lang, &[l::COL_DATE, l::COL_METHOD, l::COL_RESULT, l::COL_NOTE], attempts),
            ]
        }
        AccessPart::Mentorship => {
            let pairs = rows(
                conn,
                "SELECT mentor_id = ?1, started_on, ended_on FROM mentor_pairs
                 WHERE mentor_id = ?1 OR mentee_id = ?1 ORDER BY started_on, id",
                id,
                |r| {
                    let mentor: bool = r.get(0)?;
                    Ok(vec![t(if mentor { l::AS_MENTOR } else { l::AS_MENTEE }), d(r.get(1)?), d(r.get(2)?)])
                },
            )?;
            let profile = rows(
                conn,
                "SELECT trim(replace(replace(replace(days, '[', ''), ']', ''), '\"', '') || ' ' || times), locality
                 FROM peer_profiles WHERE patient_id = ?1",
                id,
                |r| Ok(vec![r.get(0)?, r.get(1)?]),
            )?;
            let mut out = Vec::new();
            for p in profile {
                out.push(Block::Fact(t(l::F_DAYS_FREE), p[0].clone()));
                out.push(Block::Fact(t(l::F_LOCALITY), p[1].clone()));
            }
            out.push(table(lang, &[l::COL_ROLE, l::COL_STARTED, l::COL_ENDED], pairs));
            out
        }
        AccessPart::Notes => {
            let rows = rows(
                conn,
                "SELECT n.written_at, s.full_name, n.body FROM patient_notes n LEFT JOIN staff s ON s.id = n.author_id
                 WHERE n.patient_id = ?1 ORDER BY n.written_at, n.id",
                id,
                |r| {
                    let at: String = r.get(0)?;
                    Ok(vec![day_of(&at), r.get::<_, Option<String>>(1)?.unwrap_or_default(), r.get(2)?])
                },
            )?;
            let mut out = vec![table(lang, &[l::COL_DATE, l::COL_BY, l::COL_NOTE], rows)];
            // issue 17: the notes counsellors wrote about the person in group sessions
            // (withheld with this part).
            out.push(Block::Gap(4.0));
            out.push(Block::Para(t(l::AC_GROUP_NOTES)));
            out.push(group_notes(conn, lang, id)?);
            // ---- issue 17: statistics (the person's counselling sessions)
            out.extend(crate::statistics::print::counselling_part(conn, lang, id)?);
            out
        }
        AccessPart::Requests => {
            let rows = rows(
                conn,
                "SELECT received_on, kind, status FROM rights_requests WHERE patient_id = ?1 ORDER BY received_on, id",
                id,
                |r| {
                    let (kind, status): (RequestKind, RequestStatus) = (r.get(1)?, r.get(2)?);
                    Ok(vec![d(r.get(0)?), t(kind_label(kind)), t(status_label(status))])
                },
            )?;
            vec![table(lang, &[l::COL_RECEIVED, l::COL_REQUEST, l::COL_STATUS], rows)]
        }
    })
}

/// Fills the letterhead and footer of a printout of the rights desk.
pub(crate) fn frame(
    conn: &Connection,
    ctx: &Ctx,
    title: String,
    band: String,
    lang: Option<Language>,
) -> Result<FlowDoc> {
    let settings = crate::settings::get(conn)?;
    let printed_by = match ctx.actor.staff_id {
        Some(id) => crate::staff::get(conn, id)?.full_name,
        None => labels::PRINTED_BY_COMMAND_LINE.text(lang.unwrap_or(Language::En)).to_owned(),
    };
    let values = [("date", date(ctx.today)), ("name", printed_by)];
    let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let both = |label: Label, values: &[(&str, &str)]| match lang {
        Some(lang) => label.fill(lang, values),
        None => format!("{} / {}", label.fill(Language::En, values), label.fill(Language::Hi, values)),
    };
    let seal = crate::anchor::head(conn)?.map(|h| h.printed()).unwrap_or_default();
    Ok(FlowDoc {
        centre_name: settings.centre_name,
        centre_address: settings.centre_address,
        centre_phone: settings.centre_phone,
        title,
        band,
        blocks: Vec::new(),
        printed: both(labels::CF_PRINTED, &values),
        page_label: both(labels::PAGE, &[]),
        seal: if seal.is_empty() { seal } else { both(labels::SEAL, &[("seal", seal.as_str())]) },
    })
}

/// The access copy's document.
pub fn doc(conn: &Connection, ctx: &Ctx, patient_id: i64, lang: Language, withheld: &[Withheld]) -> Result<FlowDoc> {
    ctx.require(Action::ManageRights)?;
    patients::get(conn, ctx, patient_id)?;
    let mut doc = frame(conn, ctx, l::AC_TITLE.text(lang).to_owned(), l::AC_BAND.text(lang).to_owned(), Some(lang))?;
    doc.blocks.push(Block::Para(l::AC_INTRO.fill(lang, &[("date", &date(ctx.today))])));
    for &p in AccessPart::ALL {
        doc.blocks.push(Block::Heading(part_label(p).text(lang).to_owned()));
        if withheld.iter().any(|w| w.part == p) {
            doc.blocks.push(Block::Para(l::AC_WITHHELD_PART.text(lang).to_owned()));
        } else {
            doc.blocks.extend(part(conn, ctx, lang, patient_id, p)?);
        }
    }
    doc.blocks.push(Block::Heading(l::AC_WITHHELD.text(lang).to_owned()));
    if withheld.is_empty() {
        doc.blocks.push(Block::Para(l::AC_WITHHELD_NONE.text(lang).to_owned()));
    } else {
        for w in withheld {
            doc.blocks.push(Block::Fact(
                part_label(w.part).text(lang).to_owned(),
                reason_label(w.reason).text(lang).to_owned(),
            ));
        }
        doc.blocks.push(Block::Gap(4.0));
        doc.blocks.push(Block::Para(l::AC_WITHHELD_REVIEW.text(lang).to_owned()));
    }
    Ok(doc)
}

fn audit_detail(lang: Language, withheld: &[Withheld]) -> String {
    let mut detail = super::language_code(lang).to_owned();
    for w in withheld {
        detail.push_str(&format!(" -{}:{}", w.part.as_str(), w.reason.as_str()));
    }
    detail
}

/// The access copy as PDF bytes; the printing is audited (id, language, parts withheld).
pub fn pdf(tx: &Transaction<'_>, ctx: &Ctx, patient_id: i64, lang: Language, withheld: &[Withheld]) -> Result<Vec<u8>> {
    let bytes = crate::pdf::letter::render(&doc(tx, ctx, patient_id, lang, withheld)?)?;
    audit::record(tx, ctx, "access_copy_printed", entity::PATIENT, Some(patient_id), &audit_detail(lang, withheld))?;
    Ok(bytes)
}

/// Answers an access request: records the language and the parts withheld, closes the
/// request as done, and returns the copy.
pub fn answer(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    request_id: i64,
    lang: Language,
    withheld: &[Withheld],
) -> Result<Vec<u8>> {
    ctx.require(Action::ManageRights)?;
    let r = super::open_request(tx, ctx, request_id)?;
    let Some(patient_id) = r.patient_id.filter(|_| r.kind == RequestKind::Access) else {
        return Err(Error::invalid("rights_close_kind", "status", "This request is not an access request."));
    };
    let mut parts: Vec<AccessPart> = withheld.iter().map(|w| w.part).collect();
    parts.sort_unstable();
    parts.dedup();
    if parts.len() != withheld.len() {
        return Err(Error::invalid(
            "rights_withheld_twice",
            "withheld",
            "Each part can be withheld once, with one reason.",
        ));
    }
    let json = serde_json::to_string(withheld).map_err(|e| Error::Pdf(e.to_string()))?;
    tx.execute(
        "UPDATE rights_requests SET copy_language = ?2, withheld = ?3 WHERE id = ?1",
        params![request_id, super::language_code(lang), json],
    )?;
    let bytes = pdf(tx, ctx, patient_id, lang, withheld)?;
    super::close_as(tx, ctx, request_id, RequestStatus::Done, "", None, None)?;
    Ok(bytes)
}
