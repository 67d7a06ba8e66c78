# kb-snippet: Swin-T (patch 4, window 7, C = 96, depths 2-2-6-2, heads 3-6-12-24), torchvision swin_t layout
# requires: torch
# expect: params = 28288354
# expect: output_shape = (1, 1000)
# source: Liu et al. 2021, "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows", arXiv:2103.14030, Sec. 3.3 (Swin-T) and Table 1 (28M); torchvision swin_t has 28,288,354 parameters
"""Swin-T: self-attention inside non-overlapping 7x7 windows, with every second block shifting the
window grid by 3 tokens so information crosses window borders, and patch merging between stages
(a 4x4 patch embedding, then 1/8, 1/16, 1/32 resolution) to give a CNN-like pyramid.

Per block with width C and h heads: two LayerNorms 4C, qkv 3C*C + 3C, projection C*C + C,
relative position bias table (2*7-1)^2 * h = 169h, MLP 8C*C + 5C, i.e. 12C^2 + 13C + 169h:
    stage 1 (C=96, h=3)   2 blocks:    224,694     merging LN 8C + Linear 4C->2C (no bias): 74,496
    stage 2 (C=192, h=6)  2 blocks:    891,756     merging: 296,448
    stage 3 (C=384, h=12) 6 blocks: 10,658,952     merging: 1,182,720
    stage 4 (C=768, h=24) 2 blocks: 14,183,856
    patch embedding 3*96*16 + 96 + LN 192 = 4,896; final LN 1,536; head 768*1000 + 1000 = 769,000
                                                                        total 28,288,354
"""

import torch
from torch import nn
import torch.nn.functional as F


class DropPath(nn.Module):
    """Stochastic depth: during training drop a sample's whole residual branch with probability p."""

    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        keep = torch.rand(x.shape[0], *([1] * (x.dim() - 1)), device=x.device) >= self.p
        return x * keep / (1.0 - self.p)  # rescale so the expected output is unchanged


def to_windows(x, w):
    """(B, H, W, C) -> (B * H/w * W/w, w*w, C), one row of tokens per window."""
    b, h, wd, c = x.shape
    x = x.view(b, h // w, w, wd // w, w, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(-1, w * w, c)


def from_windows(x, w, b, h, wd):
    """Inverse of `to_windows`."""
    c = x.shape[-1]
    x = x.view(b, h // w, wd // w, w, w, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(b, h, wd, c)


class WindowAttention(nn.Module):
    """Multi-head attention within each window, plus a learned bias per relative offset and head."""

    def __init__(self, dim: int, heads: int, window: int, shift: int):
        super().__init__()
        self.heads = heads
        self.window = window
        self.shift = shift
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        # Offsets between two tokens of a window range over (2w-1) x (2w-1) values; one bias each.
        self.bias_table = nn.Parameter(torch.randn((2 * window - 1) ** 2, heads) * 0.02)
        ys, xs = torch.meshgrid(torch.arange(window), torch.arange(window), indexing="ij")
        coords = torch.stack([ys.flatten(), xs.flatten()])  # (2, w*w)
        offset = coords[:, :, None] - coords[:, None, :] + (window - 1)  # shifted to start at 0
        self.register_buffer("bias_index", offset[0] * (2 * window - 1) + offset[1], persistent=False)

    def region_mask(self, h, wd, device):
        """-inf between tokens that the cyclic shift made neighbours but that are not in the image."""
        labels = torch.zeros(1, h, wd, 1, device=device)
        w, s = self.window, self.shift
        region = 0
        for rows in (slice(0, h - w), slice(h - w, h - s), slice(h - s, h)):
            for cols in (slice(0, wd - w), slice(wd - w, wd - s), slice(wd - s, wd)):
                labels[:, rows, cols, :] = region
                region += 1
        labels = to_windows(labels, w).squeeze(-1)  # (windows, w*w)
        different = labels[:, :, None] != labels[:, None, :]
        return torch.zeros(different.shape, device=device).masked_fill(different, float("-inf"))

    def forward(self, x):
        b, h, wd, c = x.shape
        w = self.window
        # Pad to whole windows; 224x224 inputs never need it, other sizes might.
        pad_h, pad_w = (-h) % w, (-wd) % w
        x = F.pad(x, (0, 0, 0, pad_w, 0, pad_h))
        ph, pw = h + pad_h, wd + pad_w
        if self.shift:
            x = torch.roll(x, shifts=(-self.shift, -self.shift), dims=(1, 2))

        tokens = to_windows(x, w)  # (B*nW, N, C)
        n = tokens.shape[1]
        q, k, v = self.qkv(tokens).view(-1, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        scores = (q @ k.transpose(-2, -1)) * (c // self.heads) ** -0.5
        bias = self.bias_table[self.bias_index.flatten()].view(n, n, -1).permute(2, 0, 1)
        scores = scores + bias
        if self.shift:
            mask = self.region_mask(ph, pw, x.device)  # (nW, N, N)
            windows = mask.shape[0]
            scores = scores.view(b, windows, self.heads, n, n) + mask[None, :, None]
            scores = scores.view(-1, self.heads, n, n)
        y = (scores.softmax(dim=-1) @ v).transpose(1, 2).reshape(-1, n, c)
        y = from_windows(self.proj(y), w, b, ph, pw)

        if self.shift:
            y = torch.roll(y, shifts=(self.shift, self.shift), dims=(1, 2))
        return y[:, :h, :wd, :].contiguous()


class SwinBlock(nn.Module):
    def __init__(self, dim, heads, window, shift, drop_path):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = WindowAttention(dim, heads, window, shift)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))
        self.drop_path = DropPath(drop_path)

    def forward(self, x):
        x = x + self.drop_path(self.attn(self.norm1(x)))
        return x + self.drop_path(self.mlp(self.norm2(x)))


class PatchMerging(nn.Module):
    """Halve the resolution: concatenate each 2x2 group of tokens (4C) and project to 2C."""

    def __init__(self, dim):
        super().__init__()
        self.norm = nn.LayerNorm(4 * dim)
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)

    def forward(self, x):
        x = F.pad(x, (0, 0, 0, x.shape[2] % 2, 0, x.shape[1] % 2))
        x = torch.cat([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]], dim=-1)
        return self.reduction(self.norm(x))


class SwinTransformer(nn.Module):
    def __init__(self, image=224, patch=4, dim=96, depths=(2, 2, 6, 2), heads=(3, 6, 12, 24), window=7,
                 drop_path=0.2, num_classes=1000):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)
        self.embed_norm = nn.LayerNorm(dim)
        rates = torch.linspace(0, drop_path, sum(depths)).tolist()  # deeper blocks drop more often
        layers = []
        size = image // patch
        for stage, (depth, h) in enumerate(zip(depths, heads, strict=True)):
            for i in range(depth):
                # When one window covers the whole map (stage 4 at 224x224), shifting would only
                # wrap tokens around, so those blocks stay unshifted.
                shift = window // 2 if i % 2 == 1 and size > window else 0
                layers.append(SwinBlock(dim, h, window, shift, rates.pop(0)))
            if stage < len(depths) - 1:
                layers.append(PatchMerging(dim))
                dim *= 2
                size = (size + 1) // 2
        self.layers = nn.Sequential(*layers)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, x):
        x = self.embed_norm(self.patch_embed(x).permute(0, 2, 3, 1))  # channels last: (B, H, W, C)
        x = self.norm(self.layers(x))
        return self.head(x.mean(dim=(1, 2)))


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = SwinTransformer().eval()
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.randn(1, 3, 224, 224))
    print(f"params = {params}")
    print(f"output_shape = {tuple(out.shape)}")


if __name__ == "__main__":
    main()
