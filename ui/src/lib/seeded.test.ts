import { describe, expect, it } from 'vitest';
import { i18n } from './i18n.svelte';
import { templateText } from './seeded';
import seed from '../../../migrations/0006_aftercare.sql?raw';

// Setting the language also sets <html lang>; there is no page in these tests.
(globalThis as { document?: unknown }).document ??= { documentElement: {} };

const seededTexts = [...seed.matchAll(/^\s*\('([^']+)',\s*\n\s*'([^']+)'/gm)].flatMap((m) => [m[1], m[2]]);

describe('seeded plan templates', () => {
  it('are found in migration 0006 (three names, three descriptions)', () => {
    expect(seededTexts).toHaveLength(6);
  });
  it('read in Hindi while their English text is unchanged', () => {
    i18n.lang = 'hi';
    for (const text of seededTexts) {
      expect(templateText(text), text).toMatch(/[\u0900-\u097F]/);
    }
  });
  it('read as stored in English, and a centre’s own text is never translated', () => {
    i18n.lang = 'en';
    for (const text of seededTexts) expect(templateText(text)).toBe(text);
    i18n.lang = 'hi';
    expect(templateText('Standard (2 years) – our version')).toBe('Standard (2 years) – our version');
  });
});
