//! Plan templates: named lists of contact rules relative to the discharge date, and the
//! dates they give.
use chrono::{Days, Months, NaiveDate};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::audit;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Unit {
    Day,
    Week,
    Month,
}

/// Contacts at `from`, `from + every`, … up to `to` (inclusive) days, weeks or months
/// after discharge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ContactRule {
    pub unit: Unit,
    pub every: u32,
    pub from: u32,
    pub to: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PlanTemplate {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub description: String,
    pub rules: Vec<ContactRule>,
    pub is_default: bool,
    pub retired: bool,
    /// How many contacts the template gives (at the planned level).
    pub contacts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TemplateInput {
    pub name: String,
    pub description: String,
    pub rules: Vec<ContactRule>,
    pub is_default: bool,
    pub retired: bool,
}

/// The longest a plan may run: 5 years.
const MAX_DAYS: u32 = 5 * 366;

/// `start` plus `n` units; months keep the day of the month, or the month's last day
/// when it has fewer days (31 January + 1 month = 28 or 29 February).
pub fn add(start: NaiveDate, unit: Unit, n: u32) -> Option<NaiveDate> {
    match unit {
        Unit::Day => start.checked_add_days(Days::new(u64::from(n))),
        Unit::Week => start.checked_add_days(Days::new(u64::from(n) * 7)),
        Unit::Month => start.checked_add_months(Months::new(n)),
    }
}

/// The planned contact dates for a plan started on `start`, sorted, without repeats.
/// `level` −1 keeps every other contact, 1 adds one contact halfway between each pair,
/// 2 adds three (quarters).
pub fn dates(rules: &[ContactRule], start: NaiveDate, level: i32) -> Vec<NaiveDate> {
    let mut out: Vec<NaiveDate> = Vec::new();
    for r in rules {
        if r.every == 0 {
            continue;
        }
        let mut n = r.from;
        while n <= r.to {
            if let Some(d) = add(start, r.unit, n)
                && d > start
            {
                out.push(d);
            }
            n = n.saturating_add(r.every);
            if n == u32::MAX {
                break;
            }
        }
    }
    out.sort();
    out.dedup();
    match level {
        l if l < 0 => out.into_iter().enumerate().filter(|(i, _)| i % 2 == 0).map(|(_, d)| d).collect(),
        0 => out,
        l => {
            let parts: i64 = if l == 1 { 2 } else { 4 };
            let mut dense = Vec::with_capacity(out.len() * parts as usize);
            let mut prev = start;
            for d in out {
                let gap = (d - prev).num_days();
                for k in 1..parts {
                    let step = gap * k / parts;
                    if step > 0 && step < gap {
                        dense.push(prev + chrono::Duration::days(step));
                    }
                }
                dense.push(d);
                prev = d;
            }
            dense.dedup();
            dense
        }
    }
}

pub fn validate_rules(rules: &[ContactRule]) -> Result<()> {
    if rules.is_empty() {
        return Err(Error::invalid("template_no_rules", "rules", "A plan needs at least one contact rule."));
    }
    if rules.len() > 20 {
        return Err(Error::invalid("template_too_many_rules", "rules", "A plan may have at most 20 rules."));
    }
    for r in rules {
        if r.every == 0 {
            return Err(Error::invalid("rule_every_zero", "rules", "\"Every\" must be at least 1."));
        }
        if r.from == 0 || r.to < r.from {
            return Err(Error::invalid(
                "rule_range",
                "rules",
                "Each rule needs a start of at least 1 and an end that is not before the start.",
            ));
        }
        let days = match r.unit {
            Unit::Day => r.to,
            Unit::Week => r.to.saturating_mul(7),
            Unit::Month => r.to.saturating_mul(31),
        };
        if days > MAX_DAYS {
            return Err(Error::invalid("rule_too_long", "rules", "A plan may run for at most 5 years."));
        }
    }
    Ok(())
}

fn parse_rules(json: &str) -> Vec<ContactRule> {
    serde_json::from_str(json).unwrap_or_default()
}

pub(crate) fn rules_json(rules: &[ContactRule]) -> Result<String> {
    serde_json::to_string(rules).map_err(|e| Error::invalid("rules_invalid", "rules", e.to_string()))
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PlanTemplate> {
    let rules = parse_rules(&r.get::<_, String>(3)?);
    let contacts = NaiveDate::from_ymd_opt(2001, 1, 1).map_or(0, |d| dates(&rules, d, 0).len() as u32);
    Ok(PlanTemplate {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        rules,
        is_default: r.get(4)?,
        retired: r.get(5)?,
        contacts,
    })
}

const COLUMNS: &str = "id, name, description, rules, is_default, retired";

pub fn list(conn: &Connection, ctx: &Ctx) -> Result<Vec<PlanTemplate>> {
    ctx.require(Action::RecordFollowUp)?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM aftercare_templates ORDER BY retired, is_default DESC, name"
    ))?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn get(conn: &Connection, id: i64) -> Result<PlanTemplate> {
    conn.query_row(&format!("SELECT {COLUMNS} FROM aftercare_templates WHERE id = ?1"), [id], from_row)
        .optional()?
        .ok_or(Error::NotFound { what: "That plan template" })
}

pub fn default_template(conn: &Connection) -> Result<PlanTemplate> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM aftercare_templates WHERE retired = 0 ORDER BY is_default DESC, id LIMIT 1"),
        [],
        from_row,
    )
    .optional()?
    .ok_or(Error::NotFound { what: "A plan template" })
}

fn check(input: &TemplateInput) -> Result<(String, String)> {
    let name = text::clean(&input.name);
    if name.is_empty() {
        return Err(Error::invalid("template_name_empty", "name", "Please give the plan template a name."));
    }
    if text::char_len(&name) > 80 {
        return Err(Error::invalid("template_name_too_long", "name", "That name is too long (80 letters at most)."));
    }
    if input.is_default && input.retired {
        return Err(Error::invalid("template_default_retired", "retired", "The default template cannot be retired."));
    }
    validate_rules(&input.rules)?;
    Ok((name, text::clean(&input.description)))
}

fn name_taken(e: rusqlite::Error) -> Error {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
        Error::invalid("template_name_taken", "name", "Another plan template already has that name.")
    } else {
        Error::from(e)
    }
}

/// Adds a template. Returns its id.
pub fn create(tx: &Transaction<'_>, ctx: &Ctx, input: &TemplateInput) -> Result<i64> {
    ctx.require(Action::ManageAftercare)?;
    let (name, description) = check(input)?;
    if input.is_default {
        tx.execute("UPDATE aftercare_templates SET is_default = 0 WHERE is_default = 1", [])?;
    }
    tx.execute(
        "INSERT INTO aftercare_templates (name, description, rules, is_default, retired, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            name,
            description,
            rules_json(&input.rules)?,
            input.is_default,
            input.retired,
            ctx.stamp(),
            ctx.actor.staff_id
        ],
    )
    .map_err(name_taken)?;
    let id = tx.last_insert_rowid();
    audit::record(tx, ctx, "aftercare_template_created", audit::entity::SETTINGS, Some(id), "")?;
    Ok(id)
}

/// Changes a template. Plans already started keep their own copy of the rules.
pub fn update(tx: &Transaction<'_>, ctx: &Ctx, id: i64, input: &TemplateInput) -> Result<()> {
    ctx.require(Action::ManageAftercare)?;
    let current = get(tx, id)?;
    let (name, description) = check(input)?;
    if current.is_default && !input.is_default {
        return Err(Error::invalid(
            "template_default_needed",
            "is_default",
            "One template must stay the default. Make another template the default instead.",
        ));
    }
    if input.is_default {
        tx.execute("UPDATE aftercare_templates SET is_default = 0 WHERE is_default = 1 AND id <> ?1", [id])?;
    }
    tx.execute(
        "UPDATE aftercare_templates SET name = ?2, description = ?3, rules = ?4, is_default = ?5, retired = ?6,
            updated_at = ?7, updated_by = ?8 WHERE id = ?1",
        params![
            id,
            name,
            description,
            rules_json(&input.rules)?,
            input.is_default,
            input.retired,
            ctx.stamp(),
            ctx.actor.staff_id
        ],
    )
    .map_err(name_taken)?;
    audit::record(tx, ctx, "aftercare_template_changed", audit::entity::SETTINGS, Some(id), "")?;
    Ok(())
}
