import type { Request } from 'express';
import { addressKey, clientAddress, requestPath } from './client-address';

describe('client addresses', () => {
  it('counts IPv4 by address and IPv6 by its /64, whatever the spelling', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2::a')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:0:0:b')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:DB8:1:2:0:0:0:1%eth0')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.33')).toBe('64:ff9b:0:0::/64');
    expect(addressKey('2001:db8:1:3::a')).not.toBe(addressKey('2001:db8:1:2::a'));
    expect(addressKey('unknown')).toBe('unknown');
  });

  it('gives an IPv4 client reached over IPv6 as IPv4, and the path as sent', () => {
    expect(clientAddress({ ip: '::ffff:127.0.0.1' } as Request)).toBe('127.0.0.1');
    expect(clientAddress({ ip: '2001:db8::1' } as Request)).toBe('2001:db8::1');
    expect(requestPath({ originalUrl: '/graphql?query=x', url: '/?query=x' } as Request)).toBe('/graphql');
  });
});
