//! Who changed which field of a person's record, when, and what it said before. A record
//! module lists its fields as (name, value as stored) pairs; `record` keeps every pair
//! whose value changed. Values are codes for choices: the window names them.
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use ts_rs::TS;

use crate::access::{self, Action};
use crate::ctx::Ctx;
use crate::districts;
use crate::error::Result;

/// One field as stored: its name and its value as text ("" for nothing).
pub type Field = (&'static str, String);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FieldChange {
    #[ts(type = "number")]
    pub id: i64,
    pub field: String,
    pub old_value: String,
    pub new_value: String,
    pub changed_at: String,
    pub changed_by: Option<String>,
    /// For a value stored as an id or code whose words are data (a district, a state, a
    /// staff member), those words.
    pub old_shown: Option<Shown>,
    pub new_shown: Option<Shown>,
}

/// A value's words in English and Hindi (a staff member's name is the same in both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Shown {
    pub en: String,
    pub hi: String,
}

impl Shown {
    /// A place's names; one with no Hindi name yet is shown in English.
    fn of(en: &str, hi: &str) -> Shown {
        Shown { en: en.to_owned(), hi: if hi.is_empty() { en } else { hi }.to_owned() }
    }
}

fn shown(conn: &Connection, field: &str, value: &str) -> Result<Option<Shown>> {
    let Ok(n) = value.parse::<i64>() else { return Ok(None) };
    Ok(match field {
        "district" => u16::try_from(n).ok().and_then(districts::district).map(|d| Shown::of(&d.en, &d.hi)),
        "state" => districts::states().iter().find(|s| i64::from(s.code) == n).map(|s| Shown::of(&s.en, &s.hi)),
        "capacity_assessed_by" => conn
            .prepare_cached("SELECT full_name FROM staff WHERE id = ?1")?
            .query_row([n], |r| r.get::<_, String>(0))
            .optional()?
            .map(|name| Shown { en: name.clone(), hi: name }),
        _ => None,
    })
}

/// Keeps a row for each field whose value differs between `before` and `after` (the same
/// fields in the same order). Returns how many changed.
pub fn record(tx: &Transaction<'_>, ctx: &Ctx, patient: i64, before: &[Field], after: &[Field]) -> Result<usize> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO field_history (patient_id, field, old_value, new_value, changed_at, changed_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let stamp = ctx.stamp();
    let mut changed = 0;
    for ((name, old), (_, new)) in before.iter().zip(after) {
        if old != new {
            insert.execute(params![patient, name, old, new, stamp, ctx.actor.staff_id])?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// The changes to a person's record, newest first.
pub fn list(conn: &Connection, ctx: &Ctx, patient: i64) -> Result<Vec<FieldChange>> {
    ctx.require(Action::ViewPatient)?;
    let mut stmt = conn.prepare_cached(
        "SELECT h.id, h.field, h.old_value, h.new_value, h.changed_at, s.full_name
         FROM field_history h LEFT JOIN staff s ON s.id = h.changed_by
         WHERE h.patient_id = ?1 ORDER BY h.id DESC",
    )?;
    let rows = stmt.query_map([patient], |r| {
        Ok(FieldChange {
            id: r.get(0)?,
            field: r.get(1)?,
            old_value: r.get(2)?,
            new_value: r.get(3)?,
            changed_at: r.get(4)?,
            changed_by: r.get(5)?,
            old_shown: None,
            new_shown: None,
        })
    })?;
    let clinical = access::allowed(ctx.actor.role, Action::ReadClinicalNotes);
    let mut out = Vec::new();
    for row in rows {
        let mut c = row?;
        if !clinical && CLINICAL.contains(&c.field.as_str()) {
            continue;
        }
        c.old_shown = shown(conn, &c.field, &c.old_value)?;
        c.new_shown = shown(conn, &c.field, &c.new_value)?;
        out.push(c);
    }
    Ok(out)
}

/// Fields only staff who may read clinical notes see, in the history as on the record.
const CLINICAL: &[&str] = &["discharge_summary"];

/// A choice as stored ("" when none was made).
pub fn code<T: Copy>(v: Option<T>, as_str: fn(T) -> &'static str) -> String {
    v.map(as_str).unwrap_or_default().to_owned()
}

/// A yes/no/unknown answer as stored.
pub fn yes_no(v: Option<bool>) -> String {
    match v {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    }
}
