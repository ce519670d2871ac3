//! Reads that show many people's records at once, each leaving one entry in the audit
//! trail (issue 15): a search of the register (how long the query was and how many it
//! found, never the text), the aftercare worklist, the at-risk list, a roster preview, an
//! attendance report and its CSV export. Printing a roster is audited where it is made
//! (`aftercare::roster::roster_pdf`). Each function is the module's own read, then the
//! entry, in the caller's transaction.
use chrono::NaiveDate;
use rusqlite::Transaction;

use crate::aftercare::risk::{self, AtRiskEntry};
use crate::aftercare::roster;
use crate::aftercare::worklist::{self, WorklistRange, WorklistRow};
use crate::audit::record;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::groups::reports::{self, AttendanceReport};
use crate::patients::{self, PatientPage, PatientQuery};
use crate::pdf::RosterDoc;
use crate::settings::Language;

pub fn search_patients(tx: &Transaction<'_>, ctx: &Ctx, q: &PatientQuery) -> Result<PatientPage> {
    let page = patients::search(tx, ctx, q)?;
    let typed = q.text.trim().chars().count();
    let detail = format!("query of {typed} characters, {} found", page.total);
    record(tx, ctx, "patients_searched", "register", None, &detail)?;
    Ok(page)
}

pub fn worklist(tx: &Transaction<'_>, ctx: &Ctx, range: WorklistRange) -> Result<Vec<WorklistRow>> {
    let rows = worklist::worklist(tx, ctx, range)?;
    record(tx, ctx, "worklist_viewed", "worklist", None, &format!("{range:?}, {} rows", rows.len()))?;
    Ok(rows)
}

pub fn at_risk(tx: &Transaction<'_>, ctx: &Ctx) -> Result<Vec<AtRiskEntry>> {
    let rows = risk::at_risk(tx, ctx)?;
    record(tx, ctx, "at_risk_viewed", "worklist", None, &format!("{} people", rows.len()))?;
    Ok(rows)
}

pub fn roster_preview(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    week: NaiveDate,
    privacy: Option<bool>,
    lang: Option<Language>,
) -> Result<RosterDoc> {
    let doc = roster::roster_doc(tx, ctx, week, privacy, lang)?;
    record(tx, ctx, "roster_viewed", "roster", None, &worklist::week_start(week).to_string())?;
    Ok(doc)
}

pub fn attendance_report(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    from: NaiveDate,
    to: NaiveDate,
    group: Option<i64>,
) -> Result<AttendanceReport> {
    let report = reports::report(tx, ctx, from, to, group)?;
    record(tx, ctx, "report_viewed", "report", group, &format!("{from} to {to}"))?;
    Ok(report)
}

pub fn export_attendance_csv(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    from: NaiveDate,
    to: NaiveDate,
    group: Option<i64>,
    path: &std::path::Path,
) -> Result<()> {
    reports::export_csv(tx, ctx, from, to, group, path)?;
    record(tx, ctx, "report_exported", "report", group, &format!("{from} to {to}, CSV"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{Actor, Role};
    use crate::db::Store;

    #[test]
    fn each_bulk_read_leaves_one_entry_with_counts_and_never_the_query() {
        let mut store = Store::open_in_memory().unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        crate::demo::generate(&mut store, today, 3).unwrap();
        let ctx = Ctx::at(Actor { staff_id: Some(1), role: Role::Admin }, today);
        let q = PatientQuery { text: "Singh".into(), limit: 20, ..Default::default() };
        let (page, ..) = store
            .write(|tx| {
                Ok((
                    search_patients(tx, &ctx, &q)?,
                    worklist(tx, &ctx, WorklistRange::Week)?,
                    at_risk(tx, &ctx)?,
                    roster_preview(tx, &ctx, today, None, None)?,
                    attendance_report(tx, &ctx, today - chrono::Days::new(30), today, None)?,
                ))
            })
            .unwrap();
        let entries: Vec<(String, String)> = store
            .conn()
            .prepare("SELECT action, detail FROM audit_log WHERE id > (SELECT max(id) - 5 FROM audit_log) ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let actions: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(
            actions,
            ["patients_searched", "worklist_viewed", "at_risk_viewed", "roster_viewed", "report_viewed"]
        );
        assert_eq!(entries[0].1, format!("query of 5 characters, {} found", page.total));
        assert!(entries.iter().all(|e| !e.1.contains("Singh")), "the query itself is never recorded");
    }
}
