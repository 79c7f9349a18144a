import type { StorybookConfig } from '@storybook/react-vite';
import { liveApi } from './live-api.js';

// Live mode: with a key in the environment, the dev server gets a route that adds it server-side.
// The browser only learns that live mode is on, never the key.
const apiKey = process.env.FLASH_IMAGE_API_KEY?.trim();
if (apiKey) process.env.STORYBOOK_FLASH_IMAGE_LIVE = '1';

const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-docs', '@storybook/addon-a11y', '@storybook/addon-vitest', 'msw-storybook-addon'],
  framework: '@storybook/react-vite',
  staticDirs: ['../public'],
  core: { disableTelemetry: true },
  async viteFinal(viteConfig) {
    viteConfig.plugins = [...(viteConfig.plugins ?? []), liveApi(apiKey)];
    return viteConfig;
  },
};

export default config;
