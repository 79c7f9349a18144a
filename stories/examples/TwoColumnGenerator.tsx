import {
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
  type UploadFile,
} from '../../src/index.js';

// Your own stylesheet. The root is a grid already; two columns where there is room, one where not.
const css = `
.studio.fir-generator { max-width: 1080px; grid-template-columns: repeat(auto-fit, minmax(min(100%, 340px), 1fr)); align-items: start; }
.studio__column { display: grid; gap: var(--fir-gap, 16px); align-content: start; min-width: 0; }
`;

/** A layout of your own from the parts: prompt and settings on the left, the result and the history on the right. */
export function TwoColumnGenerator({ uploadFile }: { uploadFile?: UploadFile }) {
  return (
    <>
      <style>{css}</style>
      <ImageGeneratorRoot className="studio" defaultValues={{ prompt: 'a lighthouse at dusk, watercolor', size: '16:9' }}>
        <section className="studio__column" aria-label="Settings">
          <ImageGeneratorPrompt />
          <ImageGeneratorSize />
          <ImageGeneratorSeed />
          <ImageGeneratorReferences uploadFile={uploadFile} />
          <ImageGeneratorSubmit />
        </section>
        <section className="studio__column" aria-label="Result">
          <ImageGeneratorStatus />
          <ImageGeneratorResult>
            <ImageGeneratorActions />
          </ImageGeneratorResult>
          <ImageGeneratorHistory />
        </section>
      </ImageGeneratorRoot>
    </>
  );
}
