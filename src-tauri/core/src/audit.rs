//! The audit trail: append-only (the database refuses updates and deletes), one entry per
//! audited action, ids and never contents, each entry chained to the one before so that
//! an edited or removed entry is detected by [`verify`].
//!
//! The chain is keyed: each entry's seal is an HMAC-SHA-256 under a key derived from the
//! database key (which lives only in the key slots, never in the database), so whoever
//! holds a decrypted copy of the file cannot write entries that verify. Entries from
//! before encryption keep their unkeyed SHA-256 seals; once a keyed entry is in the
//! chain, an unkeyed one after it is tampering. The chain's head (entry number and seal)
//! is anchored outside the database (see anchor.rs) so that a chain cut short is found too.
use chrono::{Local, NaiveDate, TimeZone};
use hmac::{KeyInit, Mac};
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::access::Action;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::keyslots::DbKey;

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// A keyed seal starts with this; an unkeyed one is bare SHA-256 hex.
const KEYED: &str = "k1:";
/// The SQL function that seals with this connection's audit key (NULL without one).
const SEAL_FN: &str = "saathi_audit_seal";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Registers on `conn` the function that seals audit entries: an HMAC-SHA-256 under a key
/// derived from the database key, or NULL when the database has none (a store in memory
/// or a plain file: the tests, and a centre before its conversion).
pub(crate) fn register_seal(conn: &Connection, key: Option<&DbKey>) -> rusqlite::Result<()> {
    let key = key.map(|k| k.derive("saathi audit chain v1"));
    conn.create_scalar_function(
        SEAL_FN,
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC | FunctionFlags::SQLITE_DIRECTONLY,
        move |ctx| {
            let Some(key) = key.as_ref() else { return Ok(None) };
            let message = ctx.get_raw(0).as_bytes().map_err(|e| rusqlite::Error::UserFunctionError(e.into()))?;
            let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key.as_ref())
                .map_err(|e| rusqlite::Error::UserFunctionError(e.to_string().into()))?;
            mac.update(message);
            Ok(Some(format!("{KEYED}{}", hex(&mac.finalize().into_bytes()))))
        },
    )?;
    Ok(())
}

/// The keyed seal of `message` on this connection, if it has a key (every connection
/// `db::connect` opens has the sealing function; one opened otherwise is refused).
pub(crate) fn keyed_seal(conn: &Connection, message: &[u8]) -> Result<Option<String>> {
    Ok(conn.prepare_cached(&format!("SELECT {SEAL_FN}(?1)"))?.query_row([message], |r| r.get(0))?)
}

/// What kind of record an entry is about.
pub mod entity {
    pub const PATIENT: &str = "patient";
    pub const STAFF: &str = "staff";
    pub const NOTE: &str = "note";
    pub const SETTINGS: &str = "settings";
    pub const AUDIT: &str = "audit";
    pub const MENTOR_PAIR: &str = "mentor_pair";
    pub const MENTOR_EXCLUSION: &str = "mentor_exclusion";
}

/// Where a carried entry came from: its number and staff member in the database a
/// restore replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Carried {
    pub from: i64,
    pub staff: Option<i64>,
}

/// The bytes an entry's seal covers: the previous seal and every field, separated (a
/// carried entry's origin after them; other entries' bytes are as they always were).
/// An entry's fields, as sealed and stored.
struct Fields<'a> {
    at: &'a str,
    staff_id: Option<i64>,
    action: &'a str,
    entity: &'a str,
    entity_id: Option<i64>,
    detail: &'a str,
    carried: Option<Carried>,
}

fn entry_message(prev: &str, f: &Fields<'_>) -> Vec<u8> {
    let number = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut parts = vec![
        prev.to_owned(),
        f.at.to_owned(),
        number(f.staff_id),
        f.action.to_owned(),
        f.entity.to_owned(),
        number(f.entity_id),
        f.detail.to_owned(),
    ];
    if let Some(c) = f.carried {
        parts.extend(["carried".to_owned(), c.from.to_string(), number(c.staff)]);
    }
    let mut m = Vec::with_capacity(128);
    for part in &parts {
        m.extend_from_slice(part.as_bytes());
        m.push(0x1f);
    }
    m
}

/// The unkeyed seal (entries written before the database was encrypted).
fn unkeyed_seal(message: &[u8]) -> String {
    hex(&Sha256::digest(message))
}

/// Appends one entry, as the acting staff member, at the context's time.
/// `detail` must never hold names, phone numbers or notes.
pub fn record(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    detail: &str,
) -> Result<()> {
    let at = ctx.stamp();
    append(tx, &Fields { at: &at, staff_id: ctx.actor.staff_id, action, entity, entity_id, detail, carried: None })
}

/// One entry of another database's trail, carried over a restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ForeignEntry {
    pub id: i64,
    pub at: String,
    pub staff_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub detail: String,
}

/// Appends `entry` (from the database a restore replaced) as it was, marked as carried:
/// the time, action and subject it had, its number there; its staff member if the
/// restored register has them (the number is kept either way).
pub(crate) fn record_carried(tx: &Transaction<'_>, entry: &ForeignEntry) -> Result<()> {
    let known = match entry.staff_id {
        Some(id) => tx.prepare_cached("SELECT 1 FROM staff WHERE id = ?1")?.exists([id])?,
        None => false,
    };
    let carried = Carried { from: entry.id, staff: entry.staff_id };
    let staff = entry.staff_id.filter(|_| known);
    append(
        tx,
        &Fields {
            at: &entry.at,
            staff_id: staff,
            action: &entry.action,
            entity: &entry.entity,
            entity_id: entry.entity_id,
            detail: &entry.detail,
            carried: Some(carried),
        },
    )
}

fn append(tx: &Transaction<'_>, f: &Fields<'_>) -> Result<()> {
    let prev: String = tx
        .prepare_cached("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| GENESIS.to_owned());
    let message = entry_message(&prev, f);
    let hash = match keyed_seal(tx, &message)? {
        Some(keyed) => keyed,
        None => unkeyed_seal(&message),
    };
    tx.prepare_cached(
        "INSERT INTO audit_log (at, staff_id, action, entity, entity_id, detail, prev_hash, hash, carried_from,
                                carried_staff)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        f.at,
        f.staff_id,
        f.action,
        f.entity,
        f.entity_id,
        f.detail,
        prev,
        hash,
        f.carried.map(|c| c.from),
        f.carried.and_then(|c| c.staff)
    ])?;
    Ok(())
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditQuery {
    #[ts(type = "number | null")]
    pub staff_id: Option<i64>,
    #[ts(type = "number | null")]
    pub patient_id: Option<i64>,
    pub action: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub id: i64,
    pub at: String,
    #[ts(type = "number | null")]
    pub staff_id: Option<i64>,
    pub staff_name: Option<String>,
    pub action: String,
    pub entity: String,
    #[ts(type = "number | null")]
    pub entity_id: Option<i64>,
    pub detail: String,
    /// Carried over a restore: the entry's number in the database the restore replaced.
    #[ts(type = "number | null")]
    pub carried_from: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditPage {
    pub rows: Vec<AuditEntry>,
    pub total: u32,
    pub offset: u32,
    pub limit: u32,
    /// Every action name in the log, for the filter.
    pub actions: Vec<String>,
}

fn local_midnight_utc(d: NaiveDate) -> String {
    let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    let utc = Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| naive.and_utc());
    utc.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A page of the log, newest first. Looking at the log is itself audited.
pub fn query(tx: &Transaction<'_>, ctx: &Ctx, q: &AuditQuery) -> Result<AuditPage> {
    ctx.require(Action::ViewAudit)?;
    let limit = q.limit.clamp(1, 500);
    let mut filters = Vec::new();
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(s) = q.staff_id {
        args.push(s.into());
        filters.push(format!("a.staff_id = ?{}", args.len()));
    }
    if let Some(p) = q.patient_id {
        args.push(p.into());
        filters.push(format!(
            "((a.entity = 'patient' AND a.entity_id = ?{n}) OR (a.entity = 'note' AND a.entity_id IN (SELECT id FROM patient_notes WHERE patient_id = ?{n})))",
            n = args.len()
        ));
    }
    if let Some(a) = q.action.as_deref().filter(|a| !a.is_empty()) {
        args.push(a.to_owned().into());
        filters.push(format!("a.action = ?{}", args.len()));
    }
    if let Some(from) = q.from {
        args.push(local_midnight_utc(from).into());
        filters.push(format!("a.at >= ?{}", args.len()));
    }
    if let Some(to) = q.to.and_then(|d| d.succ_opt()) {
        args.push(local_midnight_utc(to).into());
        filters.push(format!("a.at < ?{}", args.len()));
    }
    let where_sql = if filters.is_empty() { String::new() } else { format!("WHERE {}", filters.join(" AND ")) };
    let total: u32 = tx.query_row(
        &format!("SELECT count(*) FROM audit_log a {where_sql}"),
        rusqlite::params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    let mut stmt = tx.prepare(&format!(
        "SELECT a.id, a.at, a.staff_id, s.full_name, a.action, a.entity, a.entity_id, a.detail, a.carried_from
         FROM audit_log a LEFT JOIN staff s ON s.id = a.staff_id {where_sql}
         ORDER BY a.id DESC LIMIT {limit} OFFSET {}",
        q.offset
    ))?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                staff_id: r.get(2)?,
                staff_name: r.get(3)?,
                action: r.get(4)?,
                entity: r.get(5)?,
                entity_id: r.get(6)?,
                detail: r.get(7)?,
                carried_from: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // From one action name to the next through the index: a log of years holds a few dozen
    // names in close to a million entries. (`SELECT DISTINCT` walks the whole index unless
    // ANALYZE has run, which a centre's database never does.)
    let mut actions_stmt = tx.prepare_cached(
        "WITH RECURSIVE names(action) AS (
             SELECT min(action) FROM audit_log
             UNION ALL SELECT (SELECT min(action) FROM audit_log WHERE action > names.action) FROM names
             WHERE names.action IS NOT NULL)
         SELECT action FROM names WHERE action IS NOT NULL",
    )?;
    let actions = actions_stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    record(tx, ctx, "audit_viewed", entity::AUDIT, None, "")?;
    Ok(AuditPage { rows, total, offset: q.offset, limit, actions })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditCheck {
    pub ok: bool,
    #[ts(type = "number")]
    pub entries: i64,
    /// The first entry that does not fit the chain (edited, or the one after a removal).
    #[ts(type = "number | null")]
    pub first_broken_id: Option<i64>,
    pub message: String,
    /// The chain against its newest anchor outside the database (filled in by the caller
    /// that knows the data folder).
    pub anchor: Option<crate::anchor::AnchorCheck>,
}

/// Re-computes the whole chain.
pub fn verify(conn: &Connection) -> Result<AuditCheck> {
    let mut stmt = conn.prepare(
        "SELECT id, at, staff_id, action, entity, entity_id, detail, prev_hash, hash, carried_from, carried_staff
         FROM audit_log ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_owned();
    let mut expected_id = None::<i64>;
    let mut entries = 0i64;
    let mut keyed = false;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let at: String = r.get(1)?;
        let staff_id: Option<i64> = r.get(2)?;
        let action: String = r.get(3)?;
        let entity: String = r.get(4)?;
        let entity_id: Option<i64> = r.get(5)?;
        let detail: String = r.get(6)?;
        let prev_hash: String = r.get(7)?;
        let hash: String = r.get(8)?;
        let carried_from: Option<i64> = r.get(9)?;
        let carried_staff: Option<i64> = r.get(10)?;
        let carried = carried_from.map(|from| Carried { from, staff: carried_staff });
        entries += 1;
        let gap = expected_id.is_some_and(|e| e != id);
        let fields =
            Fields { at: &at, staff_id, action: &action, entity: &entity, entity_id, detail: &detail, carried };
        let message = entry_message(&prev_hash, &fields);
        let recomputed = if hash.starts_with(KEYED) {
            keyed_seal(conn, &message)?.unwrap_or_default()
        } else {
            unkeyed_seal(&message)
        };
        // After the first keyed entry, an unkeyed one can only have been written by hand.
        let downgraded = keyed && !hash.starts_with(KEYED);
        keyed |= hash.starts_with(KEYED);
        if gap || prev_hash != prev || recomputed != hash || downgraded {
            let why = if gap {
                format!("entries before number {id} are missing")
            } else if prev_hash != prev {
                format!("the entry before number {id} was changed or removed")
            } else {
                format!("entry number {id} was changed")
            };
            return Ok(AuditCheck {
                ok: false,
                entries,
                first_broken_id: Some(id),
                message: format!(
                    "The audit log has been tampered with: {why}. Keep this database as it is and tell the centre's owner."
                ),
                anchor: None,
            });
        }
        prev = hash;
        expected_id = Some(id + 1);
    }
    Ok(AuditCheck {
        ok: true,
        entries,
        first_broken_id: None,
        message: format!("All {entries} entries of the audit log are intact."),
        anchor: None,
    })
}

/// Verifies (admin only) and records that it was done.
pub fn verify_as(tx: &Transaction<'_>, ctx: &Ctx) -> Result<AuditCheck> {
    ctx.require(Action::ViewAudit)?;
    let check = verify(tx)?;
    record(tx, ctx, "audit_verified", entity::AUDIT, None, if check.ok { "intact" } else { "broken" })?;
    Ok(check)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::Actor;
    use crate::db::Store;

    fn keyed_store_with(n: usize) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let key = DbKey::generate().unwrap();
        let mut store = Store::open_with(&dir.path().join("saathi.db"), Some(&key)).unwrap();
        let ctx = Ctx::now(Actor::system());
        for i in 0..n {
            store.write(|tx| record(tx, &ctx, "test", entity::PATIENT, Some(i as i64), "")).unwrap();
        }
        (dir, store)
    }

    /// Rewrites entry `id` with `detail` and a seal made by `seal`, as someone holding a
    /// decrypted copy could (the triggers dropped).
    fn rewrite(store: &Store, id: i64, detail: &str, seal: impl Fn(&[u8]) -> String) {
        let c = store.conn();
        c.execute_batch("DROP TRIGGER IF EXISTS audit_no_update;").unwrap();
        let (prev, at, action, ent, ent_id): (String, String, String, String, Option<i64>) = c
            .query_row("SELECT prev_hash, at, action, entity, entity_id FROM audit_log WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap();
        let fields =
            Fields { at: &at, staff_id: None, action: &action, entity: &ent, entity_id: ent_id, detail, carried: None };
        let new = seal(&entry_message(&prev, &fields));
        c.execute("UPDATE audit_log SET detail = ?2, hash = ?3 WHERE id = ?1", params![id, detail, new]).unwrap();
    }

    #[test]
    fn a_keyed_chain_verifies_and_a_reseal_without_its_key_does_not() {
        let (_dir, store) = keyed_store_with(4);
        let check = verify(store.conn()).unwrap();
        assert!(check.ok && check.entries == 4, "{check:?}");
        // The newest entry rewritten and sealed the old, unkeyed way: a downgrade.
        rewrite(&store, 4, "edited", unkeyed_seal);
        assert_eq!(verify(store.conn()).unwrap().first_broken_id, Some(4));
        // Sealed as a keyed one, but with a key guessed by the editor.
        rewrite(&store, 4, "edited", |m| {
            let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&[9u8; 32]).unwrap();
            mac.update(m);
            format!("{KEYED}{}", hex(&mac.finalize().into_bytes()))
        });
        assert_eq!(verify(store.conn()).unwrap().first_broken_id, Some(4));
    }

    #[test]
    fn entries_from_before_encryption_keep_their_seals_and_the_chain_goes_on_keyed() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("saathi.db");
        let ctx = Ctx::now(Actor::system());
        {
            let mut plain = Store::open(&db).unwrap();
            plain.write(|tx| record(tx, &ctx, "before", "", None, "")).unwrap();
        }
        let key = DbKey::generate().unwrap();
        let encrypted = dir.path().join("encrypted.db");
        crate::encrypt::encrypted_copy(&db, &encrypted, &key).unwrap();
        let mut store = Store::open_with(&encrypted, Some(&key)).unwrap();
        store.write(|tx| record(tx, &ctx, "after", "", None, "")).unwrap();
        let seals: Vec<String> = store
            .conn()
            .prepare("SELECT hash FROM audit_log ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(!seals[0].starts_with(KEYED) && seals[1].starts_with(KEYED), "{seals:?}");
        assert!(verify(store.conn()).unwrap().ok);
    }
}
