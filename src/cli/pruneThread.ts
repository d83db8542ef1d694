/**
 * A worker thread of `model-prune --checkpoint --threads N` (src/cli/headPool.ts): the
 * page's pool worker in Node. It keeps one layer's X (a SharedArrayBuffer: the threads read
 * the main thread's copy) and prunes heads with the project's one pruneHead, by the
 * protocol of src/jobs/layerHeads.ts; a failure goes back as its message and kind.
 */
import { parentPort } from 'node:worker_threads';
import { errorKindOf, type LayerHeadOps, LayerHeadPruner } from '../jobs/layerHeads.ts';
import type { ThreadReply, ThreadRequest } from './headPool.ts';

const port = parentPort;
if (!port) throw new Error('pruneThread.ts runs as a worker thread (src/cli/headPool.ts starts it)');
const pruner = new LayerHeadPruner();

port.on('message', (req: ThreadRequest) => {
  let reply: ThreadReply;
  try {
    const value =
      req.op === 'setLayer' ? pruner.setLayer(req.args as LayerHeadOps['setLayer']['args']) : pruner.prune(req.args as LayerHeadOps['prune']['args']);
    reply = { id: req.id, ok: true, value };
  } catch (e) {
    reply = { id: req.id, ok: false, message: e instanceof Error ? e.message : String(e), kind: errorKindOf(e) };
  }
  port.postMessage(reply);
});
