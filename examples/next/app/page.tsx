import Link from "next/link";
import { ImageStudio } from "./image-studio";

export default function Home() {
  return (
    <div className="flex flex-col flex-1 items-center bg-zinc-50 font-sans dark:bg-black">
      <main className="flex flex-1 w-full max-w-3xl flex-col items-center gap-8 py-16 px-6 bg-white dark:bg-black sm:px-16 sm:items-start">
        <div className="flex flex-col gap-3">
          <h1 className="text-3xl font-semibold tracking-tight text-black dark:text-zinc-50">
            Image generator
          </h1>
          <p className="text-zinc-600 dark:text-zinc-400">
            The ready-made component. Your own markup instead:{" "}
            <Link href="/hooks" className="font-medium text-zinc-950 underline dark:text-zinc-50">
              the hooks
            </Link>
            .
          </p>
        </div>
        <ImageStudio />
      </main>
    </div>
  );
}
