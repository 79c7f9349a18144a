// Plain Node, CommonJS: the package ships ESM only; `require` of it works on every Node version in
// its `engines` (require(esm), unflagged since Node 20.19 and 22.12).
const assert = require('node:assert/strict');
const server = require('flash-image-react/server');
const client = require('flash-image-react');

assert.equal(typeof server.createProxyHandler, 'function');
assert.equal(typeof server.toNodeHandler, 'function');
assert.equal(typeof client.useImageGeneration, 'function');
assert.throws(() => server.createProxyHandler({ apiKey: 'sk_x', upstream: 'ftp://example.com' }), TypeError);
console.log(`flash-image-react and flash-image-react/server from CommonJS (require) on Node ${process.versions.node}`);
