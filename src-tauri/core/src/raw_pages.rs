//! For tests (`dev-tools`): what an encrypted database file actually holds, page by page,
//! decrypted as SQLCipher 4 writes it (AES-256-CBC per page; the raw key Saathi gives it;
//! each page ends with its IV and HMAC; page 1 starts with the file's salt), the free
//! pages and the WAL's frames included. Not a copy through SQLite (which would show only
//! live rows): every byte the file keeps, so a test can prove a text is gone.
use std::path::Path;

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockModeDecrypt, KeyIvInit};

use crate::keyslots::DbKey;

const PAGE: usize = 4096;
/// IV (16) and HMAC-SHA512 (64) at the end of every page.
const RESERVE: usize = 80;
const SALT: usize = 16;
const WAL_HEADER: usize = 32;
const FRAME_HEADER: usize = 24;

fn decrypt(key: &[u8; 32], page: &[u8], first: bool) -> Option<Vec<u8>> {
    if page.len() != PAGE {
        return None;
    }
    let start = if first { SALT } else { 0 };
    let iv: [u8; 16] = page[PAGE - RESERVE..PAGE - RESERVE + 16].try_into().ok()?;
    let mut buf = page[start..PAGE - RESERVE].to_vec();
    let dec = cbc::Decryptor::<aes::Aes256>::new(key.into(), &iv.into());
    dec.decrypt_padded::<NoPadding>(&mut buf).ok()?;
    Some(buf)
}

/// Every page of the database at `path` and of its WAL, decrypted with `key` and joined
/// (a page that does not decrypt, like an all-zero one, is kept as it is). Fails when page
/// 1 does not decrypt to a SQLite header (a wrong key or format), so a scan can never
/// pass by reading noise.
pub fn decrypted(path: &Path, key: &DbKey) -> std::io::Result<Vec<u8>> {
    let key = key.bytes();
    let file = std::fs::read(path)?;
    let mut out = Vec::with_capacity(file.len());
    for (i, page) in file.chunks(PAGE).enumerate() {
        let plain = decrypt(key, page, i == 0);
        if i == 0 {
            // Bytes 16-17 of the header: the page size, big-endian (offset 0 after the salt).
            let ok = plain.as_ref().is_some_and(|p| p.len() > 2 && p[..2] == [0x10, 0x00]);
            if !ok {
                return Err(std::io::Error::other("page 1 does not decrypt to a SQLite header"));
            }
        }
        out.extend(plain.unwrap_or_else(|| page.to_vec()));
    }
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    if let Ok(bytes) = std::fs::read(&wal)
        && bytes.len() > WAL_HEADER
    {
        for frame in bytes[WAL_HEADER..].chunks(FRAME_HEADER + PAGE) {
            if frame.len() == FRAME_HEADER + PAGE {
                let page = &frame[FRAME_HEADER..];
                let number = u32::from_be_bytes([frame[0], frame[1], frame[2], frame[3]]);
                out.extend(decrypt(key, page, number == 1).unwrap_or_else(|| page.to_vec()));
            }
        }
    }
    Ok(out)
}

/// Whether `needle` occurs anywhere in `hay`.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}
