//! Peer mentorship in the centre: who is a mentor, who is waiting for one, suggestions
//! from the matcher ([`crate::matching`]) with their reasons, and the life of a pair
//! (accepted or made by hand, ended with a reason; an ending that went badly excludes the
//! pair from later suggestions).
//!
//! The database is turned into a matching problem in `people`; the matcher itself stays
//! a pure function. Eligibility rules that the matcher does not know (a paused mentor, an
//! in-patient, an archived record) leave a mentor out of the problem and are listed as
//! the reason on the mentors list.
//!
//! One job a file, each using only those above it:
//! `settings` (the centre's rules and weights) → `people` (the read model: who is a
//! mentor, who waits, the matching problem) → `pairs` (a pair's life: check, make, end,
//! exclusions) → `overview`, `suggestions`, `profiles` (the screens).
mod overview;
mod pairs;
mod people;
mod profiles;
mod settings;
mod suggestions;

pub use overview::{MentorRow, MentorshipOverview, WaitingRow, overview};
pub use pairs::{
    EndReason, ExclusionKind, ExclusionRow, PairCheck, PairMade, PairRow, PairRule, StoredReason, accept,
    add_exclusion, check_pair, clear_rejections, end_pair, lift_exclusion, pair_by_hand, reject,
};
pub use people::{MentorUnavailable, WaitReason};
pub use profiles::{MentorChoice, PatientMentorship, PeerProfile, for_patient, save_profile};
pub use settings::{DEFAULT_RECENT_DISCHARGE_DAYS, MentorshipSettings, NamedWeight, get_settings, save_settings};
pub use suggestions::{MentorSuggestion, MentorSuggestions, UnmatchedMentee, suggest};

pub(crate) mod demo;
#[cfg(test)]
mod tests;
