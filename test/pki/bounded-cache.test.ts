import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../src/pki/bounded-cache.js';

describe('BoundedCache', () => {
  it('computes a value once per key and returns it again', () => {
    const cache = new BoundedCache<number>(4);
    let calls = 0;
    const compute = (key: string) => ++calls * 10 + key.length;
    expect(cache.get('a', compute)).toBe(11);
    expect(cache.get('a', compute)).toBe(11);
    expect(calls).toBe(1);
  });

  it('keeps falsy values (a certificate not issued by another is remembered as false)', () => {
    const cache = new BoundedCache<boolean>(4);
    let calls = 0;
    cache.get('k', () => (calls++, false));
    expect(cache.get('k', () => (calls++, true))).toBe(false);
    expect(calls).toBe(1);
  });

  it('never holds more than its limit: the oldest entry goes first', () => {
    const cache = new BoundedCache<string>(2);
    cache.get('a', () => 'A');
    cache.get('b', () => 'B');
    cache.get('c', () => 'C');
    expect(cache.get('a', () => 'A again')).toBe('A again');
    expect(cache.get('c', () => 'C again')).toBe('C');
  });

  it('keeps nothing when computing throws', () => {
    const cache = new BoundedCache<string>(2);
    expect(() => cache.get('x', () => { throw new Error('unreadable'); })).toThrow('unreadable');
    expect(cache.get('x', () => 'read')).toBe('read');
  });
});
