import { describe, expect, it } from 'vitest';
import { reasonText, ruleText } from './reasons';

describe('mentoring reasons in words', () => {
  it('says a number of days as a number (not as a list of weekdays)', () => {
    expect(ruleText({ code: 'recovery_days', params: { days: 30, min_days: 90 } })).toBe('30 of 90 days in recovery');
  });
  it('shows a reason stored before reasons were codes as written', () => {
    expect(reasonText('both speak Punjabi')).toBe('both speak Punjabi');
  });
});
