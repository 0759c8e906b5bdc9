"""The anchors' int8 (fair_esm_anchor.py, dnabert_s_anchor.py): what a PyTorch user
does to run a BERT-sized model in int8 on a CPU — dynamic quantization of every
nn.Linear (torch.ao.quantization.quantize_dynamic, PyTorch's "Dynamic Quantization
on BERT" tutorial), on the quantized engine BioForge's int8 uses (oneDNN, else
FBGEMM), with per-channel weight scales (per_channel_dynamic_qconfig). Not the same
rounding as ours, which does not matter for speed: PyTorch's dynamic Linear module
always asks for 7-bit activations (reduce_range, ours take 8 where the kernels do
not saturate), over the whole batch (ours per sequence), and it also quantizes the
layers we keep in float32 (fair-esm's LM head dense, DNABERT-S's pooler)."""
import torch
from torch.ao.quantization import quantize_dynamic
from torch.ao.quantization.qconfig import per_channel_dynamic_qconfig


def int8_dynamic(model):
    engines = torch.backends.quantized.supported_engines
    for engine in ("onednn", "fbgemm"):
        if engine in engines:
            torch.backends.quantized.engine = engine
            break
    else:
        raise SystemExit("int8: this torch has no oneDNN or FBGEMM quantized engine (%s)" % engines)
    return quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)
