import { describe, expect, test } from 'vitest';
import { DEFAULT_MODEL, MAX_REFERENCE_IMAGES, MAX_SEED } from '../../src/core/constants.js';
import { ImageGenError } from '../../src/core/errors.js';
import { createHttpFetcher } from '../../src/core/http-fetcher.js';
import type { GenerateImageField, GenerateImageInput } from '../../src/core/types.js';
import { checkGenerateInput, isHttpUrl, toRequestBody, validateGenerateInput } from '../../src/core/validation.js';
import { createMockApi } from '../mock-api.js';
import { server } from '../msw-server.js';
import { recordAllRequests } from './support.js';

const refs = (n: number) => Array.from({ length: n }, (_, i) => `https://cdn.example.com/ref-${i + 1}.png`);

/** Runs `fn`, expects it to throw a validation ImageGenError, and returns that error. */
function validationErrorOf(fn: () => unknown): ImageGenError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected validation to throw').toBeDefined();
  expect(ImageGenError.isImageGenError(thrown)).toBe(true);
  const error = thrown as ImageGenError;
  expect(error.kind).toBe('validation');
  expect(error.retryable).toBe(false);
  expect(error.status).toBeUndefined();
  return error;
}

interface BadCase {
  name: string;
  input: unknown;
  field: GenerateImageField;
  /** Every pattern must appear in the message: what is wrong and what to do. */
  message: RegExp[];
}

const badInputs: BadCase[] = [
  { name: 'missing prompt', input: {}, field: 'prompt', message: [/enter a prompt/i] },
  { name: 'prompt not a string', input: { prompt: 42 }, field: 'prompt', message: [/enter a prompt/i] },
  { name: 'empty prompt', input: { prompt: '' }, field: 'prompt', message: [/enter a prompt/i] },
  { name: 'blank prompt', input: { prompt: '  \n\t ' }, field: 'prompt', message: [/enter a prompt/i] },
  { name: 'empty model', input: { prompt: 'a cat', model: '' }, field: 'model', message: [/model/i, /non-empty/i] },
  { name: 'blank model', input: { prompt: 'a cat', model: '   ' }, field: 'model', message: [/model/i, /non-empty/i] },
  {
    name: "size '4:3'",
    input: { prompt: 'a cat', size: '4:3' },
    field: 'size',
    message: [/1:1, 16:9, 9:16/, /"4:3"/],
  },
  {
    name: 'size with a space',
    input: { prompt: 'a cat', size: '1:1 ' },
    field: 'size',
    message: [/1:1, 16:9, 9:16/, /"1:1 "/],
  },
  { name: 'empty size', input: { prompt: 'a cat', size: '' }, field: 'size', message: [/1:1, 16:9, 9:16/] },
  {
    name: 'imageUrls as a single string',
    input: { prompt: 'a cat', imageUrls: 'https://cdn.example.com/a.png' },
    field: 'imageUrls',
    message: [/list of URLs/i],
  },
  {
    name: 'imageUrls as an object',
    input: { prompt: 'a cat', imageUrls: { 0: 'https://cdn.example.com/a.png', length: 1 } },
    field: 'imageUrls',
    message: [/list of URLs/i],
  },
  {
    name: '15 references',
    input: { prompt: 'a cat', imageUrls: refs(15) },
    field: 'imageUrls',
    message: [/up to 14 reference images/i, /remove 1\b/i],
  },
  {
    name: '20 references',
    input: { prompt: 'a cat', imageUrls: refs(20) },
    field: 'imageUrls',
    message: [/up to 14/i, /remove 6\b/i],
  },
  {
    name: 'a relative reference URL',
    input: { prompt: 'a cat', imageUrls: ['https://cdn.example.com/a.png', '/uploads/b.png'] },
    field: 'imageUrls',
    message: [/reference image 2\b/i, /absolute http:\/\/ or https:\/\/ URL/i],
  },
  {
    name: 'a javascript: reference URL',
    input: { prompt: 'a cat', imageUrls: ['javascript:alert(1)'] },
    field: 'imageUrls',
    message: [/reference image 1\b/i, /http:\/\/ or https:\/\//i],
  },
  {
    name: 'a data: reference URL',
    input: {
      prompt: 'a cat',
      imageUrls: ['https://cdn.example.com/a.png', 'https://cdn.example.com/b.png', 'data:image/png;base64,iVBORw0KGgo='],
    },
    field: 'imageUrls',
    message: [/reference image 3\b/i, /http:\/\/ or https:\/\//i],
  },
  {
    name: 'an ftp: reference URL',
    input: { prompt: 'a cat', imageUrls: ['ftp://files.example.com/a.png', 'https://cdn.example.com/b.png'] },
    field: 'imageUrls',
    message: [/reference image 1\b/i, /http:\/\/ or https:\/\//i],
  },
  {
    name: 'a non-string reference',
    input: { prompt: 'a cat', imageUrls: ['https://cdn.example.com/a.png', null] },
    field: 'imageUrls',
    message: [/reference image 2\b/i],
  },
  { name: 'seed 1.5', input: { prompt: 'a cat', seed: 1.5 }, field: 'seed', message: [/whole number/i, /2147483647/] },
  { name: 'seed -1', input: { prompt: 'a cat', seed: -1 }, field: 'seed', message: [/whole number from 0/i] },
  { name: 'seed NaN', input: { prompt: 'a cat', seed: Number.NaN }, field: 'seed', message: [/whole number/i] },
  { name: 'seed Infinity', input: { prompt: 'a cat', seed: Number.POSITIVE_INFINITY }, field: 'seed', message: [/whole number/i] },
  {
    name: 'seed above 2147483647',
    input: { prompt: 'a cat', seed: 2_147_483_648 },
    field: 'seed',
    message: [/whole number from 0 to 2147483647/i],
  },
  { name: 'seed as a string', input: { prompt: 'a cat', seed: '42' }, field: 'seed', message: [/whole number/i] },
];

describe('validateGenerateInput', () => {
  test.each(badInputs)('rejects $name with field $field', ({ input, field, message }) => {
    const error = validationErrorOf(() => validateGenerateInput(input as GenerateImageInput));
    expect(error.field).toBe(field);
    for (const pattern of message) expect(error.message).toMatch(pattern);
  });

  test('rejects a non-object input', () => {
    for (const input of [null, undefined, 'a cat', 7]) {
      const error = validationErrorOf(() => validateGenerateInput(input as unknown as GenerateImageInput));
      expect(error.field).toBe('prompt');
    }
  });

  test('reports the count before the URLs when there are too many references', () => {
    const error = validationErrorOf(() =>
      validateGenerateInput({ prompt: 'a cat', imageUrls: [...refs(14), 'javascript:alert(1)'] }),
    );
    expect(error.message).toMatch(/up to 14/);
  });

  test('trims the prompt and fills in the default model', () => {
    expect(validateGenerateInput({ prompt: '  a red fox \n' })).toEqual({ prompt: 'a red fox', model: DEFAULT_MODEL });
  });

  test('keeps a model the caller names', () => {
    expect(validateGenerateInput({ prompt: 'a', model: 'other-model' }).model).toBe('other-model');
    expect(validateGenerateInput({ prompt: 'a', model: ' other-model ' }).model).toBe('other-model');
  });

  test.each(['1:1', '16:9', '9:16'] as const)('accepts size %s', (size) => {
    expect(validateGenerateInput({ prompt: 'a', size }).size).toBe(size);
  });

  test('accepts exactly 14 references and copies the list', () => {
    const imageUrls = refs(MAX_REFERENCE_IMAGES);
    const valid = validateGenerateInput({ prompt: 'a', imageUrls });
    expect(valid.imageUrls).toEqual(imageUrls);
    expect(valid.imageUrls).not.toBe(imageUrls);
  });

  test('accepts http: as well as https: references', () => {
    expect(validateGenerateInput({ prompt: 'a', imageUrls: ['http://example.com/a.png'] }).imageUrls).toEqual([
      'http://example.com/a.png',
    ]);
  });

  test.each([0, 1, 123456, MAX_SEED])('accepts seed %d', (seed) => {
    expect(validateGenerateInput({ prompt: 'a', seed }).seed).toBe(seed);
  });

  test('leaves out an empty reference list and absent fields', () => {
    expect(validateGenerateInput({ prompt: 'a', imageUrls: [] })).toEqual({ prompt: 'a', model: DEFAULT_MODEL });
  });
});

describe('checkGenerateInput', () => {
  test.each(badInputs)('returns the problem with $name instead of throwing', ({ input, field, message }) => {
    const checked = checkGenerateInput(input as GenerateImageInput);
    expect(checked).toEqual({ field, message: expect.any(String) });
    for (const pattern of message) expect((checked as { message: string }).message).toMatch(pattern);
  });

  test('returns what validateGenerateInput returns for a valid input', () => {
    const input = { prompt: '  a cat ', model: ' m ', size: '9:16' as const, imageUrls: refs(2), seed: 0 };
    expect(checkGenerateInput(input)).toEqual(validateGenerateInput(input));
    expect(checkGenerateInput(input)).toEqual({ prompt: 'a cat', model: 'm', size: '9:16', imageUrls: refs(2), seed: 0 });
  });
});

describe('isHttpUrl', () => {
  test.each(['https://a.example/x.png', 'http://a.example', 'HTTPS://A.EXAMPLE/X.PNG'])('accepts %s', (url) => {
    expect(isHttpUrl(url)).toBe(true);
  });

  test.each([
    '/relative.png',
    'relative.png',
    '//cdn.example.com/a.png',
    'javascript:alert(1)',
    'data:image/png;base64,AAAA',
    'ftp://example.com/a.png',
    'blob:https://example.com/uuid',
    '',
  ])('rejects %s', (url) => {
    expect(isHttpUrl(url)).toBe(false);
  });

  test.each([null, undefined, 42, {}])('rejects non-string %s', (value) => {
    expect(isHttpUrl(value)).toBe(false);
  });
});

describe('toRequestBody', () => {
  test('maps to the vendor field names and sends only what is set', () => {
    expect(toRequestBody({ prompt: 'p', model: 'm' })).toEqual({ prompt: 'p', model: 'm' });
    expect(
      toRequestBody({ prompt: 'p', model: 'm', size: '9:16', imageUrls: ['https://a.example/1.png'], seed: 0 }),
    ).toEqual({ prompt: 'p', model: 'm', size: '9:16', image_urls: ['https://a.example/1.png'], seed: 0 });
  });
});

describe('createHttpFetcher().generate validates before any request', () => {
  const seen = recordAllRequests();

  test.each(badInputs)('rejects $name and sends nothing', async ({ input, field }) => {
    const api = createMockApi();
    server.use(...api.handlers);
    const fetcher = createHttpFetcher({ apiKey: 'sk_test' });

    const error = await fetcher.generate(input as GenerateImageInput).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(ImageGenError.isImageGenError(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'validation', field, retryable: false });
    expect(api.requests).toHaveLength(0);
    expect(seen).toHaveLength(0);
  });

  test('the request recorder does see a valid request (so the zero counts above mean something)', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    await createHttpFetcher().generate({ prompt: 'a cat' });
    expect(seen).toHaveLength(1);
    expect(api.posts()).toHaveLength(1);
  });

  test('sends 14 references in order, seed 0, and the trimmed prompt', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    const imageUrls = refs(14);

    const task = await createHttpFetcher().generate({ prompt: '  a cat in a hat  ', imageUrls, seed: 0 });

    expect(task).toMatchObject({ taskId: 'task0001', status: 'pending' });
    expect(api.posts()).toHaveLength(1);
    expect(api.posts()[0]?.body).toEqual({
      prompt: 'a cat in a hat',
      model: DEFAULT_MODEL,
      image_urls: imageUrls,
      seed: 0,
    });
  });

  test('sends the largest seed', async () => {
    const api = createMockApi();
    server.use(...api.handlers);
    await createHttpFetcher().generate({ prompt: 'a cat', seed: 2147483647 });
    expect(api.posts()[0]?.body?.seed).toBe(2147483647);
  });
});
