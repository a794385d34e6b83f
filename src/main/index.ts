/** electron-vite's main entry: the Electron app. */
import './app/main'
