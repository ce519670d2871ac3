//! Who may do what. Every user-facing core operation calls [`Ctx::require`] with its
//! [`Action`] before it touches anything; the user interface only hides what a role
//! cannot do.
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ctx::{Ctx, Role};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Action {
    /// Search and list the register, see the counts.
    ViewRegister,
    /// Open one patient's record.
    ViewPatient,
    /// Register, edit, discharge, re-admit, move, archive.
    EditPatient,
    ReadClinicalNotes,
    WriteClinicalNotes,
    /// See the names and roles of colleagues.
    ViewStaff,
    /// Add staff, change roles, deactivate, reset passwords.
    ManageStaff,
    /// Centre details and security settings (idle lock).
    ManageSettings,
    /// Switch the display language.
    ChooseLanguage,
    ViewAudit,
    /// See mentors, mentees, pairs and suggestions.
    ViewMentorship,
    /// Mark mentors, accept or turn down suggestions, pair within the rules, end pairs.
    ManageMentorship,
    /// Make a pair by hand that breaks a hard rule (with a reason).
    OverrideMentorRules,
    /// Record and lift pairs that must never be suggested.
    ManageMentorExclusions,
    /// See groups, schedules, members, attendance sheets and reports.
    ViewGroups,
    /// Create and edit groups, rooms and schedules; move or cancel sessions.
    ManageGroups,
    /// Add and remove group members, family members, the waiting list.
    ManageMembers,
    /// Take attendance: whether a session took place, topic, each person's mark.
    RecordAttendance,
    /// Read and write the confidential note of a group session.
    SessionNotes,
    /// Save a schedule despite a room or facilitator clash (with a reason).
    OverrideConflicts,
    /// Make a backup to a stick or folder, see the list of backups.
    MakeBackup,
    /// Set up the backup key (passphrase) and restore a backup over the live data.
    ManageBackups,
    /// See the aftercare worklist and plans, record contact attempts, start a plan at
    /// discharge, print rosters and call lists.
    RecordFollowUp,
    /// Step plans up or down, pause, close, edit templates, see and acknowledge the
    /// at-risk list, read counsellors' confidential follow-up notes.
    ManageAftercare,
    /// The people's rights desk: requests to see, correct or erase records, grievances,
    /// erasures, and the breach register (DPDP Act 2023).
    ManageRights,
    // ---- issue 17: registers
    /// Print and export the registers (admissions, discharges, follow-ups, group
    /// sessions, certificates).
    PrintRegisters,
    // ---- issue 17: statistics
    /// See who is counted in a figure of the statistics (names on the screen only).
    ViewStatisticsPeople,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::ViewRegister,
        Action::ViewPatient,
        Action::EditPatient,
        Action::ReadClinicalNotes,
        Action::WriteClinicalNotes,
        Action::ViewStaff,
        Action::ManageStaff,
        Action::ManageSettings,
        Action::ChooseLanguage,
        Action::ViewAudit,
        Action::ViewMentorship,
        Action::ManageMentorship,
        Action::OverrideMentorRules,
        Action::ManageMentorExclusions,
        Action::ViewGroups,
        Action::ManageGroups,
        Action::ManageMembers,
        Action::RecordAttendance,
        Action::SessionNotes,
        Action::OverrideConflicts,
        Action::MakeBackup,
        Action::ManageBackups,
        Action::RecordFollowUp,
        Action::ManageAftercare,
        Action::ManageRights,
        // ---- issue 17: registers
        Action::PrintRegisters,
        // ---- issue 17: statistics
        Action::ViewStatisticsPeople,
    ];

    /// How a refusal names it: "… is not allowed to {describe}."
    pub fn describe(self) -> &'static str {
        match self {
            Action::ViewRegister => "see the patient register",
            Action::ViewPatient => "open patient records",
            Action::EditPatient => "change patient records",
            Action::ReadClinicalNotes => "read clinical notes",
            Action::WriteClinicalNotes => "write clinical notes",
            Action::ViewStaff => "see the staff list",
            Action::ManageStaff => "manage staff accounts",
            Action::ManageSettings => "change the centre's settings",
            Action::ChooseLanguage => "change the language",
            Action::ViewAudit => "see the audit log",
            Action::ViewMentorship => "see peer mentorship",
            Action::ManageMentorship => "manage peer mentor pairs",
            Action::OverrideMentorRules => "make a mentor pair that breaks a rule",
            Action::ManageMentorExclusions => "record or lift mentor exclusions",
            Action::ViewGroups => "see groups and their schedules",
            Action::ManageGroups => "create or change groups and their schedules",
            Action::ManageMembers => "change group members",
            Action::RecordAttendance => "take attendance",
            Action::SessionNotes => "read or write confidential session notes",
            Action::OverrideConflicts => "save a schedule that clashes with another",
            Action::MakeBackup => "make backups",
            Action::ManageBackups => "set up backup encryption or restore a backup",
            Action::RecordFollowUp => "work on aftercare follow-ups",
            Action::ManageAftercare => "change aftercare plans or see the at-risk list",
            Action::ManageRights => "handle people's data requests and the breach register",
            // ---- issue 17: registers
            Action::PrintRegisters => "print the registers",
            // ---- issue 17: statistics
            Action::ViewStatisticsPeople => "see who is counted in the statistics",
        }
    }
}

/// The one table of permissions.
pub fn allowed(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Admin => true,
        Role::Counsellor => !matches!(
            action,
            ManageStaff | ManageSettings | ViewAudit | ManageBackups | ManageRights
                // ---- issue 17: statistics
                | ViewStatisticsPeople
        ),
        Role::FrontDesk => matches!(
            action,
            ViewRegister
                | ViewPatient
                | EditPatient
                | ViewStaff
                | ChooseLanguage
                | ViewMentorship
                | ManageMentorship
                | ViewGroups
                | ManageMembers
                | RecordAttendance
                | MakeBackup
                | RecordFollowUp
        ),
    }
}

impl Role {
    pub fn describe(self) -> &'static str {
        match self {
            Role::Admin => "administrator",
            Role::Counsellor => "counsellor",
            Role::FrontDesk => "front desk",
        }
    }
}

impl Ctx {
    /// Refuses with a plain message unless the acting staff member's role allows `action`.
    pub fn require(&self, action: Action) -> Result<()> {
        if allowed(self.actor.role, action) {
            Ok(())
        } else {
            Err(Error::Forbidden { role: self.actor.role.describe(), action: action.describe() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_desk_cannot_read_notes_or_the_audit_log() {
        for a in [Action::ReadClinicalNotes, Action::WriteClinicalNotes, Action::ViewAudit, Action::ManageStaff] {
            assert!(!allowed(Role::FrontDesk, a), "{a:?}");
        }
        assert!(!allowed(Role::FrontDesk, Action::ManageRights) && !allowed(Role::Counsellor, Action::ManageRights));
        assert!(allowed(Role::Counsellor, Action::ReadClinicalNotes));
        assert!(!allowed(Role::Counsellor, Action::ViewAudit));
        assert!(Action::ALL.iter().all(|a| allowed(Role::Admin, *a)));
    }

    #[test]
    fn groups_front_desk_runs_the_day_counsellors_plan() {
        for a in [Action::ViewGroups, Action::ManageMembers, Action::RecordAttendance] {
            assert!(allowed(Role::FrontDesk, a), "{a:?}");
        }
        for a in [Action::ManageGroups, Action::SessionNotes, Action::OverrideConflicts] {
            assert!(!allowed(Role::FrontDesk, a), "{a:?}");
            assert!(allowed(Role::Counsellor, a), "{a:?}");
        }
    }
}
