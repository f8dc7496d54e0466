"""MobileNet v1 (alpha 0.25) training step and inference in PyTorch on one thread (or --threads N): the
reference for bench/backends/run.mjs and ab-threads.mjs. Same architecture as the tfjs model (TF 'same' padding, BatchNorm eps 1e-3,
ReLU6, global average pooling, dense classifier); prints one JSON object."""
import argparse
import json
import resource
import statistics
import time

import torch
from torch import nn


def same_pad(kernel, stride):
    # TF 'same' for even input sizes: stride 1 pads k//2 on both sides, stride 2 pads (0, 1).
    if stride == 1:
        return nn.ZeroPad2d(kernel // 2)
    return nn.ZeroPad2d((0, 1, 0, 1))


def conv_bn(cin, cout, kernel, stride, groups=1):
    return [
        same_pad(kernel, stride),
        nn.Conv2d(cin, cout, kernel, stride, 0, groups=groups, bias=False),
        nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01),
        nn.ReLU6(inplace=True),
    ]


def mobilenet_v1(alpha=0.25, classes=10):
    width = lambda n: max(1, round(n * alpha))
    layers = conv_bn(3, width(32), 3, 2)
    cin = width(32)
    blocks = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
              (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]
    for filters, stride in blocks:
        layers += conv_bn(cin, cin, 3, stride, groups=cin)
        layers += conv_bn(cin, width(filters), 1, 1)
        cin = width(filters)
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes)]
    return nn.Sequential(*layers)


def measure(fn, warmup, reps, steps, batch):
    for _ in range(warmup):
        fn()
    rates = []
    cpu = []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(steps):
            fn()
        wall = time.perf_counter() - t0
        rates.append(steps * batch / wall)
        cpu.append(1000 * (time.process_time() - c0) / steps)
    return {"samplesPerSecond": statistics.median(rates), "all": rates, "cpuMsPerStep": statistics.median(cpu)}


def measure_all(phases, warmup, reps, steps, batch):
    """Like measure, interleaved: every repetition runs each phase once."""
    for fn in phases.values():
        for _ in range(warmup):
            fn()
    rates = {k: [] for k in phases}
    cpu = {k: [] for k in phases}
    for _ in range(reps):
        for name, fn in phases.items():
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(steps):
                fn()
            rates[name].append(steps * batch / (time.perf_counter() - t0))
            cpu[name].append(1000 * (time.process_time() - c0) / steps)
    return {k: {"samplesPerSecond": statistics.median(rates[k]), "all": rates[k], "cpuMsPerStep": statistics.median(cpu[k])} for k in phases}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="64,96")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    results = []
    for size in [int(s) for s in a.sizes.split(",")]:
        model = mobilenet_v1()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        x = torch.randn(a.batch, 3, size, size)
        y = torch.randint(0, 10, (a.batch,))
        loss_fn = nn.CrossEntropyLoss()

        def step_with(optimizer):
            def step():
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(x), y)
                loss.backward()
                optimizer.step()
                return loss.item()
            return step

        train_step = step_with(opt)

        def infer():
            with torch.no_grad():
                return model(x).sum().item()

        # The step as Graft's fine-tuning runs it (the reference's full fine-tune): BatchNorm in
        # inference mode, Adam with a backbone rate and a head rate.
        head = model[-1]
        backbone = [p for p in model.parameters() if all(p is not q for q in head.parameters())]
        fine_opt = torch.optim.Adam([{"params": backbone, "lr": 1e-4}, {"params": head.parameters(), "lr": 1e-3}])
        fine_tune_step = step_with(fine_opt)

        trunk = model[:-1]

        def features():
            with torch.no_grad():
                return trunk(x).sum().item()

        def train_mode_step():
            model.train()
            loss = train_step()
            model.eval()
            return loss

        model.eval()
        phases = {"train": train_mode_step, "graft": fine_tune_step, "infer": infer, "features": features}
        results.append({"size": size, **measure_all(phases, 2, a.reps, a.steps, a.batch)})
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"backend": "pytorch", "version": torch.__version__, "threads": torch.get_num_threads(),
                      "results": results, "peakRssMb": peak_kb / 1024}))


if __name__ == "__main__":
    main()
