// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { checkGenerateInput, fromRequestBody, toRequestBody, validateGenerateInput } from '../../src/core/validation.js';

describe('fromRequestBody', () => {
  it('reads the vendor fields back into an input', () => {
    const input = { prompt: 'a fox', model: 'm', size: '16:9' as const, imageUrls: ['https://a.example/1.png'], seed: 4 };
    expect(fromRequestBody(toRequestBody(validateGenerateInput(input)))).toEqual(input);
  });

  it('drops every other field, including the camelCase names the wire does not use', () => {
    const body = { prompt: 'a fox', n: 4, imageUrls: ['https://evil.example/x.png'], callback_url: 'https://evil.example' };
    expect(fromRequestBody(body)).toEqual({ prompt: 'a fox' });
  });

  it('reads own fields only, never inherited ones', () => {
    const body = Object.create({ seed: 3, size: '9:16' }) as Record<string, unknown>;
    body.prompt = 'a fox';
    expect(fromRequestBody(body)).toEqual({ prompt: 'a fox' });
  });

  it('keeps wrong values as they are, for validation to name the field', () => {
    const input = fromRequestBody({ prompt: 'a fox', seed: 1.5 });
    expect(input).toEqual({ prompt: 'a fox', seed: 1.5 });
    expect(checkGenerateInput(input!)).toEqual({ field: 'seed', message: expect.stringMatching(/whole number/) });
  });

  it.each([[null], [[]], ['a fox'], [3]])('returns nothing for %j, which is not a JSON object', (body) => {
    expect(fromRequestBody(body)).toBeUndefined();
  });
});
