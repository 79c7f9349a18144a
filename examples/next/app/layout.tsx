import type { Metadata } from "next";
import "./globals.css";

// The template's Geist fonts come from next/font/google, which needs the network at build time.
// System fonts instead: nothing to download, and no text that reflows when a web font arrives.
export const metadata: Metadata = {
  title: "flash-image-react on Next.js",
  description: "Prompt to image with flash-image-react, its API key kept on the server",
};

export default function RootLayout({ children }: LayoutProps<"/">) {
  return (
    <html lang="en" className="h-full antialiased">
      <body className="min-h-full flex flex-col">{children}</body>
    </html>
  );
}
