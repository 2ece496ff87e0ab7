import { dateHtml, dayOf, escapeHtml, label, ukDay, valueHtml, withheldHtml } from './console-cells';

describe('console cells', () => {
  it('escapes what the hub released before it goes into a page', () => {
    expect(valueHtml('<script>alert("x")</script>')).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(escapeHtml(`O'Brien & Sons`)).toBe('O&#39;Brien &amp; Sons');
  });

  it('shows a withheld value as a marker with the reason, and no value as a hint, never a blank', () => {
    expect(valueHtml('SE1 7GH', 'not released by agreement a v1 for EARLY_HELP')).toBe(
      withheldHtml('not released by agreement a v1 for EARLY_HELP'),
    );
    expect(withheldHtml('<b>')).toContain('withheld</strong> &lt;b&gt;');
    expect(valueHtml(null)).toContain('none recorded');
    expect(valueHtml([])).toContain('none recorded');
    expect(valueHtml(['1 High St', 'Flat 2'])).toBe('1 High St, Flat 2');
    expect(valueHtml(false)).toBe('No');
    expect(valueHtml(0)).toBe('0');
  });

  it('writes dates as GOV.UK does, keeping the released value in the time element', () => {
    expect(valueHtml('2019-10-06')).toBe('<time datetime="2019-10-06">6 October 2019</time>');
    expect(valueHtml('2024-02-29')).toBe('<time datetime="2024-02-29">29 February 2024</time>');
    // A timestamp is shown by its day in the UK: 23:30 UTC in July is the next day there, in December not.
    expect(dateHtml('2026-07-07T23:30:00.000Z')).toBe('<time datetime="2026-07-07T23:30:00.000Z">8 July 2026</time>');
    expect(dateHtml('2026-12-07T23:30:00Z')).toBe('<time datetime="2026-12-07T23:30:00Z">7 December 2026</time>');
    expect(dateHtml('2026-12-07T05:20+01:00')).toBe('<time datetime="2026-12-07T05:20+01:00">7 December 2026</time>');
  });

  it("gives each released date or moment the UK day the page shows it on, for the caseload's changes", () => {
    expect(dayOf('2024-06-30')).toBe('2024-06-30');
    // 23:30 UTC on 30 June is 00:30 on 1 July in the UK; in January the UK is on UTC.
    expect(dayOf('2024-06-30T23:30:00Z')).toBe('2024-07-01');
    expect(dayOf('2024-01-30T23:30:00.000Z')).toBe('2024-01-30');
    expect(ukDay(new Date('2024-03-31T00:30:00Z'))).toBe('2024-03-31');
    // Without a zone it is taken as the date it starts with; not a date at all, no day.
    expect(dayOf('2024-06-30T23:30:00')).toBe('2024-06-30');
    for (const value of ['soon', 'TEN010004', 12, null]) expect(dayOf(value)).toBeUndefined();
  });

  it('shows what only looks like a date as it was released', () => {
    for (const value of ['2023-02-29', '2024-13-01', '2024-00-10', '2024-04-31', '0099-01-01', '2024-1-5'])
      expect(valueHtml(value)).toBe(value);
    expect(valueHtml('2024-01-05 and more')).toBe('2024-01-05 and more');
    expect(valueHtml('2024-01-05T25:00:00Z')).toBe('2024-01-05T25:00:00Z');
    expect(valueHtml('2024-01-05T10:00:00Z<b>')).toBe('2024-01-05T10:00:00Z&lt;b&gt;');
  });

  it('labels GraphQL field names for people', () => {
    expect(label('awardStartDate')).toBe('Award start date');
    expect(label('uprn')).toBe('UPRN');
    expect(label('homelessnessApplications')).toBe('Homelessness applications');
  });
});
