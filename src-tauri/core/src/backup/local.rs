//! The local safety net: at most one copy of the database a day in the data folder
//! (`snapshots/saathi-YYYYMMDD.db`), 7 daily and 4 weekly kept, for when the database
//! itself is damaged and no stick is at hand. Each is encrypted with the live database's
//! key (plain only while the live database is), so they are as private as it is.
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rusqlite::Connection;

use crate::ctx::Ctx;
use crate::error::Result;
use crate::keyslots::DbKey;

pub const LOCAL_DIR: &str = "snapshots";

fn parse(name: &str) -> Option<NaiveDate> {
    let d = name.strip_prefix("saathi-")?.strip_suffix(".db")?;
    NaiveDate::parse_from_str(d, "%Y%m%d").ok()
}

/// The local snapshots, newest first.
pub fn local_snapshots(data_dir: &Path) -> Vec<(NaiveDate, PathBuf)> {
    let mut out: Vec<(NaiveDate, PathBuf)> = std::fs::read_dir(data_dir.join(LOCAL_DIR))
        .map(|rd| rd.flatten().filter_map(|e| parse(&e.file_name().to_string_lossy()).map(|d| (d, e.path()))).collect())
        .unwrap_or_default();
    out.sort_by_key(|b| std::cmp::Reverse(b.0));
    out
}

/// Takes today's snapshot unless there is one; rotates. Returns the new file, if any.
/// The copy is checked (integrity, counts) before it gets its finished name. `key` is the
/// key `conn`'s database is encrypted with (`Store::key`); the snapshot gets it too.
pub fn local_snapshot_if_due(
    conn: &Connection,
    key: Option<&DbKey>,
    data_dir: &Path,
    ctx: &Ctx,
) -> Result<Option<PathBuf>> {
    let dir = data_dir.join(LOCAL_DIR);
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("saathi-{}.db", ctx.today.format("%Y%m%d")));
    if path.exists() {
        return Ok(None);
    }
    super::ensure_room(&dir, super::database_bytes(conn))?;
    let stamp = ctx.stamp();
    let tmp = dir.join(format!(".check-{}.db", ctx.today.format("%Y%m%d")));
    super::copy_database(
        conn,
        &tmp,
        &[(super::META_MADE_AT, &stamp), (super::META_APP_VERSION, env!("CARGO_PKG_VERSION"))],
        true,
        key,
    )?;
    if let Err(e) = super::check_copy_quick(&tmp, key) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, &path)?;
    super::sync_dir(&dir);
    // 7 newest days, plus the newest of each of the last 4 ISO weeks.
    let all = local_snapshots(data_dir);
    let times: Vec<NaiveDateTime> = all.iter().map(|(d, _)| d.and_hms_opt(0, 0, 0).unwrap_or_default()).collect();
    let weeks: Vec<(i32, u32)> = (0..4)
        .filter_map(|w| ctx.today.checked_sub_days(chrono::Days::new(7 * w)))
        .map(|d| (d.iso_week().year(), d.iso_week().week()))
        .collect();
    let newest = ctx.today.and_hms_opt(0, 0, 0).unwrap_or_default();
    for i in super::rotation_plan(&times, newest, 7, |d| (d.iso_week().year(), d.iso_week().week()), &weeks) {
        let _ = std::fs::remove_file(&all[i].1);
    }
    Ok(Some(path))
}
