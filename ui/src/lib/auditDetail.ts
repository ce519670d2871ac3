// The audit log's "Detail" column in words. The core stores a short detail with each entry
// (a code such as `pin` or `completed`, an id such as `session 12`, a date range); entries
// are sealed in a hash chain and never rewritten, so older entries keep the English words
// they were written with. This turns both into the reader's language; anything it does not
// know (a file name, a number) is shown as it is.
import en, { type MessageKey } from './messages/en';
import { t } from './i18n.svelte';

const has = (key: string): key is MessageKey => key in en;

/** Actions whose detail is one value of a list the window already names. */
const VALUE_OF: Record<string, string> = {
  patient_discharged: 'discharge.',
  patient_phase_changed: 'phase.',
  consent_withdrawn: 'consent.kind.',
  aftercare_attempt_recorded: 'result.',
  aftercare_plan_closed: 'close.',
  aftercare_alert_acknowledged: 'risk_rule.',
  admission_basis_recorded: 'admission.basis.',
  rights_request_opened: 'rights.kind.',
  staff_created: 'role.',
  group_session_recorded: 'g.held_',
  group_updated: 'g.status_',
  pair_end: 'mentor.reason_',
  breach_notified: 'rights.notice_',
};

/** Details written as a few words with a number or two. */
const PATTERNS: [RegExp, MessageKey, string[]][] = [
  [/^session (\d+)$/, 'audit.detail.session', ['id']],
  [/^family (\d+)$/, 'audit.detail.family', ['id']],
  [/^series (\d+)$/, 'audit.detail.series', ['id']],
  [/^override (\d+)$/, 'audit.detail.override', ['id']],
  [/^(\d+) people$/, 'audit.detail.people', ['n']],
  [/^idle lock (\d+) min$/, 'audit.detail.idle_lock', ['n']],
  [/^by hand, overriding (\d+) rule\(s\)$/, 'audit.detail.by_hand_overriding', ['n']],
  [/^(\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)$/, 'audit.detail.range', ['from', 'to']],
  [/^(\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d), CSV$/, 'audit.detail.range_csv', ['from', 'to']],
  [/^(\d{4}-\d\d-\d\d)\.\.(\d{4}-\d\d-\d\d)$/, 'audit.detail.range_dots', ['from', 'to']],
  [/^(\d{4}-\d\d-\d\d)\.\.(\d{4}-\d\d-\d\d), CSV$/, 'audit.detail.range_dots_csv', ['from', 'to']],
  [/^Today, (\d+) rows$/, 'audit.detail.worklist_today', ['n']],
  [/^Week, (\d+) rows$/, 'audit.detail.worklist_week', ['n']],
  [/^query of (\d+) characters, (\d+) found$/, 'audit.detail.search', ['typed', 'n']],
];

function value(prefix: string, code: string): string | null {
  const key = prefix + code;
  return has(key) ? t(key) : null;
}

/** A fixed word or phrase: `pin`, `backup on close` and `backup_on_close` alike. */
function fixed(detail: string): string | null {
  const code = detail.toLowerCase().replace(/[^a-z0-9+]+/g, '_').replace(/^_+|_+$/g, '');
  return code ? value('audit.detail.', code) : null;
}

export function auditDetail(action: string, detail: string): string {
  if (!detail) return '';
  const prefix = VALUE_OF[action];
  const direct = (prefix && value(prefix, detail)) || fixed(detail);
  if (direct) return direct;
  for (const [re, key, names] of PATTERNS) {
    const m = re.exec(detail);
    if (m) return t(key, Object.fromEntries(names.map((n, i) => [n, m[i + 1]])));
  }
  const words = detail.split(' ');
  if (action === 'consent_recorded' && words.length === 2) {
    const kind = value('consent.kind.', words[0]);
    const said = value('consent.', words[1]);
    if (kind && said) return `${kind}: ${said}`;
  }
  if (action === 'rights_request_closed') {
    const status = value('rights.status.', words[0]);
    const refusal = words[1] ? value('rights.refusal.', words[1]) : '';
    if (status && refusal !== null) return refusal ? `${status}: ${refusal}` : status;
  }
  if (action === 'access_copy_printed') {
    // "hi -aftercare:serious_harm -notes:third_party": the language, then parts withheld.
    const lang = fixed(words[0]);
    const parts = words.slice(1).map((w) => {
      const [part, reason] = w.replace(/^-/, '').split(':');
      return `${value('rights.part.', part) ?? part}: ${value('rights.reason.', reason ?? '') ?? reason}`;
    });
    if (lang) return [lang, ...parts].join(' · ');
  }
  return detail;
}
