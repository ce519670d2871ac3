//! Behaviour of groups on a real (in-memory) store: exceptions, splits, membership
//! windows, waiting list, attendance, clashes, report maths, and property tests of the
//! scheduling invariants.
use chrono::{Days, NaiveDate};
use proptest::prelude::*;

use super::attendance::{self, DropIn, Mark};
use super::conflicts::{ConflictKind, SaveOptions};
use super::membership::{self, FamilyMemberInput, JoinOutcome, LeaveReason, Person};
use super::recurrence::{Day, Freq, Rule};
use super::series::{self, Held, OccurrenceChange, SeriesInput};
use super::*;
use crate::ctx::{Actor, Ctx, Role};
use crate::db::Store;
use crate::patients::{self, Gender, NewPatient, PatientDetails};
use crate::staff::{self, StaffInput};

pub(super) fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Thursday 26 November 2026.
const TODAY: &str = "2026-11-26";

pub(super) struct World {
    pub store: Store,
    pub counsellor: i64,
    pub counsellor2: i64,
    pub front: i64,
    pub hall: i64,
    pub room2: i64,
    pub men: Vec<i64>,
    pub woman: i64,
}

impl World {
    pub fn ctx(&self, role: Role, today: &str) -> Ctx {
        let id = match role {
            Role::FrontDesk => self.front,
            _ => self.counsellor,
        };
        Ctx::at(Actor { staff_id: Some(id), role }, d(today))
    }
    pub fn c(&self) -> Ctx {
        self.ctx(Role::Counsellor, TODAY)
    }
}

fn details(name: &str, gender: Gender) -> PatientDetails {
    PatientDetails { age_years: Some(30), ..PatientDetails::new(name, gender) }
}

pub(super) fn world() -> World {
    let mut store = Store::open_in_memory().unwrap();
    let sys = Ctx::at(Actor::system(), d("2026-01-01"));
    let ids = store
        .write(|tx| {
            let mk = |name: &str, role| {
                staff::create(tx, &sys, &StaffInput { full_name: name.into(), role, username: None }, None)
            };
            let c = mk("Meera Iyer", Role::Counsellor)?;
            let c2 = mk("Mohd. Salim", Role::Counsellor)?;
            let f = mk("Sunil Rawat", Role::FrontDesk)?;
            let hall = save_room(tx, &sys, None, "Hall", true)?;
            let room2 = save_room(tx, &sys, None, "Room 2", true)?;
            let mut men = vec![];
            for n in ["Amit Verma", "Rahul Sharma", "Karan Gill", "Deepak Negi", "Imran Khan"] {
                men.push(patients::create(
                    tx,
                    &sys,
                    &NewPatient { details: details(n, Gender::Male), admitted_on: d("2026-01-01") },
                )?);
            }
            let woman = patients::create(
                tx,
                &sys,
                &NewPatient { details: details("Priya Mehta", Gender::Female), admitted_on: d("2026-01-01") },
            )?;
            Ok((c, c2, f, hall, room2, men, woman))
        })
        .unwrap();
    World {
        store,
        counsellor: ids.0,
        counsellor2: ids.1,
        front: ids.2,
        hall: ids.3,
        room2: ids.4,
        men: ids.5,
        woman: ids.6,
    }
}

pub(super) fn group_input(name: &str, room: Option<i64>) -> GroupInput {
    GroupInput {
        name: name.into(),
        kind: GroupKind::GroupTherapy,
        topic: "Relapse triggers".into(),
        audience: Audience::Inpatients,
        gender_rule: GenderRule::Any,
        closed: false,
        mandatory: true,
        capacity: None,
        default_room_id: room,
        facilitators: vec![],
        guest_facilitators: String::new(),
        status: GroupStatus::Active,
        notes: String::new(),
    }
}

pub(super) fn weekly(start: &str, days: &[Day], time: &str, room: Option<i64>, fac: Vec<i64>) -> SeriesInput {
    SeriesInput {
        rule: Rule {
            freq: Freq::Weekly,
            interval: 1,
            weekdays: days.to_vec(),
            month_week: None,
            start: d(start),
            until: None,
            count: None,
        },
        start_time: time.into(),
        duration_min: 60,
        room_id: room,
        facilitators: fac,
    }
}

fn new_group(w: &mut World, name: &str, s: SeriesInput, ctx: &Ctx) -> (i64, i64) {
    w.store
        .write(|tx| {
            let g = create(tx, ctx, &group_input(name, s.room_id))?;
            let out = series::add(tx, ctx, g, &s, &SaveOptions::default())?;
            assert!(out.saved, "{:?}", out.conflicts);
            Ok((g, out.series_id.unwrap()))
        })
        .unwrap()
}

fn dates(w: &World, from: &str, to: &str, group: i64) -> Vec<(NaiveDate, bool)> {
    series::occurrences(w.store.conn(), d(from), d(to), Some(group))
        .unwrap()
        .into_iter()
        .map(|o| (o.date, o.cancelled))
        .collect()
}

#[test]
fn weekly_on_two_days_with_a_move_and_a_cancellation() {
    let mut w = world();
    let ctx = w.c();
    let hall = w.hall;
    let (g, s) =
        new_group(&mut w, "Anger", weekly("2026-11-30", &[Day::Mo, Day::Th], "10:00", Some(hall), vec![]), &ctx);
    let before = dates(&w, "2026-11-30", "2026-12-13", g);
    assert_eq!(before.len(), 4);
    w.store
        .write(|tx| {
            let change = OccurrenceChange {
                date: d("2026-12-04"),
                start_time: "15:00".into(),
                duration_min: 90,
                room_id: Some(w.room2),
                facilitators: vec![],
            };
            assert!(series::move_occurrence(tx, &ctx, s, d("2026-12-03"), &change, &SaveOptions::default())?.saved);
            series::cancel_occurrence(tx, &ctx, s, d("2026-12-07"), "Staff training")?;
            Ok(())
        })
        .unwrap();
    let occ = series::occurrences(w.store.conn(), d("2026-11-30"), d("2026-12-13"), Some(g)).unwrap();
    let got: Vec<(NaiveDate, &str, bool, bool)> =
        occ.iter().map(|o| (o.date, o.start_time.as_str(), o.cancelled, o.moved)).collect();
    assert_eq!(
        got,
        vec![
            (d("2026-11-30"), "10:00", false, false),
            (d("2026-12-04"), "15:00", false, true),
            (d("2026-12-07"), "10:00", true, false),
            (d("2026-12-10"), "10:00", false, false),
        ]
    );
    assert_eq!(occ[1].original_date, d("2026-12-03"));
    assert_eq!(occ[1].end_time, "16:30");
    assert_eq!(occ[2].cancel_reason, "Staff training");
    // Front desk may not move sessions.
    let fd = w.ctx(Role::FrontDesk, TODAY);
    let err = w.store.write(|tx| series::cancel_occurrence(tx, &fd, s, d("2026-12-10"), "x")).unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

#[test]
fn this_and_following_splits_and_change_all_keeps_the_past() {
    let mut w = world();
    let start = w.ctx(Role::Counsellor, "2026-11-02");
    let hall = w.hall;
    let (g, s) = new_group(&mut w, "Sharing", weekly("2026-11-02", &[Day::Mo], "10:00", Some(hall), vec![]), &start);
    // A past session with attendance, one moved future session.
    w.store
        .write(|tx| {
            membership::join(tx, &start, g, Person::Patient(w.men[0]), d("2026-11-02"))?;
            let at = Ctx::at(start.actor, d("2026-11-09"));
            attendance::mark(tx, &at, s, d("2026-11-09"), Person::Patient(w.men[0]), Mark::Present, "")?;
            let change = OccurrenceChange {
                date: d("2026-12-15"),
                start_time: "10:00".into(),
                duration_min: 60,
                room_id: Some(w.hall),
                facilitators: vec![],
            };
            series::move_occurrence(tx, &start, s, d("2026-12-14"), &change, &SaveOptions::default())?;
            Ok(())
        })
        .unwrap();
    // "Change all" on 26 Nov: move to Tuesdays at 11:00.
    let ctx = w.c();
    let out = w
        .store
        .write(|tx| {
            series::edit(
                tx,
                &ctx,
                s,
                ctx.today,
                &weekly("2026-11-02", &[Day::Tu], "11:00", Some(w.hall), vec![]),
                &SaveOptions::default(),
            )
        })
        .unwrap();
    assert!(out.saved);
    let occ = series::occurrences(w.store.conn(), d("2026-11-01"), d("2026-12-31"), Some(g)).unwrap();
    let got: Vec<(NaiveDate, String)> = occ.iter().map(|o| (o.date, o.start_time.clone())).collect();
    let want: Vec<(NaiveDate, String)> = [
        ("2026-11-02", "10:00"), // past stays
        ("2026-11-09", "10:00"), // has attendance
        ("2026-11-16", "10:00"),
        ("2026-11-23", "10:00"),
        ("2026-12-01", "11:00"),
        ("2026-12-08", "11:00"),
        ("2026-12-15", "10:00"), // the moved one kept its own change
        ("2026-12-15", "11:00"),
        ("2026-12-22", "11:00"),
        ("2026-12-29", "11:00"),
    ]
    .iter()
    .map(|(a, b)| (d(a), (*b).to_owned()))
    .collect();
    assert_eq!(got, want);
    let all = series::for_group(w.store.conn(), g).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].valid_to, Some(d("2026-11-25")));
    assert_eq!(all[1].valid_from, d("2026-11-26"));
    assert_eq!(all[0].lineage_id, all[1].lineage_id);
    // Editing from a past date is refused.
    let err = w
        .store
        .write(|tx| {
            series::edit(
                tx,
                &ctx,
                all[1].id,
                d("2026-11-20"),
                &weekly("2026-11-02", &[Day::We], "11:00", None, vec![]),
                &SaveOptions::default(),
            )
        })
        .unwrap_err();
    assert_eq!(err.code(), "edit_in_past");
    // The database itself refuses rewriting a series.
    let raw = w.store.conn().execute("UPDATE group_series SET start_time = '09:00' WHERE id = ?1", [s]);
    assert!(raw.is_err());
}

#[test]
fn count_is_carried_over_a_split() {
    let mut w = world();
    let start = w.ctx(Role::Counsellor, "2026-11-02");
    let mut input = weekly("2026-11-02", &[Day::Mo], "10:00", None, vec![]);
    input.rule.count = Some(6);
    let (g, s) = new_group(&mut w, "Closed course", input, &start);
    let ctx = w.c(); // 26 Nov: 4 sessions (2, 9, 16, 23 Nov) are behind.
    let mut changed = weekly("2026-11-02", &[Day::We], "10:00", None, vec![]);
    changed.rule.count = Some(6);
    w.store.write(|tx| series::edit(tx, &ctx, s, ctx.today, &changed, &SaveOptions::default())).unwrap();
    let got: Vec<NaiveDate> = dates(&w, "2026-11-01", "2027-03-01", g).into_iter().map(|x| x.0).collect();
    assert_eq!(
        got,
        vec![d("2026-11-02"), d("2026-11-09"), d("2026-11-16"), d("2026-11-23"), d("2026-12-02"), d("2026-12-09")]
    );
    // The form shows the schedule's total, and a second edit keeps it: on 3 Dec, five
    // sessions are behind, so Fridays give one more.
    let current = series::current_for_group(w.store.conn(), g, ctx.today).unwrap();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].total_count, Some(6));
    let dec3 = w.ctx(Role::Counsellor, "2026-12-03");
    let mut fridays = weekly("2026-11-02", &[Day::Fr], "10:00", None, vec![]);
    fridays.rule.count = current[0].total_count;
    w.store.write(|tx| series::edit(tx, &dec3, current[0].id, dec3.today, &fridays, &SaveOptions::default())).unwrap();
    let got: Vec<NaiveDate> = dates(&w, "2026-11-01", "2027-03-01", g).into_iter().map(|x| x.0).collect();
    assert_eq!(got.len(), 6, "{got:?}");
    assert_eq!(got[5], d("2026-12-04"));
    let last = series::current_for_group(w.store.conn(), g, dec3.today).unwrap();
    assert_eq!(last[0].total_count, Some(6));
}

#[test]
fn membership_windows_decide_who_is_expected() {
    let mut w = world();
    let ctx = w.ctx(Role::Counsellor, "2026-11-02");
    let (g, s) = new_group(&mut w, "Life skills", weekly("2026-11-02", &[Day::Mo], "10:00", None, vec![]), &ctx);
    let fd = w.ctx(Role::FrontDesk, "2026-11-02");
    let (a, b) = (Person::Patient(w.men[0]), Person::Patient(w.men[1]));
    w.store
        .write(|tx| {
            let JoinOutcome::Joined { membership_id } = membership::join(tx, &fd, g, a, d("2026-11-02"))? else {
                panic!()
            };
            membership::join(tx, &fd, g, b, d("2026-11-16"))?;
            membership::leave(tx, &fd, membership_id, d("2026-11-09"), LeaveReason::Discharged)?;
            // Rejoins later: a second window.
            membership::join(tx, &fd, g, a, d("2026-11-23"))?;
            Ok(())
        })
        .unwrap();
    let at = |day: &str| -> Vec<Person> {
        let c = w.ctx(Role::FrontDesk, TODAY);
        attendance::sheet(w.store.conn(), &c, s, d(day)).unwrap().rows.into_iter().filter_map(|r| r.person).collect()
    };
    assert_eq!(at("2026-11-02"), vec![a]);
    assert_eq!(at("2026-11-09"), vec![a], "the leave day still counts");
    assert!(at("2026-11-16").contains(&b) && !at("2026-11-16").contains(&a));
    assert_eq!(at("2026-11-23").len(), 2);
    // Double sign-up is refused.
    let err = w.store.write(|tx| membership::join(tx, &fd, g, a, d("2026-11-24"))).unwrap_err();
    assert_eq!(err.code(), "already_member");
    let m = membership::members(w.store.conn(), &fd, g, d(TODAY)).unwrap();
    assert_eq!((m.current.len(), m.past.len()), (2, 1));
}

#[test]
fn capacity_waitlist_and_offer_in_order() {
    let mut w = world();
    let ctx = w.c();
    let g =
        w.store.write(|tx| create(tx, &ctx, &GroupInput { capacity: Some(2), ..group_input("Trauma", None) })).unwrap();
    let p: Vec<Person> = w.men.iter().map(|id| Person::Patient(*id)).collect();
    let fd = w.ctx(Role::FrontDesk, TODAY);
    let out = w
        .store
        .write(|tx| {
            let mut v = vec![];
            for person in &p[..4] {
                v.push(membership::join(tx, &fd, g, *person, ctx.today)?);
            }
            Ok(v)
        })
        .unwrap();
    assert!(matches!(out[0], JoinOutcome::Joined { .. }));
    assert!(matches!(out[1], JoinOutcome::Joined { .. }));
    assert_eq!(out[2], JoinOutcome::Waitlisted { position: 1 });
    assert_eq!(out[3], JoinOutcome::Waitlisted { position: 2 });
    let JoinOutcome::Joined { membership_id } = out[0] else { panic!() };
    let offer = w
        .store
        .write(|tx| membership::leave(tx, &fd, membership_id, ctx.today, LeaveReason::MovedGroup))
        .unwrap()
        .unwrap();
    assert_eq!(offer.person, p[2], "the first waiting person is offered the place");
    // Someone new cannot jump the queue while the offer stands.
    let jump = w.store.write(|tx| membership::join(tx, &fd, g, p[4], d("2026-11-27"))).unwrap();
    assert_eq!(jump, JoinOutcome::Waitlisted { position: 3 });
    // The offered person declines: the next one gets it, and can join.
    let next = w.store.write(|tx| membership::withdraw(tx, &fd, offer.waitlist_id)).unwrap().unwrap();
    assert_eq!(next.person, p[3]);
    let joined = w.store.write(|tx| membership::join(tx, &fd, g, p[3], d("2026-11-27"))).unwrap();
    assert!(matches!(joined, JoinOutcome::Joined { .. }));
    let m = membership::members(w.store.conn(), &fd, g, d("2026-11-27")).unwrap();
    assert_eq!(m.current.len(), 2);
    assert_eq!(m.waiting.iter().map(|x| x.person).collect::<Vec<_>>(), vec![p[4]]);
}

#[test]
fn gender_rules_and_family_members() {
    let mut w = world();
    let ctx = w.c();
    let (women, family) = w
        .store
        .write(|tx| {
            let women = create(
                tx,
                &ctx,
                &GroupInput { gender_rule: GenderRule::WomenOnly, ..group_input("Women's circle", None) },
            )?;
            let family = create(
                tx,
                &ctx,
                &GroupInput {
                    kind: GroupKind::FamilySupport,
                    audience: Audience::Families,
                    ..group_input("Families", None)
                },
            )?;
            Ok((women, family))
        })
        .unwrap();
    let err = w.store.write(|tx| membership::join(tx, &ctx, women, Person::Patient(w.men[0]), ctx.today)).unwrap_err();
    assert_eq!(err.code(), "group_women_only");
    assert!(err.to_string().contains("women only"));
    w.store.write(|tx| membership::join(tx, &ctx, women, Person::Patient(w.woman), ctx.today)).unwrap();
    let fm = w
        .store
        .write(|tx| {
            membership::add_family_member(
                tx,
                &ctx,
                &FamilyMemberInput {
                    name: "Sunita Verma".into(),
                    relation: "Mother".into(),
                    patient_id: w.men[0],
                    phone: "98765 43210".into(),
                },
            )
        })
        .unwrap();
    w.store.write(|tx| membership::join(tx, &ctx, family, Person::Family(fm), ctx.today)).unwrap();
    let err = w.store.write(|tx| membership::join(tx, &ctx, women, Person::Family(fm), ctx.today)).unwrap_err();
    assert_eq!(err.code(), "family_only_in_family_groups");
    let m = membership::members(w.store.conn(), &ctx, family, ctx.today).unwrap();
    let of = membership::FamilyOf { relation: "Mother".into(), patient: "Amit Verma".into() };
    assert_eq!(m.current[0].family_of, Some(of), "the window says whose mother");
    // Suggestions for the women's group contain no men.
    let s = membership::suggestions(w.store.conn(), &ctx, women).unwrap();
    assert!(s.is_empty(), "the only woman is already a member");
}

#[test]
fn aftercare_groups_suggest_aftercare_patients() {
    let mut w = world();
    let ctx = w.c();
    let g = w
        .store
        .write(|tx| {
            patients::discharge(tx, &ctx, w.men[4], d("2026-10-01"), patients::DischargeType::Completed)?;
            create(
                tx,
                &ctx,
                &GroupInput {
                    kind: GroupKind::Aftercare,
                    audience: Audience::Aftercare,
                    ..group_input("Aftercare", None)
                },
            )
        })
        .unwrap();
    let s = membership::suggestions(w.store.conn(), &ctx, g).unwrap();
    assert_eq!(s.iter().map(|x| x.patient_id).collect::<Vec<_>>(), vec![w.men[4]]);
}

#[test]
fn attendance_defaults_to_not_recorded_and_report_maths() {
    let mut w = world();
    let c0 = w.ctx(Role::Counsellor, "2026-11-02");
    // Mondays 2, 9, 16, 23 Nov.
    let (g, s) = new_group(&mut w, "Stress", weekly("2026-11-02", &[Day::Mo], "10:00", None, vec![]), &c0);
    let (a, b, c) = (Person::Patient(w.men[0]), Person::Patient(w.men[1]), Person::Patient(w.men[2]));
    let fd = w.ctx(Role::FrontDesk, TODAY);
    w.store
        .write(|tx| {
            membership::join(tx, &fd, g, a, d("2026-11-02"))?;
            membership::join(tx, &fd, g, c, d("2026-11-02"))?;
            // b joins mid-range: not expected on 2 and 9 Nov.
            membership::join(tx, &fd, g, b, d("2026-11-16"))?;
            for (day, ma, mb) in [
                ("2026-11-02", Mark::Present, None),
                ("2026-11-09", Mark::Late, None),
                ("2026-11-16", Mark::Absent, Some(Mark::Present)),
                ("2026-11-23", Mark::Excused, Some(Mark::Present)),
            ] {
                attendance::mark(tx, &fd, s, d(day), a, ma, if ma == Mark::Excused { "Court date" } else { "" })?;
                if let Some(mb) = mb {
                    attendance::mark(tx, &fd, s, d(day), b, mb, "")?;
                }
            }
            attendance::add_dropin(
                tx,
                &fd,
                s,
                d("2026-11-23"),
                &DropIn { patient_id: None, name: "Visitor from NA".into() },
                Mark::Present,
            )?;
            Ok(())
        })
        .unwrap();
    // c was never marked: "not recorded", never "present".
    let sheet = attendance::sheet(w.store.conn(), &fd, s, d("2026-11-23")).unwrap();
    let row_c = sheet.rows.iter().find(|r| r.person == Some(c)).unwrap();
    assert_eq!(row_c.mark, None);
    assert_eq!(sheet.held, Held::Held, "marking present sets 'took place'");
    assert_eq!(sheet.note, None, "front desk does not see the session note");
    assert_eq!(sheet.rows.iter().filter(|r| r.dropin).count(), 1);
    let r = reports::report(w.store.conn(), &fd, d("2026-11-01"), d("2026-11-30"), Some(g)).unwrap();
    let row = |p: Person| r.people.iter().find(|x| x.person == p).unwrap().clone();
    let ra = row(a);
    assert_eq!((ra.expected, ra.attended, ra.present, ra.late, ra.absent, ra.excused), (4, 2, 1, 1, 1, 1));
    assert_eq!(ra.rate, Some(2.0 / 3.0));
    let rb = row(b);
    assert_eq!((rb.expected, rb.attended), (2, 2), "joined mid-range: only the sessions since joining");
    assert_eq!(rb.rate, Some(1.0));
    let rc = row(c);
    assert_eq!((rc.expected, rc.not_recorded, rc.attended), (4, 4, 0));
    let grow = &r.groups[0];
    assert_eq!((grow.sessions_held, grow.members), (4, 3));
    // present or late per held session: 1, 1, 1, 2 (+1 drop-in) = 5 / 4
    assert_eq!(grow.mean_attendance, Some(1.25));
    let csv = reports::to_csv(&r);
    assert!(csv.contains("\"Amit Verma\",\"Stress\",4,2,1,1,1,1,0,66.7"), "{csv}");
    // Future sessions cannot be marked; strangers must be drop-ins.
    let err = w.store.write(|tx| attendance::mark(tx, &fd, s, d("2026-11-30"), a, Mark::Present, "")).unwrap_err();
    assert_eq!(err.code(), "session_in_future");
    let err = w
        .store
        .write(|tx| attendance::mark(tx, &fd, s, d("2026-11-02"), Person::Patient(w.men[3]), Mark::Present, ""))
        .unwrap_err();
    assert_eq!(err.code(), "not_a_member_then");
}

#[test]
fn attendance_missing_after_two_days() {
    let mut w = world();
    let c0 = w.ctx(Role::Counsellor, "2026-11-16");
    let (_, s) = new_group(
        &mut w,
        "Daily circle",
        SeriesInput {
            rule: Rule {
                freq: Freq::Daily,
                interval: 1,
                weekdays: vec![],
                month_week: None,
                start: d("2026-11-16"),
                until: None,
                count: None,
            },
            start_time: "09:00".into(),
            duration_min: 45,
            room_id: None,
            facilitators: vec![],
        },
        &c0,
    );
    let ctx = w.c();
    w.store
        .write(|tx| {
            attendance::set_held(tx, &ctx, s, d("2026-11-20"), Held::NotHeld, "Power cut", "")?;
            series::cancel_occurrence(tx, &ctx, s, d("2026-11-21"), "Holiday")?;
            Ok(())
        })
        .unwrap();
    let missing: Vec<NaiveDate> =
        attendance::missing(w.store.conn(), &ctx).unwrap().into_iter().map(|o| o.date).collect();
    // 16..=24 Nov, minus the 20th (recorded as not held) and the 21st (cancelled).
    assert_eq!(
        missing,
        vec![
            d("2026-11-16"),
            d("2026-11-17"),
            d("2026-11-18"),
            d("2026-11-19"),
            d("2026-11-22"),
            d("2026-11-23"),
            d("2026-11-24")
        ]
    );
    let err =
        w.store.write(|tx| attendance::set_held(tx, &ctx, s, d("2026-11-19"), Held::NotHeld, "", "")).unwrap_err();
    assert_eq!(err.code(), "reason_needed");
}

#[test]
fn session_notes_are_for_counsellors() {
    let mut w = world();
    let c0 = w.ctx(Role::Counsellor, "2026-11-23");
    let (_, s) = new_group(&mut w, "Trauma", weekly("2026-11-23", &[Day::Mo], "10:00", None, vec![]), &c0);
    let ctx = w.c();
    w.store.write(|tx| attendance::set_note(tx, &ctx, s, d("2026-11-23"), "Heavy session.")).unwrap();
    let opened = w.store.write(|tx| attendance::open_sheet(tx, &ctx, s, d("2026-11-23"))).unwrap();
    assert_eq!(opened.note.as_deref(), Some("Heavy session."));
    let reads: i64 = w
        .store
        .conn()
        .query_row("SELECT count(*) FROM audit_log WHERE action = 'group_session_note_read'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(reads, 1, "reading the note is audited");
    let fd = w.ctx(Role::FrontDesk, TODAY);
    let err = w.store.write(|tx| attendance::set_note(tx, &fd, s, d("2026-11-23"), "x")).unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

#[test]
fn clashes_block_rooms_and_facilitators_and_warn_for_patients() {
    let mut w = world();
    let ctx = w.c();
    let (hall, me) = (w.hall, w.counsellor);
    let (g1, _) =
        new_group(&mut w, "Anger", weekly("2026-11-30", &[Day::Mo, Day::We], "10:00", Some(hall), vec![me]), &ctx);
    w.store.write(|tx| membership::join(tx, &ctx, g1, Person::Patient(w.men[0]), ctx.today).map(drop)).unwrap();
    let g2 = w.store.write(|tx| create(tx, &ctx, &group_input("Stress", Some(w.hall)))).unwrap();
    w.store.write(|tx| membership::join(tx, &ctx, g2, Person::Patient(w.men[0]), ctx.today).map(drop)).unwrap();
    // Mondays 10:30 in the hall with the same counsellor: two blocking clashes.
    let clash =
        SeriesInput { duration_min: 60, ..weekly("2026-11-30", &[Day::Mo], "10:30", Some(w.hall), vec![w.counsellor]) };
    let out = w.store.write(|tx| series::add(tx, &ctx, g2, &clash, &SaveOptions::default())).unwrap();
    assert!(!out.saved);
    let kinds: Vec<ConflictKind> = out.conflicts.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, vec![ConflictKind::Room, ConflictKind::Facilitator, ConflictKind::Patient]);
    let room = &out.conflicts[0];
    assert_eq!(room.what, "Hall");
    assert_eq!(room.other_group_name, "Anger");
    assert_eq!(room.dates.first(), Some(&d("2026-11-30")));
    assert_eq!(room.dates.len(), 27, "every Monday in the 26-week check window");
    assert!(series::for_group(w.store.conn(), g2).unwrap().is_empty(), "nothing saved");
    // Front desk cannot override; a counsellor can, with a reason, and it is recorded.
    let fd = w.ctx(Role::FrontDesk, TODAY);
    let with_reason = SaveOptions { dry_run: false, override_reason: Some("Hall is big enough for both".into()) };
    let err = w.store.write(|tx| series::add(tx, &fd, g2, &clash, &with_reason)).unwrap_err();
    assert_eq!(err.code(), "forbidden");
    let out = w.store.write(|tx| series::add(tx, &ctx, g2, &clash, &with_reason)).unwrap();
    assert!(out.saved);
    let n: i64 = w.store.conn().query_row("SELECT count(*) FROM group_conflict_overrides", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
    // A different room, a different counsellor, same member: only a warning; saved.
    let g3 = w.store.write(|tx| create(tx, &ctx, &group_input("Yoga", Some(w.room2)))).unwrap();
    w.store.write(|tx| membership::join(tx, &ctx, g3, Person::Patient(w.men[0]), ctx.today).map(drop)).unwrap();
    let warn = weekly("2026-12-02", &[Day::We], "10:15", Some(w.room2), vec![w.counsellor2]);
    let out = w.store.write(|tx| series::add(tx, &ctx, g3, &warn, &SaveOptions::default())).unwrap();
    assert!(out.saved);
    assert_eq!(out.conflicts.len(), 1);
    assert_eq!((out.conflicts[0].kind, out.conflicts[0].blocking), (ConflictKind::Patient, false));
    // The week view flags the room clash, not the patient overlap.
    let week = series::schedule(w.store.conn(), &ctx, d("2026-11-30"), d("2026-12-06"), None).unwrap();
    let flagged: Vec<(&str, NaiveDate)> =
        week.iter().filter(|o| o.conflict).map(|o| (o.group_name.as_str(), o.date)).collect();
    assert_eq!(flagged, vec![("Anger", d("2026-11-30")), ("Stress", d("2026-11-30"))]);
    // A dry run saves nothing.
    let out = w
        .store
        .write(|tx| series::add(tx, &ctx, g3, &warn, &SaveOptions { dry_run: true, override_reason: None }))
        .unwrap();
    assert!(!out.saved);
    assert_eq!(series::for_group(w.store.conn(), g3).unwrap().len(), 1);
}

#[test]
fn patient_profile_lists_groups_and_history() {
    let mut w = world();
    let c0 = w.ctx(Role::Counsellor, "2026-11-02");
    let (g, s) = new_group(&mut w, "Stress", weekly("2026-11-02", &[Day::Mo], "10:00", None, vec![]), &c0);
    let p = Person::Patient(w.men[0]);
    let ctx = w.c();
    w.store
        .write(|tx| {
            let JoinOutcome::Joined { membership_id } = membership::join(tx, &ctx, g, p, d("2026-11-02"))? else {
                panic!()
            };
            attendance::mark(tx, &ctx, s, d("2026-11-02"), p, Mark::Present, "")?;
            attendance::set_held(tx, &ctx, s, d("2026-11-09"), Held::Held, "", "Cravings")?;
            membership::leave(tx, &ctx, membership_id, d("2026-11-10"), LeaveReason::DroppedOut)?;
            attendance::set_held(tx, &ctx, s, d("2026-11-16"), Held::Held, "", "")?;
            Ok(())
        })
        .unwrap();
    let pg = reports::patient_groups(w.store.conn(), &ctx, w.men[0]).unwrap();
    assert_eq!(pg.memberships.len(), 1);
    assert_eq!(pg.memberships[0].leave_reason, Some(LeaveReason::DroppedOut));
    let hist: Vec<(NaiveDate, Option<Mark>)> = pg.sessions.iter().map(|x| (x.date, x.mark)).collect();
    assert_eq!(hist, vec![(d("2026-11-09"), None), (d("2026-11-02"), Some(Mark::Present))]);
    let r = reports::report(w.store.conn(), &ctx, d("2026-11-01"), d("2026-11-30"), None).unwrap();
    assert_eq!(r.groups[0].dropouts, 1);
}

// ------------------------------------------------------------------ property tests

#[derive(Debug, Clone)]
enum Op {
    Move { pick: usize, days: i8, hour: u8 },
    Cancel { pick: usize },
    Mark { pick: usize },
    EditAll { day: usize, hour: u8 },
    Split { pick: usize, day: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..40, -3i8..4, 7u8..19).prop_map(|(pick, days, hour)| Op::Move { pick, days, hour }),
        (0usize..40).prop_map(|pick| Op::Cancel { pick }),
        (0usize..40).prop_map(|pick| Op::Mark { pick }),
        (0usize..7, 7u8..19).prop_map(|(day, hour)| Op::EditAll { day, hour }),
        (0usize..40, 0usize..7).prop_map(|(pick, day)| Op::Split { pick, day }),
    ]
}

type Snapshot = Vec<(i64, NaiveDate, NaiveDate, String, bool, u32)>;

fn snapshot(w: &World, from: NaiveDate, to: NaiveDate) -> Snapshot {
    series::occurrences(w.store.conn(), from, to, None)
        .unwrap()
        .into_iter()
        .map(|o| (o.series_id, o.original_date, o.date, o.start_time, o.cancelled, o.marks))
        .collect()
}

fn attendance_rows(w: &World) -> Vec<(i64, i64, String)> {
    w.store
        .conn()
        .prepare("SELECT session_id, patient_id, status FROM group_attendance ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Editing one occurrence changes no other; a series edit never changes a session
    /// with attendance; cancelling never deletes attendance.
    #[test]
    fn scheduling_invariants(ops in proptest::collection::vec(op(), 1..12)) {
        let mut w = world();
        let start = w.ctx(Role::Counsellor, "2026-11-02");
        let (g, _) = new_group(&mut w, "Prop", weekly("2026-11-02", &[Day::Mo, Day::Th], "10:00", None, vec![]), &start);
        let p = Person::Patient(w.men[0]);
        w.store.write(|tx| membership::join(tx, &start, g, p, d("2026-11-02")).map(drop)).unwrap();
        let (from, to) = (d("2026-10-25"), d("2027-01-31"));
        let ctx = w.c();
        for op in ops {
            let before = snapshot(&w, from, to);
            let marked_before: Vec<_> = before.iter().filter(|o| o.5 > 0).cloned().collect();
            let rows_before = attendance_rows(&w);
            let live: Vec<_> = before.iter().filter(|o| !o.4).cloned().collect();
            if live.is_empty() { break; }
            let series_edit = matches!(op, Op::EditAll { .. } | Op::Split { .. });
            match op {
                Op::Move { pick, days, hour } => {
                    let o = &live[pick % live.len()];
                    let new_date = o.2.checked_add_signed(chrono::Duration::days(i64::from(days))).unwrap();
                    let change = OccurrenceChange { date: new_date, start_time: format!("{hour:02}:00"), duration_min: 60, room_id: None, facilitators: vec![] };
                    let res = w.store.write(|tx| series::move_occurrence(tx, &ctx, o.0, o.1, &change, &SaveOptions::default()));
                    let after = snapshot(&w, from, to);
                    // Every other occurrence is unchanged.
                    let others = |s: &Snapshot| -> Snapshot { s.iter().filter(|x| (x.0, x.1) != (o.0, o.1)).cloned().collect() };
                    prop_assert_eq!(others(&before), others(&after));
                    if res.is_ok() && new_date >= from && new_date <= to {
                        let moved = after.iter().find(|x| (x.0, x.1) == (o.0, o.1)).unwrap();
                        prop_assert_eq!(moved.2, new_date);
                    }
                }
                Op::Cancel { pick } => {
                    let o = &live[pick % live.len()];
                    w.store.write(|tx| series::cancel_occurrence(tx, &ctx, o.0, o.1, "Holiday").map(drop)).unwrap();
                    let after = snapshot(&w, from, to);
                    let others = |s: &Snapshot| -> Snapshot { s.iter().filter(|x| (x.0, x.1) != (o.0, o.1)).cloned().collect() };
                    prop_assert_eq!(others(&before), others(&after));
                    prop_assert_eq!(attendance_rows(&w), rows_before.clone());
                }
                Op::Mark { pick } => {
                    let past: Vec<_> = live.iter().filter(|o| o.2 <= ctx.today).collect();
                    if past.is_empty() { continue; }
                    let o = past[pick % past.len()];
                    let _ = w.store.write(|tx| attendance::mark(tx, &ctx, o.0, o.1, p, Mark::Present, ""));
                }
                Op::EditAll { day, hour } => {
                    let current = series::current_for_group(w.store.conn(), g, ctx.today).unwrap();
                    let Some(s) = current.last() else { continue };
                    let input = weekly("2026-11-02", &[Day::ALL[day]], &format!("{hour:02}:00"), None, vec![]);
                    w.store.write(|tx| series::edit(tx, &ctx, s.id, ctx.today, &input, &SaveOptions::default()).map(drop)).unwrap();
                }
                Op::Split { pick, day } => {
                    let future: Vec<_> = live.iter().filter(|o| o.2 >= ctx.today).collect();
                    if future.is_empty() { continue; }
                    let o = future[pick % future.len()];
                    let Ok(s) = series::load(w.store.conn(), o.0) else { continue };
                    if s.valid_to.is_some_and(|t| t < o.1) || o.1 < ctx.today { continue; }
                    let input = weekly("2026-11-02", &[Day::ALL[day]], "16:00", None, vec![]);
                    w.store.write(|tx| series::edit(tx, &ctx, o.0, o.1, &input, &SaveOptions::default()).map(drop)).unwrap();
                }
            }
            let after = snapshot(&w, from, to);
            // Sessions with attendance never change (except by a move of that very one,
            // which refuses a new date).
            for m in &marked_before {
                prop_assert!(after.iter().any(|x| (x.0, x.1, x.2) == (m.0, m.1, m.2)), "session with attendance changed: {:?}", m);
            }
            // The series of a lineage never overlap (no session appears twice).
            let all = series::for_group(w.store.conn(), g).unwrap();
            for (i, a) in all.iter().enumerate() {
                for b in &all[i + 1..] {
                    let a_end = a.valid_to.unwrap_or(NaiveDate::MAX);
                    let b_end = b.valid_to.unwrap_or(NaiveDate::MAX);
                    let empty = |from: NaiveDate, to: NaiveDate| to < from;
                    prop_assert!(
                        empty(a.valid_from, a_end) || empty(b.valid_from, b_end) || a_end < b.valid_from || b_end < a.valid_from,
                        "series {} and {} overlap", a.id, b.id
                    );
                }
            }
            let keys: Vec<_> = after.iter().map(|x| (x.0, x.1)).collect();
            let mut dedup = keys.clone();
            dedup.sort();
            dedup.dedup();
            prop_assert_eq!(keys.len(), dedup.len(), "an occurrence listed twice");
            // Attendance is never lost.
            prop_assert!(attendance_rows(&w).len() >= rows_before.len());
            // A series edit never changes the past (before today).
            if series_edit {
                let past = |s: &Snapshot| -> Snapshot { s.iter().filter(|x| x.2 < ctx.today).cloned().collect() };
                prop_assert_eq!(past(&before), past(&after));
            }
        }
    }

    /// Expansion is deterministic and bounded by the window, whatever the rule.
    #[test]
    fn expansion_is_deterministic_and_bounded(
        freq in 1usize..4, interval in 1u32..5, days in proptest::collection::vec(0usize..7, 0..4),
        month_week in prop_oneof![Just(None), Just(Some(-1i8)), (1i8..5).prop_map(Some)],
        start_off in 0u64..400, count in prop_oneof![Just(None), (1u32..30).prop_map(Some)],
        win_off in 0u64..800, win_len in 0u64..200,
    ) {
        let base = d("2025-01-01");
        let freq = [Freq::Once, Freq::Daily, Freq::Weekly, Freq::Monthly][freq];
        let mut weekdays: Vec<Day> = days.into_iter().map(|i| Day::ALL[i]).collect();
        if freq == Freq::Monthly && month_week.is_some() { weekdays.truncate(1); if weekdays.is_empty() { weekdays.push(Day::Fr); } }
        let rule = Rule { freq, interval, weekdays, month_week: if freq == Freq::Monthly { month_week } else { None }, start: base + Days::new(start_off), until: None, count };
        let from = base + Days::new(win_off);
        let to = from + Days::new(win_len);
        let a = rule.expand(from, to);
        prop_assert_eq!(&a, &rule.expand(from, to));
        prop_assert!(a.iter().all(|x| *x >= from && *x <= to && *x >= rule.start));
        prop_assert!(a.windows(2).all(|p| p[0] < p[1]));
        prop_assert!(a.len() as u64 <= win_len + 1);
        if let Some(c) = count { prop_assert!(a.len() as u32 <= c); }
        // Splitting the window does not change the result.
        let mid = from + Days::new(win_len / 2);
        let mut parts = rule.expand(from, mid);
        if let Some(next) = mid.succ_opt() { parts.extend(rule.expand(next, to)); }
        prop_assert_eq!(a, parts);
    }
}
