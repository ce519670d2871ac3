//! Saathi's own schema, version by version, to hold a database from elsewhere against
//! (issue 15, "restore trusts nothing"): a backup or snapshot being restored must hold
//! exactly the tables, indexes, triggers and views that Saathi's migrations create for its
//! schema version, statement for statement. Anything else (one extra trigger would run
//! its code on the live data after the restore, a view could hide rows) is refused.
use rusqlite::Connection;

use crate::db::MIGRATIONS;
use crate::error::{Error, Result};

/// One schema object: its type, name and the SQL that created it.
type Object = (String, String, Option<String>);

fn objects(conn: &Connection) -> rusqlite::Result<Vec<Object>> {
    let mut stmt =
        conn.prepare("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

/// What Saathi's migrations 1 to `version` create, in a database of its own in memory.
fn expected(version: i64) -> Result<Vec<Object>> {
    let conn = Connection::open_in_memory()?;
    for (_, _, sql) in MIGRATIONS.iter().filter(|m| i64::from(m.0) <= version) {
        conn.execute_batch(sql)?;
    }
    Ok(objects(&conn)?)
}

/// Refuses a database whose schema is not exactly Saathi's for `version` (read through
/// `conn`, which should be opened read-only, with `trusted_schema` off and in defensive
/// mode). Names what differs first.
pub fn check(conn: &Connection, version: i64) -> Result<()> {
    let want = expected(version)?;
    let have = objects(conn).map_err(|e| Error::BackupDamaged { detail: e.to_string() })?;
    if have == want {
        return Ok(());
    }
    // The first object that is extra, else the first that is missing or changed.
    let differs = have.iter().find(|o| !want.contains(o)).or_else(|| want.iter().find(|o| !have.contains(o)));
    let (kind, name) = differs.map_or(("table", ""), |(kind, name, _)| (kind.as_str(), name.as_str()));
    Err(Error::ForeignSchema { kind: kind.to_owned(), name: name.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Store;

    #[test]
    fn saathis_own_database_passes_and_one_extra_trigger_or_a_changed_index_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saathi.db");
        let store = Store::open(&path).unwrap();
        let version = crate::db::schema_version();
        check(store.conn(), version).unwrap();

        store
            .conn()
            .execute_batch(
                "CREATE TRIGGER steal AFTER INSERT ON patients BEGIN UPDATE patients SET phone = '' WHERE 0; END;",
            )
            .unwrap();
        let refused = check(store.conn(), version).unwrap_err();
        assert_eq!(refused.code(), "restore_schema_foreign");
        assert_eq!(refused.payload().params.get("kind").map(String::as_str), Some("trigger"));
        assert_eq!(refused.payload().params.get("name").map(String::as_str), Some("steal"));

        store.conn().execute_batch("DROP TRIGGER steal; DROP INDEX audit_by_at;").unwrap();
        let changed = check(store.conn(), version).unwrap_err().payload();
        assert_eq!((changed.params["kind"].as_str(), changed.params["name"].as_str()), ("index", "audit_by_at"));
    }

    #[test]
    fn an_older_version_is_held_against_that_versions_schema() {
        let conn = Connection::open_in_memory().unwrap();
        for (_, _, sql) in MIGRATIONS.iter().take(3) {
            conn.execute_batch(sql).unwrap();
        }
        check(&conn, 3).unwrap();
        assert!(check(&conn, 4).is_err());
    }
}
