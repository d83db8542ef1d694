/**
 * A JobContext for the model jobs in Node: the CLI's backend choice (wasm, else cpu),
 * the shipped models from disk and the page's data files from public/data/ (what
 * the worker fetches over HTTP). Progress reports are collected.
 *
 * `pause` (called between heads and sweep cells) yields a whole turn of the event loop,
 * not just a microtask: a model job is minutes of synchronous work on a busy machine,
 * and Vitest's worker must answer its RPC in between (its 60 s "onTaskUpdate" limit).
 */
import { readFile } from 'node:fs/promises';
import type { JobContext } from '../../src/jobs/jobs.ts';
import type { LabProgress, StepProgress } from '../../src/jobs/protocol.ts';
import { loadModelNode } from '../../src/model/weights.ts';
import { initBackend } from '../../src/core/tf/backend.ts';
import { ROOT } from './cli.ts';

export function modelContext(): JobContext & { reports: (LabProgress | StepProgress)[] } {
  const reports: (LabProgress | StepProgress)[] = [];
  return {
    reports,
    progress: (p) => reports.push(p),
    pause: () => new Promise((resolve) => setImmediate(resolve)),
    tfBackend: () => initBackend(['wasm', 'cpu']),
    loadModel: (name) => loadModelNode(name),
    loadData: async (file) => JSON.parse(await readFile(`${ROOT}public/data/${file}`, 'utf8')),
  };
}
