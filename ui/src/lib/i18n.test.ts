import { describe, expect, it, vi } from 'vitest';
import en from './messages/en';
import hi from './messages/hi';

describe('message catalogues', () => {
  it('have the same keys in English and Hindi', () => {
    expect(Object.keys(hi).sort()).toEqual(Object.keys(en).sort());
  });
  it('have no empty labels', () => {
    for (const [k, v] of [...Object.entries(en), ...Object.entries(hi)]) {
      expect(v.trim(), k).not.toBe('');
    }
  });
  it('use the same placeholders in both languages', () => {
    for (const k of Object.keys(en) as (keyof typeof en)[]) {
      const vars = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(vars(hi[k]), k).toEqual(vars(en[k]));
    }
  });
  it('write Hindi labels in Devanagari', () => {
    expect(hi['nav.patients']).toMatch(/[\u0900-\u097F]/);
  });
});

describe('errorText', () => {
  it('names a value that is itself a code in the chosen language', async () => {
    vi.stubGlobal('document', { documentElement: { lang: 'en' } });
    const { errorText, i18n } = await import('./i18n.svelte');
    const { ApiError } = await import('./api');
    const e = new ApiError({
      code: 'restore_schema_foreign',
      message: 'English from the core',
      field: null,
      params: { kind: 'trigger', name: 'steal' },
    });
    i18n.lang = 'hi';
    expect(errorText(e)).toContain('ट्रिगर “steal”');
    expect(errorText(e)).not.toMatch(/trigger|English/);
    i18n.lang = 'en';
    expect(errorText(e)).toContain('trigger “steal”');
  });
});
