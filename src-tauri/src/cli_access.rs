//! How a command-line subcommand gets into a data folder's database: the folder's
//! encrypted database opens only with a staff member's password (their key slot), given
//! as `--user NAME` and `--password-file F` (the first line), or typed at a prompt.
//! Only an administrator may read or change patient data from the command line, and the
//! access is audited under their name. A plain database (from before encryption) is
//! encrypted first, as the window does at its first start.
use std::path::{Path, PathBuf};

use saathi_core::vault::{self, Folder};
use saathi_core::{Actor, Ctx, Role, Store, auth};

/// Who runs the command: from `--user` and `--password-file`.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub user: Option<String>,
    pub password_file: Option<PathBuf>,
}

impl Credentials {
    fn password(&self) -> Result<String, String> {
        read_secret(self.password_file.as_deref(), "password", "Password: ")
    }
}

/// A secret (`what`: "password", "passphrase") from the first line of `file`, or typed
/// at `prompt` on the terminal (not echoed).
pub fn read_secret(file: Option<&Path>, what: &str, prompt: &str) -> Result<String, String> {
    match file {
        Some(f) => {
            let text = std::fs::read_to_string(f)
                .map_err(|e| format!("Could not read the {what} file {}: {e}.", f.display()))?;
            Ok(text.lines().next().unwrap_or("").to_owned())
        }
        None => rpassword::prompt_password(prompt)
            .map_err(|e| format!("Could not read the {what} from the terminal ({e}); use --{what}-file.")),
    }
}

/// The database of `data_dir`, opened as the administrator the credentials name, and the
/// context to act in (that administrator, now).
pub fn open_as_admin(data_dir: &Path, who: &Credentials) -> Result<(Store, Ctx), String> {
    let db = saathi_core::paths::db_path(data_dir);
    let folder = vault::look(data_dir).map_err(|e| e.to_string())?;
    if matches!(folder, Folder::New) {
        return Err(format!("There is no Saathi database in {}.", data_dir.display()));
    }
    let Some(user) = who.user.as_deref() else {
        return Err("This command reads the centre's records: give an administrator's username with --user \
                    (and --password-file FILE, or type the password when asked)."
            .into());
    };
    let password = who.password()?;
    let system = Ctx::now(Actor::system());
    let (mut store, unlocked) = match folder {
        Folder::New | Folder::Plain => {
            let key = vault::convert(data_dir).map_err(|e| e.to_string())?;
            (Store::open_with(&db, Some(&key)).map_err(|e| e.to_string())?, None)
        }
        Folder::Locked(slots) => {
            let (key, id) = vault::unlock(&slots, user, &password).map_err(|_| refused())?;
            (Store::open_with(&db, Some(&key)).map_err(|e| e.to_string())?, Some(id))
        }
    };
    let session = store
        .write(|tx| match unlocked {
            Some(id) => auth::sign_in_unlocked(tx, &system, id, &password),
            None => auth::sign_in(tx, &system, user, &password),
        })
        .map_err(|e| e.to_string())?
        .map_err(|_| refused())?;
    if unlocked.is_none()
        && let Some(key) = store.key()
    {
        let info = session.info();
        vault::refresh_staff(data_dir, key, info.staff_id, &info.username, &password).map_err(|e| e.to_string())?;
    }
    let actor = session.actor_unchecked();
    if actor.role != Role::Admin {
        return Err("Only an administrator may do this from the command line.".into());
    }
    Ok((store, Ctx { actor, ..system }))
}

fn refused() -> String {
    "The username or password is not right.".into()
}
