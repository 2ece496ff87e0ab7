import { identifierAgreement } from './identifier-agreement';

describe('identifierAgreement', () => {
  it('agrees on one NINO written differently, and on one NHS number', () => {
    expect(identifierAgreement([{ nino: 'AB123456C' }], [{ nino: 'ab 12 34 56' }])).toEqual({
      agreeing: 'nino',
      conflicting: [],
    });
    expect(identifierAgreement([{ nhsNumber: '943 476 5919' }, {}], [{ nhsNumber: '9434765919' }])).toEqual({
      agreeing: 'nhsNumber',
      conflicting: [],
    });
  });

  it('does not agree when one side holds no valid identifier', () => {
    expect(identifierAgreement([{ nino: 'AB123456C' }], [{}])).toEqual({ agreeing: undefined, conflicting: [] });
    // TN numbers are temporary placeholders, and ten equal digits pass the NHS check but are not issued.
    expect(identifierAgreement([{ nino: 'TN123456A' }], [{ nino: 'TN123456A' }])).toEqual({
      agreeing: undefined,
      conflicting: [],
    });
    expect(identifierAgreement([{ nhsNumber: '4444444444' }], [{ nhsNumber: '4444444444' }])).toEqual({
      agreeing: undefined,
      conflicting: [],
    });
  });

  it('does not agree when any identifier both hold has more than one value between them', () => {
    expect(
      identifierAgreement(
        [{ nino: 'AB123456C', nhsNumber: '9434765919' }],
        [{ nino: 'AB123456C', nhsNumber: '4010232137' }],
      ),
    ).toEqual({ conflicting: ['nhsNumber'] });
    expect(identifierAgreement([{ nino: 'AB123456C' }, { nino: 'CE654321A' }], [{ nino: 'AB123456C' }])).toEqual({
      conflicting: ['nino'],
    });
  });
});
