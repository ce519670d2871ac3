//! Staff members: name, role, username, active flag. History is kept: staff are
//! deactivated, never deleted. The last active administrator can be neither deactivated
//! nor demoted.
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::audit::{self, entity};
use crate::auth;
use crate::ctx::{Ctx, Role};
use crate::error::{Error, Result};
use crate::text;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StaffInput {
    pub full_name: String,
    pub role: Role,
    /// Needed to sign in; staff without one (e.g. kept for history) cannot.
    pub username: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StaffMember {
    #[ts(type = "number")]
    pub id: i64,
    pub full_name: String,
    pub role: Role,
    pub active: bool,
    pub username: Option<String>,
    pub can_sign_in: bool,
    pub must_change_password: bool,
}

impl rusqlite::ToSql for Role {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl rusqlite::types::FromSql for Role {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let s = v.as_str()?;
        Role::parse(s).ok_or_else(|| rusqlite::types::FromSqlError::Other(format!("unknown role {s:?}").into()))
    }
}

struct Clean {
    name: String,
    username: Option<String>,
}

fn clean(tx: &Connection, id: Option<i64>, input: &StaffInput) -> Result<Clean> {
    let name = text::clean(&input.full_name);
    if name.is_empty() {
        return Err(Error::invalid("name_empty", "full_name", "Please enter the staff member's name."));
    }
    if text::char_len(&name) > 120 {
        return Err(Error::invalid("name_too_long", "full_name", "That name is too long (120 letters at most)."));
    }
    let username = match input.username.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => Some(auth::check_username(u)?),
        None => None,
    };
    if let Some(u) = &username {
        let taken: Option<i64> =
            tx.query_row("SELECT id FROM staff WHERE username = ?1 COLLATE NOCASE", [u], |r| r.get(0)).optional()?;
        if taken.is_some() && taken != id {
            return Err(Error::invalid(
                "username_taken",
                "username",
                "That username is already used by another staff member.",
            ));
        }
    }
    Ok(Clean { name, username })
}

/// Adds a row without checks of role or audit: for set-up and the demo.
pub(crate) fn insert(tx: &Transaction<'_>, ctx: &Ctx, input: &StaffInput) -> Result<i64> {
    let c = clean(tx, None, input)?;
    tx.execute(
        "INSERT INTO staff (full_name, role, username, active, created_at, updated_at) VALUES (?1, ?2, ?3, 1, ?4, ?4)",
        params![c.name, input.role, c.username, ctx.stamp()],
    )?;
    Ok(tx.last_insert_rowid())
}

/// An administrator adds a staff member, with a temporary password to change at first
/// sign-in when a username is given.
pub fn create(tx: &Transaction<'_>, ctx: &Ctx, input: &StaffInput, temporary_password: Option<&str>) -> Result<i64> {
    ctx.require(Action::ManageStaff)?;
    let id = insert(tx, ctx, input)?;
    audit::record(tx, ctx, "staff_created", entity::STAFF, Some(id), input.role.as_str())?;
    if let Some(p) = temporary_password.filter(|p| !p.is_empty()) {
        auth::reset_password(tx, ctx, id, p)?;
    }
    tracing::info!(staff = id, role = input.role.as_str(), "staff member added");
    Ok(id)
}

fn other_active_admins(tx: &Connection, id: i64) -> Result<i64> {
    Ok(tx.query_row(
        "SELECT count(*) FROM staff WHERE role = 'admin' AND active = 1 AND password_hash IS NOT NULL AND id <> ?1",
        [id],
        |r| r.get(0),
    )?)
}

fn last_admin() -> Error {
    Error::Invalid {
        code: "last_admin",
        field: Some("role"),
        message: "This is the only active administrator who can sign in. Make someone else an administrator first."
            .into(),
    }
}

pub fn update(tx: &Transaction<'_>, ctx: &Ctx, id: i64, input: &StaffInput) -> Result<()> {
    ctx.require(Action::ManageStaff)?;
    let before = get(tx, id)?;
    let c = clean(tx, Some(id), input)?;
    if before.role == Role::Admin && input.role != Role::Admin && before.active && other_active_admins(tx, id)? == 0 {
        return Err(last_admin());
    }
    tx.execute(
        "UPDATE staff SET full_name = ?2, role = ?3, username = ?4, updated_at = ?5 WHERE id = ?1",
        params![id, c.name, input.role, c.username, ctx.stamp()],
    )?;
    if before.role != input.role {
        audit::record(
            tx,
            ctx,
            "role_changed",
            entity::STAFF,
            Some(id),
            &format!("{} -> {}", before.role.as_str(), input.role.as_str()),
        )?;
    }
    if before.full_name != c.name || before.username != c.username {
        audit::record(tx, ctx, "staff_changed", entity::STAFF, Some(id), "")?;
    }
    Ok(())
}

pub fn set_active(tx: &Transaction<'_>, ctx: &Ctx, id: i64, active: bool) -> Result<()> {
    ctx.require(Action::ManageStaff)?;
    let before = get(tx, id)?;
    if !active && before.role == Role::Admin && before.active && other_active_admins(tx, id)? == 0 {
        return Err(last_admin());
    }
    tx.execute("UPDATE staff SET active = ?2, updated_at = ?3 WHERE id = ?1", params![id, active, ctx.stamp()])?;
    audit::record(
        tx,
        ctx,
        if active { "staff_reactivated" } else { "staff_deactivated" },
        entity::STAFF,
        Some(id),
        "",
    )?;
    tracing::info!(staff = id, active, "staff member active flag changed");
    Ok(())
}

const SELECT: &str =
    "SELECT id, full_name, role, active, username, password_hash IS NOT NULL, must_change_password FROM staff";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StaffMember> {
    Ok(StaffMember {
        id: r.get(0)?,
        full_name: r.get(1)?,
        role: r.get(2)?,
        active: r.get(3)?,
        username: r.get(4)?,
        can_sign_in: r.get(5)?,
        must_change_password: r.get(6)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<StaffMember> {
    conn.query_row(&format!("{SELECT} WHERE id = ?1"), [id], from_row)
        .optional()?
        .ok_or(Error::NotFound { what: "That staff member" })
}

/// The id of the staff member with this username (any case).
pub fn id_by_username(conn: &Connection, username: &str) -> Result<i64> {
    conn.query_row("SELECT id FROM staff WHERE username = ?1 COLLATE NOCASE", [username.trim()], |r| r.get(0))
        .optional()?
        .ok_or(Error::NotFound { what: "That staff member" })
}

/// Active staff first, then by name.
pub fn list(conn: &Connection, ctx: &Ctx) -> Result<Vec<StaffMember>> {
    ctx.require(Action::ViewStaff)?;
    let mut stmt = conn.prepare_cached(&format!("{SELECT} ORDER BY active DESC, full_name, id"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
