#!/usr/bin/env python3
"""Side-by-side benchmark of `bioforge llm bench` and llama.cpp's llama-bench.

Runs both on the same synthesized models (Q4_K_M and Q8_0, the shape
docs/performance.md names) in interleaved rounds and reports, for each figure,
min / median / max over the rounds and the ratio of the medians, together with
what makes figures comparable across machines: the CPU (model, family, flags,
caches), the kernels our engine chose, the memory bandwidth measured at the
start of every round (1 and 2 threads), and the load on the machine before and
during the run (others' CPU use, load average, hypervisor steal time).

Generation reads every weight once per token, so tg figures are also given as
weight traffic (GB/s) and as a fraction of the same round's measured
two-thread bandwidth. Prompt processing is bound by the vector units instead:
on a CPU with AVX2 each round also measures the Q8_0 block pair's ceiling
(bench_vector_units' `q8_0` row: the five instructions of an exact Q8_0 × Q8_0
pair over independent accumulators, one thread, times the threads used; with
AVX-512 VNNI also its `q8_0-512` row, the four instructions of the AVX-512
path's pair) and the Q8_0 pp figures are given as multiply-accumulates per
second and as a fraction of the ceiling of the path our engine chose (AVX2 or
AVX-512; on the AMX path the tiles can do more than that ceiling, so there
the fraction overstates how close the tiles come to theirs).

usage: tests/bench/llm_vs_llamacpp.py --llama-bench PATH [--rounds 5]
       [--tests 128/32,512/128] [--reps 3] [--threads 2] [--bench-dir DIR] [--json FILE]

Needs build/bin/bioforge, build/tests/bench/bench_memory_bandwidth and
build/tests/bench/bench_vector_units; the
llama.cpp build is made outside this tree (docs/performance.md has the commands).
Python 3 standard library only.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIOFORGE = ROOT / "build" / "bin" / "bioforge"
BANDWIDTH = ROOT / "build" / "tests" / "bench" / "bench_memory_bandwidth"
VECTOR_UNITS = ROOT / "build" / "tests" / "bench" / "bench_vector_units"
MODELS = ("Q4_K_M", "Q8_0")
SHAPE = ["--embd", "1024", "--layers", "12", "--heads", "16", "--kv-heads", "4", "--ff", "2816",
         "--vocab", "32000", "--ctx", "2048", "--seed", "1"]
FLAGS = ("avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16",
         "avx_vnni", "avx512_vp2intersect", "amx_int8")


def run(cmd):
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    return done.stdout


def cpu_times():
    """(busy, steal, total) jiffies over all CPUs from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    total = user + nice + system + idle + iowait + irq + softirq + steal
    return user + nice + system + irq + softirq, steal, total


def share(before, after, index):
    dt = after[2] - before[2]
    return 100.0 * (after[index] - before[index]) / dt if dt > 0 else 0.0


def machine():
    info = {}
    cpuinfo = Path("/proc/cpuinfo").read_text()
    for key in ("model name", "cpu family", "model", "stepping", "microcode"):
        m = re.search(rf"^{key}\s*:\s*(.*)$", cpuinfo, re.M)
        info[key] = m.group(1).strip() if m else "?"
    flags = set(re.search(r"^flags\s*:\s*(.*)$", cpuinfo, re.M).group(1).split())
    info["flags"] = " ".join(f for f in FLAGS if f in flags)
    info["cpus"] = os.cpu_count()
    caches = []
    base = Path("/sys/devices/system/cpu/cpu0/cache")
    for index in sorted(base.glob("index*")) if base.exists() else []:
        level = (index / "level").read_text().strip()
        kind = (index / "type").read_text().strip()
        caches.append(f"L{level}{'d' if kind == 'Data' else 'i' if kind == 'Instruction' else ''} "
                      f"{(index / 'size').read_text().strip()}")
    info["caches (cpu0)"] = ", ".join(caches)
    info["kernel"] = os.uname().release
    return info


def bandwidth():
    out = run([BANDWIDTH])
    rates = {int(m.group(1)): float(m.group(2))
             for m in re.finditer(r"(\d) threads?: median ([\d.]+) GB/s", out)}
    return rates.get(1, float("nan")), rates.get(2, float("nan"))


def q8_0_ceilings():
    """One thread's G multiply-accumulates/s of the Q8_0 block pair on each path: {"avx2": x, "avx512": y};
    NaN for a path the CPU lacks."""
    out = run([VECTOR_UNITS, "--threads", "1"])
    ceilings = {}
    for path, row in (("avx2", r"q8_0 \(Q8_0 pair\)"), ("avx512", r"q8_0-512 \(vpdpbusd\)")):
        m = re.search(rf"^{row}\s+([\d.]+)", out, re.M)
        ceilings[path] = float(m.group(1)) if m else float("nan")
    return ceilings


def parse_rates(text):
    """{ 'pp128': t/s, 'tg32': t/s } from a llama-bench style markdown table."""
    rates = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 3 and re.fullmatch(r"(pp|tg)\d+", cells[-3]):
            rates[cells[-3]] = float(cells[-2].split("±")[0])
    return rates


def spread(values):
    return min(values), statistics.median(values), max(values)


def fmt(values, digits=1):
    lo, mid, hi = spread(values)
    return f"{mid:.{digits}f} ({lo:.{digits}f}–{hi:.{digits}f})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--llama-bench", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--tests", default="128/32,512/128", help="prompt/generated token pairs")
    ap.add_argument("--reps", type=int, default=3, help="repetitions inside each call (both tools)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--bench-dir", default=os.environ.get("BENCH_DIR", "/tmp/bioforge-llm-bench"))
    ap.add_argument("--json", help="write every sample here")
    args = ap.parse_args()
    for tool in (BIOFORGE, BANDWIDTH, VECTOR_UNITS, Path(args.llama_bench)):
        if not tool.exists():
            sys.exit(f"{tool} is missing (build it first: docs/performance.md)")
    pairs = [tuple(int(x) for x in t.split("/")) for t in args.tests.split(",")]
    work = Path(args.bench_dir)
    work.mkdir(parents=True, exist_ok=True)
    for model in MODELS:
        path = work / f"bench-{model}.gguf"
        if not path.exists():
            run([BIOFORGE, "llm", "synth-model", path, *SHAPE, "--type", model])

    # Load before: others' CPU use over 3 s with nothing of ours running.
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    t0 = cpu_times()
    time.sleep(3)
    others_before = share(t0, cpu_times(), 0)

    samples = {"ours": {}, "llama": {}}
    rounds = []
    kernels = {}
    bytes_per_token = {}
    for r in range(args.rounds):
        start = cpu_times()
        bw1, bw2 = bandwidth()
        q8_ceiling = q8_0_ceilings()
        for model in MODELS:
            path = work / f"bench-{model}.gguf"
            for p, n in pairs:
                out = run([BIOFORGE, "llm", "bench", path, "--p", p, "--n", n, "--r", args.reps, "--threads", args.threads])
                for test, rate in parse_rates(out).items():
                    samples["ours"].setdefault(model, {}).setdefault(test, []).append(rate)
                m = re.search(r"^kernels \(.*$", out, re.M)
                if m:
                    kernels[model] = m.group(0)
                m = re.search(r"([\d.]+) MB x", out)
                if m:
                    bytes_per_token[model] = float(m.group(1)) * 1e6
                theirs = run([args.llama_bench, "-m", path, "-t", args.threads, "-p", p, "-n", n, "-r", args.reps])
                for test, rate in parse_rates(theirs).items():
                    samples["llama"].setdefault(model, {}).setdefault(test, []).append(rate)
        end = cpu_times()
        rounds.append({"bandwidth_1t": bw1, "bandwidth_2t": bw2, "q8_0_pair_gmacs_1t": q8_ceiling["avx2"], "q8_0_pair_512_gmacs_1t": q8_ceiling["avx512"], "steal_pct": share(start, end, 1),
                       "loadavg_1m": float(Path("/proc/loadavg").read_text().split()[0])})
        print(f"round {r + 1}/{args.rounds}: 2-thread bandwidth {bw2:.1f} GB/s, steal {rounds[-1]['steal_pct']:.1f} %",
              file=sys.stderr)

    info = machine()
    print("## Machine\n")
    for key, value in info.items():
        print(f"- {key}: {value}")
    print(f"- threads used: {args.threads}; {args.rounds} interleaved rounds, {args.reps} repetitions per call")
    print(f"- llama-bench: {args.llama_bench}")
    print(f"- load before the run: load average {' '.join(load_before)}; others' CPU use over 3 s {others_before:.1f} %")
    print(f"- during the run: hypervisor steal {fmt([x['steal_pct'] for x in rounds])} % of CPU time; "
          f"load average at the end of each round {fmt([x['loadavg_1m'] for x in rounds], 2)}")
    print(f"- memory read bandwidth, measured at the start of each round: 1 thread {fmt([x['bandwidth_1t'] for x in rounds])} GB/s, "
          f"2 threads {fmt([x['bandwidth_2t'] for x in rounds])} GB/s")
    # The ceiling of the path our Q8_0 kernels ran on (their line names the instructions).
    q8_path = "avx512" if re.search(r"vpdpbusd-512|amx", kernels.get("Q8_0", "")) else "avx2"
    ceiling_key = "q8_0_pair_512_gmacs_1t" if q8_path == "avx512" else "q8_0_pair_gmacs_1t"
    for key, label in (("q8_0_pair_gmacs_1t", "AVX2"), ("q8_0_pair_512_gmacs_1t", "AVX-512 VNNI")):
        values = [x[key] for x in rounds if x[key] == x[key]]
        if values:
            print(f"- {label} Q8_0 block pair ceiling, measured at the start of each round: {fmt(values)} "
                  f"G multiply-accumulates/s per thread (bench_vector_units)")
    ceilings = [x[ceiling_key] for x in rounds if x[ceiling_key] == x[ceiling_key]]
    if not ceilings and "Q8_0" in kernels:
        print(f"- no {q8_path} Q8_0 block pair ceiling from {VECTOR_UNITS.name} (an older build?): "
              f"Q8_0 prompts are not reported against the vector units")
    for model in MODELS:
        if model in kernels:
            print(f"- {model} {kernels[model]}")
    print("\n## Figures (t/s: median (min–max) over rounds)\n")
    print("| model | test | bioforge t/s | llama.cpp t/s | ratio of medians | ratio range over rounds |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for model in MODELS:
        for p, n in pairs:
            for test in (f"pp{p}", f"tg{n}"):
                ours = samples["ours"].get(model, {}).get(test)
                theirs = samples["llama"].get(model, {}).get(test)
                if not ours or not theirs:
                    continue
                ratios = [a / b for a, b in zip(ours, theirs)]
                print(f"| {model} | {test} | {fmt(ours)} | {fmt(theirs)} | **{statistics.median(ours) / statistics.median(theirs):.2f}** | "
                      f"{min(ratios):.2f}–{max(ratios):.2f} |")
    print("\n## Generation against the memory bandwidth\n")
    print("| model | test | MB read per token | bioforge GB/s | % of the round's 2-thread bandwidth | llama.cpp % |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for model in MODELS:
        for _, n in pairs:
            test = f"tg{n}"
            ours = samples["ours"].get(model, {}).get(test)
            theirs = samples["llama"].get(model, {}).get(test)
            if not ours or model not in bytes_per_token:
                continue
            b = bytes_per_token[model]
            ours_pct = [100 * rate * b / 1e9 / x["bandwidth_2t"] for rate, x in zip(ours, rounds)]
            theirs_pct = [100 * rate * b / 1e9 / x["bandwidth_2t"] for rate, x in zip(theirs or [], rounds)]
            print(f"| {model} | {test} | {b / 1e6:.1f} | {fmt([rate * b / 1e9 for rate in ours])} | {fmt(ours_pct, 0)} | "
                  f"{fmt(theirs_pct, 0) if theirs_pct else '-'} |")
    if ceilings and "Q8_0" in bytes_per_token:
        # Q8_0 rows hold 32 weights in 34 bytes; every weight read per token is one multiply-accumulate.
        macs = bytes_per_token["Q8_0"] * 32 / 34
        amx = "amx" in kernels.get("Q8_0", "")
        label = "AVX2" if q8_path == "avx2" else "AMX path, against the AVX-512 VNNI pair, which the tiles exceed: the % overstates" if amx else "AVX-512 VNNI"
        print(f"\n## Q8_0 prompt processing against the vector units ({label})\n")
        print(f"{macs / 1e6:.1f} M multiply-accumulates per token in the matrix products; the ceiling is "
              f"{args.threads} × the round's one-thread {'AVX2' if q8_path == 'avx2' else 'AVX-512 VNNI'} Q8_0 block pair figure "
              f"(llama.cpp's kernels may run other instructions).\n")
        print("| test | bioforge G MAC/s | % of the ceiling | llama.cpp G MAC/s | llama.cpp % |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for p, _ in pairs:
            test = f"pp{p}"
            ours = samples["ours"].get("Q8_0", {}).get(test)
            theirs = samples["llama"].get("Q8_0", {}).get(test) or []
            if not ours:
                continue
            def pct(rates):
                return [100 * rate * macs / 1e9 / (args.threads * x[ceiling_key]) for rate, x in zip(rates, rounds)]
            print(f"| {test} | {fmt([r * macs / 1e9 for r in ours])} | {fmt(pct(ours), 0)} | "
                  f"{fmt([r * macs / 1e9 for r in theirs]) if theirs else '-'} | {fmt(pct(theirs), 0) if theirs else '-'} |")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "load_before": load_before, "others_before_pct": others_before,
                                               "rounds": [{k: None if v != v else v for k, v in x.items()} for x in rounds], "samples": samples, "kernels": kernels,
                                               "bytes_per_token": bytes_per_token}, indent=1))


if __name__ == "__main__":
    main()
