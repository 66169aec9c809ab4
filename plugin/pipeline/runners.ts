/**
 * Maps each CLI mode to its runner. The runners are loaded on demand, so `stdio` and
 * `follow` never initialise the gRPC and Forward stacks they do not use (start-up time
 * and memory).
 */
import type { Config, Mode } from '../config/schema.js';

export const RUNNERS: Record<Mode, (config: Config, positionals: string[]) => Promise<number>> = {
  stdio: async (config, positionals) => (await import('./run-stdio.js')).runStdio(config, positionals),
  follow: async (config, positionals) => (await import('./run-follow.js')).runFollow(config, positionals),
  serve: async (config) => (await import('./run-serve.js')).runServe(config),
};
