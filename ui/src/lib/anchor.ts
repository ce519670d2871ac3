// How the audit chain stands against its anchor outside the database (Rust sends the
// state and its numbers; the words are the catalogue's).
import type { AnchorCheck } from './bindings/AnchorCheck';
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
