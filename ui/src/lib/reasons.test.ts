import { describe, expect, it, vi } from 'vitest';

vi.stubGlobal('document', { documentElement: { lang: 'en' } });
import { i18n } from './i18n.svelte';
import { languageList, reasonText, ruleText } from './reasons';

describe('mentoring reasons in words', () => {
  it('says a number of days as a number (not as a list of weekdays)', () => {
    expect(ruleText({ code: 'recovery_days', params: { days: 30, min_days: 90 } })).toBe('30 of 90 days in recovery');
  });
  it('shows a reason stored before reasons were codes as written', () => {
    expect(reasonText('both speak Punjabi')).toBe('both speak Punjabi');
  });
  it('names the languages typed on records in the reader\'s language, and others as typed', () => {
    const reason = { code: 'both_speak' as const, params: { languages: ['English', 'punjabi'] } };
    expect(reasonText(reason)).toBe('both speak English and Punjabi');
    expect(languageList(['Hindi', 'Kutchi'])).toBe('Hindi, Kutchi');
    i18n.lang = 'hi';
    try {
      expect(reasonText(reason)).toBe('दोनों अंग्रेज़ी और पंजाबी बोलते हैं');
      expect(languageList(['Hindi', 'Kutchi'])).toBe('हिंदी, Kutchi');
    } finally {
      i18n.lang = 'en';
    }
  });
});
