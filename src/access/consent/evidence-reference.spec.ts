import { evidenceProblem } from './evidence-reference';

describe('evidenceProblem', () => {
  it.each(['EDRMS:EH-2025-00123', 'MOSAIC:DOC/88231', 'CRM:CASE-4471/NOTE-9', 'POST:2025/06/0142', ' EDRMS:EH-1234 '])(
    'accepts %j',
    (evidence) => expect(evidenceProblem(evidence)).toBeUndefined(),
  );

  it.each([
    [undefined, /missing/],
    ['   ', /missing/],
    ['Signed form EH-1, scanned to the case file', /not a reference/],
    ['EH-2025-00123', /not a reference/],
    ['edrms:EH-2025-00123', /not a reference/],
    ['EDRMS:EH 2025', /not a reference/],
    ['CRM:1', /not a reference/],
    ['EDRMS:<script>1</script>', /not a reference/],
    [`EDRMS:${'1'.repeat(101)}`, /not a reference/],
    ['EDRMS:signed-form', /one document/],
    ['EDRMS:0000', /one document/],
    ['EDRMS:1/1/1/1', /one document/],
  ])('refuses %j', (evidence, problem) => expect(evidenceProblem(evidence)).toMatch(problem));
});
