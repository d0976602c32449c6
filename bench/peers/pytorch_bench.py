#!/usr/bin/env python3
"""PyTorch peer for tenfold's side-by-side benchmark (driven by bench/peers/pytorch.ts).

Protocol: JSON lines. On start it prints {"ready": true, ...} (or {"ready": false,
"error": ...} and exits 3 if torch cannot be imported). Then it reads one JSON command
per stdin line and answers with one JSON line per command on stdout ("train" also
emits {"event": "epoch", ...} lines before its final answer). Anything else goes to
stderr.

The PRNG (mulberry32), per-epoch permutation and parameter init mirror
bench/peers/common.ts exactly, so every peer starts from identical weights and sees
identical batches.
"""
import json
import math
import os
import resource
import statistics
import sys
import time

M32 = 0xFFFFFFFF


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except Exception as e:  # noqa: BLE001
    emit({"ready": False, "error": f"PyTorch not importable: {type(e).__name__}: {e}"})
    sys.exit(3)

THREADS = int(os.environ.get("TENFOLD_BENCH_TORCH_THREADS", "2"))
torch.set_num_threads(THREADS)


def mulberry32(seed):
    a = seed & M32

    def rnd():
        nonlocal a
        a = (a + 0x6D2B79F5) & M32
        t = ((a ^ (a >> 15)) * (1 | a)) & M32
        t = ((t + (((t ^ (t >> 7)) * (61 | t)) & M32)) & M32) ^ t
        return ((t ^ (t >> 14)) & M32) / 4294967296.0

    return rnd


def to_int32(x):
    x &= M32
    return x - (1 << 32) if x >= (1 << 31) else x


def epoch_permutation(n, seed, epoch):
    # JS: (seed * 1000003 + epoch * 7919 + 1) | 0  (seed/epoch small, exact in doubles)
    rnd = mulberry32(to_int32(seed * 1000003 + epoch * 7919 + 1))
    p = list(range(n))
    for i in range(n - 1, 0, -1):
        j = int(math.floor(rnd() * (i + 1)))
        p[i], p[j] = p[j], p[i]
    return p


def normal_array(n, std, rnd):
    out = np.empty(n, dtype=np.float32)
    for i in range(0, n, 2):
        u1 = 1 - rnd()
        u2 = rnd()
        r = math.sqrt(-2 * math.log(u1))
        out[i] = std * r * math.cos(2 * math.pi * u2)
        if i + 1 < n:
            out[i + 1] = std * r * math.sin(2 * math.pi * u2)
    return out


def model_dims(model):
    return [784, 10] if model == "softmax" else [784, 200, 200, 10]


def build_model(model, seed):
    dims = model_dims(model)
    rnd = mulberry32(to_int32(seed ^ 0x5EED))
    layers = []
    for l in range(len(dims) - 1):
        fan_in, fan_out = dims[l], dims[l + 1]
        std = 0.01 if model == "softmax" else math.sqrt(2.0 / fan_in)
        w = normal_array(fan_in * fan_out, std, rnd).reshape(fan_in, fan_out)
        lin = torch.nn.Linear(fan_in, fan_out)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(w.T)))  # Linear stores [out, in]
            lin.bias.zero_()
        layers.append(lin)
        if l < len(dims) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def rss_mb():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except OSError:
        return peak_rss_mb()


def cmd_matmul(m, k, n, form, reps):
    g = torch.Generator().manual_seed(1)
    a = torch.rand((k, m) if form == "tn" else (m, k), generator=g) * 2 - 1
    b = torch.rand((n, k) if form == "nt" else (k, n), generator=g) * 2 - 1

    def once():
        t0 = time.perf_counter()
        lhs = a.t() if form == "tn" else a
        rhs = b.t() if form == "nt" else b
        c = torch.mm(lhs, rhs)  # CPU ops are synchronous
        _ = float(c[0, 0])
        return time.perf_counter() - t0

    for _ in range(max(2, min(5, reps // 2))):
        once()
    t = statistics.median([once() for _ in range(reps)])
    return 2.0 * m * k * n / t / 1e9


def cmd_mlp_step(batch, reps):
    model = build_model("mlp", 42)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    g = torch.Generator().manual_seed(3)
    x = torch.rand((batch, 784), generator=g)
    y = torch.randint(0, 10, (batch,), generator=g)
    times = []
    warm = 100  # STEP_WARMUP in common.ts: every runner warms up alike
    for i in range(warm + reps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        t = time.perf_counter() - t0
        if i >= warm:
            times.append(t * 1000)
    return statistics.median(times)


def load_dataset(path):
    # Read each section straight into its own array (no intermediate copy of the whole file).
    header = np.fromfile(path, dtype=np.uint32, count=4)
    if int(header[0]) != 0x464D4E31:
        raise ValueError("bad dataset file magic")
    n_train, n_test = int(header[1]), int(header[2])
    off = 16
    train_x = np.fromfile(path, dtype=np.float32, count=n_train * 784, offset=off); off += n_train * 784 * 4
    train_y = np.fromfile(path, dtype=np.int32, count=n_train, offset=off); off += n_train * 4
    test_x = np.fromfile(path, dtype=np.float32, count=n_test * 784, offset=off); off += n_test * 784 * 4
    test_y = np.fromfile(path, dtype=np.int32, count=n_test, offset=off)
    return (
        torch.from_numpy(train_x).view(n_train, 784),
        torch.from_numpy(train_y.astype(np.int64)),
        torch.from_numpy(test_x).view(n_test, 784),
        torch.from_numpy(test_y.astype(np.int64)),
    )


_datasets = {}


def cmd_train(req):
    path = req["path"]
    if path not in _datasets:
        _datasets.clear()
        _datasets[path] = load_dataset(path)
    train_x, train_y, test_x, test_y = _datasets[path]
    n_train = train_x.shape[0]
    model = build_model(req["model"], int(req["seed"]))
    opt = torch.optim.SGD(model.parameters(), lr=float(req["lr"]))
    bs = int(req["batchSize"])
    seconds = []
    for epoch in range(int(req["epochs"])):
        perm = torch.tensor(epoch_permutation(n_train, int(req["seed"]), epoch), dtype=torch.int64)
        t0 = time.perf_counter()
        for start in range(0, n_train, bs):  # last partial batch kept (DataLoader default)
            idx = perm[start:start + bs]
            xb = train_x.index_select(0, idx)
            yb = train_y.index_select(0, idx)
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
        s = time.perf_counter() - t0
        seconds.append(s)
        emit({"event": "epoch", "epoch": epoch + 1, "seconds": s, "rssMB": rss_mb()})
    with torch.no_grad():
        pred = model(test_x).argmax(dim=1)
        acc = float((pred == test_y).float().mean())
    return {"secondsPerEpoch": seconds, "testAcc": acc, "peakRssMB": peak_rss_mb()}


def main():
    emit({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
          "ompWaitPolicy": os.environ.get("OMP_WAIT_POLICY", ""), "pid": os.getpid()})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            cmd = req.get("cmd")
            if cmd == "quit":
                emit({"ok": True})
                return
            if cmd == "matmul":
                value = cmd_matmul(int(req["m"]), int(req["k"]), int(req["n"]), req["form"], int(req["reps"]))
                emit({"ok": True, "value": value})
            elif cmd == "mlpStep":
                emit({"ok": True, "value": cmd_mlp_step(int(req["batch"]), int(req["reps"]))})
            elif cmd == "train":
                emit({"ok": True, "result": cmd_train(req)})
            elif cmd == "selftest":
                r = mulberry32(int(req.get("seed", 0)))
                emit({"ok": True, "value": [r() for _ in range(5)],
                      "perm": epoch_permutation(10, 0, 1)})
            elif cmd == "peakRss":
                emit({"ok": True, "value": peak_rss_mb()})
            else:
                emit({"ok": False, "error": f"unknown cmd {cmd!r}"})
        except Exception as e:  # noqa: BLE001
            emit({"ok": False, "error": f"{type(e).__name__}: {e}"})


if __name__ == "__main__":
    main()
