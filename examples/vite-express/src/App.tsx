import { createHttpFetcher, ImageGenerator, ImageGenProvider } from 'flash-image-react'
import 'flash-image-react/styles.css'
import heroImg from './assets/hero.png'
import './App.css'

// Requests go to server.js, which adds the key: none ever reaches the browser.
const fetcher = createHttpFetcher({ baseUrl: '/api/flash-image' })

function App() {
  return (
    <>
      <section id="center">
        <div className="hero">
          <img src={heroImg} className="base" width="170" height="179" alt="" />
        </div>
        <div>
          <h1>Generate an image</h1>
          <p>
            Prompt to picture with <code>flash-image-react</code>
          </p>
        </div>
        <ImageGenProvider fetcher={fetcher}>
          <ImageGenerator onComplete={(task) => console.log('ready:', task.imageUrl)} />
        </ImageGenProvider>
      </section>

      <div className="ticks"></div>
      <section id="spacer"></section>
    </>
  )
}

export default App
