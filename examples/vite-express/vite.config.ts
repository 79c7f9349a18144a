import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// https://vite.dev/config/
export default defineConfig({
  plugins: [react()],
  // `npm run dev` serves the app; the API runs in `npm start` (server.js) on port 3000.
  server: { proxy: { '/api/flash-image': 'http://localhost:3000' } },
})
