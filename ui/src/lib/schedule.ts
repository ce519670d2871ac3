// Helpers for the group screens: ISO dates for week arithmetic, and the schedule form's
// draft ⇄ the core's SeriesInput. No business rules: the core validates everything.
import type { Day } from './bindings/Day';
import type { Freq } from './bindings/Freq';
import type { Series } from './bindings/Series';
import type { SeriesInput } from './bindings/SeriesInput';
import { parseDate, showDate } from './dates';

const p2 = (n: number) => String(n).padStart(2, '0');

export function isoToday(): string {
  const d = new Date();
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}`;
}

export function addDays(iso: string, n: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  const dt = new Date(Date.UTC(y, m - 1, d + n));
  return `${dt.getUTCFullYear()}-${p2(dt.getUTCMonth() + 1)}-${p2(dt.getUTCDate())}`;
}

/** 0 = Monday … 6 = Sunday. */
export function weekdayIndex(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

export function mondayOf(iso: string): string {
  return addDays(iso, -weekdayIndex(iso));
}

export const DAYS: Day[] = ['mo', 'tu', 'we', 'th', 'fr', 'sa', 'su'];

export type EndKind = 'never' | 'until' | 'count';

export interface Draft {
  freq: Freq;
  interval: number;
  weekdays: Day[];
  monthWeek: string; // '' | '1' | '2' | '3' | '4' | '-1'
  start: string; // DD-MM-YYYY
  end: EndKind;
  until: string; // DD-MM-YYYY
  count: number;
  startTime: string;
  duration: number;
  roomId: number | null;
  facilitators: number[];
}

export function newDraft(roomId: number | null, facilitators: number[]): Draft {
  const today = isoToday();
  return {
    freq: 'weekly',
    interval: 1,
    weekdays: [DAYS[weekdayIndex(today)]],
    monthWeek: '',
    start: showDate(today),
    end: 'never',
    until: '',
    count: 10,
    startTime: '10:00',
    duration: 60,
    roomId,
    facilitators: [...facilitators],
  };
}

export function draftOf(s: Series): Draft {
  const r = s.input.rule;
  return {
    freq: r.freq,
    interval: r.interval,
    weekdays: [...r.weekdays],
    monthWeek: r.month_week == null ? '' : String(r.month_week),
    start: showDate(r.start),
    end: r.until ? 'until' : r.count ? 'count' : 'never',
    until: r.until ? showDate(r.until) : '',
    count: s.total_count ?? r.count ?? 10,
    startTime: s.input.start_time,
    duration: s.input.duration_min,
    roomId: s.input.room_id,
    facilitators: [...s.input.facilitators],
  };
}

/** The draft as the core's input, or the name of the date field that is not a date. */
export function toInput(d: Draft): SeriesInput | { badDate: 'start' | 'until' } {
  const start = parseDate(d.start);
  if (!start) return { badDate: 'start' };
  const until = d.end === 'until' ? parseDate(d.until) : null;
  if (d.end === 'until' && !until) return { badDate: 'until' };
  return {
    rule: {
      freq: d.freq,
      interval: Number(d.interval) || 1,
      weekdays: d.weekdays,
      month_week: d.freq === 'monthly' && d.monthWeek !== '' ? Number(d.monthWeek) : null,
      start,
      until,
      count: d.end === 'count' ? Number(d.count) || 1 : null,
    },
    start_time: d.startTime,
    duration_min: Number(d.duration) || 60,
    room_id: d.roomId,
    facilitators: d.facilitators,
  };
}
