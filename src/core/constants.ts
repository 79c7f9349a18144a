import type { ImageSize } from './types.js';

/** The most reference images the model accepts in one request. */
export const MAX_REFERENCE_IMAGES = 14;

/** The model this library is built for; sent on every request unless the input names another. */
export const DEFAULT_MODEL = 'gemini-3.1-flash-image-preview';

/** The vendor's API host. */
export const DEFAULT_BASE_URL = 'https://api.aiclonevoicefree.com';

/** Every size the API accepts, in the order a picker shows them. */
export const IMAGE_SIZES: readonly ImageSize[] = ['1:1', '16:9', '9:16'];

/** The largest seed accepted: the vendor types it as `int`. */
export const MAX_SEED = 2_147_483_647;

/** Default time between polls of a running task. */
export const DEFAULT_INTERVAL_MS = 1000;

/** Default time to wait for a task, counted from when polling of it starts. */
export const DEFAULT_TIMEOUT_MS = 5 * 60 * 1000;

/** The two API paths; the server proxy accepts exactly these below its base path. */
export const GENERATE_PATH = '/api/v2/image/generate';
export const TASKS_PATH = '/api/v2/tasks/';
