/** The result: the frame keeps its size from the first render, so nothing moves when the image lands. */
export function Frame({ status, imageUrl, alt, error }: { status: string; imageUrl?: string; alt: string; error?: string }) {
  return (
    <>
      <p role="status" className="h-6 text-zinc-600 dark:text-zinc-400">
        Status: {status}
      </p>
      <p role="alert" className="min-h-6 text-red-700 dark:text-red-300">
        {error}
      </p>
      <div className="relative aspect-video w-full overflow-hidden rounded bg-zinc-100 dark:bg-zinc-900">
        {/* eslint-disable-next-line @next/next/no-img-element -- the API's URL, not a build-time asset */}
        {imageUrl && <img src={imageUrl} alt={alt} className="absolute inset-0 h-full w-full object-contain" />}
      </div>
    </>
  );
}
