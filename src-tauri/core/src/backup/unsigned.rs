//! Restoring without a signed-in administrator (issue 15, "restore trusts nothing"). The
//! window offers it when the database cannot be opened, the command line when the folder
//! has no database that opens: nobody's role can be read then, so the person proves the
//! right another way, with this data folder's own recovery code or backup passphrase.
//! The code opens the recovery key slot; the passphrase opens the backup key file kept in
//! the data folder, whose key pair must be the one this folder's key slots name. A backup
//! is decrypted only with that key pair (never with a key file laid beside it by someone
//! else), and a `.db` file, from the snapshots folder or from anywhere, is accepted only
//! with one of the two. A folder with nothing in it yet (a new PC) has nothing to
//! protect: any backup its passphrase opens may be restored into it.
use std::path::Path;

use super::key::{self, KEY_FILE};
use super::restore::{PreparedRestore, prepare_local, prepare_trusting};
use crate::ctx::{Actor, Ctx};
use crate::error::{Error, Result};
use crate::keyslots::{DbKey, KeySlots, SlotKind};
use crate::vault;

/// Neither the recovery code nor the backup passphrase of this data folder.
fn needs_proof() -> Error {
    Error::invalid(
        "restore_needs_proof",
        "passphrase",
        "To restore without signing in, type this centre's recovery code or its backup passphrase. Nothing has \
         been changed.",
    )
}

/// The backup was made with a key pair that is not this centre's own.
pub(super) fn not_this_centres_key() -> Error {
    Error::invalid(
        "backup_key_not_this_centre",
        "file",
        "This backup's key is not this centre's own backup key. To restore it, an administrator must sign in \
         first. Nothing has been changed.",
    )
}

/// Checks the backup (`.saathi`) or copy (`.db`) at `file` for a restore into `data_dir`
/// without sign-in. `secret`: the backup passphrase (which a backup needs anyway) or, for
/// a `.db` copy, the recovery code. Nothing changes yet; [`super::apply`] follows.
pub fn prepare_unsigned(file: &Path, secret: &str, data_dir: &Path) -> Result<PreparedRestore> {
    let ctx = Ctx::now(Actor::system());
    let slots = KeySlots::load(data_dir)?;
    let own_file = std::fs::read(data_dir.join(KEY_FILE)).ok();
    let own = own_file.as_deref().and_then(|b| key::unlock(b, secret).ok());
    // This centre's backup key pairs: the one its key slots name; in a folder from before
    // encryption (no slots), the one of the key file it keeps.
    let mut trusted: Vec<String> = slots
        .iter()
        .flat_map(KeySlots::kinds)
        .filter_map(|k| match k {
            SlotKind::Backup { recipient } => Some(recipient.clone()),
            _ => None,
        })
        .collect();
    if slots.is_none()
        && let Some(id) = &own
    {
        trusted.push(id.to_public().to_string());
    }
    if file.extension().is_some_and(|e| e.eq_ignore_ascii_case("db")) {
        let key = match &slots {
            Some(slots) => Some(folder_key(slots, secret, own.as_ref())?),
            None if own.is_some() => None,
            None => return Err(needs_proof()),
        };
        return prepare_local(&ctx, file, data_dir, key.as_ref());
    }
    let empty = slots.is_none() && own_file.is_none() && !crate::paths::db_path(data_dir).exists();
    prepare_trusting(&ctx, file, secret, data_dir, None, None, (!empty).then_some(trusted.as_slice()))
}

/// The database key, from the recovery code's slot or (with the backup passphrase) the
/// backup slot.
fn folder_key(slots: &KeySlots, secret: &str, own: Option<&age::x25519::Identity>) -> Result<DbKey> {
    if let Ok(key) = vault::unlock_with_recovery(slots, secret) {
        return Ok(key);
    }
    own.and_then(|id| slots.open_with_identity(id).ok()).ok_or_else(needs_proof)
}
