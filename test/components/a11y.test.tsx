import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { http, HttpResponse } from 'msw';
import type { ReactElement } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ImageGenerator } from '../../src/components/ImageGenerator.js';
import { ReferencePicker } from '../../src/components/ReferencePicker.js';
import { API, createMockApi } from '../mock-api.js';
import { server } from '../msw-server.js';
import { createTestProvider } from '../render.js';

const GENERATE_URL = `${API}/api/v2/image/generate`;
const FULL = Array.from({ length: 14 }, (_, i) => `https://images.example.com/ref-${i + 1}.png`);
const WAIT = { timeout: 4000 };

async function expectNoAxeViolations(container: Element) {
  const results = await axe.run(container, {
    rules: {
      // jsdom does no layout or painting, so axe cannot compute colour contrast there; it is the
      // only rule turned off. Contrast is checked on the stories in a real browser.
      'color-contrast': { enabled: false },
    },
  });
  const report = results.violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `  ${n.target.join(' ')}: ${n.html}\n    ${n.failureSummary ?? ''}`).join('\n')}`)
    .join('\n');
  expect(results.violations.map((v) => v.id), `axe violations:\n${report}`).toEqual([]);
  // axe did look at the component: a check that ran against nothing would pass too.
  expect(results.passes.length).toBeGreaterThan(5);
}

function renderInProvider(ui: ReactElement) {
  const { Wrapper } = createTestProvider();
  return render(ui, { wrapper: Wrapper });
}

beforeEach(() => {
  // axe probes for icon fonts with a canvas, which jsdom lacks (it logs "not implemented" and
  // returns undefined). null is what a browser without canvas gives, and axe handles it.
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
});

const never = () => new Promise<string>(() => undefined);

describe('axe: ReferencePicker', () => {
  it('idle (empty, with upload)', async () => {
    const { container } = render(<ReferencePicker uploadFile={never} />);
    await expectNoAxeViolations(container);
  });

  it('idle with references', async () => {
    const { container } = render(<ReferencePicker defaultValue={FULL.slice(0, 3)} uploadFile={never} />);
    await expectNoAxeViolations(container);
  });

  it('busy (a file uploading)', async () => {
    const user = userEvent.setup();
    const { container } = render(<ReferencePicker defaultValue={FULL.slice(0, 1)} uploadFile={never} />);
    await user.upload(screen.getByLabelText('Upload images'), new File(['x'], 'cat.png', { type: 'image/png' }));
    expect(screen.getByRole('progressbar', { name: 'Uploading cat.png' })).toBeInTheDocument();
    await expectNoAxeViolations(container);
  });

  it('error (a refused URL and a failed upload)', async () => {
    const user = userEvent.setup();
    const { container } = render(<ReferencePicker uploadFile={() => Promise.reject(new Error('nope'))} />);
    await user.upload(screen.getByLabelText('Upload images'), new File(['x'], 'cat.png', { type: 'image/png' }));
    await screen.findByText('Could not upload cat.png.');
    await user.type(screen.getByRole('textbox', { name: 'Image URL' }), 'javascript:alert(1){Enter}');
    expect(screen.getByRole('alert')).toBeInTheDocument();
    await expectNoAxeViolations(container);
  });

  it('full (14 references)', async () => {
    const { container } = render(<ReferencePicker defaultValue={FULL} uploadFile={never} />);
    expect(screen.getByText('14 / 14')).toBeInTheDocument();
    await expectNoAxeViolations(container);
  });

  it('disabled', async () => {
    const { container } = render(<ReferencePicker disabled defaultValue={FULL.slice(0, 2)} uploadFile={never} />);
    await expectNoAxeViolations(container);
  });
});

describe('axe: ImageGenerator', () => {
  it('idle', async () => {
    const { container } = renderInProvider(<ImageGenerator uploadFile={never} />);
    await expectNoAxeViolations(container);
  });

  it('busy (submitting, then polling)', async () => {
    const api = createMockApi({ processingAfterMs: 10, completeAfterMs: 60_000 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    server.use(
      http.post(GENERATE_URL, async () => {
        await gate;
      }),
      ...api.handlers,
    );
    const user = userEvent.setup();
    const { container } = renderInProvider(<ImageGenerator pollIntervalMs={20} defaultValues={{ prompt: 'a fox' }} uploadFile={never} />);
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(screen.getByRole('status')).toHaveTextContent('Sending your prompt…');
    await expectNoAxeViolations(container);

    await act(async () => release());
    expect(await screen.findByText(/Generating…/, {}, WAIT)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeInTheDocument();
    await expectNoAxeViolations(container);
  });

  it('error (a failed request with Retry)', async () => {
    server.use(http.post(GENERATE_URL, () => HttpResponse.json({ error: { message: 'no credits' } }, { status: 402 })));
    const user = userEvent.setup();
    const { container } = renderInProvider(<ImageGenerator pollIntervalMs={20} defaultValues={{ prompt: 'a fox' }} />);
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(await screen.findByRole('alert', {}, WAIT)).toHaveTextContent(/credits/);
    await expectNoAxeViolations(container);
  });

  it('error (an invalid seed)', async () => {
    const user = userEvent.setup();
    const { container } = renderInProvider(<ImageGenerator defaultValues={{ prompt: 'a fox' }} />);
    await user.type(screen.getByRole('spinbutton', { name: 'Seed' }), '1.5');
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/seed/);
    await expectNoAxeViolations(container);
  });

  it('completed (the image and its actions)', async () => {
    const api = createMockApi({ processingAfterMs: 10, completeAfterMs: 30 });
    server.use(...api.handlers);
    const user = userEvent.setup();
    const { container } = renderInProvider(<ImageGenerator pollIntervalMs={20} defaultValues={{ prompt: 'a fox' }} />);
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await screen.findByRole('img', { name: 'a fox' }, WAIT);
    expect(screen.getByRole('link', { name: 'Download' })).toBeInTheDocument();
    await expectNoAxeViolations(container);
  });

  it('full (14 references)', async () => {
    const { container } = renderInProvider(<ImageGenerator defaultValues={{ prompt: 'a fox', imageUrls: FULL }} uploadFile={never} />);
    expect(screen.getByText('14 / 14')).toBeInTheDocument();
    await expectNoAxeViolations(container);
  });
});
