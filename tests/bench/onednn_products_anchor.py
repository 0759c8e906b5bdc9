"""oneDNN's bfloat16 products and fbgemm's dynamic int8 ones on Debian's torch, at
the shapes bench_amx_tiles measures (tests/bench/amx_tiles_vs_onednn.sh).

    onednn_products_anchor.py THREADS REPS M N K [M N K ...]

One line per shape and kind: "[M x K] . [K x N]  KIND  T threads  S s  G GOP/s".
bf16: torch.nn.functional.linear on bfloat16 tensors (what model.bfloat16() and
autocast run: oneDNN's brgemm on AMX where the CPU has it). int8:
torch.ao.quantization.quantize_dynamic on an nn.Linear (fbgemm: int8 weights
per tensor, activations quantised per call), the int8 a torch user gets.
"""
import sys
import time

import torch


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def timed(fn, reps):
    fn()  # warm-up (oneDNN creates its kernels on first use)
    seconds = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - t0)
    return seconds


def main():
    threads, reps = int(sys.argv[1]), int(sys.argv[2])
    dims = [int(x) for x in sys.argv[3:]]
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    with torch.no_grad():
        for i in range(0, len(dims), 3):
            m, n, k = dims[i:i + 3]
            ops = 2.0 * m * n * k / 1e9
            x = torch.randn(m, k)
            linear = torch.nn.Linear(k, n, bias=False)
            xb, wb = x.bfloat16(), linear.weight.detach().bfloat16()
            q = torch.ao.quantization.quantize_dynamic(torch.nn.Sequential(linear), {torch.nn.Linear}, dtype=torch.qint8)
            for kind, fn in (("bf16 oneDNN", lambda: torch.nn.functional.linear(xb, wb)), ("int8 fbgemm", lambda: q(x))):
                s = timed(fn, reps)
                print(f"[{m} x {k}] . [{k} x {n}]  {kind}  {threads} threads  {median(s):.5f} s  {ops / median(s):.0f} GOP/s "
                      f"({ops / max(s):.0f}-{ops / min(s):.0f})", flush=True)


if __name__ == "__main__":
    main()
