"""Step cost against query tokens on a GPU, for Braid's guess pricing.

Braid prices guessed tokens by its worker's measured step-cost curve. Braid itself runs on DJL (Java),
which the GPU hosts here do not have, so this script measures the same kind of step in PyTorch: a
Llama-shaped decoder (random weights; RMSNorm, rotary-free attention over a cached context, SwiGLU MLP)
runs one step of T query tokens per sequence over a cached context, for several shapes and batch sizes.
Prints a table and writes step_cost_curve.json to $OUT (or the working directory).
"""
import json
import os
import time

import torch

SHAPES = {
    # name: layers, hidden, heads, kv heads, intermediate, vocab
    "braid-base-shape (5.9M)": (6, 256, 4, 4, 1024, 2048),
    "125M": (12, 768, 12, 12, 3072, 32000),
    "1B (GQA)": (16, 2048, 32, 8, 8192, 32000),
}
TOKENS = [1, 2, 4, 8, 16, 32, 64, 128, 256]
CONTEXT = 512


class Decoder(torch.nn.Module):
    def __init__(self, layers, hidden, heads, kv_heads, inter, vocab):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, hidden // heads
        self.embed = torch.nn.Embedding(vocab, hidden)
        self.qkv = torch.nn.ModuleList(torch.nn.Linear(hidden, (heads + 2 * kv_heads) * self.head_dim, bias=False)
                                       for _ in range(layers))
        self.out = torch.nn.ModuleList(torch.nn.Linear(hidden, hidden, bias=False) for _ in range(layers))
        self.gate_up = torch.nn.ModuleList(torch.nn.Linear(hidden, 2 * inter, bias=False) for _ in range(layers))
        self.down = torch.nn.ModuleList(torch.nn.Linear(inter, hidden, bias=False) for _ in range(layers))
        self.head = torch.nn.Linear(hidden, vocab, bias=False)

    @staticmethod
    def norm(x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)

    def forward(self, tokens, cache_k, cache_v):
        b, t = tokens.shape
        x = self.embed(tokens)
        for i in range(len(self.qkv)):
            q, k, v = self.qkv[i](self.norm(x)).split(
                [self.heads * self.head_dim, self.kv_heads * self.head_dim, self.kv_heads * self.head_dim], -1)
            q = q.view(b, t, self.heads, self.head_dim).transpose(1, 2)
            k = torch.cat([cache_k[i], k.view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)], 2)
            v = torch.cat([cache_v[i], v.view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)], 2)
            mask = torch.ones(t, k.shape[2], dtype=torch.bool, device=x.device).tril(k.shape[2] - t)
            a = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask,
                                                                 enable_gqa=self.kv_heads != self.heads)
            x = x + self.out[i](a.transpose(1, 2).reshape(b, t, -1))
            g, u = self.gate_up[i](self.norm(x)).chunk(2, -1)
            x = x + self.down[i](torch.nn.functional.silu(g) * u)
        return self.head(self.norm(x)).argmax(-1)


def time_step(model, batch, tokens, dtype, device, reps=20):
    layers = len(model.qkv)
    ids = torch.randint(0, model.embed.num_embeddings, (batch, tokens), device=device)
    ck = [torch.randn(batch, model.kv_heads, CONTEXT, model.head_dim, device=device, dtype=dtype) for _ in range(layers)]
    cv = [torch.randn(batch, model.kv_heads, CONTEXT, model.head_dim, device=device, dtype=dtype) for _ in range(layers)]
    with torch.inference_mode():
        for _ in range(3):
            model(ids, ck, cv)
        torch.cuda.synchronize()
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            model(ids, ck, cv).cpu()
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[len(times) // 2]


def main():
    device = "cuda"
    results = []
    print(torch.cuda.get_device_name(0), "torch", torch.__version__)
    for name, shape in SHAPES.items():
        for dtype in (torch.bfloat16, torch.float32):
            model = Decoder(*shape).to(device=device, dtype=dtype).eval()
            for batch in (1, 32):
                row = {"shape": name, "dtype": str(dtype).replace("torch.", ""), "batch": batch,
                       "context": CONTEXT, "ms": {}}
                for t in TOKENS:
                    if batch * t > 8192:
                        continue
                    row["ms"][t] = round(time_step(model, batch, t, dtype, device), 3)
                base = row["ms"][1]
                print(f"{name:24s} {row['dtype']:9s} batch {batch:3d}: " + "  ".join(
                    f"{t}:{ms:.2f}ms({ms / base:.2f}x)" for t, ms in row["ms"].items()), flush=True)
                results.append(row)
            del model
            torch.cuda.empty_cache()
    out = os.environ.get("OUT", ".")
    with open(os.path.join(out, "step_cost_curve.json"), "w") as f:
        json.dump({"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "rows": results}, f, indent=1)


if __name__ == "__main__":
    main()
