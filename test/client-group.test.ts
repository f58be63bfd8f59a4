import assert from 'node:assert/strict'
import { test } from 'node:test'

import { clientGroup } from '../src/node/client-group.ts'

test('an IPv4 client is its own bucket, as is the IPv4 form a dual-stack socket reports', () => {
  assert.equal(clientGroup('127.0.0.2'), '127.0.0.2')
  assert.equal(clientGroup('::ffff:10.1.2.3'), '10.1.2.3')
})

test('every IPv6 address of one /64 counts as one client, however it is written', () => {
  const bucket = '2001:db8:1:2::/64'
  for (const address of ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:fffe', '2001:0db8:0001:0002:0:0:0:9', '2001:DB8:1:2::a%eth0']) {
    assert.equal(clientGroup(address), bucket, address)
  }
  assert.equal(clientGroup('2001:db8:1:3::1'), '2001:db8:1:3::/64')
})

test('IPv6 prefixes that a :: compresses are expanded before the /64 is taken', () => {
  assert.equal(clientGroup('::1'), '0:0:0:0::/64')
  assert.equal(clientGroup('fe80::1:2:3:4'), 'fe80:0:0:0::/64')
  assert.equal(clientGroup('2001:db8::'), '2001:db8:0:0::/64')
  assert.equal(clientGroup('64:ff9b::192.0.2.33'), '64:ff9b:0:0::/64')
})

test('what is not an address (a unix socket peer, nothing) is left as it was', () => {
  assert.equal(clientGroup(''), '')
  assert.equal(clientGroup('not-an-address'), 'not-an-address')
})
