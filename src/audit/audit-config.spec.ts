import { loadConfig } from '../hub-config';
import { retentionFor } from './audit-config';

describe('audit settings', () => {
  it('has safe defaults', () => {
    const { audit } = loadConfig({});
    expect(audit).toEqual({
      retention: [{ match: '*', days: 2190 }],
      checkpointIntervalSeconds: 300,
      officeHours: { startMinute: 480, endMinute: 1080, days: [1, 2, 3, 4, 5] },
      timezone: 'Europe/London',
      bulkThreshold: 25,
      allowPrivilegedRole: false,
    });
  });

  it('allows a privileged database role only when asked in so many words', () => {
    expect(loadConfig({ AUDIT_ALLOW_PRIVILEGED_ROLE: 'true' }).audit.allowPrivilegedRole).toBe(true);
    expect(loadConfig({ AUDIT_ALLOW_PRIVILEGED_ROLE: 'false' }).audit.allowPrivilegedRole).toBe(false);
    expect(() => loadConfig({ AUDIT_ALLOW_PRIVILEGED_ROLE: 'yes' })).toThrow(
      /AUDIT_ALLOW_PRIVILEGED_ROLE must be one of true, false/,
    );
  });

  it('reads retention per class and office hours', () => {
    const { audit } = loadConfig({
      AUDIT_RETENTION: '{"auth.":365,"person.view":3000}',
      AUDIT_OFFICE_HOURS: '07:30-19:00',
      AUDIT_OFFICE_DAYS: '6-2',
    });
    expect(audit.retention).toEqual([
      { match: '*', days: 2190 },
      { match: 'auth.', days: 365 },
      { match: 'person.view', days: 3000 },
    ]);
    expect(audit.officeHours).toEqual({ startMinute: 450, endMinute: 1140, days: [1, 2, 6, 7] });
  });

  it.each([
    [{ AUDIT_RETENTION: 'not json' }, /AUDIT_RETENTION must be a JSON object/],
    [{ AUDIT_RETENTION: '{"Person":30}' }, /AUDIT_RETENTION/],
    [{ AUDIT_RETENTION: '{"auth.":0}' }, /AUDIT_RETENTION/],
    [{ AUDIT_OFFICE_HOURS: '8-18' }, /AUDIT_OFFICE_HOURS must be HH:MM-HH:MM/],
    [{ AUDIT_TIMEZONE: 'Mars/Olympus' }, /AUDIT_TIMEZONE must be an IANA time zone/],
  ])('refuses a bad setting in one line (%#)', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('picks the longest matching rule, the default last', () => {
    const rules = [
      { match: '*', days: 2190 },
      { match: 'auth.', days: 365 },
      { match: 'auth.failure', days: 90 },
    ];
    expect(retentionFor('auth.failure', rules).days).toBe(90);
    expect(retentionFor('auth.token', rules).days).toBe(365);
    expect(retentionFor('authority.change', rules).days).toBe(2190);
    expect(retentionFor('person.view', rules).days).toBe(2190);
  });
});
