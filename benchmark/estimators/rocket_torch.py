"""MiniRocket and MultiRocket transforms in PyTorch, with the parameters of a *fitted* sktime
transformer, so that the transform runs on the study's device (a GPU) instead of numba on the host.

sktime's ``fit`` is kept: it is cheap and draws everything the transform uses (dilations, features
per dilation, channel combinations, biases; ``MiniRocketMultivariate.parameters``,
``MultiRocketMultivariate.parameter`` / ``parameter1``). :func:`transform` computes the same
features as the fitted transformer's ``transform``, in the same column order, to float32 tolerance
(``tests/estimators/test_rocket_torch.py``): the convolution outputs are rounded step by step as sktime's
numba code rounds them, because real ECGs are quantised and an output equal to a bias is common
(a sum rounded in another order would put it on the other side of the bias).

How: the 84 fixed MiniRocket kernels (weights -1, and 2 at three of nine taps) apply the same
weights to every channel of a combination; per dilation, the alpha (-X) and gamma (3X) shifts of
every channel are computed once, and every kernel's output is gathered from them for all records
at once (kernels grouped by their number of channels). MiniRocket's PPV (share of outputs above a
bias) and MultiRocket's four pooling operators (PPV, longest stretch
below the bias, mean of positive values, mean index of positives) are masked reductions over
(record, kernel, bias, time), taken in chunks of records.

Quirks of sktime 1.2 reproduced on purpose (the features must be sktime's): MultiRocket's
first-difference branch sums the channels of the base ``parameter``'s *first* combination for
every kernel (its loop never advances the combination index), reads its four left taps one
sample later than the dilation implies (its ``end`` counts the undifferenced length), and its
"mean of positive values" adds the bias to each positive value. ROCKET is not ported.

Speed (``scripts/bench_rocket.py``): on a 2-core CPU sktime's numba transform is the faster one,
so the baselines use this module only on a CUDA device (:func:`use_torch`).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import torch

from benchmark.errors import ConfigError

_INDICES = np.array(list(combinations(range(9), 3)), dtype=np.int64)  # sktime's 84 kernels, same order
SUPPORTED = ("MiniRocketMultivariate", "MultiRocketMultivariate")


def use_torch(features: str, device: str) -> bool:
    """Whether a baseline computes ``features`` with this module on ``device``: MiniRocket and
    MultiRocket on CUDA devices; on the CPU sktime's numba transform was measured faster."""
    return features in ("minirocket", "multirocket") and str(device).startswith("cuda")


def supports(fitted) -> bool:
    """Whether :func:`transform` can run this fitted sktime transformer."""
    return type(fitted).__name__ in SUPPORTED


def transform(fitted, X: np.ndarray, device: str = "cpu", max_elements: int | None = None) -> np.ndarray:
    """The features of ``X`` (n, channels, T) under a fitted sktime MiniRocketMultivariate or
    MultiRocketMultivariate, as a float32 (n, features) array, computed with torch on ``device``.
    ``max_elements`` bounds the largest intermediate tensor (records are taken in chunks)."""
    name = type(fitted).__name__
    if name not in SUPPORTED:
        raise ConfigError(f"no torch transform for {name}; torch runs {', '.join(SUPPORTED)}")
    X = np.asarray(X)
    if X.ndim != 3:
        raise ConfigError(f"rocket input must be (records, channels, samples), got shape {X.shape}")
    budget = max_elements or (1 << 28 if str(device).startswith("cuda") else 1 << 23)
    with torch.no_grad():
        if name == "MiniRocketMultivariate":
            return _minirocket(fitted.parameters, X, device, budget)
        return _multirocket(fitted, X, device, budget)


# ------------------------------------------------------------------------------ shared pieces
def _channels(parameters, n_channels: int, n_dilations: int, device, first_only: bool = False) -> torch.Tensor:
    """(dilations, 84, 9) channel indices of each (dilation, kernel) combination, in sktime's order,
    padded at the end with ``n_channels`` (an all-zero channel); ``first_only``: the first combination for
    all, as sktime's MultiRocket difference branch does."""
    per, idx = np.asarray(parameters[0]), np.asarray(parameters[1])
    if len(per) < 84 * n_dilations:
        raise ConfigError(f"fitted rocket holds {len(per)} channel combinations, {84 * n_dilations} needed")
    out = np.full((84 * n_dilations, 9), n_channels, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(per)])
    for c in range(84 * n_dilations):
        first = 0 if first_only else c
        chosen = idx[starts[first]:starts[first + 1]]
        out[c, :len(chosen)] = chosen
    return torch.from_numpy(out.reshape(n_dilations, 84, 9)).to(device)


def _shifted(Y: torch.Tensor, s: int) -> torch.Tensor:
    """``out[..., t] = Y[..., t + s]``, zero outside."""
    T = Y.shape[-1]
    if s >= 0:
        return torch.nn.functional.pad(Y[..., s:], (0, min(s, T)))
    return torch.nn.functional.pad(Y[..., :T + s], (min(-s, T), 0))


def _outputs(X: torch.Tensor, channels: torch.Tensor, dilation: int, diff_quirk: bool = False) -> torch.Tensor:
    """(b, 84, T) float32 outputs of the 84 kernels at ``dilation`` on ``X`` (b, C, T), summed over
    each kernel's ``channels`` (84, 9). Rounded as sktime rounds them, step by step: the alpha
    (-X) taps accumulated left taps then right taps (in ``X``'s precision, stored as float32 after
    each step), then per channel ``((alpha + 3X_i0) + 3X_i1) + 3X_i2``, then the channels added in
    order; equal outputs tie with a bias exactly as in sktime (real ECGs are quantised, so outputs
    equal to a bias are common). ``diff_quirk``: the four left taps read one sample later, as
    sktime's MultiRocket difference branch does (its ``end`` counts the undifferenced length)."""
    b, _, T = X.shape
    X = torch.cat([X, X.new_zeros((b, 1, T))], 1)  # the padding channel
    A, G = -X, (X + X) + X
    offsets = [(g - 4) * dilation + (1 if diff_quirk and g < 4 else 0) for g in range(9)]
    alpha = A.float()
    for g in (0, 1, 2, 3, 5, 6, 7, 8):
        alpha = (alpha.to(A.dtype) + _shifted(A, offsets[g])).float()
    gamma = torch.stack([_shifted(G, o).float() for o in offsets], 1)  # (b, 9, C + 1, T)
    taps = torch.from_numpy(_INDICES).to(X.device)
    out = alpha.new_empty((b, 84, T))
    pad = X.shape[1] - 1
    used = (channels != pad).sum(1)
    for n in used.unique().tolist():  # kernels by their number of channels: no work on padding
        k = (used == n).nonzero()[:, 0]
        ch = channels[k, :n]
        C = alpha[:, ch]  # (b, kernels, n, T)
        for j in range(3):
            C = C + gamma[:, taps[k, j, None], ch]
        total = C[:, :, 0]
        for slot in range(1, n):
            total = total + C[:, :, slot]
        out[:, k] = total
    return out


def _chunks(n: int, per_record: int, budget: int):
    step = max(1, budget // max(per_record, 1))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


def _groups(dilation_index: int):
    """Kernels whose outputs are pooled whole (``False``) or without the padded ends (``True``):
    sktime alternates by ``(dilation_index + kernel_index) % 2``."""
    k = np.arange(84)
    for cropped in (False, True):
        sel = np.flatnonzero(((dilation_index + k) % 2 == 1) == cropped)
        yield cropped, torch.from_numpy(sel)


# ------------------------------------------------------------------------------ MiniRocket
def _minirocket(parameters, X: np.ndarray, device, budget: int) -> np.ndarray:
    _, _, dilations, per_dilation, biases = parameters
    n, n_channels, T = X.shape
    M = _channels(parameters, n_channels, len(dilations), device)
    B = torch.from_numpy(np.asarray(biases, dtype=np.float32)).to(device)
    out = torch.empty((n, len(B)), dtype=torch.float32, device=device)
    for rows in _chunks(n, 42 * int(np.max(per_dilation)) * T * 2, budget):
        x = torch.from_numpy(np.ascontiguousarray(X[rows], dtype=np.float32)).to(device)
        start = 0
        for d, (dilation, nf) in enumerate(zip(dilations, per_dilation)):
            dilation, nf = int(dilation), int(nf)
            C = _outputs(x, M[d], dilation)
            b = B[start:start + 84 * nf].view(84, nf)
            feats = torch.empty((x.shape[0], 84, nf), dtype=torch.float32, device=device)
            pad = 4 * dilation
            for cropped, sel in _groups(d):
                sel = sel.to(device)
                c = C[:, sel, pad:T - pad] if cropped else C[:, sel]
                above = (c[:, :, None, :] > b[sel][None, :, :, None]).sum(-1, dtype=torch.int32)
                feats[:, sel] = above.to(torch.float32) / c.shape[-1]
            out[rows, start:start + 84 * nf] = feats.reshape(x.shape[0], -1)
            start += 84 * nf
    return out.cpu().numpy()


# ------------------------------------------------------------------------------ MultiRocket
def _pool4(c: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """sktime MultiRocket's PPV, LSPV, MPV, MIPV of outputs ``c`` (r, k, L) for biases ``b`` (k, f)."""
    L = c.shape[-1]
    above = c[:, :, None, :] > b[None, :, :, None]  # (r, k, f, L)
    below = c[:, :, None, :] < b[None, :, :, None]
    count = above.sum(-1)
    j = torch.arange(L, device=c.device)
    # "mean of positive values" as sktime sums it: value + bias over the positives, in float64
    pos_sum = torch.where(above, c[:, :, None, :] + b[None, :, :, None], 0.0).sum(-1, dtype=torch.float64)
    idx_sum = (above * j).sum(-1).double()
    # longest stretch: gaps between successive indices below the bias, from 0, and to L - 1
    last = torch.where(below, j, 0).cummax(-1).values
    prev = torch.nn.functional.pad(last[..., :-1], (1, 0))
    gaps = torch.where(below, j - prev, 0).amax(-1)
    lspv = torch.maximum(gaps, (L - 1) - last[..., -1])
    has = count > 0
    ppv = count.double() / L
    mpv = torch.where(has, pos_sum / count.clamp(min=1), 0.0)
    mipv = torch.where(has, idx_sum / count.clamp(min=1), -1.0)
    return ppv, lspv.double(), mpv, mipv


def _multirocket_branch(x: torch.Tensor, parameters, combos_from, diff: bool, out: torch.Tensor, offset: int,
                        n_features: int) -> None:
    _, _, dilations, per_dilation, biases = parameters
    device = x.device
    M = _channels(combos_from, x.shape[1], len(dilations), device, first_only=diff)
    B = torch.from_numpy(np.asarray(biases, dtype=np.float32)).to(device)
    T = x.shape[-1]
    start = 0
    for d, (dilation, nf) in enumerate(zip(dilations, per_dilation)):
        dilation, nf = int(dilation), int(nf)
        C = _outputs(x, M[d], dilation, diff_quirk=diff)
        b = B[start:start + 84 * nf].view(84, nf)
        pad = 4 * dilation
        for cropped, sel in _groups(d):
            sel = sel.to(device)
            c = C[:, sel, pad:T - pad] if cropped else C[:, sel]
            cols = (start + sel[:, None] * nf + torch.arange(nf, device=device)).reshape(-1)
            for s, value in enumerate(_pool4(c, b[sel])):
                out[:, offset + s * n_features + cols] = value.reshape(x.shape[0], -1).to(torch.float32)
        start += 84 * nf


def _multirocket(fitted, X: np.ndarray, device, budget: int) -> np.ndarray:
    if getattr(fitted, "n_features_per_kernel", 4) != 4:
        raise ConfigError("the torch MultiRocket computes sktime's 4 pooling operators; n_features_per_kernel must be 4")
    X = np.asarray(X, dtype=np.float64)
    if fitted.normalise:
        X = (X - X.mean(axis=-1, keepdims=True)) / (X.std(axis=-1, keepdims=True) + 1e-8)
    X1 = np.diff(X, 1)
    n, _, T = X.shape
    n_features = 84 * int(np.sum(fitted.parameter[3]))
    n_features1 = 84 * int(np.sum(fitted.parameter1[3]))
    width = (n_features + n_features1) * 4
    out = torch.zeros((n, width), dtype=torch.float32, device=device)
    max_f = int(max(np.max(fitted.parameter[3]), np.max(fitted.parameter1[3])))
    for rows in _chunks(n, 42 * max_f * T * 6, budget):
        view = out[rows]
        for arr, params, diff, offset in ((X, fitted.parameter, False, 0), (X1, fitted.parameter1, True, width // 2)):
            x = torch.from_numpy(np.ascontiguousarray(arr[rows])).to(device)  # float64, as sktime reads it
            _multirocket_branch(x, params, fitted.parameter, diff, view, offset, n_features)
        out[rows] = view
    return torch.nan_to_num(out).cpu().numpy()
