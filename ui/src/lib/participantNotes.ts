// Small helpers for the per-participant group notes (issue 17).
import { showDate } from './dates';

/** A stored UTC time stamp ("2026-11-26T04:30:00Z") as the centre's local "26-11-2026 10:00". */
export function showStamp(stamp: string | null | undefined): string {
  if (!stamp) return '—';
  const at = new Date(stamp);
  if (Number.isNaN(at.getTime())) return stamp;
  const p = (n: number) => String(n).padStart(2, '0');
  const day = `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())}`;
  return `${showDate(day)} ${p(at.getHours())}:${p(at.getMinutes())}`;
}
