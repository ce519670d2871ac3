//! The database key and the slots that hold it (issue 15, confidentiality at rest).
//!
//! The database is encrypted by SQLCipher with one random 256-bit key. That key is never
//! written in the clear: the slots file (`saathi.keys`, beside the database) holds it
//! wrapped once per way in, each slot sealed with XChaCha20-Poly1305:
//! - one slot per active staff member, under a key derived from their password with
//!   Argon2id (the same costs as the password hashes);
//! - one under the recovery code (Argon2id as well);
//! - one under the centre's backup key pair (age X25519), so the backup passphrase, which
//!   unlocks that key pair, opens the database too;
//! - only if an administrator turned it on: one sealed by the operating system for one
//!   Windows account (DPAPI, see os_protect.rs), for backups that Task Scheduler runs
//!   with nobody at the PC ([`crate::unattended`] says what it weakens).
//!
//! Changing a password rewraps one slot; the database itself is never re-encrypted. A
//! slot's kind is bound to its seal (associated data), so a slot copied onto another
//! kind or another staff member does not open. The file is replaced atomically
//! (written beside, synced, renamed), so a power cut leaves the old file or the new one.
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::settings::Language;

/// The slots file's name, in the data folder beside the database.
pub const KEYS_FILE: &str = "saathi.keys";
const FORMAT: u32 = 1;

/// The database key: 32 random bytes, wiped from memory when dropped (every copy).
#[derive(Clone, PartialEq, Eq)]
pub struct DbKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(…)")
    }
}

impl DbKey {
    /// A new random key (from the operating system's generator).
    pub fn generate() -> Result<DbKey> {
        let mut k = Zeroizing::new([0u8; 32]);
        getrandom::fill(k.as_mut()).map_err(|e| Error::Io(std::io::Error::other(format!("random key: {e}"))))?;
        Ok(DbKey(k))
    }

    /// A key from its bytes (the bench's fixed key; keys of real centres are generated).
    pub fn from_bytes(bytes: [u8; 32]) -> DbKey {
        DbKey(Zeroizing::new(bytes))
    }

    /// The key as SQLCipher's `PRAGMA key` takes raw key bytes: `x'…'` (64 hex digits).
    pub fn pragma_value(&self) -> Zeroizing<String> {
        let mut s = Zeroizing::new(String::with_capacity(67));
        s.push_str("x'");
        for b in self.0.iter() {
            s.push_str(&format!("{b:02x}"));
        }
        s.push('\'');
        s
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A key for another purpose, derived from this one (HMAC-SHA-256 of `label`), so
    /// that the database key itself is used for nothing else.
    pub(crate) fn derive(&self, label: &str) -> Zeroizing<[u8; 32]> {
        use hmac::{KeyInit, Mac};
        let mut out = Zeroizing::new([0u8; 32]);
        // HMAC takes a key of any length: 32 bytes never fail.
        if let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(self.0.as_ref()) {
            mac.update(label.as_bytes());
            out.copy_from_slice(&mac.finalize().into_bytes());
        }
        out
    }

    fn from_slice(b: &[u8]) -> Option<DbKey> {
        let arr: [u8; 32] = b.try_into().ok()?;
        Some(DbKey(Zeroizing::new(arr)))
    }
}

/// Who a slot lets in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SlotKind {
    /// A staff member's password (their id in the register).
    Staff { staff_id: i64 },
    /// The recovery code given at set-up.
    Recovery,
    /// The centre's backup key pair (age X25519 public key).
    Backup { recipient: String },
}

/// Argon2id costs, kept with the slot so that later versions can raise them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Kdf {
    m_kib: u32,
    t: u32,
    p: u32,
}

impl Kdf {
    fn current() -> Kdf {
        Kdf { m_kib: Params::DEFAULT_M_COST, t: Params::DEFAULT_T_COST, p: 1 }
    }

    /// A slots file from elsewhere cannot make Saathi spend more than 1 GiB or long minutes.
    fn acceptable(&self) -> bool {
        self.m_kib <= 1 << 20 && self.t <= 16 && (1..=8).contains(&self.p)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Slot {
    #[serde(flatten)]
    kind: SlotKind,
    /// A staff slot's username, to find the slot from the sign-in screen before the
    /// database can be read. Not sealed (the seal binds the staff id): a name changed in
    /// the file only makes the slot fail to open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user: Option<String>,
    /// Sealed under a key taken from the password hash the register held when a plain
    /// database was converted (see [`KeySlots::put_from_hash`]): replaced by a fresh slot
    /// at the staff member's next sign-in.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    interim: bool,
    /// Argon2id salt and costs (secret slots), base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    salt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kdf: Option<Kdf>,
    /// XChaCha20 nonce (secret slots), base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
    /// The sealed key: AEAD ciphertext (secret slots), or an age file (backup slot); base64.
    sealed: String,
}

/// What the sign-in screen shows before the database can be read: the centre's name, the
/// language to speak, and whether this is the demo centre. Nothing about any patient.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Face {
    pub centre_name: String,
    pub language: Language,
    pub demo: bool,
}

/// How the operating system's slot is protected: DPAPI, in the current Windows user's scope.
const OS_PROTECTION: &str = "windows_dpapi_user";

/// The slot the operating system's protected storage opens. It is kept beside the list of
/// slots, not in it: an older Saathi, which does not know it, ignores the field and still
/// reads the file (should it save the file, the slot is gone: backups without a password
/// are off, nobody is locked out).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct OsSlot {
    /// How it is protected ([`OS_PROTECTION`]).
    protection: String,
    /// The key as the operating system sealed it (DPAPI's blob), base64.
    sealed: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct FileForm {
    format: u32,
    #[serde(default)]
    face: Face,
    slots: Vec<Slot>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    os_slot: Option<OsSlot>,
}

/// The slots of one data folder, as read from (or to be written to) its `saathi.keys`.
#[derive(Debug, Clone)]
pub struct KeySlots {
    pub face: Face,
    slots: Vec<Slot>,
    os_slot: Option<OsSlot>,
}

fn damaged(detail: &str) -> Error {
    Error::Damaged { path: KEYS_FILE.into(), detail: detail.into() }
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| Error::Io(std::io::Error::other(format!("random bytes: {e}"))))?;
    Ok(b)
}

/// The slot's kind as its seal's associated data.
fn aad(kind: &SlotKind) -> Result<Vec<u8>> {
    serde_json::to_vec(kind).map_err(|e| damaged(&e.to_string()))
}

fn derive(secret: &str, salt: &[u8], kdf: Kdf) -> Result<Zeroizing<[u8; 32]>> {
    let params = Params::new(kdf.m_kib, kdf.t, kdf.p, Some(32))
        .map_err(|e| Error::Io(std::io::Error::other(format!("argon2 parameters: {e}"))))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(secret.as_bytes(), salt, out.as_mut())
        .map_err(|e| Error::Io(std::io::Error::other(format!("argon2: {e}"))))?;
    Ok(out)
}

impl KeySlots {
    /// No slot yet (a new database, before its first slot is added).
    pub fn empty() -> KeySlots {
        KeySlots { face: Face::default(), slots: Vec::new(), os_slot: None }
    }

    /// The slots file of `dir`, if there is one. A file that cannot be read as slots is
    /// refused (never replaced).
    pub fn load(dir: &Path) -> Result<Option<KeySlots>> {
        let path = dir.join(KEYS_FILE);
        let mut text = String::new();
        match std::fs::File::open(&path) {
            Ok(mut f) => f.read_to_string(&mut text)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let form: FileForm = serde_json::from_str(&text).map_err(|_| damaged("the key slots cannot be read"))?;
        if form.format > FORMAT {
            return Err(damaged("the key slots were written by a newer Saathi"));
        }
        Ok(Some(KeySlots { face: form.face, slots: form.slots, os_slot: form.os_slot }))
    }

    /// Writes the slots to `dir/saathi.keys`: to a file beside it first, synced, then
    /// renamed over the old one.
    pub fn save(&self, dir: &Path) -> Result<PathBuf> {
        let path = dir.join(KEYS_FILE);
        let form = FileForm {
            format: FORMAT,
            face: self.face.clone(),
            slots: self.slots.clone(),
            os_slot: self.os_slot.clone(),
        };
        let text = serde_json::to_vec_pretty(&form).map_err(|e| damaged(&e.to_string()))?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(&text)?;
        tmp.as_file().sync_all()?;
        tmp.persist(&path).map_err(|e| Error::Io(e.error))?;
        crate::files::sync_dir(dir);
        Ok(path)
    }

    pub fn kinds(&self) -> impl Iterator<Item = &SlotKind> {
        self.slots.iter().map(|s| &s.kind)
    }

    /// Adds (or replaces) the slot of `kind` opened by `secret` (a password or the
    /// recovery code). `kind` must not be a backup slot. A staff slot keeps its username.
    pub fn put_secret(&mut self, kind: SlotKind, secret: &str, key: &DbKey) -> Result<()> {
        let salt = random::<16>()?;
        let kdf = Kdf::current();
        let kek = derive(secret, &salt, kdf)?;
        self.seal(kind, &salt, kdf, &kek, key, false)
    }

    /// Adds (or replaces) the slot of `kind` under the Argon2id hash a plain register
    /// stored for its secret (a PHC string): the slot's key is that hash's output, its salt
    /// and costs are the hash's, so the same secret typed at the sign-in screen opens it,
    /// and nobody had to type anything for the conversion. Such a slot is only as strong as
    /// the secrecy of the old hash (which lived in the plain file, now overwritten, and in
    /// older backups, which are encrypted with the backup key): it is marked interim, and
    /// the next sign-in replaces it with a fresh one.
    pub fn put_from_hash(&mut self, kind: SlotKind, phc: &str, key: &DbKey) -> Result<()> {
        let bad = || damaged("a stored password hash cannot be read");
        let parsed = argon2::password_hash::phc::PasswordHash::new(phc).map_err(|_| bad())?;
        if parsed.algorithm.as_str() != "argon2id" {
            return Err(bad());
        }
        let params = Params::try_from(&parsed).map_err(|_| bad())?;
        let kdf = Kdf { m_kib: params.m_cost(), t: params.t_cost(), p: params.p_cost() };
        let (Some(salt), Some(hash)) = (parsed.salt.as_ref(), parsed.hash.as_ref()) else { return Err(bad()) };
        let kek: [u8; 32] = hash.as_bytes().try_into().map_err(|_| bad())?;
        self.seal(kind, salt, kdf, &Zeroizing::new(kek), key, true)
    }

    fn seal(
        &mut self,
        kind: SlotKind,
        salt: &[u8],
        kdf: Kdf,
        kek: &[u8; 32],
        key: &DbKey,
        interim: bool,
    ) -> Result<()> {
        if matches!(kind, SlotKind::Backup { .. }) {
            return Err(damaged("a backup slot is sealed to a key pair, not a secret"));
        }
        let nonce = random::<24>()?;
        let aad = aad(&kind)?;
        let sealed = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(kek))
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: key.bytes(), aad: &aad })
            .map_err(|_| damaged("sealing failed"))?;
        let user = self.slots.iter().find(|s| s.kind == kind).and_then(|s| s.user.clone());
        self.remove(&kind);
        self.slots.push(Slot {
            kind,
            user,
            interim,
            salt: Some(B64.encode(salt)),
            kdf: Some(kdf),
            nonce: Some(B64.encode(nonce)),
            sealed: B64.encode(sealed),
        });
        Ok(())
    }

    /// Sets the username a staff slot is found by (lower case).
    pub fn set_user(&mut self, staff_id: i64, username: Option<&str>) {
        for s in &mut self.slots {
            if s.kind == (SlotKind::Staff { staff_id }) {
                s.user = username.map(str::to_lowercase);
            }
        }
    }

    /// The staff member whose slot the username finds.
    pub fn staff_by_user(&self, username: &str) -> Option<i64> {
        let wanted = username.trim().to_lowercase();
        self.slots.iter().find_map(|s| match s.kind {
            SlotKind::Staff { staff_id } if s.user.as_deref() == Some(wanted.as_str()) => Some(staff_id),
            _ => None,
        })
    }

    /// Whether the slot of `kind` is an interim one from a converted register (or missing).
    pub fn needs_fresh(&self, kind: &SlotKind) -> bool {
        self.slots.iter().find(|s| s.kind == *kind).is_none_or(|s| s.interim)
    }

    /// Adds (or replaces) the backup slot, sealed to the backup key pair's public half.
    pub fn put_backup(&mut self, recipient: &age::x25519::Recipient, key: &DbKey) -> Result<()> {
        let out = seal_to(recipient, key)?;
        self.slots.retain(|s| !matches!(s.kind, SlotKind::Backup { .. }));
        self.slots.push(Slot {
            kind: SlotKind::Backup { recipient: recipient.to_string() },
            user: None,
            interim: false,
            salt: None,
            kdf: None,
            nonce: None,
            sealed: B64.encode(out),
        });
        Ok(())
    }

    /// Removes the slot of `kind` (a staff member deactivated). True if there was one.
    pub fn remove(&mut self, kind: &SlotKind) -> bool {
        let before = self.slots.len();
        self.slots.retain(|s| s.kind != *kind);
        self.slots.len() != before
    }

    /// The database key, from the slot of `kind` and its secret. A wrong secret (or no
    /// such slot) is [`Error::SignInFailed`]; a slot that cannot be read is damage.
    pub fn open_with_secret(&self, kind: &SlotKind, secret: &str) -> Result<DbKey> {
        let slot = self.slots.iter().find(|s| s.kind == *kind).ok_or(Error::SignInFailed)?;
        let field = |v: &Option<String>| -> Result<Vec<u8>> {
            v.as_deref().and_then(|s| B64.decode(s).ok()).ok_or_else(|| damaged("a key slot is incomplete"))
        };
        let (salt, nonce) = (field(&slot.salt)?, field(&slot.nonce)?);
        let kdf = slot.kdf.filter(Kdf::acceptable).ok_or_else(|| damaged("a key slot asks for too much work"))?;
        if nonce.len() != 24 {
            return Err(damaged("a key slot is incomplete"));
        }
        let sealed = B64.decode(&slot.sealed).map_err(|_| damaged("a key slot is incomplete"))?;
        let kek = derive(secret, &salt, kdf)?;
        let aad = aad(&slot.kind)?;
        let plain = Zeroizing::new(
            XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(kek.as_ref()))
                .decrypt(XNonce::from_slice(&nonce), Payload { msg: &sealed, aad: &aad })
                .map_err(|_| Error::SignInFailed)?,
        );
        DbKey::from_slice(&plain).ok_or_else(|| damaged("a key slot holds no key"))
    }

    /// Adds (or replaces) the slot the operating system opens for the current user (on
    /// Windows: DPAPI). Elsewhere `unattended_unsupported`.
    pub fn put_os(&mut self, key: &DbKey) -> Result<()> {
        let blob = crate::os_protect::protect(key.bytes())?;
        self.os_slot = Some(OsSlot { protection: OS_PROTECTION.into(), sealed: B64.encode(blob) });
        Ok(())
    }

    /// Whether there is a slot for the operating system to open.
    pub fn has_os(&self) -> bool {
        self.os_slot.is_some()
    }

    /// Removes the operating system's slot. True if there was one.
    pub fn remove_os(&mut self) -> bool {
        self.os_slot.take().is_some()
    }

    /// The database key, from the slot the operating system opens; `None` without that
    /// slot. A slot of another Windows account or PC, or a changed one, is
    /// `unattended_refused`; elsewhere than Windows `unattended_unsupported`.
    pub fn open_with_os(&self) -> Result<Option<DbKey>> {
        let Some(slot) = &self.os_slot else { return Ok(None) };
        if slot.protection != OS_PROTECTION {
            return Err(crate::os_protect::refused());
        }
        let blob = B64.decode(&slot.sealed).map_err(|_| crate::os_protect::refused())?;
        let plain = crate::os_protect::unprotect(&blob)?;
        DbKey::from_slice(&plain).map(Some).ok_or_else(|| damaged("a key slot holds no key"))
    }

    /// The database key, from the backup slot and the backup key pair's secret half.
    pub fn open_with_identity(&self, identity: &age::x25519::Identity) -> Result<DbKey> {
        let mine = identity.to_public().to_string();
        let slot = self
            .slots
            .iter()
            .find(|s| matches!(&s.kind, SlotKind::Backup { recipient } if *recipient == mine))
            .ok_or(Error::SignInFailed)?;
        let sealed = B64.decode(&slot.sealed).map_err(|_| damaged("a key slot is incomplete"))?;
        open_sealed(&sealed, identity)
    }
}

/// The database key sealed to an age X25519 recipient: an ordinary age file whose
/// plaintext is the 32 raw key bytes (the backup slot, and `saathi-db-key.age` beside the
/// backups on a stick, which `age -d -i identity` opens too).
pub fn seal_to(recipient: &age::x25519::Recipient, key: &DbKey) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let encryptor = age::Encryptor::with_recipients(std::iter::once(recipient as &dyn age::Recipient))
        .map_err(|e| damaged(&e.to_string()))?;
    let mut w = encryptor.wrap_output(&mut out)?;
    w.write_all(key.bytes())?;
    w.finish()?;
    Ok(out)
}

/// The database key from an age file made by [`seal_to`], with the recipient's identity.
/// Another identity is [`Error::SignInFailed`]; a file that is not such a seal is damage.
pub fn open_sealed(sealed: &[u8], identity: &age::x25519::Identity) -> Result<DbKey> {
    let decryptor = age::Decryptor::new(sealed).map_err(|_| damaged("the backup slot cannot be read"))?;
    let mut r = decryptor.decrypt(std::iter::once(identity as &dyn age::Identity)).map_err(|_| Error::SignInFailed)?;
    let mut plain = Zeroizing::new(Vec::new());
    r.read_to_end(&mut plain).map_err(|_| damaged("the backup slot cannot be read"))?;
    DbKey::from_slice(&plain).ok_or_else(|| damaged("a key slot holds no key"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &DbKey, b: &DbKey) -> bool {
        a.bytes() == b.bytes()
    }

    #[test]
    fn each_secret_opens_its_own_slot_and_nothing_else() {
        let key = DbKey::generate().unwrap();
        let mut slots = KeySlots::empty();
        slots.put_secret(SlotKind::Staff { staff_id: 1 }, "asha-password", &key).unwrap();
        slots.put_secret(SlotKind::Staff { staff_id: 2 }, "ravi-password", &key).unwrap();
        slots.put_secret(SlotKind::Recovery, "ABCD-EFGH-IJKL", &key).unwrap();

        assert!(same(&slots.open_with_secret(&SlotKind::Staff { staff_id: 1 }, "asha-password").unwrap(), &key));
        assert!(same(&slots.open_with_secret(&SlotKind::Recovery, "ABCD-EFGH-IJKL").unwrap(), &key));
        for (kind, secret) in [
            (SlotKind::Staff { staff_id: 1 }, "ravi-password"),
            (SlotKind::Staff { staff_id: 2 }, "asha-password"),
            (SlotKind::Staff { staff_id: 3 }, "asha-password"),
            (SlotKind::Recovery, "asha-password"),
        ] {
            assert!(matches!(slots.open_with_secret(&kind, secret), Err(Error::SignInFailed)), "{kind:?}");
        }
    }

    #[test]
    fn a_slot_moved_to_another_staff_member_does_not_open() {
        let key = DbKey::generate().unwrap();
        let mut slots = KeySlots::empty();
        slots.put_secret(SlotKind::Staff { staff_id: 1 }, "asha-password", &key).unwrap();
        slots.slots[0].kind = SlotKind::Staff { staff_id: 2 };
        assert!(matches!(
            slots.open_with_secret(&SlotKind::Staff { staff_id: 2 }, "asha-password"),
            Err(Error::SignInFailed)
        ));
    }

    #[test]
    fn a_new_password_replaces_the_old_slot_and_the_key_stays() {
        let key = DbKey::generate().unwrap();
        let mut slots = KeySlots::empty();
        let asha = SlotKind::Staff { staff_id: 1 };
        slots.put_secret(asha.clone(), "first-password", &key).unwrap();
        slots.put_secret(asha.clone(), "second-password", &key).unwrap();
        assert_eq!(slots.kinds().count(), 1);
        assert!(matches!(slots.open_with_secret(&asha, "first-password"), Err(Error::SignInFailed)));
        assert!(same(&slots.open_with_secret(&asha, "second-password").unwrap(), &key));
        assert!(slots.remove(&asha));
        assert!(matches!(slots.open_with_secret(&asha, "second-password"), Err(Error::SignInFailed)));
    }

    #[test]
    fn the_backup_key_pair_opens_its_slot() {
        let key = DbKey::generate().unwrap();
        let identity = age::x25519::Identity::generate();
        let other = age::x25519::Identity::generate();
        let mut slots = KeySlots::empty();
        slots.put_backup(&identity.to_public(), &key).unwrap();
        assert!(same(&slots.open_with_identity(&identity).unwrap(), &key));
        assert!(matches!(slots.open_with_identity(&other), Err(Error::SignInFailed)));
    }

    #[test]
    fn saved_slots_read_back_and_hold_no_key_in_the_clear() {
        let dir = tempfile::tempdir().unwrap();
        assert!(KeySlots::load(dir.path()).unwrap().is_none());
        let key = DbKey::generate().unwrap();
        let mut slots = KeySlots::empty();
        slots.put_secret(SlotKind::Recovery, "ABCD-EFGH-IJKL", &key).unwrap();
        let path = slots.save(dir.path()).unwrap();
        let text = std::fs::read(&path).unwrap();
        let hex: String = key.bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert!(!text.windows(32).any(|w| w == &key.bytes()[..]));
        assert!(!String::from_utf8_lossy(&text).contains(&hex));
        assert!(!String::from_utf8_lossy(&text).contains(&B64.encode(key.bytes())));
        let back = KeySlots::load(dir.path()).unwrap().unwrap();
        assert!(same(&back.open_with_secret(&SlotKind::Recovery, "ABCD-EFGH-IJKL").unwrap(), &key));
    }

    #[test]
    fn an_unreadable_or_newer_slots_file_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEYS_FILE);
        for text in ["not json", r#"{"format": 99, "slots": []}"#] {
            std::fs::write(&path, text).unwrap();
            assert!(matches!(KeySlots::load(dir.path()), Err(Error::Damaged { .. })), "{text}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        }
    }

    #[test]
    fn the_os_slot_is_optional_in_the_file_both_ways() {
        let dir = tempfile::tempdir().unwrap();
        // A file from before the slot existed.
        std::fs::write(dir.path().join(KEYS_FILE), r#"{"format": 1, "slots": []}"#).unwrap();
        let slots = KeySlots::load(dir.path()).unwrap().unwrap();
        assert!(!slots.has_os());
        assert!(slots.open_with_os().unwrap().is_none());
        // A file with the slot, as Windows writes it: this version reads it, and so does an
        // older one (which knows only these fields and ignores the rest).
        let key = DbKey::generate().unwrap();
        let mut slots = KeySlots::empty();
        slots.put_secret(SlotKind::Recovery, "ABCD-EFGH-IJKL", &key).unwrap();
        slots.os_slot = Some(OsSlot { protection: OS_PROTECTION.into(), sealed: B64.encode([1u8; 180]) });
        let path = slots.save(dir.path()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"os_slot\""), "{text}");
        #[derive(Deserialize)]
        #[allow(dead_code)]
        struct OlderForm {
            format: u32,
            #[serde(default)]
            face: Face,
            slots: Vec<Slot>,
        }
        let older: OlderForm = serde_json::from_str(&text).unwrap();
        assert_eq!(older.slots.len(), 1);
        let mut back = KeySlots::load(dir.path()).unwrap().unwrap();
        assert!(back.has_os());
        assert!(back.remove_os());
        assert!(!back.remove_os());
        back.save(dir.path()).unwrap();
        assert!(!std::fs::read_to_string(&path).unwrap().contains("os_slot"));
    }

    #[cfg(not(windows))]
    #[test]
    fn elsewhere_than_windows_the_os_slot_is_unsupported_not_a_panic() {
        let key = DbKey::generate().unwrap();
        let mut slots = KeySlots::empty();
        assert_eq!(slots.put_os(&key).unwrap_err().code(), "unattended_unsupported");
        assert!(!slots.has_os());
        slots.os_slot = Some(OsSlot { protection: OS_PROTECTION.into(), sealed: B64.encode([1u8; 180]) });
        assert_eq!(slots.open_with_os().unwrap_err().code(), "unattended_unsupported");
    }

    #[cfg(windows)]
    #[test]
    fn on_windows_the_os_slot_opens_for_this_account_and_refuses_a_changed_one() {
        let dir = tempfile::tempdir().unwrap();
        let key = DbKey::generate().unwrap();
        let mut slots = KeySlots::empty();
        slots.put_secret(SlotKind::Recovery, "ABCD-EFGH-IJKL", &key).unwrap();
        slots.put_os(&key).unwrap();
        let path = slots.save(dir.path()).unwrap();
        let text = std::fs::read(&path).unwrap();
        assert!(!text.windows(32).any(|w| w == &key.bytes()[..]));
        assert!(!String::from_utf8_lossy(&text).contains(&B64.encode(key.bytes())));
        let back = KeySlots::load(dir.path()).unwrap().unwrap();
        assert!(same(&back.open_with_os().unwrap().unwrap(), &key));
        assert!(same(&back.open_with_secret(&SlotKind::Recovery, "ABCD-EFGH-IJKL").unwrap(), &key));

        // A changed blob, another protection, a blob that is not base64: refused.
        let mut changed = back.clone();
        let blob = B64.decode(&back.os_slot.as_ref().unwrap().sealed).unwrap();
        for at in [blob.len() - 1, blob.len() - 21] {
            let mut bad = blob.clone();
            bad[at] ^= 0x10;
            changed.os_slot.as_mut().unwrap().sealed = B64.encode(&bad);
            assert_eq!(changed.open_with_os().unwrap_err().code(), "unattended_refused", "byte {at}");
        }
        changed.os_slot.as_mut().unwrap().sealed = "not base64!".into();
        assert_eq!(changed.open_with_os().unwrap_err().code(), "unattended_refused");
        let mut other = back.clone();
        other.os_slot.as_mut().unwrap().protection = "macos_keychain".into();
        assert_eq!(other.open_with_os().unwrap_err().code(), "unattended_refused");

        // Removed: nothing opens.
        let mut off = back;
        assert!(off.remove_os());
        off.save(dir.path()).unwrap();
        assert!(KeySlots::load(dir.path()).unwrap().unwrap().open_with_os().unwrap().is_none());
    }

    #[test]
    fn a_slot_asking_for_absurd_work_is_refused_before_any_work() {
        let key = DbKey::generate().unwrap();
        let mut slots = KeySlots::empty();
        slots.put_secret(SlotKind::Recovery, "ABCD-EFGH-IJKL", &key).unwrap();
        slots.slots[0].kdf = Some(Kdf { m_kib: 1 << 30, t: 1, p: 1 });
        assert!(matches!(slots.open_with_secret(&SlotKind::Recovery, "ABCD-EFGH-IJKL"), Err(Error::Damaged { .. })));
    }
}
