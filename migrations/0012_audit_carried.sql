-- Issue 15: a restore keeps the history. The audit entries that the replaced database
-- made after the backup was taken are appended to the restored one, each marked with its
-- number there (carried_from) and the staff member it named there (carried_staff: that
-- person may not be in the restored register, so it references nothing). Both are
-- covered by the entry's seal; entries that were not carried leave them NULL.
ALTER TABLE audit_log ADD COLUMN carried_from INTEGER;
ALTER TABLE audit_log ADD COLUMN carried_staff INTEGER;
