import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import {
  ImageGenerator,
  ImageGeneratorActions,
  ImageGeneratorHistory,
  ImageGeneratorPrompt,
  ImageGeneratorReferences,
  ImageGeneratorResult,
  ImageGeneratorRoot,
  ImageGeneratorSeed,
  ImageGeneratorSize,
  ImageGeneratorStatus,
  ImageGeneratorSubmit,
  useImageGeneratorContext,
} from '../../src/components/ImageGenerator.js';
import { DEFAULT_MODEL } from '../../src/core/constants.js';
import type { ImageTask } from '../../src/core/types.js';
import { createMockApi } from '../mock-api.js';
import { server } from '../msw-server.js';
import { createTestProvider } from '../render.js';

const WAIT = { timeout: 4000 };
const resultUrl = (n: number) => `https://cdn.example.com/task${String(n).padStart(4, '0')}/0.png`;

function useMockApi() {
  const api = createMockApi({ processingAfterMs: 20, completeAfterMs: 60 });
  server.use(...api.handlers);
  return api;
}

/** Settings on the left, the result and the history on the right: the parts in a layout of the app's own. */
function TwoColumns({ children }: { children?: ReactNode }) {
  return (
    <ImageGeneratorRoot intervalMs={20} defaultValues={{ prompt: 'a lantern' }} className="studio">
      <div data-testid="settings">
        <ImageGeneratorPrompt />
        <ImageGeneratorSize />
        <ImageGeneratorReferences uploadFile={async (file) => `https://uploads.example.com/${file.name}`} />
        <ImageGeneratorSubmit />
        {children}
      </div>
      <div data-testid="output">
        <ImageGeneratorStatus />
        <ImageGeneratorResult>
          <ImageGeneratorActions />
        </ImageGeneratorResult>
        <ImageGeneratorHistory />
      </div>
    </ImageGeneratorRoot>
  );
}

describe('ImageGenerator parts', () => {
  it('work in a layout of your own: one POST, the image, its actions and the history where you put them', async () => {
    const api = useMockApi();
    const { Wrapper } = createTestProvider();
    const user = userEvent.setup();
    const { container } = render(<TwoColumns />, { wrapper: Wrapper });
    const settings = within(screen.getByTestId('settings'));
    const output = within(screen.getByTestId('output'));
    expect(container.querySelector('form')).toHaveClass('fir-root', 'fir-generator', 'studio');
    // No seed part, no seed control.
    expect(screen.queryByRole('spinbutton', { name: 'Seed' })).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Recent images' })).not.toBeInTheDocument();

    await user.click(settings.getByRole('radio', { name: '16:9 landscape' }));
    await user.click(settings.getByRole('button', { name: 'Generate' }));

    const image = await output.findByRole('img', { name: 'a lantern' }, WAIT);
    expect(image).toHaveAttribute('src', resultUrl(1));
    expect(output.getByRole('status')).toHaveTextContent('Your image is ready.');
    expect(output.getByRole('link', { name: 'Download' })).toHaveAttribute('href', resultUrl(1));
    expect(api.posts()).toHaveLength(1);
    expect(api.posts()[0]!.body).toEqual({ prompt: 'a lantern', model: DEFAULT_MODEL, size: '16:9' });
    // The history part shows itself once there is something in it, without persist.
    const history = output.getByRole('region', { name: 'Recent images' });
    expect(within(history).getByRole('img', { name: 'Recent image 1: a lantern' })).toBeInTheDocument();

    await user.click(output.getByRole('button', { name: 'Use as reference' }));
    expect(settings.getByRole('img', { name: 'Reference 1' })).toHaveAttribute('src', resultUrl(1));
  });

  it('take parts of your own through useImageGeneratorContext: a seed picker and a submit button', async () => {
    const api = useMockApi();
    const { Wrapper } = createTestProvider();
    const user = userEvent.setup();
    function LuckySeed() {
      const { values, setValues } = useImageGeneratorContext();
      return (
        <button type="button" aria-pressed={values.seed === '7'} onClick={() => setValues({ seed: '7' })}>
          Lucky seven
        </button>
      );
    }
    function Go() {
      const { submit, generation } = useImageGeneratorContext();
      return (
        <button type="button" disabled={generation.isBusy} onClick={submit}>
          Go
        </button>
      );
    }
    render(
      <TwoColumns>
        <LuckySeed />
        <Go />
      </TwoColumns>,
      { wrapper: Wrapper },
    );
    await user.click(screen.getByRole('button', { name: 'Lucky seven' }));
    expect(screen.getByRole('button', { name: 'Lucky seven' })).toHaveAttribute('aria-pressed', 'true');
    await user.click(screen.getByRole('button', { name: 'Go' }));
    await screen.findByRole('img', { name: 'a lantern' }, WAIT);
    expect(api.posts()).toHaveLength(1);
    expect(api.posts()[0]!.body).toMatchObject({ prompt: 'a lantern', seed: 7 });
  });

  it('each refuse to render outside <ImageGeneratorRoot>, saying where they belong', () => {
    const parts = [
      ImageGeneratorPrompt,
      ImageGeneratorSize,
      ImageGeneratorSeed,
      ImageGeneratorReferences,
      ImageGeneratorSubmit,
      ImageGeneratorStatus,
      ImageGeneratorResult,
      ImageGeneratorActions,
      ImageGeneratorHistory,
    ];
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    for (const Part of parts) {
      expect(() => render(<Part />), Part.name).toThrow('ImageGenerator parts must be rendered inside <ImageGeneratorRoot>.');
    }
  });
});

describe('<ImageGenerator intervalMs>', () => {
  it('takes a schedule like the hooks, asked for each wait', async () => {
    useMockApi();
    const { Wrapper } = createTestProvider();
    const user = userEvent.setup();
    const schedule = vi.fn((_attempt: number, _task: ImageTask | undefined) => 20);
    render(<ImageGenerator intervalMs={schedule} defaultValues={{ prompt: 'a kite' }} />, { wrapper: Wrapper });
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await screen.findByRole('img', { name: 'a kite' }, WAIT);
    expect(schedule).toHaveBeenCalled();
    expect(schedule.mock.calls[0]![0]).toBe(0);
  });

  it('wins over the deprecated pollIntervalMs', async () => {
    const api = useMockApi();
    const { Wrapper } = createTestProvider();
    const user = userEvent.setup();
    // A minute between polls would outlast the wait below; 20 ms finishes in time.
    render(<ImageGenerator pollIntervalMs={60_000} intervalMs={20} defaultValues={{ prompt: 'a kite' }} />, {
      wrapper: Wrapper,
    });
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await screen.findByRole('img', { name: 'a kite' }, WAIT);
    expect(api.polls().length).toBeGreaterThanOrEqual(2);
  });
});
