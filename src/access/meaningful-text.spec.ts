import { meaningfulLength, vagueTextProblem } from './meaningful-text';

describe('vagueTextProblem', () => {
  it.each([
    'Child reported missing tonight; the allocated worker is unreachable',
    'Rough sleeper found, duty team unreachable tonight',
    'Mère signale l’enfant disparu depuis hier soir',
    'Blood test results show risk, GP cannot reach family',
  ])('accepts a reason in words: %s', (reason) => expect(vagueTextProblem(reason, 5)).toBeUndefined());

  it.each([
    ['', /empty/],
    ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', /repeated character/],
    ['......................................', /repeated character/],
    ['x x x x x x x x x x x x x x x x x x x x', /repeated character/],
    ['urgent urgent urgent urgent urgent urgent', /5 different words/],
    ['Lorem ipsum dolor sit amet, consectetur adipiscing elit', /5 different words/],
    ['test testing tbc tbd todo placeholder asdf qwerty', /5 different words/],
    ['zzz yyyy wwww vvvvv uuuu child missing', /5 different words/],
    ['1234567890 0987654321 1234567890 0987654321', /5 different words/],
  ])('refuses %j', (reason, problem) => expect(vagueTextProblem(reason, 5)).toMatch(problem));

  it('measures length with runs of white space as one', () => {
    expect(meaningfulLength(`  Urgent${' '.repeat(40)}now \n\n`)).toBe('Urgent now'.length);
  });
});
