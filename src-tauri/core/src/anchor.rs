//! The audit chain's anchors outside the database (issue 15): the chain's head — its
//! newest entry's number and seal — is kept where a rewrite of the database does not
//! reach: in `saathi.anchor` beside the database (sealed with the audit key), in every
//! backup's metadata, and on the footer of every printed page ("audit seal 48213 ·
//! 7F3A-91C2"). A chain that no longer holds the anchored entry (cut short, or an older
//! copy put back) or holds another seal at its number (rewritten) is reported.
use std::io::Write;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::audit::keyed_seal;
use crate::error::{Error, Result};

/// The anchor file's name, beside the database.
pub const ANCHOR_FILE: &str = "saathi.anchor";

/// The newest entry of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Head {
    #[ts(type = "number")]
    pub entry: i64,
    /// The entry's full seal.
    pub seal: String,
}

impl Head {
    /// What a printed page shows: the entry number and the seal's first eight hex digits,
    /// in two groups ("48213 · 7F3A-91C2").
    pub fn printed(&self) -> String {
        let digits: String = self.seal.trim_start_matches("k1:").chars().take(8).collect::<String>().to_uppercase();
        let (a, b) = digits.split_at(digits.len().min(4));
        format!("{} · {a}-{b}", self.entry)
    }
}

/// The chain's head now, if it has any entry.
pub fn head(conn: &Connection) -> Result<Option<Head>> {
    Ok(conn
        .prepare_cached("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok(Head { entry: r.get(0)?, seal: r.get(1)? }))
        .optional()?)
}

#[derive(Debug, Serialize, Deserialize)]
struct AnchorFile {
    entry: i64,
    seal: String,
    /// The audit key's seal over the two, so that an anchor cannot be written by hand.
    mac: String,
}

fn mac(conn: &Connection, head: &Head) -> Result<Option<String>> {
    keyed_seal(conn, format!("anchor\u{1f}{}\u{1f}{}", head.entry, head.seal).as_bytes())
}

/// Writes the chain's head to `dir/saathi.anchor` (replaced atomically, synced). Nothing
/// is written for a database without a key (nothing could seal it) or an empty chain.
pub fn write(conn: &Connection, dir: &Path) -> Result<Option<Head>> {
    let Some(head) = head(conn)? else { return Ok(None) };
    let Some(mac) = mac(conn, &head)? else { return Ok(None) };
    let text = serde_json::to_vec(&AnchorFile { entry: head.entry, seal: head.seal.clone(), mac })
        .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(&text)?;
    tmp.as_file().sync_all()?;
    tmp.persist(dir.join(ANCHOR_FILE)).map_err(|e| Error::Io(e.error))?;
    crate::files::sync_dir(dir);
    Ok(Some(head))
}

/// How the chain stands against an anchor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "state")]
#[ts(export)]
pub enum AnchorCheck {
    /// The chain holds the anchored entry with the same seal (and may have grown since).
    Holds {
        #[ts(type = "number")]
        entry: i64,
    },
    /// No anchor to compare with (a new centre, or one just converted).
    NoAnchor,
    /// The anchor cannot be read, or its seal is not one this centre's key made.
    Unreadable,
    /// The chain does not hold the anchored entry: entries were removed from its end, or
    /// an older copy of the database was put back.
    Shorter {
        #[ts(type = "number")]
        anchored: i64,
        #[ts(type = "number")]
        newest: i64,
    },
    /// The chain holds another seal at the anchored entry: the chain was rewritten.
    Different {
        #[ts(type = "number")]
        entry: i64,
    },
}

impl AnchorCheck {
    pub fn is_warning(&self) -> bool {
        matches!(self, AnchorCheck::Unreadable | AnchorCheck::Shorter { .. } | AnchorCheck::Different { .. })
    }
}

/// The chain in `conn` against an anchor (`entry`, `seal`): the local file's, a backup's
/// or a printed page's.
pub fn compare(conn: &Connection, entry: i64, seal: &str) -> Result<AnchorCheck> {
    let at: Option<String> =
        conn.prepare_cached("SELECT hash FROM audit_log WHERE id = ?1")?.query_row([entry], |r| r.get(0)).optional()?;
    Ok(match at {
        Some(found) if found == seal => AnchorCheck::Holds { entry },
        Some(_) => AnchorCheck::Different { entry },
        None => AnchorCheck::Shorter { anchored: entry, newest: head(conn)?.map_or(0, |h| h.entry) },
    })
}

/// The chain in `conn` against the anchor file of `dir`.
pub fn check(conn: &Connection, dir: &Path) -> Result<AnchorCheck> {
    let text = match std::fs::read(dir.join(ANCHOR_FILE)) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(AnchorCheck::NoAnchor),
        Err(e) => return Err(e.into()),
    };
    let Ok(file) = serde_json::from_slice::<AnchorFile>(&text) else { return Ok(AnchorCheck::Unreadable) };
    let head = Head { entry: file.entry, seal: file.seal };
    if mac(conn, &head)?.as_deref() != Some(file.mac.as_str()) {
        return Ok(AnchorCheck::Unreadable);
    }
    compare(conn, head.entry, &head.seal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{Actor, Ctx};
    use crate::db::Store;
    use crate::keyslots::DbKey;

    fn keyed_store(dir: &Path) -> (Store, DbKey) {
        let key = DbKey::generate().unwrap();
        let store = Store::open_with(&dir.join("saathi.db"), Some(&key)).unwrap();
        (store, key)
    }

    fn add(store: &mut Store, n: usize) {
        let ctx = Ctx::now(Actor::system());
        for _ in 0..n {
            store.write(|tx| crate::audit::record(tx, &ctx, "test", "", None, "")).unwrap();
        }
    }

    #[test]
    fn the_anchor_holds_while_the_chain_grows_and_reports_a_shorter_or_rewritten_one() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = keyed_store(dir.path());
        assert_eq!(check(store.conn(), dir.path()).unwrap(), AnchorCheck::NoAnchor);
        add(&mut store, 5);
        let head = write(store.conn(), dir.path()).unwrap().unwrap();
        assert_eq!(head.entry, 5);
        assert!(head.seal.starts_with("k1:"), "a keyed seal: {}", head.seal);
        add(&mut store, 2);
        assert_eq!(check(store.conn(), dir.path()).unwrap(), AnchorCheck::Holds { entry: 5 });

        // Cut short: the newest entries removed (the triggers dropped, as with the key one could).
        store.conn().execute_batch("DROP TRIGGER audit_no_delete; DELETE FROM audit_log WHERE id >= 4;").unwrap();
        assert_eq!(check(store.conn(), dir.path()).unwrap(), AnchorCheck::Shorter { anchored: 5, newest: 3 });
        assert!(check(store.conn(), dir.path()).unwrap().is_warning());
        // Rewritten: other entries at the same numbers (the numbering set back too).
        store.conn().execute_batch("UPDATE sqlite_sequence SET seq = 3 WHERE name = 'audit_log';").unwrap();
        let ctx = Ctx::now(Actor::system());
        for _ in 0..3 {
            store.write(|tx| crate::audit::record(tx, &ctx, "rewritten", "", None, "")).unwrap();
        }
        assert_eq!(check(store.conn(), dir.path()).unwrap(), AnchorCheck::Different { entry: 5 });
    }

    #[test]
    fn an_anchor_written_by_hand_or_by_another_key_is_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = keyed_store(dir.path());
        add(&mut store, 3);
        write(store.conn(), dir.path()).unwrap();
        let path = dir.path().join(ANCHOR_FILE);
        let mut file: AnchorFile = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        file.entry = 2;
        std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
        assert_eq!(check(store.conn(), dir.path()).unwrap(), AnchorCheck::Unreadable);
        std::fs::write(&path, b"{").unwrap();
        assert_eq!(check(store.conn(), dir.path()).unwrap(), AnchorCheck::Unreadable);

        let other = tempfile::tempdir().unwrap();
        let (mut theirs, _) = keyed_store(other.path());
        add(&mut theirs, 3);
        write(theirs.conn(), other.path()).unwrap();
        std::fs::copy(other.path().join(ANCHOR_FILE), &path).unwrap();
        assert_eq!(check(store.conn(), dir.path()).unwrap(), AnchorCheck::Unreadable);
    }

    #[test]
    fn the_printed_seal_is_the_entry_and_eight_hex_digits() {
        let h = Head { entry: 48213, seal: "k1:7f3a91c2deadbeef".into() };
        assert_eq!(h.printed(), "48213 · 7F3A-91C2");
    }
}
