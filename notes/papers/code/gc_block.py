# kb-snippet: GC block (GCNet) for C = 256, bottleneck ratio r = 1/4, add fusion
# requires: torch
# expect: params = 33473
# expect: output_shape = (2, 256, 16, 16)
# expect: added_term_same_at_every_position = True
# source: Cao, Xu, Lin, Wei & Hu 2019, "GCNet: Non-local Networks Meet Squeeze-Excitation Networks and Beyond", arXiv:1904.11492, Sec. 4 (global context block); the count is derived by hand below
"""A global context (GC) block, written from the paper's three-step description:

1. context modelling: a 1x1 conv W_k (C -> 1) gives one logit per position, softmax over all H*W
   positions turns them into one attention map, and the weighted sum of the input features gives a
   single context vector of length C (the same for every query position: query-independent);
2. transform: a bottleneck 1x1 conv C -> C*r, LayerNorm over the C*r values, ReLU, 1x1 conv C*r -> C;
3. fusion: add the transformed vector to the feature of every position.

Parameter count for C = 256, r = 1/4 (bottleneck width 64), every conv with a bias:
    context conv   256*1 + 1             =    257
    conv 256 -> 64 256*64 + 64           = 16,448
    LayerNorm(64)  weight + bias 2*64    =    128
    conv 64 -> 256 64*256 + 256          = 16,640
                                  total  = 33,473
For comparison an SE block at r = 1/16 on 256 channels has 8,464 (see the SE note).

The extra check makes the point of the paper's simplification visible: y - x is one vector
broadcast over all positions, so the block costs one attention map, not H*W of them. The last conv
is given random weights here (the reference code starts it at zero so that a freshly inserted block
is the identity, which would make this check trivially true).
"""

import torch
from torch import nn


class GCBlock(nn.Module):
    def __init__(self, channels: int, ratio: float = 0.25):
        super().__init__()
        hidden = int(channels * ratio)
        self.context_logits = nn.Conv2d(channels, 1, kernel_size=1)          # W_k
        self.transform = nn.Sequential(
            nn.Conv2d(channels, hidden, kernel_size=1),                        # W_v1
            nn.LayerNorm([hidden, 1, 1]),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, channels, kernel_size=1),                        # W_v2
        )

    def context(self, x):
        b, c, h, w = x.shape
        attn = self.context_logits(x).view(b, 1, h * w).softmax(dim=-1)     # (B, 1, HW)
        feats = x.view(b, c, h * w)                                          # (B, C, HW)
        return torch.bmm(feats, attn.transpose(1, 2)).view(b, c, 1, 1)       # (B, C, 1, 1)

    def forward(self, x):
        return x + self.transform(self.context(x))                          # add fusion


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    block = GCBlock(256, ratio=0.25)
    params = sum(p.numel() for p in block.parameters())
    x = torch.randn(2, 256, 16, 16)
    with torch.no_grad():
        y = block(x)
    added = y - x                                                           # (2, 256, 16, 16)
    same = torch.allclose(added, added[:, :, :1, :1].expand_as(added), atol=1e-6)
    print(f"params = {params}")
    print(f"output_shape = {tuple(y.shape)}")
    print(f"added_term_same_at_every_position = {same}")


if __name__ == "__main__":
    main()
