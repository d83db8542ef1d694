#!/usr/bin/env python3
"""Independent float64 numpy reference of GPT-2 (a cross-check of src/model/gpt2/).

Written from the architecture (Radford et al. 2019; Hugging Face's modeling_gpt2.py and
nanoGPT's model.py as the description), not from the project's TypeScript. It reads the
safetensors file itself, runs GPT-2 on a list of token ids and prints the cross-entropy:

    python3 scripts/reference/gpt2_reference.py CKPT.safetensors --tokens IDS.json
        [--config config.json] [--n-head H] [--window N] [--wrong swap-qk|transpose-conv1d]

IDS.json is a JSON list of token ids (the tokenizer is not reimplemented here). Perplexity
rule: non-overlapping windows of N tokens (default n_positions; the last may be shorter),
each scored on every position after its first; cross_entropy = mean over scored tokens.
Prints {"cross_entropy", "tokens", "windows"} as JSON.

--wrong injects a deliberately wrong convention, to show that the comparison test can fail:
  swap-qk           the first and second thirds of c_attn (q and k) exchanged;
  transpose-conv1d  every Conv1D weight read as if stored [out, in] (nn.Linear's layout).
"""
from __future__ import annotations

import argparse
import json
import math
import struct
import sys

import numpy as np

DTYPES = {"F32": ("<f4", 4), "F16": ("<f2", 2), "BF16": ("<u2", 2)}


def read_safetensors(path: str) -> dict[str, np.ndarray]:
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    data = raw[8 + n :]
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        np_dtype, size = DTYPES[entry["dtype"]]
        begin, end = entry["data_offsets"]
        arr = np.frombuffer(data[begin:end], dtype=np_dtype)
        if entry["dtype"] == "BF16":
            # bfloat16 is the upper half of a float32
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        out[name] = arr.astype(np.float64).reshape(entry["shape"])
    return out


def layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)  # biased, as torch.nn.LayerNorm
    return (x - mu) / np.sqrt(var + eps) * g + b


def gelu_new(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


class Gpt2:
    def __init__(self, tensors: dict[str, np.ndarray], config: dict, n_head: int | None, wrong: str | None):
        t = {(k[len("transformer.") :] if k.startswith("transformer.") else k): v for k, v in tensors.items()}
        self.wte = t["wte.weight"]
        self.wpe = t["wpe.weight"]
        self.d = self.wte.shape[1]
        self.n_layer = config.get("n_layer") or 1 + max(int(k.split(".")[1]) for k in t if k.startswith("h."))
        self.n_head = config.get("n_head") or n_head or {768: 12, 1024: 16, 1280: 20, 1600: 25}[self.d]
        self.eps = config.get("layer_norm_epsilon", 1e-5)
        act = config.get("activation_function", "gelu_new")
        self.act = {"gelu_new": gelu_new, "gelu_pytorch_tanh": gelu_new, "relu": lambda x: np.maximum(x, 0)}[act]
        self.lm_head = t.get("lm_head.weight", self.wte)  # tied when absent
        self.t = t
        self.wrong = wrong

    def conv1d(self, name: str) -> np.ndarray:
        w = self.t[name]
        if self.wrong == "transpose-conv1d":
            # the bytes of an [in, out] matrix read as [out, in], then transposed
            w = w.reshape(w.shape[1], w.shape[0]).T
        return w

    def logits(self, ids: list[int]) -> np.ndarray:
        T = len(ids)
        x = self.wte[ids] + self.wpe[:T]
        H, d = self.n_head, self.d
        dh = d // H
        causal = np.tril(np.ones((T, T), dtype=bool))
        for l in range(self.n_layer):
            p = f"h.{l}"
            a = layer_norm(x, self.t[f"{p}.ln_1.weight"], self.t[f"{p}.ln_1.bias"], self.eps)
            qkv = a @ self.conv1d(f"{p}.attn.c_attn.weight") + self.t[f"{p}.attn.c_attn.bias"]
            q, k, v = qkv[:, :d], qkv[:, d : 2 * d], qkv[:, 2 * d :]
            if self.wrong == "swap-qk":
                q, k = k, q
            heads = []
            for h in range(H):
                s = slice(h * dh, (h + 1) * dh)
                scores = q[:, s] @ k[:, s].T / math.sqrt(dh)
                scores = np.where(causal, scores, -np.inf)
                scores -= scores.max(-1, keepdims=True)
                w = np.exp(scores)
                w /= w.sum(-1, keepdims=True)
                heads.append(w @ v[:, s])
            o = np.concatenate(heads, axis=1)
            x = x + o @ self.conv1d(f"{p}.attn.c_proj.weight") + self.t[f"{p}.attn.c_proj.bias"]
            m = layer_norm(x, self.t[f"{p}.ln_2.weight"], self.t[f"{p}.ln_2.bias"], self.eps)
            hid = self.act(m @ self.conv1d(f"{p}.mlp.c_fc.weight") + self.t[f"{p}.mlp.c_fc.bias"])
            x = x + hid @ self.conv1d(f"{p}.mlp.c_proj.weight") + self.t[f"{p}.mlp.c_proj.bias"]
        f = layer_norm(x, self.t["ln_f.weight"], self.t["ln_f.bias"], self.eps)
        return f @ self.lm_head.T


def cross_entropy(model: Gpt2, ids: list[int], window: int) -> tuple[float, int, int]:
    total, n, windows = 0.0, 0, 0
    for s in range(0, len(ids), window):
        w = ids[s : s + window]
        if len(w) < 2:
            continue
        windows += 1
        z = model.logits(w[:-1])
        z = z - z.max(-1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
        total -= sum(logp[t, w[t + 1]] for t in range(len(w) - 1))
        n += len(w) - 1
    return total / n, n, windows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("--tokens", required=True, help="JSON file with a list of token ids")
    ap.add_argument("--config")
    ap.add_argument("--n-head", type=int)
    ap.add_argument("--window", type=int)
    ap.add_argument("--wrong", choices=["swap-qk", "transpose-conv1d"])
    a = ap.parse_args()
    config = json.load(open(a.config)) if a.config else {}
    model = Gpt2(read_safetensors(a.checkpoint), config, a.n_head, a.wrong)
    ids = json.load(open(a.tokens))
    window = a.window or config.get("n_positions") or model.wpe.shape[0]
    ce, n, windows = cross_entropy(model, ids, window)
    json.dump({"cross_entropy": ce, "tokens": n, "windows": windows}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
