#!/usr/bin/env python3
"""The anchor of the viral benchmark: the official fair-esm code on Debian's
PyTorch (python3-torch, OpenBLAS), ESM-2 150M shape (30 layers, 640 wide,
20 heads) with random weights, one batch of 8 proteins of 166 residues,
forward + the pipeline's mean embedding. Prints seconds per batch.
usage: fair_esm_anchor.py <fair-esm checkout (the folder holding esm/)> [threads] [reps] [dtype]
threads: "default" leaves PyTorch's own setting (Debian's torch starts with one
OpenMP thread; OpenBLAS takes OPENBLAS_NUM_THREADS, default every core), a
number calls torch.set_num_threads(number). dtype: fp32 (default), int8 (PyTorch's dynamic int8 linear layers, int8_dynamic.py), bf16
(model.bfloat16(): every weight and activation in bfloat16) or autocast
(PyTorch's mixed precision, torch.autocast("cpu", dtype=torch.bfloat16): float32
weights, linear layers and matrix products in bfloat16) — the two ways a user
runs it in bfloat16 on a CPU."""
import random
import statistics
import sys
import time

sys.path.insert(0, sys.argv[1])
import torch  # noqa: E402
import esm  # noqa: E402
from esm.model.esm2 import ESM2  # noqa: E402

from int8_dynamic import int8_dynamic  # noqa: E402

threads = sys.argv[2] if len(sys.argv) > 2 else "2"
reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
dtype = sys.argv[4] if len(sys.argv) > 4 else "fp32"
if threads != "default":
    torch.set_num_threads(int(threads))
alphabet = esm.data.Alphabet.from_architecture("ESM-1b")
model = ESM2(num_layers=30, embed_dim=640, attention_heads=20, alphabet=alphabet, token_dropout=True).eval()
if dtype not in ("fp32", "bf16", "autocast", "int8"):
    sys.exit("fair_esm_anchor: dtype is fp32, bf16, autocast or int8, not %s" % dtype)
if dtype == "bf16":
    model = model.bfloat16()
if dtype == "int8":
    model = int8_dynamic(model)
random.seed(3)
batch = [("p%d" % i, "".join(random.choice("ACDEFGHIKLMNPQRSTVWY") for _ in range(166))) for i in range(8)]
_, _, tokens = alphabet.get_batch_converter()(batch)
seconds = []
with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=dtype == "autocast"):
    for r in range(reps + 1):  # the first is a warm-up
        start = time.perf_counter()
        rep = model(tokens, repr_layers=[30], return_contacts=False)["representations"][30]
        embeddings = [rep[i, 1:167].mean(0) for i in range(len(batch))]
        if r > 0:
            seconds.append(time.perf_counter() - start)
s = statistics.median(seconds)
print("fair-esm ESM-2 150M shape, batch 8 x 166, threads %s (torch %d), %s: %.3f s/batch, %.0f tokens/s"
      % (threads, torch.get_num_threads(), dtype, s, 8 * 168 / s))
