// The message catalogue: t('key') gives the label in the chosen language. Reading it in
// a template makes the template follow language changes.
import en, { type MessageKey } from './messages/en';
import hi from './messages/hi';
import type { Language } from './bindings/Language';
import { ApiError } from './api';

export const catalogues: Record<Language, Record<MessageKey, string>> = { en, hi };

let current = $state<Language>('en');

export const i18n = {
  get lang(): Language {
    return current;
  },
  set lang(value: Language) {
    current = value;
    document.documentElement.lang = value;
  },
};

export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text = catalogues[current][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

/**
 * A plain sentence for a failed command, in the chosen language, with the values the core
 * sent (`{min}`, `{date}` …) put in. A value that is itself a code (`{kind}` = `trigger`)
 * is shown in words when the catalogue has `value.kind.trigger`. The core's own English
 * sentence is shown only for a code the catalogue does not know.
 */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    const key = `err.${e.code}`;
    if (!(key in en)) return e.message;
    return catalogues[current][key as MessageKey].replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = e.params[name];
      if (value === undefined) return '…';
      const word = `value.${name}.${value}`;
      return word in en ? catalogues[current][word as MessageKey] : value;
    });
  }
  return String(e);
}
