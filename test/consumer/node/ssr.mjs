// Plain Node, no DOM: the client entry must import and render on a server (SSR, React Server
// Components' client boundary) without touching `window` or `document`.
import assert from 'node:assert/strict';
import { createElement as h, version } from 'react';
import { renderToString } from 'react-dom/server';
import { createHttpFetcher, ImageGenerator, ImageGenProvider, ReferencePicker } from 'flash-image-react';

assert.equal(typeof window, 'undefined');
assert.equal(typeof document, 'undefined');
if (process.env.EXPECT_REACT) assert.equal(version, process.env.EXPECT_REACT, 'the React this run was meant to use');

const fetcher = createHttpFetcher({ baseUrl: '/api/flash-image' });
const html = renderToString(
  h(
    ImageGenProvider,
    { fetcher },
    h(ImageGenerator, { defaultValues: { prompt: 'a tree at dusk', size: '16:9', imageUrls: ['https://images.example.com/a.png'] } }),
    h(ReferencePicker, { defaultValue: [], theme: 'dark' }),
  ),
);

assert.match(html, /^<form[^>]*class="fir-root fir-generator"[^>]*data-status="idle"/);
assert.match(html, /<textarea[^>]*>a tree at dusk<\/textarea>/);
assert.ok(html.includes('src="https://images.example.com/a.png"'), 'the reference is rendered');
assert.ok(html.includes('fir-picker'), 'the standalone picker is rendered');
console.log(`renderToString with React ${version}: ${html.length} characters of HTML`);
