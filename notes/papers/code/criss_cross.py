# kb-snippet: Criss-cross attention (CCNet) for C = 64, applied recurrently (R = 2, shared weights)
# requires: torch
# expect: params = 5201
# expect: output_shape = (2, 64, 16, 16)
# expect: matches_masked_full_attention = True
# expect: full_context_after_1_loop = False
# expect: full_context_after_2_loops = True
# source: Huang et al. 2019, "CCNet: Criss-Cross Attention for Semantic Segmentation", arXiv:1811.11721, Sec. 3 (criss-cross attention, recurrent criss-cross attention with R = 2); the count is derived by hand below
"""Criss-cross attention: each position u attends only to the H + W - 1 positions on its row and
its column (itself counted once), instead of all H*W positions as in a non-local block.

    Q = W_q X, K = W_k X (C -> C/8),  V = W_v X (C -> C)
    A_u = softmax over the cross of u of  Q_u . K_i
    H'_u = gamma * sum_{i in cross(u)} A_{u,i} V_i + X_u          (gamma learnable, starts at 0)

Parameters for C = 64 (all 1x1 convs with bias):
    W_q 64 -> 8   64*8 + 8    =   520
    W_k 64 -> 8   64*8 + 8    =   520
    W_v 64 -> 64  64*64 + 64  = 4,160
    gamma                     =     1
                      total   = 5,201
The recurrent module (RCCA) applies the same block R = 2 times, so R adds no parameters.

Checks:
- the row/column implementation equals a full H*W x H*W attention whose logits are masked to the
  cross (float64), i.e. the efficient form computes exactly what the definition says;
- after one pass, output pixel u depends only on the input on u's row and column, so the gradient
  of that pixel w.r.t. the input is zero elsewhere; after two passes, the gradient is non-zero at
  every position: u reaches any v through the pixel at (row of u, column of v). gamma is set to 0.5
  for this check, because at its initial value 0 the block is the identity and passes nothing.
"""

import torch
from torch import nn


class CrissCrossAttention(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.query = nn.Conv2d(channels, channels // 8, 1)
        self.key = nn.Conv2d(channels, channels // 8, 1)
        self.value = nn.Conv2d(channels, channels, 1)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        b, c, h, w = x.shape
        q, k, v = self.query(x), self.key(x), self.value(x)
        e_col = torch.einsum("bchw,bcgw->bhwg", q, k)          # same column, other rows g
        self_mask = torch.eye(h, dtype=torch.bool, device=x.device).view(1, h, 1, h)
        e_col = e_col.masked_fill(self_mask, float("-inf"))    # u itself is counted in the row part
        e_row = torch.einsum("bchw,bchg->bhwg", q, k)          # same row, other columns g
        attn = torch.cat([e_col, e_row], dim=-1).softmax(dim=-1)
        a_col, a_row = attn[..., :h], attn[..., h:]
        out = torch.einsum("bhwg,bcgw->bchw", a_col, v) + torch.einsum("bhwg,bchg->bchw", a_row, v)
        return self.gamma * out + x


def masked_full_attention(m, x):
    b, c, h, w = x.shape
    q = m.query(x).flatten(2)                                  # (B, C', N)
    k = m.key(x).flatten(2)
    v = m.value(x).flatten(2)                                  # (B, C, N)
    rows = torch.arange(h).repeat_interleave(w)
    cols = torch.arange(w).repeat(h)
    cross = (rows[:, None] == rows[None, :]) | (cols[:, None] == cols[None, :])   # (N, N)
    logits = (q.transpose(1, 2) @ k).masked_fill(~cross, float("-inf"))
    out = v @ logits.softmax(dim=-1).transpose(1, 2)
    return m.gamma * out.view(b, c, h, w) + x


def full_context(m, loops, h=5, w=7, pixel=(1, 2)):
    x = torch.randn(1, 64, h, w, dtype=torch.float64, requires_grad=True)
    y = x
    for _ in range(loops):
        y = m(y)
    y[0, :, pixel[0], pixel[1]].sum().backward()
    reach = x.grad[0].abs().sum(dim=0)                         # (H, W)
    return bool((reach > 0).all())


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    cca = CrissCrossAttention(64)
    params = sum(p.numel() for p in cca.parameters())
    with torch.no_grad():
        x = torch.randn(2, 64, 16, 16)
        y = cca(cca(x))                                        # R = 2, shared weights

    m = CrissCrossAttention(64).double()
    with torch.no_grad():
        m.gamma.fill_(0.5)
        x64 = torch.randn(2, 64, 6, 9, dtype=torch.float64)
        diff = (m(x64) - masked_full_attention(m, x64)).abs().max().item()

    print(f"params = {params}")
    print(f"output_shape = {tuple(y.shape)}")
    print(f"matches_masked_full_attention = {diff < 1e-9}")
    print(f"full_context_after_1_loop = {full_context(m, 1)}")
    print(f"full_context_after_2_loops = {full_context(m, 2)}")


if __name__ == "__main__":
    main()
