import { describe, expect, it } from 'vitest';
import { addDays, describeSchedule, endTime, mondayOf, newDraft, toInput, weekdayIndex, type Text } from './schedule';
import type { Series } from './bindings/Series';
import type { Rule } from './bindings/Rule';
import en, { type MessageKey } from './messages/en';
import hi from './messages/hi';

const inLang = (cat: Record<MessageKey, string>): Text => (key, vars = {}) =>
  cat[key].replace(/\{(\w+)\}/g, (_, n: string) => String(vars[n]));

/** A schedule from 2026-12-01 (a Tuesday) at `time` for `minutes`. */
function series(rule: Partial<Rule>, time = '11:00', minutes = 75, total: number | null = null): Pick<Series, 'input' | 'total_count'> {
  return {
    input: {
      rule: { freq: 'weekly', interval: 1, weekdays: [], month_week: null, start: '2026-12-01', until: null, count: null, ...rule },
      start_time: time,
      duration_min: minutes,
      room_id: null,
      facilitators: [],
    },
    total_count: total,
  };
}

describe('a schedule in words', () => {
  const cases: [string, Pick<Series, 'input' | 'total_count'>, string, string][] = [
    ['weekly on two days', series({ weekdays: ['tu', 'fr'] }), 'Every Tuesday and Friday, 11:00–12:15', 'हर मंगलवार और शुक्रवार, 11:00–12:15'],
    ['weekly on the start day', series({}), 'Every Tuesday, 11:00–12:15', 'हर मंगलवार, 11:00–12:15'],
    ['weekly on three days', series({ weekdays: ['mo', 'we', 'fr'] }, '09:30', 60), 'Every Monday, Wednesday and Friday, 09:30–10:30', 'हर सोमवार, बुधवार और शुक्रवार, 09:30–10:30'],
    ['every 2 weeks', series({ interval: 2, weekdays: ['th'] }, '16:00', 90), 'Every 2 weeks on Thursday, 16:00–17:30', 'हर 2 हफ़्ते, गुरुवार को, 16:00–17:30'],
    ['every day', series({ freq: 'daily' }, '07:00', 30), 'Every day, 07:00–07:30', 'हर दिन, 07:00–07:30'],
    ['every 3 days', series({ freq: 'daily', interval: 3 }, '07:00', 30), 'Every 3 days, 07:00–07:30', 'हर 3 दिन पर, 07:00–07:30'],
    ['first Sunday', series({ freq: 'monthly', weekdays: ['su'], month_week: 1 }, '10:00', 120), 'First Sunday of the month, 10:00–12:00', 'महीने का पहला रविवार, 10:00–12:00'],
    ['last Monday of every 2 months', series({ freq: 'monthly', interval: 2, weekdays: ['mo'], month_week: -1 }, '10:00', 60), 'Last Monday of every 2 months, 10:00–11:00', 'हर 2 महीने का आख़िरी सोमवार, 10:00–11:00'],
    ['a day of the month', series({ freq: 'monthly' }, '10:00', 60), 'Every month on day 1, 10:00–11:00', 'हर महीने की 1 तारीख़ को, 10:00–11:00'],
    ['once', series({ freq: 'once' }, '23:30', 60), 'Once, on 01-12-2026, 23:30–00:30', 'एक बार, 01-12-2026 को, 23:30–00:30'],
    ['until a date', series({ weekdays: ['tu'], until: '2027-03-31' }), 'Every Tuesday, 11:00–12:15, until 31-03-2027', 'हर मंगलवार, 11:00–12:15, 31-03-2027 तक'],
    ['a number of sessions', series({ weekdays: ['tu'], count: 4 }, '11:00', 75, 10), 'Every Tuesday, 11:00–12:15, 10 sessions in all', 'हर मंगलवार, 11:00–12:15, कुल 10 सत्र'],
  ];
  for (const [name, s, english, hindi] of cases) {
    it(name, () => {
      expect(describeSchedule(s, inLang(en))).toBe(english);
      expect(describeSchedule(s, inLang(hi))).toBe(hindi);
    });
  }
  it('never shows the RFC 5545 text', () => {
    for (const [, s] of cases) expect(describeSchedule(s, inLang(hi))).not.toMatch(/FREQ|BYDAY|[A-Z]{2},/);
  });
  it('ends a session past midnight on the next day', () => {
    expect(endTime('23:30', 45)).toBe('00:15');
  });
});


describe('group schedule helpers', () => {
  it('do week arithmetic on ISO dates', () => {
    expect(weekdayIndex('2026-11-26')).toBe(3); // Thursday
    expect(mondayOf('2026-11-26')).toBe('2026-11-23');
    expect(mondayOf('2026-11-23')).toBe('2026-11-23');
    expect(addDays('2026-12-28', 7)).toBe('2027-01-04');
  });
  it('turn a draft into the core input', () => {
    const d = { ...newDraft(3, [7]), start: '30-11-2026', weekdays: ['mo' as const, 'th' as const] };
    const input = toInput(d);
    expect(input).toMatchObject({
      rule: { freq: 'weekly', weekdays: ['mo', 'th'], start: '2026-11-30', until: null, count: null },
      room_id: 3,
      facilitators: [7],
    });
    expect(toInput({ ...d, start: '31-02-2026' })).toEqual({ badDate: 'start' });
    expect(toInput({ ...d, end: 'until', until: 'soon' })).toEqual({ badDate: 'until' });
  });
});
