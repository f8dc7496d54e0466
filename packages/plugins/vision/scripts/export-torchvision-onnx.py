#!/usr/bin/env python3
"""Export a torchvision CNN with seeded random weights to ONNX, plus PyTorch's output on a seeded input.

Used by @graft/vision's ONNX parity tests (fixtures are generated at test time, never committed).
Usage: export-torchvision-onnx.py <arch> <size> <out_dir> [batch]
Writes <out_dir>/<arch>.onnx, <arch>.input.bin (float32 NCHW), <arch>.output.bin (float32 logits),
<arch>.json (shapes), <arch>.safetensors (the state dict of a second, differently seeded model) and
<arch>.sd-output.bin (its output). Needs Debian's python3-torch, python3-torchvision and python3-onnx.
"""
import json
import os
import sys

import torch
import torchvision


def main() -> None:
    arch, size, out_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    torch.manual_seed(0)
    model = getattr(torchvision.models, arch)(weights=None, num_classes=10)
    perturb_norms(model)
    model.eval()
    x = torch.rand(batch, 3, size, size, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        y = model(x)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"{arch}.onnx")
    # A TRAINING-mode export traces the model in train mode, which would move the BN running statistics by
    # one batch of the dummy input; momentum 0 keeps them, and the file gets the real momenta back below.
    momenta = {}
    for name, m in model.named_modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            momenta[name] = m.momentum
            m.momentum = 0.0
    torch.onnx.export(model, x, path, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13,
                      # TRAINING keeps BatchNormalization nodes (EVAL folds them into the convolutions), so the
                      # imported graph trains like the PyTorch one; the reference output above is eval mode.
                      training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False)
    restore_momenta(path, momenta)
    # A second set of weights (another seed) as a safetensors state dict, with PyTorch's output under it.
    for name, m in model.named_modules():
        if name in momenta:
            m.momentum = momenta[name]
    torch.manual_seed(2)
    other = getattr(torchvision.models, arch)(weights=None, num_classes=10)
    perturb_norms(other)
    other.eval()
    with torch.no_grad():
        other(x).numpy().astype("<f4").tofile(os.path.join(out_dir, f"{arch}.sd-output.bin"))
    write_safetensors(os.path.join(out_dir, f"{arch}.safetensors"), other.state_dict())
    x.numpy().astype("<f4").tofile(os.path.join(out_dir, f"{arch}.input.bin"))
    y.numpy().astype("<f4").tofile(os.path.join(out_dir, f"{arch}.output.bin"))
    with open(os.path.join(out_dir, f"{arch}.json"), "w") as f:
        json.dump({"input": list(x.shape), "output": list(y.shape)}, f)


def perturb_norms(model: torch.nn.Module) -> None:
    """Non-trivial BN statistics and affine weights, so the tests check that all four are imported."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)


def write_safetensors(path: str, state: dict) -> None:
    """The state dict in the safetensors layout (8-byte header length, JSON header, raw little-endian data)."""
    header, chunks, offset = {}, [], 0
    for key, t in state.items():
        data = t.detach().cpu().contiguous().numpy()
        dtype = {"float32": "F32", "int64": "I64"}[str(data.dtype)]
        raw = data.astype(data.dtype.newbyteorder("<")).tobytes()
        header[key] = {"dtype": dtype, "shape": list(data.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    blob = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(len(blob).to_bytes(8, "little"))
        f.write(blob)
        for c in chunks:
            f.write(c)


def restore_momenta(path: str, momenta: dict) -> None:
    """Set each BatchNormalization node's momentum to ONNX's 1 - PyTorch momentum of its module."""
    import onnx

    model = onnx.load(path)
    for node in model.graph.node:
        if node.op_type != "BatchNormalization":
            continue
        module = node.input[1].rsplit(".", 1)[0]
        for attr in node.attribute:
            if attr.name == "momentum" and module in momenta:
                attr.f = 1.0 - momenta[module]
    onnx.save(model, path)


if __name__ == "__main__":
    main()
