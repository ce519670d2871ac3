//! The reply letter to a request: to the person, our reference, the dates, what was asked,
//! the outcome (done, refused with the legal reason and, for an erasure, the date until
//! which the records are kept; an erasure done says that backups age out by rotation), the
//! staff member's own words, and where to complain next. In English, in Hindi, or in both
//! (each paragraph in English then Hindi). Printing is audited.
use rusqlite::{Connection, Transaction};

use super::access_copy::{frame, kind_label};
use super::erasure::{self, BACKUPS_AGE_OUT_MONTHS, ErasureDone};
use super::{CorrectedField, Refusal, RequestKind, RequestStatus, RightsRequest};
use crate::access::Action;
use crate::audit;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::pdf::labels::{Label, date, fill_in, short};
use crate::pdf::letter::{Block, FlowDoc};
use crate::pdf::rights_labels as l;
use crate::settings::Language;

fn field_label(f: CorrectedField) -> Label {
    match f {
        CorrectedField::FullName => l::F_FULL_NAME,
        CorrectedField::PreferredName => l::F_PREFERRED,
        CorrectedField::Gender => l::F_GENDER,
        CorrectedField::BirthDate => l::F_BIRTH,
        CorrectedField::Phone => l::F_PHONE,
        CorrectedField::Family => l::F_FAMILY,
        CorrectedField::Languages => l::F_LANGUAGES,
        CorrectedField::Substances => l::F_SUBSTANCES,
        CorrectedField::Stay => l::PART_STAYS,
        CorrectedField::Consent => l::PART_CONSENTS,
        CorrectedField::Other => l::RL_DETAILS,
    }
}

/// The letter's document for `r` as it stands.
pub fn doc(conn: &Connection, ctx: &Ctx, r: &RightsRequest, lang: Option<Language>) -> Result<FlowDoc> {
    ctx.require(Action::ManageRights)?;
    let mut doc = frame(conn, ctx, short(lang, l::RL_TITLE), short(lang, l::RL_BAND), lang)?;
    let to = r.patient_name.clone().unwrap_or_else(|| r.requester.clone());
    let b = &mut doc.blocks;
    b.push(Block::Fact(short(lang, l::RL_TO), to));
    b.push(Block::Fact(short(lang, l::RL_REFERENCE), format!("R-{}", r.id)));
    b.push(Block::Fact(short(lang, l::RL_RECEIVED), date(r.received_on)));
    b.push(Block::Fact(short(lang, l::RL_DATE), date(ctx.today)));
    b.push(Block::Fact(short(lang, l::RL_ABOUT), short(lang, kind_label(r.kind))));
    b.push(Block::Gap(8.0));
    let on = date(r.closed_on.unwrap_or(ctx.today));
    let years = super::settings(conn)?.retention_years.to_string();
    let months = BACKUPS_AGE_OUT_MONTHS.to_string();
    let mut say = |label: Label, values: &[(&str, &str)]| b.push(Block::Para(fill_in(lang, label, values)));
    match (r.status, r.kind, r.refusal) {
        (RequestStatus::Open, ..) => say(l::RL_OPEN, &[("date", &date(r.due_on))]),
        (RequestStatus::Done, RequestKind::Access, _) => say(l::RL_ACCESS_DONE, &[]),
        (RequestStatus::Done, RequestKind::Correction, _) => {
            let field = r.corrected_field.map(|f| short(lang, field_label(f))).unwrap_or_default();
            let when = r.corrected_on.map(date).unwrap_or_else(|| on.clone());
            say(l::RL_CORRECTION_DONE, &[("field", &field), ("date", &when)]);
        }
        (RequestStatus::Done, RequestKind::Erasure, _) => {
            say(l::RL_ERASURE_DONE, &[("date", &on)]);
            say(l::RL_ERASURE_BACKUPS, &[("months", &months)]);
        }
        (RequestStatus::Done, RequestKind::Grievance, _) => say(l::RL_GRIEVANCE_DONE, &[]),
        (RequestStatus::Refused, _, Some(Refusal::Retention)) => {
            let until = r.keep_until.map(date).unwrap_or_default();
            say(l::RL_ERASURE_RETENTION, &[("years", &years), ("date", &until)]);
        }
        (RequestStatus::Refused, _, Some(Refusal::StillAdmitted)) => say(l::RL_ERASURE_ADMITTED, &[]),
        (RequestStatus::Refused, _, Some(Refusal::StillInCare)) => say(l::RL_ERASURE_IN_CARE, &[]),
        (RequestStatus::Refused, _, Some(Refusal::NotIdentified)) => say(l::RL_NOT_IDENTIFIED, &[]),
        (RequestStatus::Refused, ..) => say(l::RL_REFUSED_OTHER, &[]),
    }
    if !r.outcome.trim().is_empty() {
        b.push(Block::Heading(short(lang, l::RL_DETAILS)));
        b.push(Block::Para(r.outcome.clone()));
    }
    b.push(Block::Gap(6.0));
    b.push(Block::Para(fill_in(lang, l::RL_FURTHER, &[])));
    b.push(Block::Gap(40.0));
    b.push(Block::Para(format!("______________________________\n{}", short(lang, l::RL_SIGN))));
    Ok(doc)
}

/// The reply letter to a request as PDF bytes; the printing is audited.
pub fn pdf(tx: &Transaction<'_>, ctx: &Ctx, request_id: i64, lang: Option<Language>) -> Result<Vec<u8>> {
    let r = super::get(tx, ctx, request_id)?;
    let bytes = crate::pdf::letter::render(&doc(tx, ctx, &r, lang)?)?;
    let detail = lang.map_or("en+hi", super::language_code);
    audit::record(tx, ctx, "reply_letter_printed", super::entity::REQUEST, Some(request_id), detail)?;
    Ok(bytes)
}

/// Carries out (or refuses) an erasure request and returns its reply letter. When the
/// erasure is carried out the letter is made first, while the person's name is still
/// there to address it to, and says what was done. Call [`erasure::scrub_after`] once
/// committed.
pub fn erase_with_letter(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    request_id: i64,
    outcome: &str,
    lang: Option<Language>,
) -> Result<(std::result::Result<ErasureDone, Refusal>, Vec<u8>)> {
    ctx.require(Action::ManageRights)?;
    let r = super::open_request(tx, ctx, request_id)?;
    let allowed = match r.patient_id {
        Some(p) if r.kind == RequestKind::Erasure => erasure::check(tx, ctx, p)?.is_none(),
        _ => false,
    };
    if !allowed {
        let out = erasure::erase(tx, ctx, request_id, outcome)?;
        return Ok((out, pdf(tx, ctx, request_id, lang)?));
    }
    let done_today =
        RightsRequest { status: RequestStatus::Done, closed_on: Some(ctx.today), outcome: String::new(), ..r };
    let bytes = crate::pdf::letter::render(&doc(tx, ctx, &done_today, lang)?)?;
    let out = erasure::erase(tx, ctx, request_id, outcome)?;
    audit::record(tx, ctx, "reply_letter_printed", super::entity::REQUEST, Some(request_id), "erasure")?;
    Ok((out, bytes))
}
