/** Maps each CLI mode to its runner. */
import type { Config, Mode } from '../config/schema.js';
import { runFollow } from './run-follow.js';
import { runServe } from './run-serve.js';
import { runStdio } from './run-stdio.js';

export const RUNNERS: Record<Mode, (config: Config, positionals: string[]) => Promise<number>> = {
  stdio: (config, positionals) => runStdio(config, positionals),
  follow: (config, positionals) => runFollow(config, positionals),
  serve: (config) => runServe(config),
};
