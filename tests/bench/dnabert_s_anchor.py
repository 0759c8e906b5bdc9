#!/usr/bin/env python3
"""The DNABERT-S anchor of the viral benchmark: the official DNABERT-S model code
(github.com/MAGICS-LAB/DNABERT_S, evaluate/model_codes: bert_layers.py and
bert_padding.py, the code the Hugging Face model zhihan1996/DNABERT-S runs with
trust_remote_code) on Debian's PyTorch (python3-torch, OpenBLAS), with the
official config.json (12 layers, 768 wide, 12 heads, GLU FFN 3072, vocabulary
4096) and random weights. It embeds one batch of token ids written by
`bench_viral dnabert --ids-out FILE` (so both sides see the same tokens) the way
the official evaluation does (evaluate/utils.py, calculate_llm_embedding): one
forward pass with the attention mask, then the mean of the last hidden states
over the unmasked tokens. Prints seconds per batch.

usage: dnabert_s_anchor.py <DNABERT_S checkout> <einops checkout> <ids file> [threads] [reps] [dtype] [device]
  DNABERT_S checkout: the folder holding evaluate/model_codes/
  einops checkout: the folder holding einops/ (github.com/arogozhnikov/einops; the
    model code imports it and Debian 12 does not package it; pure Python)
  ids file: one sequence per line, token ids separated by spaces
  threads: "default" leaves PyTorch's own setting (Debian's torch starts with one
    OpenMP thread; OpenBLAS takes OPENBLAS_NUM_THREADS, default every core), a
    number calls torch.set_num_threads(number)
  dtype: fp32 (default), int8 (PyTorch's dynamic int8 linear layers, int8_dynamic.py) or autocast: PyTorch's own mixed precision on a CPU,
    torch.autocast("cpu", dtype=torch.bfloat16) (linear layers and matrix
    products in bfloat16). bf16, model.bfloat16(), as fair_esm_anchor.py can run
    ESM-2, fails in this model code on a CPU: its ALiBi bias is a plain attribute,
    not a buffer, so it stays float32 and the attention product stops with
    "expected scalar type BFloat16 but found Float"; asked for, it says so.
  device: cpu (default) or cuda[:N] (the device check, tests/gpu/device-check.sh): the
    model moved there, each batch's ids and mask copied in and the mean embeddings
    copied back inside the timed part; autocast then is torch.autocast("cuda",
    bfloat16). Where Triton is installed the model code runs its own Triton flash
    attention (in float16 for a float32 model) as it would for a user; if that kernel
    fails to compile or run with the Triton there (it was written for Triton 2.0's
    API), the run says so and takes the code's PyTorch attention path instead.

Hugging Face `transformers` is neither in Debian 12 nor reachable here, and the
model code imports three names from it. They are stood in for below by the
smallest things that behave the same for an inference forward pass:
BertPreTrainedModel (an nn.Module that keeps the config and, in post_init,
initialises weights as transformers' BERT does: normal(0, initializer_range),
LayerNorm 1/0), ACT2FN (only the MLM head uses it) and the output classes
(unused by BertModel). None of them takes part in the forward computation: every
operation timed is the official code's. Triton is absent on a CPU, so the model
code takes its own PyTorch attention path, as it does on any CPU.
"""
import dataclasses
import json
import os
import statistics
import sys
import time
import types

checkout, einops_checkout, ids_path = sys.argv[1], sys.argv[2], sys.argv[3]
threads = sys.argv[4] if len(sys.argv) > 4 else "default"
reps = int(sys.argv[5]) if len(sys.argv) > 5 else 3
dtype = sys.argv[6] if len(sys.argv) > 6 else "fp32"
device_name = sys.argv[7] if len(sys.argv) > 7 else "cpu"

sys.path.insert(0, einops_checkout)
sys.path.insert(0, os.path.join(checkout, "evaluate"))
import torch  # noqa: E402
from torch import nn  # noqa: E402


def stand_in_transformers():
    """The three transformers names bert_layers.py imports (see the docstring)."""
    class BertPreTrainedModel(nn.Module):
        def __init__(self, config, *args, **kwargs):
            super().__init__()
            self.config = config

        def _init_weights(self, module):
            if isinstance(module, (nn.Linear, nn.Embedding)):
                module.weight.data.normal_(mean=0.0, std=self.config.initializer_range)
            if isinstance(module, nn.Linear) and module.bias is not None:
                module.bias.data.zero_()
            if isinstance(module, nn.LayerNorm):
                module.bias.data.zero_()
                module.weight.data.fill_(1.0)

        def post_init(self):
            self.apply(self._init_weights)

    @dataclasses.dataclass
    class ModelOutput:
        loss: object = None
        logits: object = None
        hidden_states: object = None
        attentions: object = None

    modules = {name: types.ModuleType(name) for name in (
        "transformers", "transformers.activations", "transformers.modeling_outputs",
        "transformers.models", "transformers.models.bert", "transformers.models.bert.modeling_bert")}
    modules["transformers.activations"].ACT2FN = {"gelu": nn.GELU(), "relu": nn.ReLU(), "tanh": nn.Tanh()}
    modules["transformers.modeling_outputs"].MaskedLMOutput = ModelOutput
    modules["transformers.modeling_outputs"].SequenceClassifierOutput = ModelOutput
    modules["transformers.models.bert.modeling_bert"].BertPreTrainedModel = BertPreTrainedModel
    sys.modules.update(modules)


stand_in_transformers()
from model_codes import bert_layers  # noqa: E402
from model_codes.bert_layers import BertModel  # noqa: E402

if threads != "default":
    torch.set_num_threads(int(threads))
with open(os.path.join(checkout, "evaluate", "model_codes", "config.json")) as f:
    config = types.SimpleNamespace(**json.load(f))
config.alibi_starting_size = getattr(config, "alibi_starting_size", 512)
torch.manual_seed(7)
device = torch.device(device_name)
model = BertModel(config).eval().to(device)
if dtype == "bf16":
    sys.exit("dnabert_s_anchor: model.bfloat16() stops in the official code on a CPU (its ALiBi bias stays "
             "float32: 'expected scalar type BFloat16 but found Float'); use autocast")
if dtype not in ("fp32", "autocast", "int8"):
    sys.exit("dnabert_s_anchor: dtype is fp32, autocast or int8, not %s" % dtype)
if dtype == "int8" and device.type != "cpu":
    sys.exit("dnabert_s_anchor: int8 (PyTorch's dynamic quantisation) runs on the CPU only")
if dtype == "int8":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from int8_dynamic import int8_dynamic
    model = int8_dynamic(model)

with open(ids_path) as f:
    rows = [[int(t) for t in line.split()] for line in f if line.strip()]
if not rows:
    sys.exit("dnabert_s_anchor: %s holds no token ids" % ids_path)
longest = max(len(r) for r in rows)
input_ids = torch.zeros(len(rows), longest, dtype=torch.long)
attention_mask = torch.zeros(len(rows), longest, dtype=torch.long)
for i, r in enumerate(rows):
    input_ids[i, :len(r)] = torch.tensor(r)
    attention_mask[i, :len(r)] = 1
tokens = int(attention_mask.sum())



def embed():
    """As evaluate/utils.py, calculate_llm_embedding: forward, then the masked mean."""
    ids, mask = input_ids.to(device), attention_mask.to(device)
    model_output = model.forward(input_ids=ids, attention_mask=mask)[0]
    mask = mask.unsqueeze(-1)
    return (torch.sum(model_output.float() * mask, dim=1) / torch.sum(mask, dim=1)).cpu()


seconds = []
attention = "PyTorch" if bert_layers.flash_attn_qkvpacked_func is None else "Triton flash"
with torch.no_grad(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=dtype == "autocast"):
    try:
        embedding = embed()  # the warm-up (Triton compiles its kernel here)
    except Exception as e:  # noqa: BLE001 -- any failure of the Triton kernel: say it, take the PyTorch path
        if bert_layers.flash_attn_qkvpacked_func is None:
            raise
        # (Triton's compilation errors begin with a source position; the reason comes after it)
        reason = " | ".join(line.strip() for line in str(e).splitlines() if line.strip())[-400:]
        print("official DNABERT-S: its Triton attention failed here (%s: %s); timing its PyTorch attention path"
              % (type(e).__name__, reason))
        bert_layers.flash_attn_qkvpacked_func = None
        attention = "PyTorch (Triton failed)"
        embedding = embed()
    for rep in range(reps):
        start = time.perf_counter()
        embedding = embed()
        seconds.append(time.perf_counter() - start)
assert embedding.shape == (len(rows), config.hidden_size)
s = statistics.median(seconds)
where = "threads %s (torch %d)" % (threads, torch.get_num_threads()) if device.type == "cpu" else "%s, %s attention" % (device, attention)
print("official DNABERT-S, batch %d x %.1f tokens, %s, %s: %.3f s/batch, %.0f tokens/s, %.1f frames/s"
      % (len(rows), tokens / len(rows), where, dtype, s, tokens / s, len(rows) / s))
