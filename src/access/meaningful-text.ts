/**
 * Words that stand in for a reason rather than give one. They are not refused (a real reason may mention
 * a test), they just do not count towards the words a reason needs.
 */
const PLACEHOLDER_WORDS = new Set([
  'lorem',
  'ipsum',
  'dolor',
  'amet',
  'consectetur',
  'adipiscing',
  'asdf',
  'asdfgh',
  'qwerty',
  'qwertyuiop',
  'test',
  'tests',
  'testing',
  'foo',
  'bar',
  'baz',
  'blah',
  'tbc',
  'tbd',
  'todo',
  'placeholder',
  'dummy',
  'xyz',
  'abc',
]);

/** A word: two or more letters (apostrophes and hyphens inside it allowed). */
const word = /\p{L}[\p{L}\p{M}'’-]*\p{L}/gu;

/**
 * Why a written reason says too little to be reviewed, or undefined when it will do. A reason is read by
 * the DPO afterwards and must let them judge what happened, so it must be words, not filler:
 * - no single character makes up more than a third of it (spaces aside): "aaaa…", "……", "x x x x";
 * - it has at least `minDistinctWords` different words of two letters or more, not counting a word that is
 *   one letter repeated ("zzz") or a placeholder ("test", "lorem ipsum", "tbc").
 * The rule is deliberately general (no list of acceptable reasons): it cannot tell a true reason from a
 * false one, which is what the DPO's review is for, only refuse one that says nothing.
 */
export function vagueTextProblem(text: string, minDistinctWords: number): string | undefined {
  const characters = [...text.toLowerCase().replace(/\s+/gu, '')];
  if (characters.length === 0) return 'it is empty';
  const counts = new Map<string, number>();
  for (const c of characters) counts.set(c, (counts.get(c) ?? 0) + 1);
  if (Math.max(...counts.values()) * 3 > characters.length) return 'it is mostly one repeated character';
  const words = new Set(
    (text.toLowerCase().match(word) ?? []).filter(
      (w) => !PLACEHOLDER_WORDS.has(w) && new Set(w.replace(/['’-]/gu, '')).size > 1,
    ),
  );
  if (words.size < minDistinctWords) {
    return `it needs at least ${minDistinctWords} different words (placeholders such as "test" or "lorem ipsum" do not count)`;
  }
  return undefined;
}

/** The length a reason is measured by: runs of spaces or line breaks count as one. */
export const meaningfulLength = (text: string) => text.trim().replace(/\s+/gu, ' ').length;
