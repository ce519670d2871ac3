import { describe, expect, it } from 'vitest';
import { addDays, mondayOf, newDraft, toInput, weekdayIndex } from './schedule';

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
