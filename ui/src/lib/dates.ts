// Dates are shown and typed as DD-MM-YYYY (Indian use) and sent to the core as ISO.

/** "26-11-2026" or "26/11/2026" or "2026-11-26" → "2026-11-26"; null when it is not a date. */
export function parseDate(text: string): string | null {
  const s = text.trim();
  let m = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(s);
  let y: number, mo: number, d: number;
  if (m) {
    [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s))) {
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else {
    return null;
  }
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** "2026-11-26" → "26-11-2026". */
export function showDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const [y, m, d] = iso.split('-');
  return `${d}-${m}-${y}`;
}

export function todayText(): string {
  const now = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(now.getDate())}-${p(now.getMonth() + 1)}-${now.getFullYear()}`;
}

/** Two typed dates as ISO dates, or null when either cannot be read. */
export function parseRange(from: string, to: string): [string, string] | null {
  const f = parseDate(from);
  const t = parseDate(to);
  return f && t ? [f, t] : null;
}
