import fc from 'fast-check';
import ipaddr from 'ipaddr.js';

import { parsePseudonymKeyring, pseudonymize, pseudonymsOf, truncateIp } from './privacy.js';

const VARIABLE = 'PULSE_CLEANER_PSEUDONYM_KEYS';
const K1 = { id: 'k1', secret: 'test-secret-0123456789' };
const K2 = { id: 'k2', secret: 'second-secret-abcdefgh' };

describe('pseudonymize', () => {
  // Reference digests from Python: hmac.new(secret, b"demo\x0017850", hashlib.sha256).hexdigest()[:32]
  it('cleaning.md row 46: is HMAC-SHA256(secret, tenant ‖ 0x00 ‖ user id), prefixed with the key id', () => {
    expect(pseudonymize('demo', '17850', K1)).toBe('k1:c3117f5914539989c56d1cebb795a320');
    expect(pseudonymize('acme', '17850', K1)).toBe('k1:65e1fe95d9f748f5a1bc2b1c19e16a5c');
  });

  it('cleaning.md row 47: a rotated key gives a new pseudonym under its own id; the old one stays computable', () => {
    expect(pseudonymize('demo', '17850', K2)).toBe('k2:017bd23e021c305bdbb22bb1bb4e325c');
    const ring = parsePseudonymKeyring(`k1:${K1.secret},k2:${K2.secret}`, 'k2', VARIABLE);
    expect(ring.ok).toBe(true);
    if (!ring.ok) return;
    expect(ring.keyring.active.id).toBe('k2');
    expect(pseudonymsOf('demo', '17850', ring.keyring)).toEqual([
      'k1:c3117f5914539989c56d1cebb795a320',
      'k2:017bd23e021c305bdbb22bb1bb4e325c',
    ]);
  });

  it('never contains the user id, and differs per tenant and per key', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4 }), (userId) => {
        const pseudonym = pseudonymize('demo', userId, K1);
        expect(pseudonym).toMatch(/^k1:[0-9a-f]{32}$/);
        expect(pseudonym).not.toBe(pseudonymize('other', userId, K1));
        expect(pseudonym.slice(3)).not.toBe(pseudonymize('demo', userId, K2).slice(3));
      }),
    );
  });
});

describe('parsePseudonymKeyring', () => {
  it('reads several keys and the active one', () => {
    const ring = parsePseudonymKeyring(` k1:${K1.secret} , k2:${K2.secret} `, 'k1', VARIABLE);
    expect(ring).toMatchObject({ ok: true, keyring: { active: K1 } });
  });

  it('takes the only key as active when none is named', () => {
    expect(parsePseudonymKeyring(`k1:${K1.secret}`, undefined, VARIABLE)).toMatchObject({
      ok: true,
      keyring: { active: K1 },
    });
  });

  it('keeps colons inside a secret', () => {
    const ring = parsePseudonymKeyring('k1:abc:def:0123456789abcdef', undefined, VARIABLE);
    expect(ring).toMatchObject({ ok: true, keyring: { active: { id: 'k1', secret: 'abc:def:0123456789abcdef' } } });
  });

  it.each([
    ['', 'k1', 'PULSE_CLEANER_PSEUDONYM_KEYS: no keys'],
    [`k1:tiny-s3cr3t`, 'k1', 'secret of key k1 is shorter than 16'],
    [`K1:${K1.secret}`, 'K1', 'entry 1 must be <id>:<secret>'],
    [`${K1.secret}`, undefined, 'entry 1 must be <id>:<secret>'],
    [`k1:${K1.secret},k1:${K2.secret}`, 'k1', 'key id k1 appears twice'],
    [`k1:${K1.secret},k2:${K2.secret}`, undefined, 'PULSE_CLEANER_PSEUDONYM_ACTIVE_KEY: required'],
    [`k1:${K1.secret},k2:${K2.secret}`, 'k3', 'PULSE_CLEANER_PSEUDONYM_ACTIVE_KEY: "k3" is not a key id'],
  ])('refuses %j (active %j) naming the variable, never the secret', (spec, active, message) => {
    const ring = parsePseudonymKeyring(spec, active, VARIABLE);
    expect(ring.ok).toBe(false);
    if (ring.ok) return;
    const text = ring.problems.join('\n');
    expect(text).toContain(message);
    expect(text).toMatch(/PULSE_CLEANER_PSEUDONYM_(KEYS|ACTIVE_KEY)/);
    expect(ring.problems).toHaveLength(1);
    for (const secret of [K1.secret, K2.secret, 'tiny-s3cr3t']) expect(text).not.toContain(secret);
  });
});

describe('truncateIp', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    [' 10.1.2.3 ', '10.1.2.0/24'],
    ['255.255.255.255', '255.255.255.0/24'],
  ])('cleaning.md row 48: IPv4 %j → %s', (input, expected) => {
    expect(truncateIp(input)).toBe(expected);
  });

  it.each([
    ['2001:db8:1234:5678::1', '2001:db8:1234::/48'],
    ['2001:0DB8:abcd:0012:0000:0000:0000:0001', '2001:db8:abcd::/48'],
    ['[2001:db8:1:2::3]', '2001:db8:1::/48'],
    ['fe80::1%eth0', 'fe80::/48'],
    ['::ffff:203.0.113.77', '203.0.113.0/24'],
  ])('cleaning.md row 49: IPv6 %j → %s (IPv4-mapped as IPv4)', (input, expected) => {
    expect(truncateIp(input)).toBe(expected);
  });

  it.each([['127.1'], ['0x7f.0.0.1'], ['1.2.3.256'], ['1.2.3.4, 5.6.7.8'], ['localhost'], [''], [3232235777], [null]])(
    'drops %p: not an address a client sends',
    (input) => {
      expect(truncateIp(input)).toBeUndefined();
    },
  );

  it('keeps exactly the first three octets of every IPv4 address', () => {
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        const [a, b, c] = address.split('.');
        expect(truncateIp(address)).toBe(`${a}.${b}.${c}.0/24`);
      }),
    );
  });

  it('gives the /48 network that contains every IPv6 address, with the host bits zero', () => {
    fc.assert(
      fc.property(fc.ipV6(), (address) => {
        const prefix = truncateIp(address);
        expect(prefix).toBeDefined();
        const [network, bits] = ipaddr.parseCIDR(prefix!);
        const parsed = ipaddr.parse(address);
        if (parsed.kind() === 'ipv6' && !(parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
          expect(bits).toBe(48);
          expect(parsed.match(network, 48)).toBe(true);
          expect(network.toByteArray().slice(6)).toEqual(new Array(10).fill(0));
        }
      }),
    );
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.anything(), (value) => void truncateIp(value)));
  });
});
