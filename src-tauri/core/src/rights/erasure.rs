//! Erasure (DPDP Act s.12(3)): carried out for what no law requires the centre to keep, or
//! refused with the legal reason and the date until which the records must be kept.
//!
//! Carried out, it anonymises: the person's rows stay (ids, dates, codes, counts), so every
//! past report keeps its totals, but every text that says who they are or what they said
//! is blanked, everywhere ([`BLANKS`], the one list of what is blanked). The text does
//! not linger in the file either: the erasure runs with `secure_delete` on (freed space
//! and pages are overwritten with zeros), the search index is merged so that no segment
//! keeps the old trigrams, the planner's samples of the register's indexes are taken
//! again, and after the commit the WAL is checkpointed and truncated ([`scrub_after`]).
//! The audit trail keeps only ids and the event. Backups age out by rotation (the reply
//! letter says when: [`BACKUPS_AGE_OUT_MONTHS`]).
use chrono::{Months, NaiveDate};
use rusqlite::{Connection, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Refusal, RequestKind, RequestStatus};
use crate::access::Action;
use crate::audit;
use crate::ctx::Ctx;
use crate::db::Store;
use crate::error::{Error, Result};

/// Backups on sticks keep the 10 newest and the newest of each of the last 12 months
/// (backup/mod.rs, `rotate`), local snapshots 7 days and 4 weeks (backup/local.rs): a
/// copy made before the erasure is gone from both within 13 months.
pub const BACKUPS_AGE_OUT_MONTHS: u32 = 13;

/// What an erased person's name becomes ("Erased #id" in the register's language-neutral
/// form; the window shows it as it is).
pub fn erased_name(id: i64) -> String {
    format!("Erased #{id}")
}

/// Everything erasure blanks: one statement per table, run in this order. Each may use
/// `:id` (the person), `:name` (what the name becomes) and `:today`. Ids, dates, codes
/// and counts are kept, so past reports keep their totals.
pub const BLANKS: &[(&str, &str)] = &[
    (
        "patients",
        "UPDATE patients SET full_name = :name, preferred_name = '', search_text = lower(:name),
                age_years = CASE WHEN birth_date IS NOT NULL
                                 THEN CAST((julianday(:today) - julianday(birth_date)) / 365.25 AS INTEGER)
                                 ELSE age_years END,
                age_recorded_on = CASE WHEN birth_date IS NOT NULL THEN :today ELSE age_recorded_on END,
                birth_date = NULL, phone = '', phone_digits = '', family_name = '', family_relation = '',
                family_phone = '', family_phone_digits = '', substance_other = '',
                phase = 'inactive', archived_at = coalesce(archived_at, :today)
         WHERE id = :id",
    ),
    ("family_members", "UPDATE family_members SET name = '-', relation = '', phone = '' WHERE patient_id = :id"),
    ("consents", "UPDATE consents SET detail = '', witness = '' WHERE patient_id = :id"),
    ("patient_notes", "UPDATE patient_notes SET body = '-' WHERE patient_id = :id"),
    (
        "group_attendance",
        "UPDATE group_attendance SET reason = '' WHERE reason <> '' AND (patient_id = :id
            OR family_member_id IN (SELECT id FROM family_members WHERE patient_id = :id))",
    ),
    ("aftercare_attempts", "UPDATE aftercare_attempts SET note = '' WHERE patient_id = :id AND note <> ''"),
    (
        "aftercare_plan_events",
        "UPDATE aftercare_plan_events SET detail = ''
         WHERE detail <> '' AND plan_id IN (SELECT id FROM aftercare_plans WHERE patient_id = :id)",
    ),
    ("aftercare_alert_acks", "UPDATE aftercare_alert_acks SET action = '-' WHERE patient_id = :id"),
    ("peer_profiles", "UPDATE peer_profiles SET days = '[]', times = '', locality = '' WHERE patient_id = :id"),
    (
        "mentor_pairs",
        "UPDATE mentor_pairs SET override_reason = '', end_note = CASE WHEN end_note IS NULL THEN NULL ELSE '' END
         WHERE mentor_id = :id OR mentee_id = :id",
    ),
    (
        "mentor_exclusions",
        "UPDATE mentor_exclusions SET note = '',
                lifted_reason = CASE WHEN lifted_reason IS NULL THEN NULL ELSE '' END
         WHERE mentor_id = :id OR mentee_id = :id",
    ),
    ("rights_requests", "UPDATE rights_requests SET requester = '', summary = '', outcome = '' WHERE patient_id = :id"),
    // The case record keeps its codes (district, referral, circumstances, substance
    // history) for the reports' totals; the address and the places of earlier treatment go.
    ("case_records", "UPDATE case_records SET address_line = '', town = '', pin_code = '' WHERE patient_id = :id"),
    ("previous_treatments", "UPDATE previous_treatments SET place = '-' WHERE patient_id = :id"),
    (
        "stays",
        "UPDATE stays SET representative_name = CASE WHEN admission_basis = 'independent' THEN '' ELSE '-' END,
                representative_relation = '', discharge_summary = ''
         WHERE patient_id = :id",
    ),
    // The history of changes holds old names, phones and addresses: it goes whole.
    ("field_history", "DELETE FROM field_history WHERE patient_id = :id"),
    // ---- issue 17: participant notes (the trigger lets an erasure blank a signed note's
    // text and its addenda; who wrote and signed them, and when, stay)
    ("participant_notes", "UPDATE participant_notes SET body = '-' WHERE patient_id = :id AND body <> '-'"),
    (
        "participant_note_addenda",
        "UPDATE participant_note_addenda SET body = '-'
         WHERE body <> '-' AND note_id IN (SELECT id FROM participant_notes WHERE patient_id = :id)",
    ),
    // ---- issue 17: statistics (the session's date and kind stay for the counts)
    ("counselling_sessions", "UPDATE counselling_sessions SET note = '' WHERE patient_id = :id AND note <> ''"),
    // ---- issue 17: certificates keep their serial, dates and counts; the name as printed,
    // the purpose, the substance and the witness go.
    (
        "certificates",
        "UPDATE certificates SET patient_name = :name, purpose = '', substance = '', consent_witness = ''
         WHERE patient_id = :id",
    ),
];

/// What an erasure did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ErasureDone {
    #[ts(type = "number")]
    pub patient_id: i64,
    /// Rows changed, per table (in the order of [`BLANKS`]).
    pub blanked: Vec<(String, u32)>,
}

/// Whether the person's records may be erased today: refused while they are admitted,
/// still in care (an open aftercare plan, group membership or mentor pair), or within
/// the retention period after their last stay ended (with the date it ends).
pub fn check(conn: &Connection, ctx: &Ctx, patient_id: i64) -> Result<Option<(Refusal, Option<NaiveDate>)>> {
    let (open_stay, last_end): (i64, Option<NaiveDate>) = conn.query_row(
        "SELECT count(*) FILTER (WHERE discharged_on IS NULL), max(discharged_on) FROM stays WHERE patient_id = ?1",
        [patient_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if open_stay > 0 {
        return Ok(Some((Refusal::StillAdmitted, None)));
    }
    let years = super::settings(conn)?.retention_years;
    if let Some(end) = last_end {
        let until = end.checked_add_months(Months::new(12 * years)).unwrap_or(NaiveDate::MAX);
        if until > ctx.today {
            return Ok(Some((Refusal::Retention, Some(until))));
        }
    }
    let in_care: i64 = conn.query_row(
        "SELECT (SELECT count(*) FROM aftercare_plans WHERE patient_id = ?1 AND status <> 'closed')
              + (SELECT count(*) FROM group_memberships WHERE patient_id = ?1 AND left_on IS NULL)
              + (SELECT count(*) FROM mentor_pairs WHERE (mentor_id = ?1 OR mentee_id = ?1) AND ended_on IS NULL)",
        [patient_id],
        |r| r.get(0),
    )?;
    if in_care > 0 {
        return Ok(Some((Refusal::StillInCare, None)));
    }
    Ok(None)
}

fn bind_and_run(tx: &Transaction<'_>, sql: &str, id: i64, name: &str, today: NaiveDate) -> Result<usize> {
    let mut stmt = tx.prepare(sql)?;
    for (param, value) in [(":id", rusqlite::types::Value::from(id)), (":name", name.to_owned().into())] {
        if let Some(i) = stmt.parameter_index(param)? {
            stmt.raw_bind_parameter(i, value)?;
        }
    }
    if let Some(i) = stmt.parameter_index(":today")? {
        stmt.raw_bind_parameter(i, today)?;
    }
    Ok(stmt.raw_execute()?)
}

/// Carries out an erasure request, or refuses it (the request is then closed as refused
/// with the reason and, under the retention rule, the date until which the records are
/// kept). Returns what was blanked, or the refusal. Call [`scrub_after`] once committed.
pub fn erase(tx: &Transaction<'_>, ctx: &Ctx, request_id: i64, outcome: &str) -> Result<Result<ErasureDone, Refusal>> {
    ctx.require(Action::ManageRights)?;
    let r = super::open_request(tx, ctx, request_id)?;
    let Some(patient_id) = r.patient_id.filter(|_| r.kind == RequestKind::Erasure) else {
        return Err(Error::invalid("rights_close_kind", "status", "This request is not an erasure."));
    };
    if let Some((refusal, until)) = check(tx, ctx, patient_id)? {
        super::close_as(tx, ctx, request_id, RequestStatus::Refused, outcome, Some(refusal), until)?;
        return Ok(Err(refusal));
    }
    // Overwrite what is freed with zeros, for this transaction (a setting of the
    // connection; put back below).
    let secure: i64 = tx.query_row("PRAGMA secure_delete", [], |row| row.get(0))?;
    tx.execute_batch("PRAGMA secure_delete = ON")?;
    let done = blank(tx, ctx, patient_id);
    tx.execute_batch(&format!("PRAGMA secure_delete = {}", if secure == 1 { "ON" } else { "OFF" }))?;
    let done = done?;
    super::close_as(tx, ctx, request_id, RequestStatus::Done, "", None, None)?;
    audit::record(tx, ctx, "patient_erased", audit::entity::PATIENT, Some(patient_id), &request_id.to_string())?;
    Ok(Ok(done))
}

fn blank(tx: &Transaction<'_>, ctx: &Ctx, patient_id: i64) -> Result<ErasureDone> {
    tx.execute("INSERT INTO erasure_in_progress (patient_id) VALUES (?1)", [patient_id])?;
    let name = erased_name(patient_id);
    let mut blanked = Vec::with_capacity(BLANKS.len());
    for (table, sql) in BLANKS {
        let n = bind_and_run(tx, sql, patient_id, &name, ctx.today)?;
        blanked.push(((*table).to_owned(), u32::try_from(n).unwrap_or(u32::MAX)));
    }
    tx.execute("DELETE FROM erasure_in_progress WHERE patient_id = ?1", [patient_id])?;
    // The trigram index keeps a deleted entry's terms in older segments until they are
    // merged: merge them all now (the old segments' pages are freed, and zeroed).
    tx.execute("INSERT INTO patient_search (patient_search) VALUES ('optimize')", [])?;
    // The planner's samples of the register's indexes (sqlite_stat4) may hold the old
    // name: take them again.
    let stat4: i64 =
        tx.query_row("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat4'", [], |r| r.get(0))?;
    if stat4 > 0 {
        tx.execute_batch("ANALYZE patients")?;
    }
    Ok(ErasureDone { patient_id, blanked })
}

/// After an erasure is committed: moves every page into the database file and empties the
/// WAL, so no earlier version of a page (with the old text) stays in it. Returns whether
/// the checkpoint was complete (another connection reading may hold it back; it then
/// completes at the next checkpoint).
pub fn scrub_after(conn: &Connection) -> Result<bool> {
    let (busy, _, _): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(busy == 0)
}

/// [`erase`] and [`scrub_after`] on a store (the command line, the demo and tests).
pub fn erase_in(store: &mut Store, ctx: &Ctx, request_id: i64) -> Result<Result<ErasureDone, Refusal>> {
    let out = store.write(|tx| erase(tx, ctx, request_id, ""))?;
    if out.is_ok() {
        scrub_after(store.conn())?;
    }
    Ok(out)
}
