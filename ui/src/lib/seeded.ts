// The three aftercare plan templates every centre starts with (migration 0006) are stored
// in English, as any template the centre writes is stored as typed. While a seeded
// template keeps its original English text, it is shown from the catalogue, so a Hindi
// desk reads it in Hindi; once the centre edits it, its own words are shown.
import { t } from './i18n.svelte';
import type { MessageKey } from './messages/en';

const seeded: Record<string, MessageKey> = {
  'Standard (2 years)': 'seed.template.standard',
  'Short (6 weeks)': 'seed.template.short',
  'Quarterly check-ups (2 years)': 'seed.template.quarterly',
  'A call within 2 days, weekly in weeks 1-12, every two weeks in months 4-12, monthly in months 13-24.':
    'seed.template.standard_about',
  'Day 1, then weekly for 6 weeks.': 'seed.template.short_about',
  'A check-up every 3 months for 2 years (Recovery Management Checkups).': 'seed.template.quarterly_about',
};

/** A template's name or description as the reader's language gives it. */
export function templateText(text: string): string {
  const key = seeded[text];
  return key ? t(key) : text;
}
