//! The centre's backup key: an age X25519 identity, generated once by an administrator,
//! kept only encrypted with the centre's passphrase (age scrypt). Backups are encrypted
//! to its public half, so nobody types a secret to make one; restoring needs the
//! passphrase to unlock the identity. The encrypted key travels beside the backups on
//! every stick (`Saathi-Backups/saathi-backup-key.age`), so a new PC with only the stick
//! and the passphrase can restore — with Saathi, or with the `age` tool alone.
use std::io::{Read, Write};
use std::path::Path;
use std::str::FromStr;

use age::secrecy::{ExposeSecret, SecretString};
use rusqlite::{Connection, Transaction};

use crate::access::Action;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::settings::{get_raw, set_raw};

/// The name of the passphrase-protected key file, in the data folder and on each stick.
pub const KEY_FILE: &str = "saathi-backup-key.age";
/// Beside the backups on each stick: the database key (SQLCipher), sealed to the backup
/// key pair's public half (an age file whose plaintext is the 32 raw key bytes). The
/// passphrase unlocks the key pair, the key pair this file.
pub const DB_KEY_FILE: &str = "saathi-db-key.age";
/// scrypt work factor for real centres (about 1 s on a desktop PC), pinned so that a
/// slower PC never refuses the key file.
pub const WORK_FACTOR: u8 = 18;
/// The highest work factor Saathi accepts when unlocking (a key file from elsewhere).
const MAX_WORK_FACTOR: u8 = 22;
pub const MIN_PASSPHRASE_CHARS: usize = 16;
/// ... or at least this many words (a phrase of common words is easy to remember and
/// still long).
pub const MIN_PASSPHRASE_WORDS: usize = 4;

pub(crate) const SETTING_RECIPIENT: &str = "backup.recipient";
pub(crate) const SETTING_KEY: &str = "backup.key";

/// The public recipient backups are encrypted to, if the key is set up.
pub fn recipient(conn: &Connection) -> Result<Option<age::x25519::Recipient>> {
    match get_raw(conn, SETTING_RECIPIENT)? {
        None => Ok(None),
        Some(s) => age::x25519::Recipient::from_str(&s).map(Some).map_err(|_| Error::Damaged {
            path: "settings".into(),
            detail: "the backup recipient is unreadable".into(),
        }),
    }
}

/// The passphrase-protected key file (ASCII-armoured age), if set up.
pub fn key_file_text(conn: &Connection) -> Result<Option<String>> {
    get_raw(conn, SETTING_KEY)
}

/// Generates the centre's key and protects it with `passphrase` (admin only). Returns
/// the public recipient. Refuses to replace an existing key unless `replace` is set:
/// older backups stay readable with the old key file (which stays on the sticks).
pub fn set_up(tx: &Transaction<'_>, ctx: &Ctx, passphrase: &str, replace: bool) -> Result<String> {
    set_up_with_work_factor(tx, ctx, passphrase, replace, WORK_FACTOR)
}

/// [`set_up`] with a chosen scrypt work factor (tests and the demo centre use a low one).
pub fn set_up_with_work_factor(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    passphrase: &str,
    replace: bool,
    log_n: u8,
) -> Result<String> {
    ctx.require(Action::ManageBackups)?;
    if passphrase.trim().chars().count() < MIN_PASSPHRASE_CHARS
        && passphrase.split_whitespace().count() < MIN_PASSPHRASE_WORDS
    {
        return Err(Error::invalid(
            "passphrase_too_short",
            "passphrase",
            format!(
                "The passphrase needs at least {MIN_PASSPHRASE_CHARS} characters or {MIN_PASSPHRASE_WORDS} words; a \
                 few words are easiest to remember."
            ),
        )
        .with("min", MIN_PASSPHRASE_CHARS)
        .with("words", MIN_PASSPHRASE_WORDS));
    }
    if !replace && get_raw(tx, SETTING_RECIPIENT)?.is_some() {
        return Err(Error::invalid(
            "backup_key_exists",
            "passphrase",
            "Backup encryption is already set up. Choose \"Replace the key\" only if the passphrase is lost.",
        ));
    }
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let text = identity_file_text(&identity, &recipient, &ctx.stamp());
    let armoured = encrypt_with_passphrase(text.as_bytes(), passphrase, log_n)?;
    set_raw(tx, SETTING_RECIPIENT, &recipient)?;
    set_raw(tx, SETTING_KEY, &armoured)?;
    crate::audit::record(
        tx,
        ctx,
        if replace { "backup_key_replaced" } else { "backup_key_set_up" },
        crate::audit::entity::SETTINGS,
        None,
        "",
    )?;
    Ok(recipient)
}

/// The same format `age-keygen` writes.
fn identity_file_text(identity: &age::x25519::Identity, recipient: &str, created: &str) -> String {
    format!(
        "# Saathi backup key. Keep it secret.\n# created: {created}\n# public key: {recipient}\n{}\n",
        identity.to_string().expose_secret()
    )
}

fn encrypt_with_passphrase(plain: &[u8], passphrase: &str, log_n: u8) -> Result<String> {
    let mut r = age::scrypt::Recipient::new(SecretString::from(passphrase.to_owned()));
    r.set_work_factor(log_n);
    let enc = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
        .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    let mut out = Vec::new();
    let armor = age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)?;
    let mut w = enc.wrap_output(armor)?;
    w.write_all(plain)?;
    w.finish()?.finish()?;
    String::from_utf8(out).map_err(|e| Error::Io(std::io::Error::other(e.to_string())))
}

/// Unlocks a passphrase-protected key file (armoured or binary).
pub fn unlock(key_file: &[u8], passphrase: &str) -> Result<age::x25519::Identity> {
    let reader = age::armor::ArmoredReader::new(key_file);
    let dec = age::Decryptor::new(reader).map_err(|_| Error::BackupDamaged { detail: "unreadable key file".into() })?;
    if !dec.is_scrypt() {
        return Err(Error::BackupDamaged { detail: "the key file is not protected by a passphrase".into() });
    }
    let mut id = age::scrypt::Identity::new(SecretString::from(passphrase.to_owned()));
    id.set_max_work_factor(MAX_WORK_FACTOR);
    let mut plain = String::new();
    dec.decrypt(std::iter::once(&id as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => Error::WrongPassphrase,
            _ => Error::BackupDamaged { detail: "the key file is damaged".into() },
        })?
        .read_to_string(&mut plain)
        .map_err(|_| Error::BackupDamaged { detail: "the key file is damaged".into() })?;
    plain
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .and_then(|l| age::x25519::Identity::from_str(l).ok())
        .ok_or_else(|| Error::BackupDamaged { detail: "the key file holds no key".into() })
}

/// Checks a passphrase against the key stored in this Saathi (admin only), without
/// changing anything: for the "test the passphrase" button.
pub fn check_passphrase(conn: &Connection, ctx: &Ctx, passphrase: &str) -> Result<()> {
    ctx.require(Action::ManageBackups)?;
    let key = key_file_text(conn)?.ok_or(Error::BackupNotSetUp)?;
    unlock(key.as_bytes(), passphrase).map(drop)
}

/// Writes the key file into `dir` (the data folder or a stick's Saathi-Backups folder),
/// unless the same content is already there. Written beside, synced, then renamed.
pub fn write_key_file(dir: &Path, armoured: &str) -> std::io::Result<()> {
    let path = dir.join(KEY_FILE);
    if std::fs::read(&path).is_ok_and(|b| b == armoured.as_bytes()) {
        return Ok(());
    }
    let tmp = dir.join(format!("{KEY_FILE}.partial"));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(armoured.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &path)?;
    super::sync_dir(dir);
    Ok(())
}

/// Writes the database key, sealed to `recipient`, into `dir` as [`DB_KEY_FILE`]: beside,
/// synced, renamed, and the folder synced. Written by every backup (the seal differs each
/// time; the key inside stays the centre's).
pub fn write_db_key_file(dir: &Path, recipient: &age::x25519::Recipient, key: &crate::keyslots::DbKey) -> Result<()> {
    let sealed = crate::keyslots::seal_to(recipient, key)?;
    let path = dir.join(DB_KEY_FILE);
    let tmp = dir.join(format!("{DB_KEY_FILE}.partial"));
    let written = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&sealed)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, &path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(super::map_write_error(dir, e));
    }
    super::sync_dir(dir);
    Ok(())
}

/// The database key from the [`DB_KEY_FILE`] in `dir`, opened with one of `identities`.
/// `None` when there is no such file or none of them opens it.
pub(crate) fn read_db_key_file(dir: &Path, identities: &[age::x25519::Identity]) -> Option<crate::keyslots::DbKey> {
    let sealed = std::fs::read(dir.join(DB_KEY_FILE)).ok()?;
    identities.iter().find_map(|id| crate::keyslots::open_sealed(&sealed, id).ok())
}

/// What the printable recovery sheet names; the window writes the sheet around it in
/// the user's language (the passphrase is never on it: it is written by hand).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct RecoverySheet {
    pub centre: String,
    /// The backups' public key (age recipient), to match the sheet with the stick's key file.
    pub recipient: String,
    pub printed_on: chrono::NaiveDate,
}

/// The facts for the recovery sheet.
pub fn recovery_sheet(conn: &Connection, ctx: &Ctx) -> Result<RecoverySheet> {
    ctx.require(Action::ManageBackups)?;
    let recipient = get_raw(conn, SETTING_RECIPIENT)?.ok_or(Error::BackupNotSetUp)?;
    let centre = crate::settings::get(conn)?.centre_name;
    Ok(RecoverySheet { centre, recipient, printed_on: ctx.today })
}
