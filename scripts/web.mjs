// `npm run web`: browser mode (src/main/web/start.ts), from its bundle or, when the sources are
// newer, through tsx (scripts/node-entry.mjs).
import { importEntry } from './node-entry.mjs'

await importEntry('web', 'src/main/web/start.ts')
