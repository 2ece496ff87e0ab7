import { stackedBars, topSeries } from './console-charts';
import { caseChanges } from './console-pages';
import { weightBands } from './console-steward';
import { activitySeries } from './console-dpo';

describe('console charts and the caseload changes', () => {
  it('draws a stacked bar per category with a title, a description and the same numbers as a table, all escaped', () => {
    const chart = stackedBars(
      'x',
      'Views <by> team',
      'desc & more',
      ['12-01', '12-02'],
      [
        { name: 'council', counts: [2, 0] },
        { name: '<script>', counts: [1, 3] },
      ],
    );
    expect(chart.svg).toContain('role="img" aria-labelledby="x-title x-desc"');
    expect(chart.svg).toContain('<title id="x-title">Views &lt;by&gt; team</title>');
    expect(chart.svg).not.toContain('<script>');
    expect(chart.svg.match(/<rect x=/g)).toHaveLength(3);
    expect(chart.rows.map((row) => row.map((c) => ('text' in c ? c.text : c.html)))).toEqual([
      ['12-01', '2', '1', '3'],
      ['12-02', '0', '3', '3'],
    ]);
    expect(chart.total).toBe(6);
  });

  it('keeps the largest series and sums the rest as other', () => {
    const series = Array.from({ length: 10 }, (_, i) => ({ name: `s${i}`, counts: [i, 1] }));
    const top = topSeries(series, 4);
    expect(top.map((s) => s.name)).toEqual(['s9', 's8', 's7', 'other']);
    expect(top[3].counts).toEqual([0 + 1 + 2 + 3 + 4 + 5 + 6, 7]);
  });

  it('bands match weights one unit wide, from the lowest to the highest', () => {
    expect(weightBands([1.5, 1.9, 3.2, -0.5])).toEqual({
      categories: ['-1 to 0', '0 to 1', '1 to 2', '2 to 3', '3 to 4'],
      counts: [1, 0, 2, 0, 1],
    });
    expect(weightBands([])).toEqual({ categories: [], counts: [] });
  });

  it("makes one series per organisation or purpose from the hub's daily counts, a count for every day", () => {
    const days = [
      {
        day: '2026-12-01',
        disclosures: 3,
        byOrganisation: [
          { name: 'council', disclosures: 2 },
          { name: null, disclosures: 1 },
        ],
        byPurpose: [{ name: 'EARLY_HELP', disclosures: 3 }],
      },
      { day: '2026-12-02', disclosures: 0, byOrganisation: [], byPurpose: [] },
      {
        day: '2026-12-03',
        disclosures: 4,
        byOrganisation: [{ name: 'council', disclosures: 4 }],
        byPurpose: [
          { name: null, disclosures: 1 },
          { name: 'EARLY_HELP', disclosures: 3 },
        ],
      },
    ];
    expect(activitySeries(days, 'byOrganisation', 'anonymous')).toEqual([
      { name: 'council', counts: [2, 0, 4] },
      { name: 'anonymous', counts: [1, 0, 0] },
    ]);
    expect(activitySeries(days, 'byPurpose', 'no purpose given')).toEqual([
      { name: 'EARLY_HELP', counts: [3, 0, 3] },
      { name: 'no purpose given', counts: [0, 0, 1] },
    ]);
  });

  it('lists what changed on a case within the window only, from the values released', () => {
    const household = {
      members: [
        {
          validFrom: '2026-11-30T09:00:00Z',
          validTo: null,
          person: {
            givenName: 'Ann',
            familyName: 'Lee',
            housing: { tenancies: [{ startDate: '2026-11-20', endDate: '2027-01-01' }], homelessnessApplications: [] },
            benefits: { housingBenefitClaims: [{ awardStartDate: '2020-01-01', awardEndDate: null }] },
          },
        },
        {
          validFrom: '2020-01-01T00:00:00Z',
          validTo: '2026-11-25T00:00:00Z',
          person: { givenName: 'Bo', familyName: 'Lee' },
        },
        { validFrom: '2026-11-30T00:00:00Z', person: null },
      ],
    };
    const changes = caseChanges('HOUSEHOLD', household, '2026-11-15', '2026-12-07');
    expect(changes).toEqual(
      expect.arrayContaining([
        { date: '2026-11-30', who: 'Ann Lee', what: expect.stringMatching(/^Joined the household/) },
        { date: '2026-11-20', who: 'Ann Lee', what: 'Housing: Tenancies, start date' },
        { date: '2026-11-25', who: 'Bo Lee', what: 'Left the household' },
      ]),
    );
    // A future end date, an old award and a member the hub did not release are not changes shown.
    expect(changes).toHaveLength(3);
    expect(caseChanges('PERSON', null, '2026-11-15', '2026-12-07')).toEqual([]);
  });
});
