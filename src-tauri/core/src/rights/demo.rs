//! The demo centre's rights desk, deterministic (chosen by record number, no randomness):
//! an access request answered in Hindi with nothing withheld, an erasure carried out (of
//! the first person whose last stay ended more than the retention period ago and who is
//! no longer in care), an open grievance, and a breach with both notices sent.
use chrono::{Days, NaiveDate};
use rusqlite::{OptionalExtension, Transaction};

use super::breaches::{self, BreachInput, Notice};
use super::{RequestInput, RequestKind, access_copy, erasure};
use crate::ctx::{Actor, Ctx, Role};
use crate::error::Result;
use crate::settings::Language;

fn at(admin: Option<i64>, today: NaiveDate, days_ago: u64) -> Ctx {
    Ctx::at(Actor { staff_id: admin, role: Role::Admin }, today - Days::new(days_ago))
}

fn first(tx: &Transaction<'_>, sql: &str) -> Result<Option<i64>> {
    Ok(tx.query_row(sql, [], |r| r.get(0)).optional()?)
}

pub fn generate(tx: &Transaction<'_>, today: NaiveDate) -> Result<()> {
    let admin = first(tx, "SELECT id FROM staff WHERE role = 'admin' ORDER BY id LIMIT 1")?;
    let request = |ctx: &Ctx, kind, patient_id, requester: &str, summary: &str| {
        super::open(
            tx,
            ctx,
            &RequestInput {
                kind,
                patient_id,
                requester: requester.to_owned(),
                summary: summary.to_owned(),
                received_on: ctx.today,
            },
        )
    };

    // An access request, answered in Hindi eight days after it came.
    if let Some(p) = first(tx, "SELECT id FROM patients WHERE phase = 'aftercare' ORDER BY id LIMIT 1")? {
        let id = request(
            &at(admin, today, 20),
            RequestKind::Access,
            Some(p),
            "",
            "Asked at a follow-up visit for a copy of everything the centre keeps about him.",
        )?;
        access_copy::answer(tx, &at(admin, today, 12), id, Language::Hi, &[])?;
    }

    // An erasure carried out: the first person it is allowed for (as of 35 days ago).
    let received = at(admin, today, 40);
    let done = at(admin, today, 35);
    let candidates: Vec<i64> = tx
        .prepare(
            "SELECT p.id FROM patients p JOIN stays s ON s.patient_id = p.id WHERE p.phase IN ('alumni', 'inactive')
             GROUP BY p.id HAVING count(*) FILTER (WHERE s.discharged_on IS NULL) = 0 ORDER BY max(s.discharged_on), p.id",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for p in candidates {
        if erasure::check(tx, &done, p)?.is_none() {
            let id = request(
                &received,
                RequestKind::Erasure,
                Some(p),
                "",
                "Wrote asking for all records about him to be deleted.",
            )?;
            if erasure::erase(tx, &done, id, "")?.is_ok() {
                break;
            }
        }
    }

    // An open grievance from a family member, received three days ago.
    let inpatient = first(tx, "SELECT id FROM patients WHERE phase = 'inpatient' ORDER BY id LIMIT 1")?;
    request(
        &at(admin, today, 3),
        RequestKind::Grievance,
        inpatient,
        "",
        "His wife says a staff member discussed his treatment with a neighbour.",
    )?;

    // A breach: a printed call list left on a bus, found 60 days ago; the Board told the
    // next day, the people on the list two days after.
    let on_list: Vec<i64> = tx
        .prepare("SELECT id FROM patients WHERE phase = 'aftercare' AND archived_at IS NULL ORDER BY id LIMIT 3")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let found_on = today - Days::new(60);
    let found_at = found_on.and_hms_opt(9, 30, 0).unwrap_or_default();
    let id = breaches::record(
        tx,
        &at(admin, today, 60),
        &BreachInput {
            what: "A printed aftercare call list (names and phone numbers) was left on a bus by a staff member and not recovered.".into(),
            happened_on: Some(found_on - Days::new(1)),
            found_at,
            whose: "People on that week's call list".into(),
            affected: 14,
            patient_ids: on_list,
        },
    )?;
    breaches::notified(tx, &at(admin, today, 58), id, Notice::Board, found_at + chrono::Duration::hours(26))?;
    breaches::notified(tx, &at(admin, today, 57), id, Notice::People, found_at + chrono::Duration::hours(50))?;
    Ok(())
}
