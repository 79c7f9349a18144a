import { afterEach, describe, expect, it, vi } from 'vitest';
import { addToHistory, DEFAULT_HISTORY_SIZE, entryTask, persistableInput, removeFromHistory, type PersistedGeneration } from '../../src/core/history.js';
import { persistKey, type PersistConfig } from '../../src/core/persister.js';
import { createGenerationPersister, MAX_PERSISTED_ENTRIES, parseEntry, parseRecord, serializeRecord } from '../../src/persist/index.js';
import { memoryStorage } from '../memory-storage.js';

const IMG = 'https://cdn.example.com/a.png';

function entry(n: number, done = true): PersistedGeneration {
  const e: PersistedGeneration = { taskId: `t${n}`, input: { prompt: `p${n}`, size: '1:1', seed: n }, startedAt: 1000 + n };
  if (done) {
    e.imageUrl = `https://cdn.example.com/${n}.png`;
    e.completedAt = 2000 + n;
  }
  return e;
}

const record = (entries: unknown[]) => JSON.stringify({ lib: 'flash-image-react', v: 1, entries });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('serializeRecord / parseRecord', () => {
  it('round-trips running and finished entries, in order', () => {
    const entries = [entry(1, false), entry(2), { ...entry(3), input: { prompt: 'x', model: 'm', imageUrls: [IMG] } }];
    expect(parseRecord(serializeRecord(entries))).toEqual({ entries });
  });

  it('marks its records with the library and a version', () => {
    expect(JSON.parse(serializeRecord([]))).toEqual({ lib: 'flash-image-react', v: 1, entries: [] });
  });

  it.each([null, undefined, ''])('reads nothing stored (%j) as no entries and no problem', (text) => {
    expect(parseRecord(text)).toEqual({ entries: [] });
  });

  it.each([
    ['not JSON', '{oops', 'it is not a version 1 flash-image-react record'],
    ['a number', '42', 'it is not a version 1 flash-image-react record'],
    ['null', 'null', 'it is not a version 1 flash-image-react record'],
    ['an array', '[1,2]', 'it is not a version 1 flash-image-react record'],
    ['another library', JSON.stringify({ lib: 'other', v: 1, entries: [] }), 'it is not a version 1 flash-image-react record'],
    ['entries not a list', JSON.stringify({ lib: 'flash-image-react', v: 1, entries: {} }), 'it is not a version 1 flash-image-react record'],
    ['another version', JSON.stringify({ lib: 'flash-image-react', v: 9, entries: [] }), 'it is not a version 1 flash-image-react record'],
  ])('ignores %s as a whole, with the reason', (_name, text, problem) => {
    expect(parseRecord(text)).toEqual({ entries: [], problem });
  });

  it('drops invalid and duplicate entries one by one and says how many', () => {
    const parsed = parseRecord(record([entry(1), { ...entry(2), imageUrl: 'javascript:alert(1)' }, entry(1), 7, entry(3, false)]));
    expect(parsed.entries.map((e) => e.taskId)).toEqual(['t1', 't3']);
    expect(parsed.problem).toBe('3 of its entries are not valid');
  });

  it(`reads at most ${MAX_PERSISTED_ENTRIES} entries`, () => {
    const many = Array.from({ length: MAX_PERSISTED_ENTRIES + 5 }, (_, i) => entry(i));
    const parsed = parseRecord(record(many));
    expect(parsed.entries).toHaveLength(MAX_PERSISTED_ENTRIES);
    expect(parsed.problem).toBe('5 of its entries are not valid');
    expect(JSON.parse(serializeRecord(many)).entries).toHaveLength(MAX_PERSISTED_ENTRIES);
  });
});

describe('parseEntry', () => {
  const good = entry(1);

  it('accepts a good entry, copying only the known fields', () => {
    expect(parseEntry({ ...good, extra: 'x', input: { ...good.input, evil: true } })).toEqual(good);
  });

  it.each<[string, Record<string, unknown>]>([
    ['no task id', { taskId: undefined }],
    ['a blank task id', { taskId: '  ' }],
    ['a numeric task id', { taskId: 5 }],
    ['a very long task id', { taskId: 'x'.repeat(501) }],
    ['no start time', { startedAt: undefined }],
    ['a negative start time', { startedAt: -1 }],
    ['a start time that is a string', { startedAt: '2024' }],
    ['no input', { input: undefined }],
    ['a blank prompt', { input: { prompt: ' ' } }],
    ['a size outside the three', { input: { prompt: 'x', size: '4:3' } }],
    ['a fractional seed', { input: { prompt: 'x', seed: 1.5 } }],
    ['15 references', { input: { prompt: 'x', imageUrls: Array.from({ length: 15 }, () => IMG) } }],
    ['a data: reference', { input: { prompt: 'x', imageUrls: ['data:image/png;base64,AAAA'] } }],
    ['a javascript: image URL', { imageUrl: 'javascript:alert(1)' }],
    ['a relative image URL', { imageUrl: '/a.png' }],
    ['an image URL without completedAt', { completedAt: undefined }],
    ['a completedAt without image URL', { imageUrl: undefined }],
  ])('rejects %s', (_name, change) => {
    expect(parseEntry({ ...good, ...change })).toBeUndefined();
  });
});

describe('history', () => {
  it(`keeps the newest first and at most ${DEFAULT_HISTORY_SIZE} by default`, () => {
    let history: PersistedGeneration[] = [];
    for (let n = 1; n <= 20; n++) history = addToHistory(history, entry(n));
    expect(history).toHaveLength(DEFAULT_HISTORY_SIZE);
    expect(history.map((e) => e.taskId)).toEqual(Array.from({ length: 12 }, (_, i) => `t${20 - i}`));
  });

  it('honours a given limit, and 0 keeps nothing', () => {
    const history = [entry(1), entry(2), entry(3)];
    expect(addToHistory(history, entry(4), 2).map((e) => e.taskId)).toEqual(['t4', 't1']);
    expect(addToHistory(history, entry(4), 0)).toEqual([]);
  });

  it('moves a task already there to the front instead of listing it twice', () => {
    expect(addToHistory([entry(1), entry(2)], entry(2)).map((e) => e.taskId)).toEqual(['t2', 't1']);
  });

  it('removes one task', () => {
    expect(removeFromHistory([entry(1), entry(2)], 't1').map((e) => e.taskId)).toEqual(['t2']);
  });
});

describe('entryTask and persistableInput', () => {
  it('turns a running entry into a pending task and a finished one into a completed task', () => {
    expect(entryTask(entry(1, false))).toEqual({ taskId: 't1', status: 'pending', raw: null });
    expect(entryTask(entry(2))).toEqual({ taskId: 't2', status: 'completed', imageUrl: 'https://cdn.example.com/2.png', raw: null });
  });

  it('copies only the fields of an input, and drops an empty reference list', () => {
    const urls = [IMG];
    const copy = persistableInput({ prompt: 'p', size: '16:9', seed: 0, imageUrls: urls, ...{ secret: 'x' } });
    expect(copy).toEqual({ prompt: 'p', size: '16:9', seed: 0, imageUrls: [IMG] });
    expect(copy.imageUrls).not.toBe(urls);
    expect(persistableInput({ prompt: 'p', imageUrls: [] })).toEqual({ prompt: 'p' });
  });
});

describe('createGenerationPersister', () => {
  const persister = (config: PersistConfig) => createGenerationPersister(config);

  it('is off without a key', () => {
    expect(persistKey(undefined)).toBeUndefined();
    expect(persistKey('')).toBeUndefined();
    expect(persistKey({ key: '' })).toBeUndefined();
  });

  it('uses the given storage, or localStorage looked up on use', () => {
    const mem = memoryStorage();
    persister({ key: 'k', storage: mem.storage }).save([entry(1)]);
    expect(mem.data.get('k')).toBe(serializeRecord([entry(1)]));
    persister({ key: 'k' }).save([entry(2)]);
    expect(globalThis.localStorage.getItem('k')).toBe(serializeRecord([entry(2)]));
    globalThis.localStorage.removeItem('k');
  });

  it('has no storage where there is no localStorage (a server), and then reads nothing and writes nothing', () => {
    vi.stubGlobal('localStorage', undefined);
    const target = persister({ key: 'k' });
    expect(target.restore()).toEqual([]);
    expect(() => target.save([entry(1)])).not.toThrow();
    vi.unstubAllGlobals();
  });

  it('reads good content silently, and warns once about bad content, naming the key', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const mem = memoryStorage({ good: serializeRecord([entry(1)]), bad: 'garbage' });
    expect(persister({ key: 'good', storage: mem.storage }).restore()).toEqual([entry(1)]);
    expect(warn).not.toHaveBeenCalled();
    expect(persister({ key: 'bad', storage: mem.storage }).restore()).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/flash-image-react: ignored saved generations because it is not a version 1 flash-image-react record.*"bad"/);
  });

  it('writes entries, and removes the key when there are none', () => {
    const mem = memoryStorage();
    const target = persister({ key: 'k', storage: mem.storage });
    target.save([entry(1)]);
    expect(mem.data.get('k')).toBe(serializeRecord([entry(1)]));
    target.save([]);
    expect(mem.data.has('k')).toBe(false);
  });

  it('reports a storage that throws instead of throwing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const boom = () => {
      throw new Error('quota');
    };
    const target = persister({ key: 'k', storage: { getItem: boom, setItem: boom, removeItem: boom } });
    expect(target.restore()).toEqual([]);
    expect(() => target.save([entry(1)])).not.toThrow();
    expect(() => target.save([])).not.toThrow();
    expect(warn).toHaveBeenCalledTimes(3);
  });

  it('drops, without a warning, entries older than maxAge: finished ones by completedAt, running ones by startedAt', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const now = Date.now();
    const at = (e: PersistedGeneration, ago: number): PersistedGeneration =>
      e.completedAt === undefined ? { ...e, startedAt: now - ago } : { ...e, startedAt: now - ago - 5000, completedAt: now - ago };
    const stored = [at(entry(1), 1000), at(entry(2), 60_000), at(entry(3, false), 1000), at(entry(4, false), 60_000)];
    const mem = memoryStorage({ k: serializeRecord(stored) });
    expect(persister({ key: 'k', storage: mem.storage, maxAge: 30_000 }).restore().map((e) => e.taskId)).toEqual(['t1', 't3']);
    expect(persister({ key: 'k', storage: mem.storage }).restore()).toHaveLength(4);
    expect(warn).not.toHaveBeenCalled();
  });

  it('stores the app’s version, and ignores, without a warning, a record of another version', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const mem = memoryStorage();
    persister({ key: 'k', storage: mem.storage, version: 2 }).save([entry(1)]);
    expect(JSON.parse(mem.data.get('k')!)).toMatchObject({ lib: 'flash-image-react', v: 1, version: 2 });
    expect(persister({ key: 'k', storage: mem.storage, version: 2 }).restore()).toEqual([entry(1)]);
    expect(persister({ key: 'k', storage: mem.storage, version: 3 }).restore()).toEqual([]);
    expect(persister({ key: 'k', storage: mem.storage }).restore()).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
  });
});
