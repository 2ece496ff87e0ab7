import { MAX_TEXT_LENGTH, unsafeTextProblem } from './safe-text';

describe('unsafeTextProblem', () => {
  it.each([
    ['NUL', 'a\u0000b'],
    ['ESC', 'a\u001b[2Jb'],
    ['vertical tab', 'a\u000bb'],
    ['DEL', 'a\u007fb'],
    ['C1 NEL', 'a\u0085b'],
    ['C1 CSI', 'a\u009bb'],
    ['LRE', 'a\u202ab'],
    ['RLO', 'a\u202eb'],
    ['LRI', 'a\u2066b'],
    ['PDI', 'a\u2069b'],
  ])('refuses %s in any text, naming the code point and never echoing it', (_name, text) => {
    for (const mode of ['line', 'multiline'] as const) {
      const problem = unsafeTextProblem(text, mode);
      expect(problem).toMatch(/U\+[0-9A-F]{4} at position 1/);
      expect(problem).not.toContain(text[1]);
    }
  });

  it('keeps one-line text to one line', () => {
    for (const text of ['a\tb', 'a\nb', 'a\r\nb', 'a\rb']) expect(unsafeTextProblem(text, 'line')).toMatch(/one line/);
    expect(unsafeTextProblem('Safeguarding: Northshire Council and NHS Trust (v2) – “signed”', 'line')).toBeUndefined();
  });

  it('lets multi-line text have tabs and line breaks, but not a carriage return on its own', () => {
    expect(unsafeTextProblem('First line.\r\nSecond\tline.\nThird.', 'multiline')).toBeUndefined();
    expect(unsafeTextProblem('Looks fine\roverwritten', 'multiline')).toMatch(/carriage return/);
  });

  it('refuses a lone surrogate (not Unicode text; the audit trail refuses it), but not a pair', () => {
    for (const text of ['a\ud800b', '\udc00', '\udc00\ud800'])
      expect(unsafeTextProblem(text, 'line')).toMatch(/lone surrogate/);
    expect(unsafeTextProblem('😀𝕏', 'line')).toBeUndefined();
  });

  it('holds text to MAX_TEXT_LENGTH characters unless the field allows more', () => {
    expect(unsafeTextProblem('a'.repeat(MAX_TEXT_LENGTH), 'line')).toBeUndefined();
    expect(unsafeTextProblem('a'.repeat(MAX_TEXT_LENGTH + 1), 'multiline')).toMatch(
      `longer than ${MAX_TEXT_LENGTH} characters`,
    );
    expect(unsafeTextProblem('a'.repeat(MAX_TEXT_LENGTH + 1), 'multiline', 2000)).toBeUndefined();
  });

  it('accepts the scripts and marks people write (accents, Welsh, Arabic, emoji, zero-width joiner)', () => {
    for (const text of ['Siân Öztürk-Ní Bhriain', 'Llanfair­pwll', 'مرحبا', 'family 👨‍👩‍👧'])
      expect(unsafeTextProblem(text, 'line')).toBeUndefined();
  });
});
