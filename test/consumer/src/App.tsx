import { useState } from 'react';
import {
  createHttpFetcher,
  DEFAULT_MODEL,
  ImageGenError,
  ImageGenerator,
  ImageGenProvider,
  IMAGE_SIZES,
  ReferencePicker,
  useImageGeneration,
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

function HeadlessPicker() {
  const picker = useReferencePicker({ max: 4 });
  return (
    <div {...picker.getRootProps()}>
      <input {...picker.getUrlInputProps()} />
      <button {...picker.getAddButtonProps()}>Add</button>
      <span>{picker.count}</span>
    </div>
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
