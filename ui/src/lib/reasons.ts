// The matcher's reasons, broken rules and "why unmatched" arrive from Rust as codes with
// parameters ({ code, params }); here they become sentences through the catalogue
// (`reason.*`, `rule.*`, `unmatched.*`). Pairs made before reasons were codes hold the
// English sentence stored then: it is shown as written.
import type { BrokenRule } from './bindings/BrokenRule';
import type { MentorUnavailable } from './bindings/MentorUnavailable';
import type { PairReason } from './bindings/PairReason';
import type { PairRule } from './bindings/PairRule';
import type { StoredReason } from './bindings/StoredReason';
import type { UnmatchedReason } from './bindings/UnmatchedReason';
import { catalogues, i18n, t } from './i18n.svelte';
import type { MessageKey } from './messages/en';

type Coded = { code: string; params?: Record<string, unknown> };

/** A catalogue label for a value where there is one (`substance.alcohol`), else the value. */
function labelled(prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return key in catalogues[i18n.lang] ? t(key as MessageKey) : value;
}

/** A language as typed on a record ("Punjabi", "punjabi"), in the reader's language where the
 *  catalogue knows it, else as typed. */
export function languageName(typed: string): string {
  const key = `language.${typed.trim().toLowerCase()}`;
  return key in catalogues[i18n.lang] ? t(key as MessageKey) : typed;
}

/** Languages of a record, named and joined for a table cell or the profile. */
export const languageList = (typed: string[]): string => typed.map(languageName).join(', ');

/** "a", "a and b", "a, b and c" (or "or") in the chosen language. */
function list(items: string[], word: 'and' | 'or' = 'and'): string {
  if (items.length <= 1) return items[0] ?? '';
  return t(`list.${word}`, { rest: items.slice(0, -1).join(', '), last: items[items.length - 1] });
}

function vars(c: Coded): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  const p = c.params ?? {};
  for (const [name, value] of Object.entries(p)) {
    if (!Array.isArray(value) && name !== 'substance' && name !== 'gender') out[name] = value as string | number;
    else if (name === 'languages')
      out[name] = list((value as string[]).map(languageName), c.code.includes('speaks') ? 'or' : 'and');
    else if (name === 'days') out[name] = list((value as string[]).map((d) => labelled('day', d)));
    else if (name === 'substance') out[name] = labelled('substance', value as string);
    else if (name === 'gender') out[name] = labelled('gender', value as string);
    else if (name === 'rules') out[name] = (value as BrokenRule[]).map(ruleText).join('; ');
    else if (name === 'mentors') {
      const more = Number(p.more ?? 0);
      out[name] = list([...(value as string[]), ...(more > 0 ? [t('list.more', { n: more })] : [])]);
    } else out[name] = value as string | number;
  }
  return out;
}

function coded(prefix: string, r: Coded | string): string {
  if (typeof r === 'string') return r;
  return t(`${prefix}.${r.code}` as MessageKey, vars(r));
}

export const reasonText = (r: PairReason | StoredReason): string => coded('reason', r as Coded | string);
export const ruleText = (r: BrokenRule | MentorUnavailable | PairRule): string => coded('rule', r as Coded | string);
export const unmatchedText = (r: UnmatchedReason): string => coded('unmatched', r as Coded);
