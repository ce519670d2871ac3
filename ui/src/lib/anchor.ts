// How the audit chain stands against its anchor outside the database (Rust sends the
// state and its numbers; the words are the catalogue's).
import type { AnchorCheck } from './bindings/AnchorCheck';
import type { Head } from './bindings/Head';
import { t } from './i18n.svelte';

export function isAnchorWarning(a: AnchorCheck): boolean {
  return a.state === 'unreadable' || a.state === 'shorter' || a.state === 'different';
}

export function anchorText(a: AnchorCheck): string {
  switch (a.state) {
    case 'holds':
      return t('audit.anchor_holds', { entry: a.entry });
    case 'no_anchor':
      return t('audit.anchor_none');
    case 'unreadable':
      return t('audit.anchor_unreadable');
    case 'shorter':
      return t('audit.anchor_shorter', { anchored: a.anchored, newest: a.newest });
    case 'different':
      return t('audit.anchor_different', { entry: a.entry });
  }
}

/** As printed pages show a head: "48213 · 7F3A-91C2" (the seal's first eight hex digits). */
export function printedSeal(h: Head): string {
  const d = h.seal.replace(/^k1:/, '').slice(0, 8).toUpperCase();
  return `${h.entry} · ${d.slice(0, 4)}-${d.slice(4)}`;
}

/** The live trail against the head a backup recorded when it was made (restore preview). */
export function liveTrailText(a: AnchorCheck): string {
  switch (a.state) {
    case 'holds':
      return t('restore.trail_holds', { entry: a.entry });
    case 'shorter':
      return t('restore.trail_shorter', { anchored: a.anchored, newest: a.newest });
    case 'different':
      return t('restore.trail_different', { entry: a.entry });
    default:
      return anchorText(a);
  }
}
