//! Acceptance tests of group scheduling on a real database file: a week of a group's
//! life survives a restart, history cannot be deleted, and the CSV export is what the
//! report says.
use saathi_core::groups::attendance::{self, Mark};
use saathi_core::groups::conflicts::SaveOptions;
use saathi_core::groups::membership::{self, JoinOutcome, LeaveReason, Person};
use saathi_core::groups::recurrence::{Day, Freq, Rule};
use saathi_core::groups::series::{self, OccurrenceChange, SeriesInput};
use saathi_core::groups::{self, Audience, GenderRule, GroupInput, GroupKind, GroupStatus, reports};
use saathi_core::patients;
use saathi_core::{Actor, Ctx, Role};
use saathi_tests::{TempStore, date, new_patient};

fn on(day: &str) -> Ctx {
    Ctx::at(Actor { staff_id: None, role: Role::Counsellor }, date(day))
}

fn group(name: &str) -> GroupInput {
    GroupInput {
        name: name.into(),
        kind: GroupKind::GroupTherapy,
        topic: "Anger".into(),
        audience: Audience::Inpatients,
        gender_rule: GenderRule::Any,
        closed: false,
        mandatory: true,
        capacity: Some(10),
        default_room_id: None,
        facilitators: vec![],
        guest_facilitators: String::new(),
        status: GroupStatus::Active,
        notes: String::new(),
    }
}

#[test]
fn a_month_of_a_group_survives_a_restart_and_exports_as_csv() {
    let mut ts = TempStore::new();
    let c = on("2026-11-02");
    let (g, s, people) = ts
        .store
        .write(|tx| {
            let hall = groups::save_room(tx, &c, None, "Hall", true)?;
            let g = groups::create(tx, &c, &group("Anger management"))?;
            let input = SeriesInput {
                rule: Rule {
                    freq: Freq::Weekly,
                    interval: 1,
                    weekdays: vec![Day::Mo, Day::Th],
                    month_week: None,
                    start: date("2026-11-02"),
                    until: None,
                    count: None,
                },
                start_time: "11:00".into(),
                duration_min: 60,
                room_id: Some(hall),
                facilitators: vec![],
            };
            let s = series::add(tx, &c, g, &input, &SaveOptions::default())?.series_id.unwrap();
            let mut people = vec![];
            for n in ["Amit Verma", "Rahul Sharma", "Karan Gill"] {
                let id = patients::create(tx, &c, &new_patient(n, "2026-10-01"))?;
                people.push(id);
            }
            for (i, p) in people.iter().enumerate() {
                // The third joins on 12 November.
                let joined = if i == 2 { date("2026-11-12") } else { date("2026-11-02") };
                assert!(matches!(
                    membership::join(tx, &c, g, Person::Patient(*p), joined)?,
                    JoinOutcome::Joined { .. }
                ));
            }
            Ok((g, s, people))
        })
        .unwrap();
    let later = on("2026-11-26");
    ts.store
        .write(|tx| {
            series::cancel_occurrence(tx, &later, s, date("2026-11-05"), "Diwali")?;
            let change = OccurrenceChange {
                date: date("2026-11-10"),
                start_time: "15:00".into(),
                duration_min: 60,
                room_id: None,
                facilitators: vec![],
            };
            series::move_occurrence(tx, &later, s, date("2026-11-09"), &change, &SaveOptions::default())?;
            // Sessions held: 2 Nov, 10 Nov (moved), 12, 16, 19, 23 Nov.
            for day in ["2026-11-02", "2026-11-09", "2026-11-12", "2026-11-16", "2026-11-19", "2026-11-23"] {
                for (i, p) in people.iter().enumerate() {
                    if i == 2 && day < "2026-11-12" {
                        continue;
                    }
                    let mark = if i == 1 && day == "2026-11-16" { Mark::Absent } else { Mark::Present };
                    attendance::mark(tx, &later, s, date(day), Person::Patient(*p), mark, "")?;
                }
            }
            let m = membership::members(tx, &later, g, date("2026-11-26"))?;
            membership::leave(tx, &later, m.current[0].membership_id, date("2026-11-24"), LeaveReason::DroppedOut)?;
            Ok(())
        })
        .unwrap();
    let ts = ts.reopen();
    let conn = ts.store.conn();
    let r = reports::report(conn, &later, date("2026-11-01"), date("2026-11-30"), Some(g)).unwrap();
    let by_name = |n: &str| r.people.iter().find(|p| p.name == n).unwrap();
    assert_eq!((by_name("Amit Verma").expected, by_name("Amit Verma").attended), (6, 6));
    assert_eq!((by_name("Rahul Sharma").expected, by_name("Rahul Sharma").absent), (6, 1));
    assert_eq!((by_name("Karan Gill").expected, by_name("Karan Gill").rate), (4, Some(1.0)));
    assert_eq!((r.groups[0].sessions_held, r.groups[0].sessions_cancelled, r.groups[0].dropouts), (6, 1, 1));
    let path = ts.dir.path().join("report.csv");
    reports::export_csv(conn, &later, date("2026-11-01"), date("2026-11-30"), Some(g), &path).unwrap();
    let csv = std::fs::read_to_string(&path).unwrap();
    assert!(csv.contains("\"Rahul Sharma\",\"Anger management\",6,5,5,0,1,0,0,83.3"), "{csv}");
    assert!(csv.contains("\"Anger management\",6,0,1,2.5,3,1"), "{csv}");
    // A path that is not a .csv file is refused.
    let err =
        reports::export_csv(conn, &later, date("2026-11-01"), date("2026-11-30"), None, &ts.dir.path().join("x.db"));
    assert_eq!(err.unwrap_err().code(), "path_invalid");
    // History cannot be deleted, even by hand.
    for table in ["group_attendance", "group_sessions", "group_memberships", "group_series", "therapy_groups"] {
        assert!(conn.execute(&format!("DELETE FROM {table}"), []).is_err(), "{table}");
    }
    assert!(conn.execute("UPDATE group_memberships SET joined_on = '2020-01-01'", []).is_err());
}

/// `saathi check` recounts the attendance tallies from the marks: on a generated centre
/// they agree; one tally changed behind Saathi's back is reported (with what it holds and
/// what the marks add up to), and the file is opened as before, nothing repaired.
#[test]
fn a_wrong_attendance_tally_is_reported_by_the_check_and_left_as_it_is() {
    use saathi_core::groups::tallies::{Disagreement, recount};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(saathi_core::db::DB_FILE);
    saathi_core::scale::generate(&path, &saathi_core::scale::Scale::SMALL, 5, saathi_tests::today()).unwrap();
    let store = saathi_core::Store::open(&path).unwrap();
    assert_eq!(recount(store.conn()).unwrap(), [], "a generated centre's tallies agree with its marks");
    let (window, month, present): (i64, String, i64) = store
        .conn()
        .query_row(
            "SELECT membership_id, month, present FROM group_membership_tallies WHERE present > 1 ORDER BY 1, 2 LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let (session, attended): (i64, i64) = store
        .conn()
        .query_row("SELECT session_id, attended FROM group_session_tallies WHERE attended > 0 LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    drop(store);
    {
        // Another program (or a bug) changes two tallies.
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute(
            "UPDATE group_membership_tallies SET present = present - 1 WHERE membership_id = ?1 AND month = ?2",
            rusqlite::params![window, month],
        )
        .unwrap();
        c.execute("UPDATE group_session_tallies SET attended = attended + 3 WHERE session_id = ?1", [session]).unwrap();
    }
    let store = saathi_core::Store::open(&path).unwrap();
    let found = recount(store.conn()).unwrap();
    assert_eq!(found.len(), 2, "{found:?}");
    let Disagreement::Window { membership_id, month: m, kept, counted } = &found[0] else { panic!("{found:?}") };
    assert_eq!((*membership_id, m.as_str(), kept[0], counted[0]), (window, month.as_str(), present - 1, present));
    assert_eq!(kept[1..], counted[1..]);
    assert_eq!(found[1], Disagreement::Session { session_id: session, kept: attended + 3, counted: attended });
    let still: i64 = store
        .conn()
        .query_row("SELECT attended FROM group_session_tallies WHERE session_id = ?1", [session], |r| r.get(0))
        .unwrap();
    assert_eq!(still, attended + 3, "reported, not repaired");
}
