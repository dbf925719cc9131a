"""S4D specifics the shared model checks cannot see: the FFT convolution is the causal convolution
with the S4D kernel, and the FLOP count includes the FFTs (the counter has no formula for them)."""

from __future__ import annotations

import torch

from benchmark.models import create_model
from benchmark.models.flops import _forward_flops
from benchmark.models.s4d import S4DLayer


def test_fft_convolution_is_the_causal_convolution():
    torch.manual_seed(0)
    layer = S4DLayer(d_model=4, d_state=8, dropout=0.0).eval()
    u = torch.randn(2, 4, 37)
    L = u.shape[-1]
    k = layer.kernel(L)
    direct = torch.zeros_like(u)
    for t in range(L):  # y[t] = sum_{s <= t} k[t - s] u[s]: causal, no wrap-around
        direct[..., t] = (k[:, : t + 1].flip(-1) * u[..., : t + 1]).sum(-1)
    expected = layer.output_linear(layer.activation(direct + u * layer.D.unsqueeze(-1)))
    torch.testing.assert_close(layer(u), expected, rtol=1e-4, atol=1e-4)
    u2 = u.clone()
    u2[..., 20:] += 1.0  # the future never changes the past
    torch.testing.assert_close(layer(u2)[..., :20], layer(u)[..., :20], rtol=1e-5, atol=1e-5)


def test_kernel_starts_stable_and_decaying():
    torch.manual_seed(0)
    k = create_model("s4d", d_model=8, d_state=16).stages[1].layer.kernel(2000)
    assert torch.isfinite(k).all()
    assert k[:, -100:].abs().max() < k[:, :100].abs().max()  # Re(A) < 0: the kernel decays


def test_flop_count_includes_the_ffts():
    with_ffts = _forward_flops("s4d", (("d_model", 32), ("layers", 2)), 12, 500)
    fewer_layers = _forward_flops("s4d", (("d_model", 32), ("layers", 1)), 12, 500)
    per_layer = with_ffts - fewer_layers
    # one layer: 1x1 conv 32 -> 64 over 250 steps (2 * 32 * 64 * 250 MACs as FLOPs = 1.02 M) plus three
    # real FFTs of 500 points over 32 channels (2.5 * 500 * log2(500) * 32 * 3 = 1.07 M) and the kernel
    conv = 2 * 32 * 64 * 250
    assert per_layer > conv + 1_000_000
