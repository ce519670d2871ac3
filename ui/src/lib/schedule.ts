// Helpers for the group screens: ISO dates for week arithmetic, the schedule form's
// draft ⇄ the core's SeriesInput, and a schedule in words. No business rules: the core
// validates everything.
import type { Day } from './bindings/Day';
import type { Freq } from './bindings/Freq';
import type { Series } from './bindings/Series';
import type { SeriesInput } from './bindings/SeriesInput';
import { parseDate, showDate } from './dates';
import type { MessageKey } from './messages/en';

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

/** A catalogue lookup: `t` in the window, a fixed language in the tests. */
export type Text = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** "11:00" + 75 minutes → "12:15" (past midnight wraps round). */
export function endTime(start: string, minutes: number): string {
  const [h, m] = start.split(':').map(Number);
  const end = (h * 60 + m + minutes) % (24 * 60);
  return `${p2(Math.floor(end / 60))}:${p2(end % 60)}`;
}

/** ["Tuesday", "Friday", "Sunday"] → "Tuesday, Friday and Sunday". */
function list(names: string[], text: Text): string {
  if (names.length < 2) return names.join('');
  return `${names.slice(0, -1).join(', ')} ${text('sched.and')} ${names[names.length - 1]}`;
}

/**
 * A schedule in words, in the catalogue's language: "Every Tuesday and Friday,
 * 11:00–12:15", "First Sunday of the month, 10:00–11:00", with its end when it has one.
 */
export function describeSchedule(s: Pick<Series, 'input' | 'total_count'>, text: Text): string {
  const r = s.input.rule;
  const n = r.interval;
  const days = list(
    (r.weekdays.length ? r.weekdays : [DAYS[weekdayIndex(r.start)]]).map((d) => text(`sched.day_${d}` as MessageKey)),
    text,
  );
  let rule: string;
  if (r.freq === 'once') rule = text('sched.once', { date: showDate(r.start) });
  else if (r.freq === 'daily') rule = n > 1 ? text('sched.daily_n', { n }) : text('sched.daily');
  else if (r.freq === 'weekly') rule = n > 1 ? text('sched.weekly_n', { n, days }) : text('sched.weekly', { days });
  else if (r.month_week != null && r.weekdays.length) {
    const nth = text(`sched.nth_${r.month_week}` as MessageKey);
    rule = n > 1 ? text('sched.monthly_nth_n', { n, nth, days }) : text('sched.monthly_nth', { nth, days });
  } else {
    const day = Number(r.start.slice(8, 10));
    rule = n > 1 ? text('sched.monthly_day_n', { n, day }) : text('sched.monthly_day', { day });
  }
  const parts = [rule, `${s.input.start_time}–${endTime(s.input.start_time, s.input.duration_min)}`];
  if (r.until) parts.push(text('sched.until', { date: showDate(r.until) }));
  const count = s.total_count ?? r.count;
  if (count) parts.push(text('sched.count', { n: count }));
  return parts.join(', ');
}
