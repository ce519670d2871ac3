//! The operating system's protected storage, for the one key slot that opens without a
//! person: scheduled backups (see [`crate::unattended`]).
//!
//! On Windows this is DPAPI (`CryptProtectData` / `CryptUnprotectData`) in the scope of
//! the current Windows user: Windows seals the bytes under a key of that user's account,
//! so that only a program running as that user on that PC opens them again. A fixed,
//! Saathi-specific entropy is given too, so that another program using DPAPI for its own
//! secrets cannot be tricked into opening this blob as its own, and no prompt is ever
//! shown (`CRYPTPROTECT_UI_FORBIDDEN`: Task Scheduler has no one to answer it).
//!
//! Elsewhere (Linux, macOS) Saathi does not use the system's keyring: every call returns
//! the error `unattended_unsupported`.
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Mixed into every seal (DPAPI's "optional entropy"): names what the blob is.
const ENTROPY: &[u8] = b"Saathi saathi.keys: database key for scheduled backups, v1";
/// Shown by Windows' own tools that list DPAPI blobs.
const DESCRIPTION: &str = "Saathi database key (scheduled backups)";

/// Whether this system has protected storage Saathi can use.
pub const AVAILABLE: bool = cfg!(windows);

pub(crate) fn unsupported() -> Error {
    Error::Invalid {
        code: "unattended_unsupported",
        field: None,
        message: "Backups without a password are possible only on Windows: Saathi keeps that key in Windows' \
                  protected storage for one Windows account, which this system does not offer."
            .into(),
    }
}

pub(crate) fn refused() -> Error {
    Error::Invalid {
        code: "unattended_refused",
        field: None,
        message: "Windows did not open the key kept for backups without a password: it was saved by another \
                  Windows account or on another PC, or the key file was changed. Signed in to Windows as the \
                  account that runs the backups, turn backups without a password off and on again."
            .into(),
    }
}

/// `secret` sealed by the operating system for the current user.
pub fn protect(secret: &[u8]) -> Result<Vec<u8>> {
    protect_with(secret, ENTROPY)
}

/// The secret in a blob made by [`protect`] for the current user. A blob of another user,
/// another PC or another program, or a changed one, is `unattended_refused`.
pub fn unprotect(blob: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    unprotect_with(blob, ENTROPY)
}

#[cfg(windows)]
fn protect_with(secret: &[u8], entropy: &[u8]) -> Result<Vec<u8>> {
    windows::protect(secret, entropy, DESCRIPTION)
}

#[cfg(windows)]
fn unprotect_with(blob: &[u8], entropy: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    windows::unprotect(blob, entropy)
}

#[cfg(not(windows))]
fn protect_with(_secret: &[u8], _entropy: &[u8]) -> Result<Vec<u8>> {
    let _ = DESCRIPTION;
    Err(unsupported())
}

#[cfg(not(windows))]
fn unprotect_with(_blob: &[u8], _entropy: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    Err(unsupported())
}

#[cfg(windows)]
mod windows {
    use windows_sys::Win32::Foundation::{GetLastError, LocalFree};
    use windows_sys::Win32::Security::Cryptography::{
        CRYPT_INTEGER_BLOB, CRYPTPROTECT_UI_FORBIDDEN, CryptProtectData, CryptUnprotectData,
    };
    use zeroize::{Zeroize, Zeroizing};

    use super::refused;
    use crate::error::{Error, Result};

    /// A blob DPAPI reads (it never writes through `pbData` of an input).
    fn input(data: &[u8]) -> Result<CRYPT_INTEGER_BLOB> {
        let len = u32::try_from(data.len()).map_err(|_| refused())?;
        Ok(CRYPT_INTEGER_BLOB { cbData: len, pbData: data.as_ptr().cast_mut() })
    }

    /// Copies DPAPI's output and gives its memory back (wiped first).
    ///
    /// SAFETY: `out` was filled by a successful CryptProtectData/CryptUnprotectData call:
    /// `pbData` points to `cbData` bytes allocated with LocalAlloc.
    unsafe fn take(out: CRYPT_INTEGER_BLOB) -> Zeroizing<Vec<u8>> {
        if out.pbData.is_null() {
            return Zeroizing::new(Vec::new());
        }
        // SAFETY: see above; the slice is dropped before the memory is freed.
        let bytes = unsafe { std::slice::from_raw_parts_mut(out.pbData, out.cbData as usize) };
        let copy = Zeroizing::new(bytes.to_vec());
        bytes.zeroize();
        // SAFETY: memory DPAPI allocated for us, freed once.
        unsafe { LocalFree(out.pbData.cast()) };
        copy
    }

    pub fn protect(secret: &[u8], entropy: &[u8], description: &str) -> Result<Vec<u8>> {
        let data = input(secret)?;
        let entropy = input(entropy)?;
        let description: Vec<u16> = description.encode_utf16().chain(std::iter::once(0)).collect();
        let mut out = CRYPT_INTEGER_BLOB { cbData: 0, pbData: std::ptr::null_mut() };
        // SAFETY: the input blobs point into live slices for the whole call, the
        // description is NUL-terminated, and `out` is ours to fill.
        let ok = unsafe {
            CryptProtectData(
                &data,
                description.as_ptr(),
                &entropy,
                std::ptr::null(),
                std::ptr::null(),
                CRYPTPROTECT_UI_FORBIDDEN,
                &mut out,
            )
        };
        if ok == 0 {
            // SAFETY: no arguments; reads this thread's last error.
            let code = unsafe { GetLastError() };
            return Err(Error::Io(std::io::Error::other(format!("Windows could not protect the key (error {code})"))));
        }
        // SAFETY: a successful call filled `out`.
        Ok(unsafe { take(out) }.to_vec())
    }

    pub fn unprotect(blob: &[u8], entropy: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let data = input(blob)?;
        let entropy = input(entropy)?;
        let mut out = CRYPT_INTEGER_BLOB { cbData: 0, pbData: std::ptr::null_mut() };
        // SAFETY: as in `protect`; no description is asked for.
        let ok = unsafe {
            CryptUnprotectData(
                &data,
                std::ptr::null_mut(),
                &entropy,
                std::ptr::null(),
                std::ptr::null(),
                CRYPTPROTECT_UI_FORBIDDEN,
                &mut out,
            )
        };
        if ok == 0 {
            // SAFETY: no arguments; reads this thread's last error.
            let code = unsafe { GetLastError() };
            tracing::warn!(code, "DPAPI refused the key slot");
            return Err(refused());
        }
        // SAFETY: a successful call filled `out`.
        Ok(unsafe { take(out) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(windows))]
    #[test]
    fn elsewhere_than_windows_there_is_no_protected_storage() {
        const { assert!(!AVAILABLE) };
        assert_eq!(protect(b"a key").unwrap_err().code(), "unattended_unsupported");
        assert_eq!(unprotect(b"a blob").unwrap_err().code(), "unattended_unsupported");
    }

    #[cfg(windows)]
    #[test]
    fn windows_opens_what_it_sealed_and_refuses_anything_else() {
        const { assert!(AVAILABLE) };
        let secret = [7u8; 32];
        let blob = protect(&secret).unwrap();
        assert!(!blob.windows(32).any(|w| w == secret), "the secret is not in the blob in the clear");
        assert_eq!(&unprotect(&blob).unwrap()[..], &secret[..]);
        // Another program's blob (other entropy), a changed blob, and garbage.
        let foreign = protect_with(&secret, b"another program").unwrap();
        assert_eq!(unprotect(&foreign).unwrap_err().code(), "unattended_refused");
        let mut changed = blob.clone();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        assert_eq!(unprotect(&changed).unwrap_err().code(), "unattended_refused");
        // Near the end lie the sealed bytes and their check (in Windows' format as in Wine's).
        let mut sealed = blob.clone();
        let at = sealed.len() - 21;
        sealed[at] ^= 0x40;
        assert_eq!(unprotect(&sealed).unwrap_err().code(), "unattended_refused");
        assert_eq!(unprotect(b"not a DPAPI blob").unwrap_err().code(), "unattended_refused");
        assert_eq!(unprotect(&[]).unwrap_err().code(), "unattended_refused");
    }
}
