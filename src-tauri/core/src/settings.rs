//! Centre-wide settings, stored as key/value text.
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::ctx::Ctx;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Language {
    #[default]
    En,
    Hi,
}

impl Language {
    fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Hi => "hi",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Settings {
    pub language: Language,
    pub centre_name: String,
    pub centre_address: String,
    pub centre_phone: String,
    pub idle_minutes: u32,
}

const LANGUAGE: &str = "ui.language";
pub(crate) const RECOVERY_HASH: &str = "auth.recovery_hash";
pub(crate) const IDLE_MINUTES: &str = "security.idle_minutes";
pub const DEFAULT_IDLE_MINUTES: u32 = 10;

pub(crate) fn get_raw(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.prepare_cached("SELECT value FROM settings WHERE key = ?1")?.query_row([key], |r| r.get(0)).optional()?)
}

pub(crate) fn set_raw(tx: &Transaction<'_>, key: &str, value: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

pub fn get(conn: &Connection) -> Result<Settings> {
    let language = match get_raw(conn, LANGUAGE)?.as_deref() {
        Some("hi") => Language::Hi,
        _ => Language::En,
    };
    let (centre_name, centre_address, centre_phone) = conn
        .prepare_cached("SELECT name, address, phone FROM centre WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .unwrap_or_default();
    Ok(Settings { language, centre_name, centre_address, centre_phone, idle_minutes: idle_minutes(conn)? })
}

/// The language of a printout: the one asked for, else the centre's (the window's) setting.
pub fn print_language(conn: &Connection, asked: Option<Language>) -> Result<Language> {
    match asked {
        Some(lang) => Ok(lang),
        None => Ok(get(conn)?.language),
    }
}

pub fn set_language(tx: &Transaction<'_>, ctx: &Ctx, language: Language) -> Result<()> {
    ctx.require(Action::ChooseLanguage)?;
    set_raw(tx, LANGUAGE, language.as_str())
}

/// Minutes without input before the screen locks.
pub fn idle_minutes(conn: &Connection) -> Result<u32> {
    Ok(get_raw(conn, IDLE_MINUTES)?.and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_IDLE_MINUTES))
}

/// Names the centre (created on first use).
pub fn set_centre(tx: &Transaction<'_>, ctx: &Ctx, name: &str, address: &str, phone: &str) -> Result<()> {
    ctx.require(Action::ManageSettings)?;
    let name = crate::text::clean(name);
    if name.is_empty() {
        return Err(Error::invalid("centre_name_empty", "centre_name", "Please enter the centre's name."));
    }
    tx.prepare_cached(
        "INSERT INTO centre (id, name, address, phone, created_at) VALUES (1, ?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, address = excluded.address, phone = excluded.phone",
    )?
    .execute(params![name, crate::text::clean(address), phone.trim(), ctx.stamp()])?;
    crate::audit::record(tx, ctx, "settings_changed", crate::audit::entity::SETTINGS, None, "centre details")?;
    Ok(())
}

const DEMO: &str = "demo";

/// Marks a database as the fictional demo centre.
pub fn mark_demo(tx: &Transaction<'_>) -> Result<()> {
    set_raw(tx, DEMO, "1")
}

pub fn is_demo(conn: &Connection) -> Result<bool> {
    Ok(get_raw(conn, DEMO)?.as_deref() == Some("1"))
}

/// What the window needs to know about the running app before anything else.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub demo: bool,
    #[ts(type = "number")]
    pub schema_version: i64,
    /// Set when the database could not be opened; the window then shows only this.
    pub startup_error: Option<crate::error::ErrorPayload>,
    /// The integrity check of a large database is still running beside the first screen:
    /// ask again shortly (until then nothing can be saved).
    pub checking: bool,
}
