/** `import.meta.url` in the command line's CommonJS scripts, which have none (scripts/bundle.ts injects it there). */
import { pathToFileURL } from 'node:url';

export const importMetaUrlOfBundle = pathToFileURL(__filename).href;
