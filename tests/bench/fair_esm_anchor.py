#!/usr/bin/env python3
"""The anchor of the viral benchmark: the official fair-esm code on Debian's
PyTorch (python3-torch, OpenBLAS), ESM-2 150M shape (30 layers, 640 wide,
20 heads) with random weights, one batch of 8 proteins of 166 residues,
forward + the pipeline's mean embedding. Prints seconds per batch.
usage: fair_esm_anchor.py <fair-esm checkout (the folder holding esm/)> [threads] [reps] [dtype]
       [--device cpu|cuda|cuda:N] [--shape 150M|3B] [--layers N] [--batch 8] [--residues 166]
--device cuda: on a GPU (the device check, tests/gpu/device-check.sh), the model built
there (torch.device context) and each batch's tokens copied in, the mean embeddings
copied back to the host inside the timed part (as bench_viral does on a device).
--shape 3B: ESM-2 3B (36 layers, 2560 wide, 40 heads), the one VirNucPro uses;
--layers N builds only N of the shape's layers (bench_viral esm --layers, the same).
threads: "default" leaves PyTorch's own setting (Debian's torch starts with one
OpenMP thread; OpenBLAS takes OPENBLAS_NUM_THREADS, default every core), a
number calls torch.set_num_threads(number). dtype: fp32 (default), int8 (PyTorch's dynamic int8 linear layers, int8_dynamic.py; CPU only), bf16
(model.bfloat16(): every weight and activation in bfloat16), fp16 (model.half(), as GPU users
of fair-esm run it) or autocast
(PyTorch's mixed precision, torch.autocast("cpu", dtype=torch.bfloat16): float32
weights, linear layers and matrix products in bfloat16) — the two ways a user
runs it in bfloat16 on a CPU."""
import argparse
import contextlib
import random
import statistics
import sys
import time

SHAPES = {"150M": (30, 640, 20), "3B": (36, 2560, 40)}  # layers, width, heads (bench_viral's EncoderShape)
parser = argparse.ArgumentParser(description="fair-esm's ESM-2, one batch timed (see the docstring)")
parser.add_argument("checkout")
parser.add_argument("threads", nargs="?", default="2")
parser.add_argument("reps", nargs="?", type=int, default=3)
parser.add_argument("dtype", nargs="?", default="fp32", choices=("fp32", "bf16", "fp16", "autocast", "int8"))
parser.add_argument("--device", default="cpu")
parser.add_argument("--shape", default="150M", choices=sorted(SHAPES))
parser.add_argument("--layers", type=int, default=0)
parser.add_argument("--batch", type=int, default=8)
parser.add_argument("--residues", type=int, default=166)
args = parser.parse_args()

sys.path.insert(0, args.checkout)
import torch  # noqa: E402
import esm  # noqa: E402
from esm.model.esm2 import ESM2  # noqa: E402

threads, reps, dtype = args.threads, args.reps, args.dtype
device = torch.device(args.device)
if device.type != "cpu" and dtype == "int8":
    sys.exit("fair_esm_anchor: int8 (PyTorch's dynamic quantisation) runs on the CPU only")
if threads != "default":
    torch.set_num_threads(int(threads))
full_depth, width, heads = SHAPES[args.shape]
layers = args.layers or full_depth
alphabet = esm.data.Alphabet.from_architecture("ESM-1b")
# On a GPU the weights are initialised there (seconds, not minutes, for 3B; torch >= 2.0).
with device if device.type != "cpu" else contextlib.nullcontext():
    model = ESM2(num_layers=layers, embed_dim=width, attention_heads=heads, alphabet=alphabet, token_dropout=True).eval()
if dtype == "bf16":
    model = model.bfloat16()
if dtype == "fp16":
    model = model.half()
if dtype == "int8":
    from int8_dynamic import int8_dynamic  # (PyTorch's quantisation module only when asked for)
    model = int8_dynamic(model)
random.seed(3)
residues = args.residues
batch = [("p%d" % i, "".join(random.choice("ACDEFGHIKLMNPQRSTVWY") for _ in range(residues))) for i in range(args.batch)]
_, _, tokens = alphabet.get_batch_converter()(batch)
seconds = []
with torch.no_grad(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=dtype == "autocast"):
    for r in range(reps + 1):  # the first is a warm-up
        start = time.perf_counter()
        rep = model(tokens.to(device), repr_layers=[layers], return_contacts=False)["representations"][layers]
        embeddings = [rep[i, 1:residues + 1].mean(0) for i in range(len(batch))]
        if device.type != "cpu":
            embeddings = torch.stack(embeddings).float().cpu()  # back on the host: the time includes the work
        if r > 0:
            seconds.append(time.perf_counter() - start)
s = statistics.median(seconds)
where = "threads %s (torch %d)" % (threads, torch.get_num_threads()) if device.type == "cpu" else str(device)
depth = "" if layers == full_depth else ", %d of %d layers" % (layers, full_depth)
print("fair-esm ESM-2 %s shape%s, batch %d x %d, %s, %s: %.3f s/batch, %.0f tokens/s, %.1f frames/s"
      % (args.shape, depth, len(batch), residues, where, dtype, s, len(batch) * (residues + 2) / s, len(batch) / s))
