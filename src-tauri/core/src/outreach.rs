//! The awareness and outreach log: talks at schools and colleges, village meetings,
//! workplaces, camps, radio or newspaper pieces. Each entry is the date, the kind, the
//! place, its district (the shipped Census list), how many people were reached and a note.
//! No one on the register is named here. Entries are kept (never deleted).
use chrono::NaiveDate;
use rusqlite::{Connection, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::audit;
use crate::ctx::Ctx;
use crate::enums::str_enum;
use crate::error::{Error, Result};

pub const MAX_PLACE: usize = 200;
pub const MAX_NOTE: usize = 2000;
pub const MAX_REACHED: u32 = 1_000_000;

str_enum!(OutreachKind {
    School = "school",
    College = "college",
    Community = "community",
    Workplace = "workplace",
    Camp = "camp",
    Media = "media",
    Other = "other",
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OutreachInput {
    pub on_date: NaiveDate,
    pub kind: OutreachKind,
    pub place: String,
    pub district_code: Option<u16>,
    pub people_reached: u32,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OutreachActivity {
    #[ts(type = "number")]
    pub id: i64,
    pub on_date: NaiveDate,
    pub kind: OutreachKind,
    pub place: String,
    pub district_code: Option<u16>,
    /// The district's names (English, Hindi; Hindi may be empty), for the list.
    pub district_en: String,
    pub district_hi: String,
    pub people_reached: u32,
    pub note: String,
}

/// Entries from `from` to `to` (both included), newest first.
pub fn list(conn: &Connection, ctx: &Ctx, from: NaiveDate, to: NaiveDate) -> Result<Vec<OutreachActivity>> {
    ctx.require(Action::ViewRegister)?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, on_date, kind, place, district_code, people_reached, note FROM outreach_activities
         WHERE on_date BETWEEN ?1 AND ?2 ORDER BY on_date DESC, id DESC",
    )?;
    let rows = stmt
        .query_map(params![from, to], |r| {
            let district_code: Option<u16> = r.get(4)?;
            let d = district_code.and_then(crate::districts::district);
            Ok(OutreachActivity {
                id: r.get(0)?,
                on_date: r.get(1)?,
                kind: r.get(2)?,
                place: r.get(3)?,
                district_code,
                district_en: d.map(|d| d.en.clone()).unwrap_or_default(),
                district_hi: d.map(|d| d.hi.clone()).unwrap_or_default(),
                people_reached: r.get(5)?,
                note: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Logs one activity; returns its id.
pub fn add(tx: &Transaction<'_>, ctx: &Ctx, input: &OutreachInput) -> Result<i64> {
    ctx.require(Action::EditPatient)?;
    if input.on_date > ctx.today {
        return Err(Error::invalid("outreach_in_future", "on_date", "An activity is logged once it has happened."));
    }
    let place = input.place.trim();
    if place.is_empty() {
        return Err(Error::invalid("outreach_place_empty", "place", "Say where it took place."));
    }
    if place.chars().count() > MAX_PLACE || input.note.trim().chars().count() > MAX_NOTE {
        return Err(Error::invalid("outreach_too_long", "note", "The place or the note is too long."));
    }
    if let Some(code) = input.district_code
        && !crate::districts::is_valid(code)
    {
        return Err(Error::invalid("district_unknown", "district_code", "That district is not on the list."));
    }
    if input.people_reached > MAX_REACHED {
        return Err(Error::invalid("outreach_reached", "people_reached", "The number of people reached is too large."));
    }
    tx.execute(
        "INSERT INTO outreach_activities (on_date, kind, place, district_code, people_reached, note, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            input.on_date,
            input.kind,
            place,
            input.district_code,
            input.people_reached,
            input.note.trim(),
            ctx.stamp(),
            ctx.actor.staff_id
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(tx, ctx, "outreach_logged", "outreach", Some(id), "")?;
    Ok(id)
}
