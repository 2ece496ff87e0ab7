import { Role } from '../../engine/principal';
import { LawfulBasis } from '../policy/policy.types';
import { AgreementContent, validateAgreement } from './agreement-validation';

const reference = {
  organisations: new Set(['council', 'nhs-trust']),
  purposes: new Set(['SAFEGUARDING', 'EARLY_HELP']),
  specialCategories: ['benefits.medical'],
};
const base: AgreementContent = {
  title: 'Safeguarding',
  parties: ['council', 'nhs-trust'],
  purposes: ['SAFEGUARDING'],
  lawfulBasis: LawfulBasis.PublicTask,
  releases: [{ purpose: 'SAFEGUARDING', fields: ['hub.identity.givenName'] }],
  roles: [Role.PartnerAgency],
  caseReferenceRequired: true,
  validFrom: new Date('2025-01-01'),
  reviewDate: '2026-01-01',
};
const problems = (content: Partial<AgreementContent>) => {
  try {
    validateAgreement({ ...base, ...content }, reference);
    return [];
  } catch (error) {
    return (error as { details: { problems: string[] } }).details.problems;
  }
};

describe('validateAgreement', () => {
  it('accepts a complete agreement', () => expect(problems({})).toEqual([]));

  it('names each problem', () => {
    expect(problems({ parties: ['police'], purposes: [], roles: ['root' as Role], title: ' ' })).toEqual([
      'title is empty',
      'party police is not a known organisation',
      'at least one purpose is needed',
      'role root is not a hub role',
      'fields are released for SAFEGUARDING, which the agreement does not permit',
    ]);
  });

  it('requires an Art. 9 condition for social care and catalogued special categories', () => {
    expect(
      problems({ releases: [{ purpose: 'SAFEGUARDING', fields: ['social-care.adult-social-care.caseType'] }] }),
    ).toEqual(['special-category data (e.g. social care) is released, so an Art. 9(2) condition is required']);
    expect(problems({ releases: [{ purpose: 'SAFEGUARDING', fields: ['benefits.medical.condition'] }] })).toHaveLength(
      1,
    );
  });

  it('requires an Art. 9 condition for fields that can carry facts derived from special-category sources', () => {
    for (const field of [
      'hub.caseload.team',
      'hub.index.sourceRecords',
      'hub.index.provenance',
      'hub.index.matchExplanation',
      'hub.household.multipleServicesInvolved',
    ]) {
      expect(problems({ releases: [{ purpose: 'SAFEGUARDING', fields: ['hub.identity.givenName', field] }] })).toEqual([
        `${field} can carry facts derived from special-category sources (e.g. social care), so an Art. 9(2) condition is required`,
      ]);
      expect(
        problems({
          releases: [{ purpose: 'SAFEGUARDING', fields: [field] }],
          specialCategoryCondition: { article9: 'g', schedule1Paragraph: 18 },
        }),
      ).toEqual([]);
    }
    expect(
      problems({ releases: [{ purpose: 'SAFEGUARDING', fields: ['hub.caseload.team', 'hub.index.sourceRecords'] }] }),
    ).toEqual([
      'hub.caseload.team, hub.index.sourceRecords can carry facts derived from special-category sources (e.g. social care), so an Art. 9(2) condition is required',
    ]);
    // The hub's own identity fields and its other household fields are not derived from the sources' data.
    expect(
      problems({
        releases: [
          {
            purpose: 'SAFEGUARDING',
            fields: ['hub.match.exists', 'hub.household.memberCount', 'hub.household.members'],
          },
        ],
      }),
    ).toEqual([]);
  });

  it('checks the Art. 9 condition and its Schedule 1 paragraph', () => {
    expect(problems({ specialCategoryCondition: { article9: 'k' } })).toEqual(['Art. 9(2) condition k is not (a)-(j)']);
    expect(problems({ specialCategoryCondition: { article9: 'h' } })).toEqual([
      'Art. 9(2)(h) needs a DPA 2018 Schedule 1 paragraph',
    ]);
    expect(problems({ specialCategoryCondition: { article9: 'g', schedule1Paragraph: 99 } })).toEqual([
      'Schedule 1 paragraph 99 does not exist',
    ]);
    expect(problems({ specialCategoryCondition: { article9: 'a' } })).toEqual([]);
  });

  it('checks dates and duplicate release lists', () => {
    expect(problems({ validTo: new Date('2024-01-01'), reviewDate: '31/12/2025' })).toEqual([
      'validTo must be after validFrom',
      'reviewDate must be a date (YYYY-MM-DD)',
    ]);
    expect(
      problems({
        releases: [
          { purpose: 'SAFEGUARDING', fields: [] },
          { purpose: 'SAFEGUARDING', fields: [] },
        ],
      }),
    ).toEqual(['purpose SAFEGUARDING has two release lists']);
  });
});
