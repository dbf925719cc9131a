"""S4D: the diagonal structured state-space model (Gu, Gupta, Goel & Ré 2022, "On the
Parameterization and Initialization of Diagonal State Space Models", NeurIPS), in plain PyTorch.

The S4 family is the supervised reference of the MIMIC-IV-ECG-ICD benchmark (Strodthoff et al. 2024)
and of the PTB-XL state-space literature. This is the paper's minimal S4D (its ``s4d.py`` example):

- each of ``d_model`` channels is a complex diagonal SSM of ``d_state / 2`` conjugate pairs,
  ``A = -exp(log_A_real) + i·A_imag`` with the S4D-Lin initialisation (``A = -1/2 + iπn``), a
  learned step ``dt`` drawn log-uniformly in [0.001, 0.1], and ``C`` complex normal;
- its length-``L`` convolution kernel is the zero-order-hold Vandermonde product
  ``K[l] = 2·Re(Σ_n C_n (exp(dt·A_n) - 1) / A_n · exp(dt·A_n·l))``, rebuilt for each input length;
- the kernel is applied by FFT convolution (zero-padded to ``2L``: causal, no wrap-around), plus the
  skip term ``D·u``, then GELU and a 1×1 convolution + GLU mixing the channels.

No custom CUDA kernel: the Vandermonde product is an ``einsum`` and the convolution ``torch.fft``, so
the model runs on CPU and CUDA alike. A block is pre-LayerNorm (over channels), S4D layer, dropout,
residual. The input is average-pooled by ``downsample`` first (as the recurrent models are), then a
1×1 convolution lifts the 12 leads to ``d_model`` channels. Stages: the encoder, then one per block.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from benchmark.models._registry import register_model
from benchmark.models.base import StagedModel, global_pool


class S4DKernel(nn.Module):
    """The convolution kernel (H, L) of ``H`` diagonal SSMs with ``N / 2`` complex modes each."""

    def __init__(self, d_model: int, d_state: int = 64, dt_min: float = 0.001, dt_max: float = 0.1):
        super().__init__()
        H, N2 = d_model, max(1, d_state // 2)
        self.log_dt = nn.Parameter(torch.rand(H) * (math.log(dt_max) - math.log(dt_min)) + math.log(dt_min))
        self.C = nn.Parameter(torch.view_as_real(torch.randn(H, N2, dtype=torch.cfloat)))
        self.log_A_real = nn.Parameter(torch.log(0.5 * torch.ones(H, N2)))
        self.A_imag = nn.Parameter(math.pi * torch.arange(N2, dtype=torch.float32).repeat(H, 1))

    def forward(self, L: int) -> torch.Tensor:
        dt = torch.exp(self.log_dt)  # (H)
        C = torch.view_as_complex(self.C)  # (H, N/2)
        A = -torch.exp(self.log_A_real) + 1j * self.A_imag  # (H, N/2)
        dtA = A * dt.unsqueeze(-1)
        vander = torch.exp(dtA.unsqueeze(-1) * torch.arange(L, device=A.device, dtype=dt.dtype))  # (H, N/2, L)
        C = C * (torch.exp(dtA) - 1.0) / A
        return 2 * torch.einsum("hn,hnl->hl", C, vander).real


class S4DLayer(nn.Module):
    """(B, H, L) -> (B, H, L): FFT convolution with the S4D kernel, skip ``D``, GELU, 1×1 conv + GLU."""

    def __init__(self, d_model: int, d_state: int, dropout: float):
        super().__init__()
        self.kernel = S4DKernel(d_model, d_state)
        self.D = nn.Parameter(torch.randn(d_model))
        self.activation = nn.GELU()
        self.dropout = nn.Dropout(dropout)
        self.output_linear = nn.Sequential(nn.Conv1d(d_model, 2 * d_model, 1), nn.GLU(dim=-2))

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        L = u.shape[-1]
        k = self.kernel(L)  # (H, L)
        k_f = torch.fft.rfft(k, n=2 * L)
        u_f = torch.fft.rfft(u, n=2 * L)
        y = torch.fft.irfft(u_f * k_f, n=2 * L)[..., :L]
        y = y + u * self.D.unsqueeze(-1)
        return self.output_linear(self.dropout(self.activation(y)))


class S4DBlock(nn.Module):
    """Pre-norm residual block: ``x + dropout(S4D(LayerNorm(x)))`` on (B, H, L)."""

    def __init__(self, d_model: int, d_state: int, dropout: float):
        super().__init__()
        self.norm = nn.LayerNorm(d_model)
        self.layer = S4DLayer(d_model, d_state, dropout)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.norm(x.transpose(1, 2)).transpose(1, 2)
        return x + self.dropout(self.layer(z))


class S4DNet(StagedModel):
    def __init__(self, n_classes: int, in_leads: int, d_model: int, d_state: int, layers: int, downsample: int,
                 dropout: float):
        super().__init__(2 * d_model, n_classes, dropout)
        pool = nn.AvgPool1d(downsample, ceil_mode=True) if downsample > 1 else nn.Identity()
        self.stages.append(nn.Sequential(pool, nn.Conv1d(in_leads, d_model, 1)))
        for _ in range(layers):
            self.stages.append(S4DBlock(d_model, d_state, dropout))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return global_pool(self.forward_stages(x))


@register_model(family="s4d", min_length=8)
def s4d(n_classes: int = 1, in_leads: int = 12, d_model: int = 64, d_state: int = 64, layers: int = 4,
        downsample: int = 2, dropout: float = 0.1):
    """``downsample``: average-pooling of the input (2 = 50 steps per second at 100 Hz)."""
    return S4DNet(n_classes, in_leads, d_model, d_state, layers, downsample, dropout)
