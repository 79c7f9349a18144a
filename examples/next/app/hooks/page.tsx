import Link from "next/link";
import { ImageGen } from "./image-gen";
import { OneHook } from "./one-hook";
import { TwoHooks } from "./two-hooks";

export default function HooksPage() {
  return (
    <div className="flex flex-col flex-1 items-center bg-zinc-50 font-sans dark:bg-black">
      <main className="flex flex-1 w-full max-w-3xl flex-col gap-10 py-16 px-6 bg-white dark:bg-black sm:px-16">
        <div className="flex flex-col gap-3">
          <h1 className="text-3xl font-semibold tracking-tight text-black dark:text-zinc-50">
            Your own markup, the library&apos;s flow
          </h1>
          <p className="text-zinc-600 dark:text-zinc-400">
            <Link href="/" className="font-medium text-zinc-950 underline dark:text-zinc-50">
              The ready-made component
            </Link>{" "}
            does all of this for you.
          </p>
        </div>
        <ImageGen>
          <section className="grid gap-3" aria-labelledby="one-hook">
            <h2 id="one-hook" className="text-xl font-semibold">
              useImageGeneration
            </h2>
            <OneHook />
          </section>
          <section className="grid gap-3" aria-labelledby="two-hooks">
            <h2 id="two-hooks" className="text-xl font-semibold">
              useGenerateImage + useTaskStatus
            </h2>
            <TwoHooks />
          </section>
        </ImageGen>
      </main>
    </div>
  );
}
