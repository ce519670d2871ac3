//! Staff members: name, role, active flag. History is kept: staff are deactivated,
//! never deleted.
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ctx::{Ctx, Role};
use crate::error::{Error, Result};
use crate::text;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StaffInput {
    pub full_name: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StaffMember {
    #[ts(type = "number")]
    pub id: i64,
    pub full_name: String,
    pub role: Role,
    pub active: bool,
}

impl rusqlite::ToSql for Role {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl rusqlite::types::FromSql for Role {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let s = v.as_str()?;
        Role::parse(s).ok_or_else(|| {
            rusqlite::types::FromSqlError::Other(format!("unknown role {s:?}").into())
        })
    }
}

fn clean_name(input: &StaffInput) -> Result<String> {
    let name = text::clean(&input.full_name);
    if name.is_empty() {
        return Err(Error::invalid(
            "name_empty",
            "full_name",
            "Please enter the staff member's name.",
        ));
    }
    if text::char_len(&name) > 120 {
        return Err(Error::invalid(
            "name_too_long",
            "full_name",
            "That name is too long (120 letters at most).",
        ));
    }
    Ok(name)
}

pub fn create(tx: &Transaction<'_>, ctx: &Ctx, input: &StaffInput) -> Result<i64> {
    let name = clean_name(input)?;
    tx.execute(
        "INSERT INTO staff (full_name, role, active, created_at, updated_at) VALUES (?1, ?2, 1, ?3, ?3)",
        params![name, input.role, ctx.stamp()],
    )?;
    let id = tx.last_insert_rowid();
    tracing::info!(staff = id, role = input.role.as_str(), "staff member added");
    Ok(id)
}

pub fn update(tx: &Transaction<'_>, ctx: &Ctx, id: i64, input: &StaffInput) -> Result<()> {
    let name = clean_name(input)?;
    let n = tx.execute(
        "UPDATE staff SET full_name = ?2, role = ?3, updated_at = ?4 WHERE id = ?1",
        params![id, name, input.role, ctx.stamp()],
    )?;
    if n == 0 {
        return Err(Error::NotFound {
            what: "That staff member",
        });
    }
    Ok(())
}

pub fn set_active(tx: &Transaction<'_>, ctx: &Ctx, id: i64, active: bool) -> Result<()> {
    let n = tx.execute(
        "UPDATE staff SET active = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, active, ctx.stamp()],
    )?;
    if n == 0 {
        return Err(Error::NotFound {
            what: "That staff member",
        });
    }
    tracing::info!(staff = id, active, "staff member active flag changed");
    Ok(())
}

pub fn get(conn: &Connection, id: i64) -> Result<StaffMember> {
    conn.query_row(
        "SELECT id, full_name, role, active FROM staff WHERE id = ?1",
        [id],
        |r| {
            Ok(StaffMember {
                id: r.get(0)?,
                full_name: r.get(1)?,
                role: r.get(2)?,
                active: r.get(3)?,
            })
        },
    )
    .optional()?
    .ok_or(Error::NotFound {
        what: "That staff member",
    })
}

/// Active staff first, then by name.
pub fn list(conn: &Connection) -> Result<Vec<StaffMember>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, full_name, role, active FROM staff ORDER BY active DESC, full_name, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(StaffMember {
            id: r.get(0)?,
            full_name: r.get(1)?,
            role: r.get(2)?,
            active: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
