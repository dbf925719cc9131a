"""Forward FLOPs of one record through a registered model, counted before any training.

PyTorch's ``FlopCounterMode`` counts the convolutions, matmuls and attention of a forward pass on one
random record. Its CPU LSTM kernel (``aten::lstm``) has no FLOP formula and counts 0, so every
recurrent module (``nn.RNNBase``) is counted analytically instead: each weight matrix is used once per
time step and direction, i.e. ``2 * weights * steps`` multiply-adds (what the counter reports for GRU).
The counter has no formula for FFTs either (S4D convolves by FFT): a complex FFT of ``n`` points is
counted as ``5 n log2 n`` FLOPs and a real one (``rfft``/``irfft``) as half that, the usual radix-2
figure (Van Loan 1992, "Computational Frameworks for the Fast Fourier Transform").
Counts are cached per (model, kwargs, leads, length, package and torch version) in the process and
in ``<cache>/flops.json`` (a count never changes for a given code version, and a long recurrent forward
takes seconds to count).
"""

from __future__ import annotations

import functools
import json
import math

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from benchmark.atomic import write_text
import benchmark
from benchmark.data.paths import cache_dir
from benchmark.models._registry import create_model


def _rnn_flops(module: nn.RNNBase, steps: int) -> int:
    weights = sum(p.numel() for name, p in module.named_parameters() if name.startswith("weight"))
    return 2 * weights * steps


def _fft_points(shape, dims) -> tuple[int, int]:
    """(points per transform, number of transforms) of an FFT over ``dims`` of ``shape``."""
    n = math.prod(int(shape[d]) for d in dims)
    return n, math.prod(int(s) for s in shape) // max(n, 1)


def _fft_flops(n: int, count: int, complex_input: bool) -> int:
    return int((5.0 if complex_input else 2.5) * n * math.log2(max(n, 2)) * count)


def _r2c_flops(x_shape, dim, *args, out_shape=None, **kwargs) -> int:
    return _fft_flops(*_fft_points(x_shape, dim), complex_input=False)


def _c2r_flops(x_shape, dim, *args, out_shape=None, **kwargs) -> int:
    return _fft_flops(*_fft_points(out_shape, dim), complex_input=False)


def _c2c_flops(x_shape, dim, *args, out_shape=None, **kwargs) -> int:
    return _fft_flops(*_fft_points(x_shape, dim), complex_input=True)


FFT_FORMULAS = {torch.ops.aten._fft_r2c: _r2c_flops, torch.ops.aten._fft_c2r: _c2r_flops,
                torch.ops.aten._fft_c2c: _c2c_flops}


@functools.lru_cache(maxsize=4096)
def _forward_flops(model: str, kwargs: tuple, in_leads: int, length: int) -> int:
    torch.manual_seed(0)
    net = create_model(model, in_leads=in_leads, **dict(kwargs)).eval()
    rnn_steps: dict[str, int] = {}
    names = {module: name for name, module in net.named_modules()}

    def record(module, args, _out):
        x = args[0]
        steps = x.shape[0] if not module.batch_first else x.shape[1]
        rnn_steps[names[module]] = rnn_steps.get(names[module], 0) + int(steps)

    hooks = [m.register_forward_hook(record) for m in net.modules() if isinstance(m, nn.RNNBase)]
    try:
        with FlopCounterMode(display=False, custom_mapping=FFT_FORMULAS) as counter:
            net(torch.randn(1, in_leads, length))
    finally:
        for hook in hooks:
            hook.remove()
    total = int(counter.get_total_flops())
    counts = counter.get_flop_counts()
    for name, steps in rnn_steps.items():
        module = net.get_submodule(name)
        counted = sum(counts.get(f"{type(net).__name__}.{name}", {}).values())
        total += _rnn_flops(module, steps) - int(counted)
    return total


def _disk_path():
    return cache_dir() / "flops.json"


@functools.lru_cache(maxsize=1)
def _disk() -> dict:
    try:
        return json.loads(_disk_path().read_text())
    except (OSError, ValueError):
        return {}


def _save(key: str, flops: int) -> None:
    """Merge one count into the disk cache (atomic replace; a lost race only costs a recount)."""
    path = _disk_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            stored = json.loads(path.read_text())
        except (OSError, ValueError):
            stored = {}
        stored[key] = flops
        write_text(path, json.dumps(stored, sort_keys=True))
    except OSError:
        pass  # a read-only cache only costs recounting


def forward_flops(model: str, kwargs: dict, in_leads: int, length: int) -> int:
    """FLOPs of one forward pass of one ``in_leads`` × ``length`` record through ``model(**kwargs)``."""
    items = tuple(sorted(kwargs.items()))
    key = f"{benchmark.__version__}|{torch.__version__}|{model}|{items!r}|{in_leads}|{int(length)}"
    cached = _disk().get(key)
    if cached is not None:
        return int(cached)
    flops = _forward_flops(model, items, in_leads, int(length))
    _disk()[key] = flops
    _save(key, flops)
    return flops
