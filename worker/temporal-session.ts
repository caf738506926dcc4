/**
 * A Temporal client for one admin command (`nachfass absent` and the like): connected with the worker's
 * configuration (TLS, API key, payload codec), closed again however the command ends.
 */
import type { Client } from '@temporalio/client';
import type { TConfig } from './config.js';
import { connectTemporal } from './temporal-connection.js';

export async function withTemporalClient<T>(config: TConfig, run: (client: Client) => Promise<T>): Promise<T> {
  const cleanups: Array<() => unknown> = [];
  try {
    const { client } = await connectTemporal(
      config,
      (line) => console.error(line),
      (c) => cleanups.push(c),
    );
    return await run(client);
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}
