import { describe, expect, it } from 'vitest';
import { parseDate, parseRange, showDate } from './dates';

describe('dates', () => {
  it('reads Indian and ISO forms', () => {
    expect(parseDate('26-11-2026')).toBe('2026-11-26');
    expect(parseDate('1/2/2026')).toBe('2026-02-01');
    expect(parseDate('2026-11-26')).toBe('2026-11-26');
  });
  it('refuses impossible dates', () => {
    expect(parseDate('31-02-2026')).toBeNull();
    expect(parseDate('tomorrow')).toBeNull();
    expect(parseDate('')).toBeNull();
  });
  it('shows ISO dates as DD-MM-YYYY', () => {
    expect(showDate('2026-11-26')).toBe('26-11-2026');
    expect(showDate(null)).toBe('—');
  });
  it('reads a range only when both ends are dates', () => {
    expect(parseRange('01-10-2026', '31-10-2026')).toEqual(['2026-10-01', '2026-10-31']);
    expect(parseRange('01-10-2026', '31-02-2026')).toBeNull();
  });
});
