import {
  addressRefusal,
  classifyAddress,
  refusalReason,
} from './addressPolicy';
import { hostMatchesPattern, isHostAllowed } from './hostPolicy';

describe('classifyAddress', () => {
  it.each([
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['64:ff9b::169.254.169.254', 'metadata'],
    ['2002:a9fe:a9fe::1', 'metadata'],
    ['0.0.0.0', 'never'],
    ['::', 'never'],
    ['224.0.0.1', 'never'],
    ['255.255.255.255', 'never'],
    ['ff02::1', 'never'],
    ['not-an-ip', 'never'],
    ['127.0.0.1', 'private'],
    ['127.8.9.10', 'private'],
    ['::1', 'private'],
    ['::ffff:127.0.0.1', 'private'],
    ['::ffff:7f00:1', 'private'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.1.1', 'private'],
    ['fe80::1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['2606:4700::1111', 'public'],
    ['64:ff9b::8.8.8.8', 'public'],
  ])('%s is %s', (address, category) => {
    expect(classifyAddress(address)).toBe(category);
  });

  it('allows private ranges only with allowPrivateNetworks, metadata never', () => {
    expect(refusalReason('127.0.0.1', false)).toMatch(/private/);
    expect(refusalReason('127.0.0.1', true)).toBeUndefined();
    expect(refusalReason('169.254.169.254', true)).toMatch(/metadata/);
    expect(refusalReason('fd00:ec2::254', true)).toMatch(/metadata/);
    expect(refusalReason('0.0.0.0', true)).toMatch(/routable/);
    expect(refusalReason('8.8.8.8', false)).toBeUndefined();
  });

  it('names the setting that lifts a refusal only where one does', () => {
    expect(addressRefusal('10.0.0.7', false)?.remedy).toBe(
      'set mlops.outbound.allowPrivateNetworks: true',
    );
    expect(addressRefusal('169.254.169.254', false)?.remedy).toBeUndefined();
    expect(addressRefusal('0.0.0.0', false)?.remedy).toBeUndefined();
  });
});

describe('host allowlist', () => {
  it.each([
    ['m.ns.svc.cluster.local', '*.svc.cluster.local', true],
    ['svc.cluster.local', '*.svc.cluster.local', false],
    ['a.example.com', '*.example.com', true],
    ['a.b.example.com', '*.example.com', true],
    ['evilexample.com', '*.example.com', false],
    ['example.com.evil.io', '*.example.com', false],
    ['MODELS.Example.com.', 'models.example.com', true],
    ['models.example.com', 'models.example.org', false],
    ['[::1]', '::1', true],
  ])('%s against %s is %s', (host, pattern, expected) => {
    expect(hostMatchesPattern(host, pattern)).toBe(expected);
  });

  it('allows any host when the list is empty', () => {
    expect(isHostAllowed('anything.test', [])).toBe(true);
    expect(isHostAllowed('anything.test', ['*.example.com'])).toBe(false);
  });
});
