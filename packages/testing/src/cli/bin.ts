// Runs the CLI from TypeScript sources (the launcher uses it when dist is missing).
import { main } from './main.js'

process.exitCode = await main(process.argv.slice(2))
