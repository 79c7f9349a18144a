// One visit of a built example in headless Chromium, as a person would make it: load the page, type
// a prompt, double-click Generate, wait for the picture, then wait some more. Measures what the
// issue asks about and returns it; the caller compares with the bounds and prints the figures.

// Installed before any page script: layout shifts from the first paint on, as Chrome reports them.
// Shifts within 500 ms of an input (`hadRecentInput`) are expected and not counted, as in CLS.
const LAYOUT_SHIFT_OBSERVER = `
  window.__shifts = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.hadRecentInput) continue;
      window.__shifts.push({
        value: entry.value,
        at: Math.round(entry.startTime),
        sources: (entry.sources || []).map((source) => {
          const node = source.node;
          if (!node || !node.nodeName) return '?';
          const cls = typeof node.className === 'string' && node.className ? '.' + node.className.trim().split(/\\s+/).join('.') : '';
          return node.nodeName.toLowerCase() + cls;
        }),
      });
    }
  }).observe({ type: 'layout-shift', buffered: true });
  // Polls pause while the page is hidden (TanStack Query's default): a visit whose page was hidden
  // for a while asks less often, and the log says so.
  window.__hidden = [];
  // So are they while the page's main thread is busy: a long task delays the next poll's timer.
  window.__long = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__long.push([Math.round(entry.startTime), Math.round(entry.duration)]);
  }).observe({ type: 'longtask', buffered: true });
  document.addEventListener('visibilitychange', () => window.__hidden.push([Math.round(performance.now()), document.visibilityState]));
`;

/** Width of the generator and of the content box it sits in; the generator's own max-width. */
function measureGenerator(form) {
  const parent = form.parentElement;
  const style = getComputedStyle(parent);
  const content = parent.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const max = getComputedStyle(form).maxWidth;
  const label = form.querySelector(`label[for="${CSS.escape(form.querySelector('textarea').id)}"]`);
  return {
    width: form.getBoundingClientRect().width,
    container: content,
    maxWidth: max === 'none' ? Infinity : parseFloat(max),
    labelAlign: label ? getComputedStyle(label).textAlign : 'no label',
  };
}

/**
 * Visits `url` in a fresh context and runs one generation in each form the page has. `forms` lists
 * them: `{ prompt, kind }`, kind `'generator'` for `<ImageGenerator>` (found by its Prompt textarea)
 * or `'section'` for a hooks demo (found by its heading text). Returns per form the prompt, the
 * widths, the time the image showed; for the page the layout shifts and console errors.
 */
export async function visit(browser, { url, width, height, theme, forms, settleMs }) {
  // Reduced motion stops the placeholder's shimmer (a background animation, no layout): pages
  // painting it in software, side by side, would starve the very timers whose polls are counted.
  const context = await browser.newContext({ viewport: { width, height }, colorScheme: theme, reducedMotion: 'reduce' });
  await context.addInitScript(LAYOUT_SHIFT_OBSERVER);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' || /hydrat/i.test(text)) errors.push(`console.${message.type()}: ${text}`);
  });
  // When the page asked, to tell a poll the page never made from one the server was slow to pass on.
  const requests = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'fetch') requests.push({ method: request.method(), url: request.url(), at: performance.now() });
  });
  page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  const started = performance.now();
  try {
    await page.goto(url, { waitUntil: 'load' });
    const results = [];
    for (const form of forms) {
      const root =
        form.kind === 'generator'
          ? page.locator('form', { has: page.getByRole('textbox', { name: 'Prompt', exact: true }) }).first()
          : page.locator('section', { has: page.getByRole('heading', { name: form.section, exact: true }) });
      // Typing before React has hydrated the form would be lost; a person is slower than that.
      const element = await root.elementHandle({ timeout: 15_000 });
      await page.waitForFunction((el) => Object.keys(el).some((key) => key.startsWith('__reactFiber')), element, { timeout: 15_000 });
      results.push({ ...form, root });
    }
    // Layout shifts count only inside the viewport: the whole form, its result included, must be in
    // it, before the click and once the image shows.
    const inView = async (when) => {
      for (const form of results) {
        const bottom = await form.root.evaluate((el) => el.getBoundingClientRect().bottom);
        if (bottom > height) throw new Error(`${when}, the form ends at ${Math.round(bottom)} px, below the ${height} px viewport`);
      }
    };
    await inView('idle');
    for (const form of results) {
      if (form.kind === 'generator') form.idle = await form.root.evaluate(measureGenerator);
      await form.root.getByLabel('Prompt', { exact: true }).fill(form.prompt);
    }
    const clickedAt = await page.evaluate(() => performance.now());
    for (const form of results) {
      await form.root.getByRole('button', { name: 'Generate', exact: true }).dblclick();
      form.clickedAt = performance.now();
    }
    for (const form of results) {
      if (form.kind !== 'generator') continue;
      await page.waitForFunction((el) => ['pending', 'processing'].includes(el.dataset.status), await form.root.elementHandle(), { timeout: 10_000 });
      form.busy = await form.root.evaluate(measureGenerator);
    }
    for (const form of results) {
      const image = form.root.getByRole('img', { name: form.prompt });
      await image.waitFor({ timeout: 20_000 });
      await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await image.elementHandle(), { timeout: 10_000 });
      form.shownAt = performance.now();
      form.naturalWidth = await image.evaluate((img) => img.naturalWidth);
    }
    await inView('with the image');
    // Long enough for two or three more polls, were any still running.
    await page.waitForTimeout(settleMs);
    const shifts = await page.evaluate(() => window.__shifts);
    const visibility = await page.evaluate(() => window.__hidden.map(([at, state]) => `${state} at ${at} ms`));
    const longTasks = await page.evaluate(() => window.__long);
    for (const form of results) delete form.root;
    for (const shift of shifts) shift.afterClick = shift.at - clickedAt;
    return { ok: true, forms: results, shifts, visibility, longTasks, clickedAt, requests, cls: shifts.reduce((sum, shift) => sum + shift.value, 0), errors, ms: performance.now() - started };
  } catch (error) {
    return { ok: false, failure: error.message.split('\n')[0], errors, ms: performance.now() - started };
  } finally {
    await context.close();
  }
}
