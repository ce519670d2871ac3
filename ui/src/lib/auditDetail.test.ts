import { afterEach, describe, expect, it, vi } from 'vitest';

vi.stubGlobal('document', { documentElement: { lang: 'en' } });
const { auditDetail } = await import('./auditDetail');
const { i18n } = await import('./i18n.svelte');

// Details as the core writes them (see the audit::record calls), old English ones included.
const SAMPLES: [string, string][] = [
  ['unlock', 'pin'],
  ['lock', 'by hand'],
  ['patient_discharged', 'absconded'],
  ['patient_phase_changed', 'aftercare'],
  ['aftercare_attempt_recorded', 'no_answer'],
  ['group_session_recorded', 'not_held'],
  ['pair_end', 'moved_away'],
  ['breach_notified', 'board'],
  ['consent_recorded', 'phone_followup refused'],
  ['rights_request_closed', 'refused retention'],
  ['access_copy_printed', 'hi -notes:third_party'],
  ['group_attendance_marked', 'session 12'],
  ['settings_changed', 'idle lock 5 min'],
  ['settings_changed', 'backup on close'],
  ['password_change_failed', 'wrong current password'],
  ['report_exported', '2026-01-01 to 2026-03-31, CSV'],
  ['pair_start', 'by hand, overriding 2 rule(s)'],
  ['certificate_printed', 'duplicate'],
  ['certificate_issued', 'treatment'],
  ['worklist_viewed', 'Today, 28 rows'],
  ['patients_searched', 'query of 0 characters, 159 found'],
  ['outcomes_exported', '2026-01-01..2026-03-31, CSV'],
];

describe('the audit log detail in words', () => {
  afterEach(() => {
    i18n.lang = 'en';
  });

  it('words every kind of detail the core writes, in English and in Hindi', () => {
    for (const lang of ['en', 'hi'] as const) {
      i18n.lang = lang;
      for (const [action, detail] of SAMPLES) {
        const shown = auditDetail(action, detail);
        expect(shown, `${lang} ${action} ${detail}`).not.toMatch(/[a-z]+_[a-z]+|\{|undefined/);
        // Every one is in the catalogue: in Hindi nothing is left as the core wrote it.
        if (lang === 'hi') expect(shown, `hi ${action} ${detail}`).toMatch(/[\u0900-\u097F]/);
        if (lang === 'hi') expect(shown, `hi ${action} ${detail}`).not.toMatch(/\b(by|hand|to|session|lock|refused)\b/);
      }
    }
  });

  it('fills in the numbers and names the values', () => {
    expect(auditDetail('settings_changed', 'idle lock 5 min')).toBe('lock after 5 minutes unused');
    expect(auditDetail('consent_recorded', 'phone_followup refused')).toContain('Refused');
    expect(auditDetail('group_attendance_marked', 'session 12')).toBe('session no. 12');
  });

  it('shows what it does not know as it is', () => {
    expect(auditDetail('backup_made', 'saathi-2026-12-04-1030.saathi')).toBe('saathi-2026-12-04-1030.saathi');
    expect(auditDetail('patient_erased', '7')).toBe('7');
    expect(auditDetail('patient_created', '')).toBe('');
  });
});
