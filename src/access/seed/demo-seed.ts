import { Role } from '../../engine/principal';
import { AgreementContent } from '../agreements/agreement-validation';
import { OrganisationKind } from '../organisations/organisation.entity';
import { categoryRefs, demoReleaseRefs } from '../../sources/source-declaration';
import { sourceDeclarations } from '../../sources/source-registry';
import { LawfulBasis } from '../policy/policy.types';

/**
 * The demo world: the council, three partners and six agreements over the sandbox sources' fields (named
 * from the sources' declarations, so a misspelt field fails here rather than releasing nothing). The
 * dev-token personas (auth/demo-personas.ts) belong to these organisations and teams.
 */
export const demoOrganisations: { id: string; name: string; kind: OrganisationKind }[] = [
  { id: 'council', name: 'Northshire Council', kind: 'council' },
  { id: 'nhs-trust', name: 'Northshire NHS Foundation Trust', kind: 'nhs' },
  { id: 'advice-charity', name: 'Northshire Citizens Advice', kind: 'voluntary' },
  { id: 'police', name: 'Northshire Police', kind: 'police' },
];

const existence = ['hub.match.exists', 'hub.caseload.team'];
const name = ['hub.identity.givenName', 'hub.identity.familyName', 'hub.identity.dateOfBirth'];
const address = ['hub.identity.addressLines', 'hub.identity.postcode', 'hub.identity.uprn'];
/** `source.category.field` lines from a source's declaration: the whole category, or the fields named. */
const fields = (source: string, category: string, names?: string[]) => {
  const declaration = sourceDeclarations.find((d) => d.id === source);
  if (!declaration) throw new Error(`demo seed: no source ${source}`);
  return categoryRefs(declaration, category, names);
};
const tenancy = fields('housing', 'tenancy', [
  'tenancyRef',
  'role',
  'tenure',
  'startDate',
  'endDate',
  'rentAccountStatus',
]);
const homelessness = fields('housing', 'homelessness-application');
const housingBenefit = fields('benefits', 'housing-benefit-claim');
const councilTaxReduction = fields('benefits', 'council-tax-reduction-claim', ['status', 'weeklyAmount']);
const careFields = ['caseType', 'allocatedTeam', 'openedOn', 'closedOn'];
const childrensCare = fields('social-care', 'children-social-care', careFields);
const adultsCare = fields('social-care', 'adult-social-care', careFields);
// The single view's own lines (docs/single-view.md): masked identifiers, which sources know the person,
// household membership, and the index as data stewards see it.
const maskedIds = ['hub.identity.ninoMasked', 'hub.identity.nhsNumberMasked'];
const involvement = (...sources: string[]) => sources.map((source) => `${source}.involvement.known`);
const household = ['hub.household.members', 'hub.household.role', 'hub.household.period', 'hub.household.memberCount'];
const index = ['hub.index.provenance', 'hub.index.sourceRecords', 'hub.index.matchExplanation'];

const validFrom = new Date('2025-01-01T00:00:00Z');
/** Tell Us Once (docs/life-events.md): what a life event says, as `hub.lifeEvent.*` lines. */
const lifeEvent = (...names: string[]) => names.map((n) => `hub.lifeEvent.${n}`);

const baseAgreements: { id: string; content: AgreementContent }[] = [
  {
    id: 'council-early-help',
    content: {
      title: 'Early help and housing: council services sharing with council staff',
      parties: ['council'],
      purposes: ['EARLY_HELP', 'HOUSING_NEED', 'TELL_US_ONCE'],
      lawfulBasis: LawfulBasis.PublicTask,
      // Safeguarding of children and individuals at risk.
      specialCategoryCondition: { article9: 'g', schedule1Paragraph: 18 },
      releases: [
        {
          purpose: 'EARLY_HELP',
          fields: [
            ...existence,
            ...name,
            ...address,
            ...maskedIds,
            ...tenancy,
            ...homelessness,
            ...housingBenefit,
            ...councilTaxReduction,
            ...childrensCare,
            ...involvement('housing', 'benefits', 'social-care'),
            ...household,
            'hub.household.multipleServicesInvolved',
            ...lifeEvent('type', 'date'),
            'hub.identity.dateOfDeath',
          ],
        },
        {
          purpose: 'HOUSING_NEED',
          fields: [
            ...existence,
            ...name,
            ...address,
            ...maskedIds,
            ...tenancy,
            ...homelessness,
            ...housingBenefit,
            ...involvement('housing', 'benefits'),
            ...household,
            ...lifeEvent('type', 'date'),
            'hub.identity.dateOfDeath',
          ],
        },
        { purpose: 'TELL_US_ONCE', fields: [...existence, ...name, ...address] },
      ],
      roles: [Role.AccountManager, Role.Caseworker],
      caseReferenceRequired: false,
      validFrom,
      reviewDate: '2026-04-01',
    },
  },
  {
    id: 'nhs-safeguarding',
    content: {
      title: 'Safeguarding: Northshire Council and Northshire NHS Foundation Trust',
      parties: ['council', 'nhs-trust'],
      purposes: ['SAFEGUARDING'],
      lawfulBasis: LawfulBasis.PublicTask,
      specialCategoryCondition: { article9: 'g', schedule1Paragraph: 18 },
      releases: [
        {
          purpose: 'SAFEGUARDING',
          fields: [
            ...name,
            ...address,
            'hub.identity.nhsNumber',
            ...childrensCare,
            ...adultsCare,
            'housing.tenancy.tenure',
            ...involvement('social-care'),
            'hub.household.members',
            'hub.household.role',
          ],
        },
      ],
      roles: [Role.PartnerAgency, Role.Caseworker],
      caseReferenceRequired: true,
      validFrom,
      reviewDate: '2026-01-31',
    },
  },
  {
    id: 'advice-benefits',
    content: {
      title: 'Benefit checks by Northshire Citizens Advice, with the resident’s consent',
      parties: ['council', 'advice-charity'],
      purposes: ['BENEFIT_ELIGIBILITY'],
      lawfulBasis: LawfulBasis.Consent,
      releases: [
        {
          purpose: 'BENEFIT_ELIGIBILITY',
          fields: [...name, 'hub.identity.postcode', ...housingBenefit, ...councilTaxReduction],
        },
      ],
      roles: [Role.PartnerAgency],
      caseReferenceRequired: false,
      validFrom,
      reviewDate: '2026-06-30',
    },
  },
  {
    id: 'identity-data-quality',
    content: {
      title: 'Identity index data quality: data stewards',
      parties: ['council'],
      purposes: ['DATA_QUALITY'],
      lawfulBasis: LawfulBasis.PublicTask,
      // The index links social care records too: their keys and sources are special category. Keeping the
      // council's records accurate for its statutory functions: Art. 9(2)(g) with Sch. 1 para 6.
      specialCategoryCondition: { article9: 'g', schedule1Paragraph: 6 },
      releases: [
        {
          purpose: 'DATA_QUALITY',
          fields: [
            'hub.match.exists',
            ...name,
            ...address,
            'hub.identity.middleNames',
            'hub.identity.previousFamilyNames',
            'hub.identity.dateOfDeath',
            'hub.identity.sex',
            'hub.identity.nino',
            'hub.identity.nhsNumber',
            ...index,
            ...household,
            ...involvement('social-care'),
          ],
        },
      ],
      roles: [Role.DataSteward],
      caseReferenceRequired: false,
      validFrom,
      reviewDate: '2026-03-31',
    },
  },
  {
    id: 'council-tell-us-once',
    content: {
      title: "Tell Us Once: life events passed to the council's own service systems",
      parties: ['council'],
      purposes: ['TELL_US_ONCE'],
      lawfulBasis: LawfulBasis.PublicTask,
      releases: [
        {
          purpose: 'TELL_US_ONCE',
          fields: [
            ...lifeEvent('type', 'date', 'newAddress', 'newName', 'child', 'parents'),
            ...name,
            'hub.identity.dateOfDeath',
          ],
        },
      ],
      roles: [Role.Registrar],
      caseReferenceRequired: false,
      validFrom,
      reviewDate: '2026-09-30',
    },
  },
  {
    id: 'nhs-tell-us-once-deaths',
    content: {
      title: 'Tell Us Once: deaths passed to Northshire NHS Foundation Trust',
      parties: ['council', 'nhs-trust'],
      purposes: ['TELL_US_ONCE'],
      lawfulBasis: LawfulBasis.PublicTask,
      releases: [
        { purpose: 'TELL_US_ONCE', fields: [...lifeEvent('type', 'date'), ...name, 'hub.identity.nhsNumber'] },
      ],
      // Deliveries need no role; the trust's own staff and clients cannot query under it (registrars only).
      roles: [Role.Registrar],
      caseReferenceRequired: false,
      validFrom,
      reviewDate: '2026-09-30',
    },
  },
];

/**
 * The demo agreements with what each source declares it releases under them (`demoReleases`): a source
 * added in `modules/` brings its own lines, so this file does not name it.
 */
export const demoAgreements: { id: string; content: AgreementContent }[] = baseAgreements.map(({ id, content }) => {
  const releases = content.releases.map((release) => {
    const added = sourceDeclarations.flatMap((source) =>
      (source.demoReleases ?? [])
        .filter((r) => r.agreement === id && r.purpose === release.purpose)
        .flatMap((r) => demoReleaseRefs(source, r.fields)),
    );
    return added.length > 0 ? { ...release, fields: [...release.fields, ...added] } : release;
  });
  return { id, content: { ...content, releases } };
});

for (const source of sourceDeclarations)
  for (const release of source.demoReleases ?? []) {
    const agreement = baseAgreements.find((a) => a.id === release.agreement);
    if (!agreement?.content.releases.some((r) => r.purpose === release.purpose))
      throw new Error(
        `demo seed: ${source.id} releases to ${release.agreement} for ${release.purpose}, which has no release list`,
      );
  }
