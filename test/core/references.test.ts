import { describe, expect, it, vi } from 'vitest';
import { MAX_REFERENCE_IMAGES, MAX_SEED } from '../../src/core/constants.js';
import {
  checkReferenceUrl,
  clampMax,
  isSafeImageSrc,
  matchesAccept,
  moveItem,
  randomSeed,
  sortFileBatch,
} from '../../src/core/references.js';

function file(name: string, type: string, size = 10) {
  return { name, type, size };
}

describe('clampMax', () => {
  it('defaults to the API limit of 14', () => {
    expect(MAX_REFERENCE_IMAGES).toBe(14);
    expect(clampMax(undefined)).toBe(14);
  });

  it('keeps a smaller limit and caps a larger one at 14', () => {
    expect(clampMax(3)).toBe(3);
    expect(clampMax(14)).toBe(14);
    expect(clampMax(15)).toBe(14);
    expect(clampMax(50)).toBe(14);
  });

  it('never goes below 1 and drops fractions', () => {
    expect(clampMax(0)).toBe(1);
    expect(clampMax(-5)).toBe(1);
    expect(clampMax(2.9)).toBe(2);
  });

  it('treats a number that is not finite as the default', () => {
    expect(clampMax(Number.NaN)).toBe(14);
    expect(clampMax(Number.POSITIVE_INFINITY)).toBe(14);
  });
});

describe('checkReferenceUrl', () => {
  it('accepts an absolute http or https URL when there is room', () => {
    expect(checkReferenceUrl('https://example.com/a.png', [], 1)).toBeNull();
    expect(checkReferenceUrl('http://example.com/a.png', ['https://example.com/b.png'], 5)).toBeNull();
  });

  it.each([
    ['a relative path', '/images/a.png'],
    ['a bare host', 'example.com/a.png'],
    ['javascript:', 'javascript:alert(1)'],
    ['ftp:', 'ftp://example.com/a.png'],
    ['data:', 'data:image/png;base64,AAAA'],
    ['blob:', 'blob:http://localhost/123'],
    ['an empty string', ''],
  ])('refuses %s as invalid_url', (_, url) => {
    expect(checkReferenceUrl(url, [], 14)).toEqual({ code: 'invalid_url' });
  });

  it('refuses a URL already in the list as duplicate', () => {
    expect(checkReferenceUrl('https://example.com/a.png', ['https://example.com/a.png'], 13)).toEqual({ code: 'duplicate' });
  });

  it('refuses a new URL when there is no room', () => {
    expect(checkReferenceUrl('https://example.com/a.png', [], 0)).toEqual({ code: 'too_many' });
    expect(checkReferenceUrl('https://example.com/a.png', [], -1)).toEqual({ code: 'too_many' });
  });

  it('reports an invalid URL before a full list, and a duplicate before a full list', () => {
    expect(checkReferenceUrl('nope', [], 0)).toEqual({ code: 'invalid_url' });
    expect(checkReferenceUrl('https://e.com/a.png', ['https://e.com/a.png'], 0)).toEqual({ code: 'duplicate' });
  });
});

describe('matchesAccept', () => {
  it('matches a wildcard MIME type', () => {
    expect(matchesAccept(file('a.png', 'image/png'), 'image/*')).toBe(true);
    expect(matchesAccept(file('a.txt', 'text/plain'), 'image/*')).toBe(false);
  });

  it('matches an exact MIME type and an extension, case-insensitively', () => {
    expect(matchesAccept(file('a.png', 'image/png'), 'image/jpeg')).toBe(false);
    expect(matchesAccept(file('a.jpg', 'IMAGE/JPEG'), 'image/jpeg')).toBe(true);
    expect(matchesAccept(file('PHOTO.WEBP', ''), '.webp')).toBe(true);
    expect(matchesAccept(file('photo.webp.txt', ''), '.webp')).toBe(false);
  });

  it('matches any pattern of a comma-separated list, with spaces', () => {
    expect(matchesAccept(file('a.gif', 'image/gif'), 'image/png, .gif')).toBe(true);
    expect(matchesAccept(file('a.bmp', 'image/bmp'), 'image/png, .gif')).toBe(false);
  });

  it('accepts everything when the list is empty', () => {
    expect(matchesAccept(file('a.txt', 'text/plain'), '')).toBe(true);
    expect(matchesAccept(file('a.txt', 'text/plain'), ' , ')).toBe(true);
  });
});

describe('sortFileBatch', () => {
  it('keeps the first files that fit, in order, and refuses the rest as too many', () => {
    const files = [file('1.png', 'image/png'), file('2.png', 'image/png'), file('3.png', 'image/png'), file('4.png', 'image/png')];
    const { accepted, refused } = sortFileBatch(files, { accept: 'image/*', room: 2 });
    expect(accepted).toEqual([files[0], files[1]]);
    expect(refused).toEqual([
      { code: 'too_many', fileName: '3.png' },
      { code: 'too_many', fileName: '4.png' },
    ]);
  });

  it('refuses files of the wrong type or over the size limit without using up room', () => {
    const files = [
      file('notes.txt', 'text/plain'),
      file('huge.png', 'image/png', 2000),
      file('ok.png', 'image/png', 1000),
      file('next.jpg', 'image/jpeg', 5),
    ];
    const { accepted, refused } = sortFileBatch(files, { accept: 'image/*', maxFileBytes: 1000, room: 1 });
    expect(accepted).toEqual([files[2]]);
    expect(refused).toEqual([
      { code: 'file_invalid_type', fileName: 'notes.txt' },
      { code: 'file_too_large', fileName: 'huge.png' },
      { code: 'too_many', fileName: 'next.jpg' },
    ]);
  });

  it('has no size limit when maxFileBytes is undefined', () => {
    const big = file('big.png', 'image/png', 10 ** 9);
    expect(sortFileBatch([big], { accept: 'image/*', room: 14 })).toEqual({ accepted: [big], refused: [] });
  });

  it('refuses every file when there is no room', () => {
    const { accepted, refused } = sortFileBatch([file('a.png', 'image/png')], { accept: 'image/*', room: 0 });
    expect(accepted).toEqual([]);
    expect(refused).toEqual([{ code: 'too_many', fileName: 'a.png' }]);
  });
});

describe('moveItem', () => {
  it('moves an item earlier or later and leaves the input untouched', () => {
    const list = ['a', 'b', 'c', 'd'];
    expect(moveItem(list, 2, 1)).toEqual(['a', 'c', 'b', 'd']);
    expect(moveItem(list, 0, 3)).toEqual(['b', 'c', 'd', 'a']);
    expect(list).toEqual(['a', 'b', 'c', 'd']);
  });

  it('returns the list itself for a move to the same place or out of range', () => {
    const list = ['a', 'b'];
    expect(moveItem(list, 1, 1)).toBe(list);
    expect(moveItem(list, 0, -1)).toBe(list);
    expect(moveItem(list, 1, 2)).toBe(list);
    expect(moveItem(list, -1, 0)).toBe(list);
    expect(moveItem(list, 2, 0)).toBe(list);
  });
});

describe('isSafeImageSrc', () => {
  it.each(['https://cdn.example.com/a.png', 'http://cdn.example.com/a.png', 'blob:http://localhost/1', 'data:image/png;base64,AAAA', 'DATA:IMAGE/PNG;base64,AAAA'])(
    'allows %s',
    (url) => {
      expect(isSafeImageSrc(url)).toBe(true);
    },
  );

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    '  javascript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    '/relative.png',
    '',
  ])('refuses %j', (url) => {
    expect(isSafeImageSrc(url)).toBe(false);
  });

  it('refuses values that are not strings', () => {
    expect(isSafeImageSrc(undefined)).toBe(false);
    expect(isSafeImageSrc(null)).toBe(false);
    expect(isSafeImageSrc(42)).toBe(false);
    expect(isSafeImageSrc({ toString: () => 'https://e.com/a.png' })).toBe(false);
  });
});

describe('randomSeed', () => {
  it('is a whole number from 0 to the largest seed the API accepts', () => {
    vi.spyOn(Math, 'random').mockReturnValueOnce(0).mockReturnValueOnce(0.999_999_999_999).mockReturnValueOnce(0.5);
    expect(randomSeed()).toBe(0);
    expect(randomSeed()).toBe(MAX_SEED);
    expect(randomSeed()).toBe(Math.floor(0.5 * (MAX_SEED + 1)));
  });

  it('varies between calls', () => {
    const seeds = new Set(Array.from({ length: 20 }, () => randomSeed()));
    expect(seeds.size).toBeGreaterThan(1);
    for (const seed of seeds) {
      expect(Number.isInteger(seed)).toBe(true);
      expect(seed).toBeGreaterThanOrEqual(0);
      expect(seed).toBeLessThanOrEqual(MAX_SEED);
    }
  });
});
