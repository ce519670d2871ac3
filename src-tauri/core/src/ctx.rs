//! Who is acting, and when. Every core operation takes a `Ctx`, so each change can be
//! attributed to a staff member and checked against their role, and tests can set the
//! clock.
use chrono::{DateTime, Local, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    Admin,
    Counsellor,
    FrontDesk,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Counsellor, Role::FrontDesk];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Counsellor => "counsellor",
            Role::FrontDesk => "front_desk",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The staff member on whose behalf an operation runs. `staff_id` is `None` only for
/// the system itself (migrations, the demo generator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub staff_id: Option<i64>,
    pub role: Role,
}

impl Actor {
    pub fn system() -> Actor {
        Actor { staff_id: None, role: Role::Admin }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub actor: Actor,
    pub now: DateTime<Utc>,
    /// The centre's calendar date (local time of the PC).
    pub today: NaiveDate,
}

impl Ctx {
    pub fn now(actor: Actor) -> Ctx {
        let local = Local::now();
        Ctx { actor, now: local.with_timezone(&Utc), today: local.date_naive() }
    }

    /// A fixed clock, for tests and the deterministic demo.
    pub fn at(actor: Actor, today: NaiveDate) -> Ctx {
        let now = today.and_hms_opt(10, 0, 0).map(|t| t.and_utc()).unwrap_or_else(Utc::now);
        Ctx { actor, now, today }
    }

    pub fn stamp(&self) -> String {
        self.now.to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}
