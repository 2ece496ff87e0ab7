import { escapeHtml, label, valueHtml, withheldHtml } from './console-cells';

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

  it('labels GraphQL field names for people', () => {
    expect(label('awardStartDate')).toBe('Award start date');
    expect(label('uprn')).toBe('UPRN');
    expect(label('homelessnessApplications')).toBe('Homelessness applications');
  });
});
