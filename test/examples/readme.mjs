// What the README tells a user to paste, checked against the examples that the harness builds: the
// examples' files must be the README's snippets, so a snippet that breaks `next build` breaks this
// test, and an example cannot drift from what the README says.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fenced code blocks of a Markdown text, each with the lines written just before it. */
export function fencedBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(\w*)/.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((line, j) => j > i && line.trim() === open[2]);
    if (end === -1) break;
    const before = [];
    for (let j = i - 1; j >= 0 && before.length < 3 && !/^(\s*)`{3,}/.test(lines[j]); j--) {
      if (lines[j].trim()) before.unshift(lines[j]);
      else if (before.length > 0) break;
    }
    blocks.push({ lang: open[3], code: `${lines.slice(i + 1, end).join('\n')}\n`, line: i + 1, before: before.join('\n') });
    i = end;
  }
  return blocks;
}

/** The text of a `## heading` section, up to the next heading of that level or above. */
export function section(markdown, heading) {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => new RegExp(`^##\\s+${heading}\\s*$`, 'i').test(line));
  if (start === -1) return undefined;
  const end = lines.findIndex((line, i) => i > start && /^#{1,2}\s/.test(line));
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

const CODE_FILE = /[\w@.[\]/-]+\.(?:tsx|ts|jsx|js|mjs)\b/;

const pathsIn = (text) => [...text.matchAll(/`([^`]+)`/g)].map((match) => match[1]).filter((path) => CODE_FILE.test(path) && path.includes('/'));

/**
 * The file a snippet belongs in: a path in backticks in the comments that open the block (after a
 * `'use client'`), a first-line comment that is only a path, or a path in backticks on the lines
 * just before the block.
 */
export function fileOf(block) {
  const lines = block.code.split('\n');
  const first = /^\s*\/\/\s*(?:file:\s*)?(\S+)\s*$/.exec(lines[0]);
  if (first && CODE_FILE.test(first[1])) return first[1];
  const opening = [];
  for (const line of lines) {
    if (/^\s*\/\//.test(line)) opening.push(line);
    else if (!/^\s*(['"])use client\1;?\s*$/.test(line)) break;
  }
  return pathsIn(opening.join('\n'))[0] ?? pathsIn(block.before).at(-1);
}

const normalise = (text) => `${text.replace(/[ \t]+$/gm, '').trimEnd()}\n`;

/** The first line where two texts differ, for a message a person can act on. */
function firstDifference(expected, actual) {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const i = a.findIndex((line, n) => line !== b[n]);
  const at = i === -1 ? a.length : i;
  return `line ${at + 1}: README has ${JSON.stringify(a[at] ?? '(end)')}, example has ${JSON.stringify(b[at] ?? '(end)')}`;
}

/**
 * Checks of README.md against the examples. Returns `{ name, ok, detail }` entries. `allowedExtra`
 * matches lines an example may add to a snippet (the test's upstream override).
 */
export function readmeChecks(root, { allowedExtra }) {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const checks = [];
  const check = (name, ok, detail) => checks.push({ name, ok: Boolean(ok), detail });
  const nextApp = join(root, 'examples/next');

  // Problem 2: the route handler the README gives for Next.js is the example's route file.
  const routePath = 'app/api/flash-image/[...path]/route.ts';
  const route = fencedBlocks(readme).find((block) => block.before.includes(routePath));
  if (!route) {
    check('README: the Next.js route snippet is examples/next/' + routePath, false, `no code block after a line naming \`${routePath}\``);
  } else {
    const example = readFileSync(join(nextApp, routePath), 'utf8')
      .split('\n')
      .filter((line) => !allowedExtra.test(line))
      .join('\n');
    const same = normalise(example) === normalise(route.code);
    check(
      'README: the Next.js route snippet is examples/next/' + routePath,
      same,
      same ? `README line ${route.line}` : firstDifference(normalise(route.code), normalise(example)),
    );
  }

  // Problem 3: every block of the Quick start is a file of the Next.js example, word for word.
  const quickStart = section(readme, 'Quick start');
  const blocks = quickStart ? fencedBlocks(quickStart).filter((block) => /^(?:tsx|ts|jsx|js)$/.test(block.lang)) : [];
  if (blocks.length === 0) check('README: the Quick start is files of examples/next', false, 'no ## Quick start with a code block');
  for (const [n, block] of blocks.entries()) {
    const file = fileOf(block);
    const name = `README: Quick start block ${n + 1} is examples/next/${file ?? '?'}`;
    if (!file) {
      check(name, false, 'the block names no file (a first-line `// app/….tsx` comment or a `path` just before it)');
      continue;
    }
    const path = join(nextApp, file);
    if (!existsSync(path)) {
      check(name, false, `examples/next/${file} does not exist`);
      continue;
    }
    const example = readFileSync(path, 'utf8');
    const same = normalise(example) === normalise(block.code);
    check(name, same, same ? `README Quick start, block ${n + 1}` : firstDifference(normalise(block.code), normalise(example)));
  }

  // Problem 6: complete examples are the examples, not Storybook stories (which are not in the package).
  for (const [title, dir] of [
    ['Use with Next.js', 'examples/next'],
    ['Use with Vite \\+ Express', 'examples/vite-express'],
  ]) {
    const text = section(readme, title);
    const linked = text !== undefined && new RegExp(`\\]\\((?:\\./)?${dir}/?\\)`).test(text);
    check(
      `README: "${title.replace('\\', '')}" links ${dir}`,
      linked && existsSync(join(root, dir, 'README.md')),
      text === undefined ? `no "## ${title.replace('\\', '')}" section` : linked ? 'linked' : `no link to (${dir})`,
    );
  }
  const storyPointer = /\bstor(?:y|ies)\b[^.\n]*\b(?:complete|full|example)|\bexamples?\b[^.\n]*\bstor(?:y|ies)\b/i.exec(
    readme.replace(/^## Set-up \(this repository\)[\s\S]*?(?=^## )/m, ''),
  );
  check(
    'README: sends nobody to the stories for an example',
    !storyPointer,
    storyPointer ? `"${storyPointer[0]}"` : 'no pointer to stories outside "Set-up (this repository)"',
  );
  return checks;
}
