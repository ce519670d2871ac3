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
    /// See the aftercare worklist and plans, record contact attempts, start a plan at
    /// discharge, print rosters and call lists.
    RecordFollowUp,
    /// Step plans up or down, pause, close, edit templates, see and acknowledge the
    /// at-risk list, read counsellors' confidential follow-up notes.
    ManageAftercare,
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
        Action::RecordFollowUp,
        Action::ManageAftercare,
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
            Action::RecordFollowUp => "work on aftercare follow-ups",
            Action::ManageAftercare => "change aftercare plans or see the at-risk list",
        }
    }
}

/// The one table of permissions.
pub fn allowed(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Admin => true,
        Role::Counsellor => !matches!(action, ManageStaff | ManageSettings | ViewAudit),
        Role::FrontDesk => {
            matches!(action, ViewRegister | ViewPatient | EditPatient | ViewStaff | ChooseLanguage | RecordFollowUp)
        }
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
        assert!(allowed(Role::Counsellor, Action::ReadClinicalNotes));
        assert!(!allowed(Role::Counsellor, Action::ViewAudit));
        assert!(Action::ALL.iter().all(|a| allowed(Role::Admin, *a)));
    }
}
