import type { Request } from 'express';
import { AccessErrorCode } from './access.exception';
import { accessContextFrom } from './access-context';

const req = (headers: Record<string, string | string[]>) => ({ headers }) as unknown as Request;

describe('accessContextFrom', () => {
  it('reads purpose, case reference and break-glass id', () => {
    expect(
      accessContextFrom(
        req({
          'x-purpose': ' SAFEGUARDING ',
          'x-case-reference': 'SG/2025/42',
          'x-break-glass': '6f1c2b9e-2c4a-4d7e-9a51-0c7f3f0f9b10',
        }),
      ),
    ).toEqual({
      purpose: 'SAFEGUARDING',
      caseReference: 'SG/2025/42',
      breakGlassId: '6f1c2b9e-2c4a-4d7e-9a51-0c7f3f0f9b10',
    });
  });

  it.each([
    [{}, AccessErrorCode.PURPOSE_REQUIRED],
    [{ 'x-purpose': '  ' }, AccessErrorCode.PURPOSE_REQUIRED],
    [{ 'x-purpose': 'early help' }, AccessErrorCode.UNKNOWN_PURPOSE],
    [{ 'x-purpose': ['EARLY_HELP', 'SAFEGUARDING'] }, AccessErrorCode.INVALID_ACCESS_CONTEXT],
    [{ 'x-purpose': 'EARLY_HELP', 'x-case-reference': 'a b' }, AccessErrorCode.INVALID_ACCESS_CONTEXT],
    [{ 'x-purpose': 'EARLY_HELP', 'x-break-glass': 'yes please' }, AccessErrorCode.INVALID_ACCESS_CONTEXT],
  ])('refuses %p with %s', (headers, code) => {
    expect(() => accessContextFrom(req(headers))).toThrow(expect.objectContaining({ code }));
  });

  // A client that interpolates an unset variable sends the text `undefined` (or `null`); it is not a value.
  it.each(['undefined', 'null', 'UNDEFINED', ' Null ', '', '   '])('treats a header sent as %p as absent', (value) => {
    expect(accessContextFrom(req({ 'x-purpose': 'EARLY_HELP', 'x-case-reference': value }))).toEqual({
      purpose: 'EARLY_HELP',
    });
    expect(accessContextFrom(req({ 'x-purpose': 'EARLY_HELP', 'x-break-glass': value }))).toEqual({
      purpose: 'EARLY_HELP',
    });
    expect(() => accessContextFrom(req({ 'x-purpose': value }))).toThrow(
      expect.objectContaining({ code: AccessErrorCode.PURPOSE_REQUIRED }),
    );
  });
});
