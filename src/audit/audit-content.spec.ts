import { contentOf, InvalidAuditEventError, normaliseEvent, prepareEvent } from './audit-content';
import { contentHash } from './audit-hash';

describe('audit event validation', () => {
  const base = { operation: 'person.view', decision: 'allow' as const };

  it('fills every column, absent values null and absent lists empty', () => {
    const { content } = normaliseEvent({ ...base, actor: { subject: 'u1', organisation: 'council', roles: [] } });
    expect(content).toMatchObject({
      actor_subject: 'u1',
      actor_client: null,
      persons: [],
      released: [],
      reasons: [],
      detail: null,
      consent_id: null,
    });
    expect(Object.values(content)).not.toContain(undefined);
  });

  it('keeps only the principal fields the trail records', () => {
    const actor = { subject: 'u1', organisation: 'council', roles: [], secretClaim: 'x' } as never;
    expect(JSON.stringify(normaliseEvent({ ...base, actor }).content)).not.toContain('secretClaim');
  });

  it.each([
    [{ ...base, operation: 'Person.View' }, /operation/],
    [{ ...base, decision: 'maybe' as never }, /decision/],
    [{ ...base, purpose: 'a\u0000b' }, /purpose/],
    [{ ...base, reasons: ['\ud800 lone'] }, /reasons/],
    [{ ...base, released: [{ source: 'hub', field: 'x', value: 'Alex' }] as never }, /released/],
    [{ ...base, extra: 1 } as never, /event/],
    [{ ...base, detail: { big: 'x'.repeat(20_000) } }, /detail/],
    [{ ...base, detail: { team: 'a\u0000b' } }, /detail/],
    [{ ...base, detail: { team: 'a\\\u0000b' } }, /detail/],
  ])('refuses a bad event with the field named (%#)', (event, problem) => {
    expect(() => prepareEvent(event)).toThrow(InvalidAuditEventError);
    expect(() => prepareEvent(event)).toThrow(problem);
  });

  it('keeps detail that only spells an escaped NUL (a backslash, then u0000)', () => {
    expect(prepareEvent({ ...base, detail: { team: '\\u0000', nested: ['x\\\\u0000'] } }).detail).toEqual({
      team: '\\u0000',
      nested: ['x\\\\u0000'],
    });
  });

  it('hashes what it stores: the content hash is the hash of the stored columns', () => {
    const prepared = prepareEvent({ ...base, subjects: { persons: ['p1'] }, detail: { b: 1, a: [true] } });
    expect(
      contentHash(
        contentOf({
          actor_issuer: null,
          actor_key_id: null,
          ...prepared,
          seq: '1',
          occurred_at: new Date(),
          prev_hash: '',
          hash: '',
          purged_by: null,
        }),
      ),
    ).toBe(prepared.content_hash);
  });
});
