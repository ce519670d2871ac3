import { describe, expect, it } from 'vitest';
import { showStamp } from './participantNotes';

describe('showStamp', () => {
  it('shows a stored stamp as a local date and time', () => {
    const s = showStamp('2026-11-26T04:30:00Z');
    expect(s).toMatch(/^\d\d-\d\d-2026 \d\d:\d\d$/);
  });
  it('keeps what it cannot read, and shows nothing as a dash', () => {
    expect(showStamp('soon')).toBe('soon');
    expect(showStamp(null)).toBe('—');
  });
});
