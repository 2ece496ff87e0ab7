import { toLifeEventNotice } from './source-notice';

describe('toLifeEventNotice', () => {
  it('passes the released fields only, with the source keys', () => {
    expect(
      toLifeEventNotice(
        { idempotencyKey: 'k', kind: 'NOTICE' },
        {
          eventId: 'e',
          type: 'CHANGE_OF_ADDRESS',
          released: {
            'hub.lifeEvent.date': '2026-10-01',
            'hub.lifeEvent.newAddress': { lines: ['1 High St'], postcode: 'AB1 2CD' },
            'hub.identity.dateOfBirth': '1970-01-01',
          },
          sourceKeys: ['T-1'],
        },
      ),
    ).toEqual({
      idempotencyKey: 'k',
      kind: 'NOTICE',
      eventId: 'e',
      type: 'CHANGE_OF_ADDRESS',
      sourceKeys: ['T-1'],
      date: '2026-10-01',
      newAddress: { lines: ['1 High St'], postcode: 'AB1 2CD' },
    });
  });

  it('sends no date, name or child the agreement did not release', () => {
    const notice = toLifeEventNotice(
      { idempotencyKey: 'k', kind: 'RETRACTION' },
      { eventId: 'e', type: 'BIRTH', released: { 'hub.lifeEvent.type': 'BIRTH' } },
    );
    expect(notice).toEqual({ idempotencyKey: 'k', kind: 'RETRACTION', eventId: 'e', type: 'BIRTH', sourceKeys: [] });
  });
});
