/** Pixel sizes of the mock's results, one per aspect ratio, so a result has the shape asked for. */
const DIMENSIONS: Record<string, [number, number]> = { '1:1': [1024, 1024], '16:9': [1344, 756], '9:16': [756, 1344] };

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && (line + ' ' + word).length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.slice(0, 6);
}

/**
 * A picture standing in for a generated image: a gradient chosen by prompt and seed, with the
 * prompt, size and seed written on it, so every result in the demo looks different and has the
 * right aspect ratio.
 */
export function renderMockImage(body: Record<string, unknown>): string {
  const size = typeof body.size === 'string' && body.size in DIMENSIONS ? body.size : '1:1';
  const [width, height] = DIMENSIONS[size]!;
  const prompt = typeof body.prompt === 'string' ? body.prompt : '';
  const seed = typeof body.seed === 'number' ? body.seed : undefined;
  const references = Array.isArray(body.image_urls) ? body.image_urls.length : 0;
  const h = hash(`${prompt}|${seed ?? ''}`);
  const hue = h % 360;
  const hue2 = (hue + 40 + ((h >> 9) % 80)) % 360;
  const fontSize = Math.round(width / 18);
  const lines = wrap(prompt, Math.floor(width / (fontSize * 0.55)));
  const top = height / 2 - (lines.length * fontSize * 1.2) / 2;
  const text = lines
    .map((l, i) => `<text x="50%" y="${Math.round(top + i * fontSize * 1.2)}" text-anchor="middle">${escapeXml(l)}</text>`)
    .join('');
  const caption = [size, seed === undefined ? 'random seed' : `seed ${seed}`, references ? `${references} references` : '']
    .filter(Boolean)
    .join(' · ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue} 70% 55%)"/><stop offset="1" stop-color="hsl(${hue2} 65% 30%)"/></linearGradient></defs>
<rect width="100%" height="100%" fill="url(#g)"/>
<circle cx="${(h % 70) + 15}%" cy="${((h >> 5) % 60) + 20}%" r="${Math.round(width / 5)}" fill="white" fill-opacity="0.12"/>
<g fill="white" font-family="system-ui, sans-serif" font-size="${fontSize}" font-weight="600">${text}</g>
<text x="50%" y="${height - fontSize}" text-anchor="middle" fill="white" fill-opacity="0.85" font-family="system-ui, sans-serif" font-size="${Math.round(fontSize * 0.6)}">${escapeXml(caption)}</text>
</svg>`;
}

/** A small labelled swatch standing in for a reference image. */
export function renderMockReference(name: string): string {
  const hue = hash(name) % 360;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
<rect width="256" height="256" fill="hsl(${hue} 60% 45%)"/>
<circle cx="128" cy="104" r="56" fill="white" fill-opacity="0.3"/>
<text x="128" y="212" text-anchor="middle" fill="white" font-family="system-ui, sans-serif" font-size="36" font-weight="600">${escapeXml(name)}</text>
</svg>`;
}
