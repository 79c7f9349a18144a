import { useRef, useState, type HTMLAttributes, type Ref } from 'react';
import {
  createHttpFetcher,
  DEFAULT_MODEL,
  ImageGenError,
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
  ImageGenProvider,
  IMAGE_SIZES,
  ReferencePicker,
  useImageGeneration,
  useImageGeneratorContext,
  useReferencePicker,
  useTaskStatus,
  type GenerateImageInput,
  type ImageGenErrorKind,
  type ImageGeneratorProps,
  type ImageSize,
  type ImageTask,
} from 'flash-image-react';
import { GenerateButton } from './GenerateButton.js';

// The browser talks to the app's own proxy (server/proxy.ts), never to the vendor with a key.
const fetcher = createHttpFetcher({ baseUrl: '/api/flash-image' });

const input: GenerateImageInput = { prompt: 'a corgi under cherry blossoms', size: '16:9', model: DEFAULT_MODEL };
const sizes: readonly ImageSize[] = IMAGE_SIZES;

// The published types are real types, not `any`: each line below must be a type error.
// @ts-expect-error '4:3' is not an ImageSize
const badSize: ImageSize = '4:3';
// @ts-expect-error a prompt is required
const noPrompt: GenerateImageInput = { size: '1:1' };
// @ts-expect-error theme is 'light' | 'dark'
const badProps: ImageGeneratorProps = { theme: 'sepia' };

function describe(error: ImageGenError): string {
  const kind: ImageGenErrorKind = error.kind;
  return error.retryable ? `${kind}: try again` : kind;
}

function TaskLine({ taskId }: { taskId: string }) {
  const { data } = useTaskStatus(taskId);
  const task: ImageTask | undefined = data;
  return <p data-status={task?.status}>{task?.imageUrl ?? 'waiting'}</p>;
}

function Zone({ innerRef, ...props }: HTMLAttributes<HTMLDivElement> & { innerRef?: Ref<HTMLDivElement> }) {
  return <div ref={innerRef} {...props} />;
}

function HeadlessPicker() {
  const picker = useReferencePicker({ max: 4 });
  const mine = useRef<HTMLDivElement>(null);
  return (
    <div {...picker.getRootProps({ ref: mine, className: 'zone' })}>
      <input {...picker.getUrlInputProps({ type: 'text' })} />
      <button {...picker.getAddButtonProps()}>Add</button>
      <span>{picker.count}</span>
      <Zone {...picker.getRootProps({ refKey: 'innerRef' })} />
    </div>
  );
}

function LuckySeed() {
  const { values, setValues } = useImageGeneratorContext();
  return (
    <button type="button" aria-pressed={values.seed === '7'} onClick={() => setValues({ seed: '7' })}>
      Seed 7
    </button>
  );
}

// The parts in a layout of the app's own.
function Studio() {
  return (
    <ImageGeneratorRoot intervalMs={(attempt) => (attempt === 0 ? 5000 : 1000)} className="studio">
      <div>
        <ImageGeneratorPrompt />
        <ImageGeneratorSize />
        <ImageGeneratorSeed />
        <LuckySeed />
        <ImageGeneratorReferences accept="image/png" />
        <ImageGeneratorSubmit />
      </div>
      <div>
        <ImageGeneratorStatus />
        <ImageGeneratorResult>
          <ImageGeneratorActions />
        </ImageGeneratorResult>
        <ImageGeneratorHistory />
      </div>
    </ImageGeneratorRoot>
  );
}

function Custom() {
  const { generate, status, imageUrl, error, isBusy, task } = useImageGeneration({ intervalMs: 2000 });
  return (
    <section>
      <GenerateButton disabled={isBusy} onGenerate={() => void generate(input)} />
      <p role="status">{status}</p>
      {error && <p role="alert">{describe(error)}</p>}
      {imageUrl && <img src={imageUrl} alt={input.prompt} />}
      {task && <TaskLine taskId={task.taskId} />}
      <p>{sizes.join(' ')}</p>
    </section>
  );
}

export function App() {
  const [urls, setUrls] = useState<string[]>([]);
  return (
    <ImageGenProvider fetcher={fetcher}>
      <Custom />
      <ReferencePicker value={urls} onChange={setUrls} max={6} theme="dark" />
      <HeadlessPicker />
      <Studio />
      <ImageGenerator
        defaultValues={{ prompt: 'a tree at dusk', size: '1:1' }}
        uploadFile={async (file, { signal }) => {
          signal.throwIfAborted();
          return `https://images.example.com/${encodeURIComponent(file.name)}`;
        }}
        onComplete={(task) => console.log(task.imageUrl)}
        onError={(error) => console.warn(ImageGenError.isImageGenError(error), error.kind)}
        labels={{ generate: 'Make it', picker: { add: 'Add URL' } }}
        renderResult={({ generation, elapsedSeconds }) => (
          <output>{generation.status === 'completed' ? generation.imageUrl : `${elapsedSeconds}s`}</output>
        )}
      />
      <span hidden>{[badSize, noPrompt.prompt, badProps.theme].join()}</span>
    </ImageGenProvider>
  );
}
