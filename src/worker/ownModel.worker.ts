/// <reference lib="webworker" />
/**
 * A worker of "Your own model" (src/worker/ownModelProtocol.ts). The primary one opens the
 * reader's checkpoint from the File it is handed (read piece by piece with Blob.slice, never
 * uploaded) and keeps the session (src/jobs/ownModel.ts); every worker of the pool prunes
 * heads with the project's one pruneHead. Requests run one at a time, in arrival order.
 */
import { initWasmObjective } from '../core/wasmObjective.ts';
import { errorKindOf, LayerHeadPruner } from '../jobs/layerHeads.ts';
import { blobSource } from '../model/gpt2/blobSource.ts';
import type { OwnModelSession } from '../jobs/ownModel.ts';
import type { OwnOps, OwnReply, OwnRequest } from './ownModelProtocol.ts';
import { ensureModelBackend } from './tfEngine.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const ready = initWasmObjective().catch(() => undefined);

let session: OwnModelSession | undefined;
let file: Blob | undefined;
/** A helper's current layer (its X is sent once per layer, not once per head) and gradient descent's relaxed masks. */
const heads = new LayerHeadPruner();

function needSession(): OwnModelSession {
  if (!session) throw new Error('no model is open in this worker');
  return session;
}

const handlers: { [K in keyof OwnOps]: (args: OwnOps[K]['args']) => Promise<OwnOps[K]['result']> } = {
  async open(a) {
    const backend = await ensureModelBackend();
    const { OwnModelSession } = await import('../jobs/ownModel.ts');
    session = undefined;
    heads.clear();
    session = await OwnModelSession.open(blobSource(a.file), { configJson: a.configJson, nHead: a.nHead, name: a.name });
    file = a.file;
    return { summary: session.model.summary, backend };
  },
  prepare: async (a) => needSession().prepare(a.calibText, a.evalText, a.layers),
  layer: async (a) => needSession().layerInputs(a.layer),
  score: async (a) => needSession().score(a.heads),
  attention: async (a) => needSession().attention(a.layer, a.heads),
  generate: async (a) => needSession().generate(a.prompt, a.tokens, a.heads),
  async save(a) {
    const s = needSession();
    const { ownPrunedCheckpoint } = await import('../jobs/ownModel.ts');
    return ownPrunedCheckpoint(new Uint8Array(await file!.arrayBuffer()), a.heads, s.model.config, a.how);
  },
  setLayer: async (a) => heads.setLayer(a),
  async prune(a) {
    await ready;
    return heads.prune(a);
  },
};

/** Transfer big typed arrays back instead of copying them. */
function transferables(value: unknown): Transferable[] {
  if (value instanceof Uint8Array) return [value.buffer];
  return [];
}

let queue = Promise.resolve();
scope.onmessage = (event: MessageEvent<OwnRequest>) => {
  const req = event.data;
  queue = queue.then(async () => {
    let reply: OwnReply;
    try {
      const value = await (handlers[req.op] as (a: unknown) => Promise<unknown>)(req.args);
      reply = { id: req.id, ok: true, value };
      scope.postMessage(reply, transferables(value));
    } catch (e) {
      reply = { id: req.id, ok: false, message: e instanceof Error ? e.message : String(e), kind: errorKindOf(e) };
      scope.postMessage(reply);
    }
  });
};
