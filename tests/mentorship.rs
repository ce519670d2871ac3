//! Peer mentorship on real database files: an upgrade from the schema before mentorship
//! existed, and pairs that survive a restart.
use chrono::Days;
use saathi_core::matching::PairReason;
use saathi_core::mentorship::{self, EndReason, PeerProfile};
use saathi_core::patients::{self, DischargeType, Substance};
use saathi_tests::{TempStore, ctx, details, new_patient, today};

#[test]
fn a_version_two_database_gains_mentorship_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saathi.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        for file in ["0001_register.sql", "0002_security.sql"] {
            let sql = std::fs::read_to_string(saathi_tests::workspace_root().join("migrations").join(file)).unwrap();
            c.execute_batch(&sql).unwrap();
        }
        c.execute_batch(&format!(
            "PRAGMA application_id = {}; PRAGMA user_version = 2;",
            saathi_core::db::APPLICATION_ID
        ))
        .unwrap();
        c.execute_batch(
            "INSERT INTO patients (full_name, gender, phase, languages, search_text, created_at, updated_at)
                 VALUES ('ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ', 'male', 'aftercare', '[\"Punjabi\"]', 'ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ', 'x', 'x'),
                        ('Ravi', 'male', 'inpatient', '[\"Punjabi\"]', 'ravi', 'x', 'x');
             INSERT INTO stays (patient_id, admitted_on, discharged_on, discharge_type, created_at)
                 VALUES (1, '2023-01-01', '2023-03-01', 'completed', 'x');
             INSERT INTO stays (patient_id, admitted_on, created_at) VALUES (2, '2026-11-01', 'x');",
        )
        .unwrap();
    }
    let mut store = saathi_core::Store::open(&path).unwrap();
    let v: i64 = store.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, saathi_core::db::schema_version());
    let c = ctx();
    let mentor = PeerProfile {
        is_mentor: true,
        recovery_since: Some(saathi_tests::date("2023-03-01")),
        trained: true,
        ..PeerProfile::default()
    };
    store.write(|tx| mentorship::save_profile(tx, &c, 1, &mentor)).unwrap();
    let s = mentorship::suggest(store.conn(), &c).unwrap();
    assert_eq!(s.pairs.len(), 1);
    assert_eq!((s.pairs[0].mentor_name.as_str(), s.pairs[0].mentee_name.as_str()), ("ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ", "Ravi"));
    assert_eq!(s.pairs[0].reasons[0], PairReason::BothSpeak { languages: vec!["Punjabi".into()] });
}

#[test]
fn pairs_and_their_endings_survive_a_restart() {
    let mut t = TempStore::new();
    let c = ctx();
    let (m, e) = t
        .store
        .write(|tx| {
            let mut d = details("Harpal Singh");
            d.languages = vec!["Punjabi".into()];
            d.substances = vec![Substance::Alcohol];
            let m = patients::create(tx, &c, &new_patient_with(d, "2024-01-01"))?;
            patients::discharge(tx, &c, m, saathi_tests::date("2024-03-01"), DischargeType::Completed)?;
            let mut d = details("Jaspreet");
            d.languages = vec!["Punjabi".into()];
            let e = patients::create(tx, &c, &new_patient_with(d, "2026-11-20"))?;
            Ok((m, e))
        })
        .unwrap();
    let profile = PeerProfile {
        is_mentor: true,
        recovery_since: Some(today() - Days::new(900)),
        trained: true,
        ..PeerProfile::default()
    };
    t.store.write(|tx| mentorship::save_profile(tx, &c, m, &profile)).unwrap();
    let pair = t.store.write(|tx| mentorship::accept(tx, &c, m, e)).unwrap();
    let mut t = t.reopen();
    let o = mentorship::overview(t.store.conn(), &c).unwrap();
    assert_eq!(o.active_pairs.len(), 1);
    assert_eq!(o.mentors[0].load, 1);
    t.store.write(|tx| mentorship::end_pair(tx, &c, pair.id, today(), EndReason::Completed, false, "")).unwrap();
    let t = t.reopen();
    let hist = mentorship::for_patient(t.store.conn(), &c, e).unwrap();
    assert_eq!(hist.as_mentee[0].end_reason, Some(EndReason::Completed));
    assert!(!hist.as_mentee[0].ended_badly);
    // A good ending does not exclude the pair: they can be suggested again.
    assert_eq!(mentorship::suggest(t.store.conn(), &c).unwrap().pairs.len(), 1);
    // Both actions are in the audit trail, by id only.
    let n: i64 = t
        .store
        .conn()
        .query_row("SELECT count(*) FROM audit_log WHERE entity = 'mentor_pair' AND entity_id = ?1", [pair.id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(n, 2);
}

fn new_patient_with(d: saathi_core::patients::PatientDetails, admitted: &str) -> saathi_core::patients::NewPatient {
    let mut p = new_patient("x", admitted);
    p.details = d;
    p
}
