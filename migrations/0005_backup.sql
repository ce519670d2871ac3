-- Backups (issue 7): one row per backup that was written AND read back and verified.
-- Append-only: the list of verified backups is history.
CREATE TABLE backups (
    id          INTEGER PRIMARY KEY,
    -- When the snapshot was taken (UTC, RFC 3339).
    made_at     TEXT NOT NULL,
    -- The Saathi-Backups folder it was written into, and the file's name there.
    folder      TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    bytes       INTEGER NOT NULL CHECK (bytes > 0),
    verified_at TEXT NOT NULL,
    staff_id    INTEGER REFERENCES staff(id),
    -- 'usb' (a stick or folder, encrypted) or 'local' (the daily snapshot in the data folder).
    kind        TEXT NOT NULL CHECK (kind IN ('usb', 'local'))
);

CREATE INDEX backups_by_folder ON backups (folder, id);

CREATE TRIGGER backups_no_update BEFORE UPDATE ON backups
BEGIN
    SELECT RAISE(ABORT, 'the list of verified backups cannot be changed');
END;

CREATE TRIGGER backups_no_delete BEFORE DELETE ON backups
BEGIN
    SELECT RAISE(ABORT, 'the list of verified backups cannot be changed');
END;
