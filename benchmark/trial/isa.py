"""The instruction-set level every CPU number is computed at, pinned so that a study re-derives on
another x86-64 machine: PyTorch's ATen kernels (``ATEN_CPU_CAPABILITY``), oneDNN's convolutions
(``ONEDNN_MAX_CPU_ISA``) and numba's compiled rocket transforms (``NUMBA_CPU_NAME``) otherwise
dispatch to the widest vectors the CPU has (AVX-512, AMX), which round differently from AVX2.

:data:`LEVEL` is AVX2 with FMA (x86-64-v3: Intel Haswell and later, AMD Zen and later). The pins
are environment defaults set when ``benchmark`` is imported, before torch or numba load: a value
already in the environment is kept (``ATEN_CPU_CAPABILITY=avx512`` to trade reproducibility for
speed on a large machine), and :func:`settings` records what is in effect with every trial. GPUs
are not affected.
"""

from __future__ import annotations

import os

LEVEL = "x86-64-v3 (AVX2 + FMA)"
PINS = {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "NUMBA_CPU_NAME": "haswell"}


def pin() -> None:
    for name, value in PINS.items():
        os.environ.setdefault(name, value)


def settings() -> dict:
    """What a trial's CPU numbers were computed with (stored with it; ``reproduce`` compares)."""
    out = {name: os.environ.get(name, "") for name in PINS}
    try:
        import torch

        out["torch_cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    except Exception:  # noqa: BLE001 - recorded, never fatal
        out["torch_cpu_capability"] = "unknown"
    return out
