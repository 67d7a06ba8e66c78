# kb-snippet: ViT-B/16 at 224x224 with a 1000-class linear head
# requires: torch
# expect: params = 86567656
# expect: output_shape = (1, 1000)
# source: Dosovitskiy et al. 2021, "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale", arXiv:2010.11929, Table 1 (Base: 12 layers, width 768, MLP 3072, 12 heads, 86M); torchvision vit_b_16 has 86,567,656 parameters
"""ViT-B/16: cut the image into 16x16 patches, embed each linearly, prepend a class token, add
learned position embeddings, run 12 pre-norm Transformer blocks, classify the class token.

Count with D = 768, 196 patches + 1 class token:
    patch embedding  3*16*16*D + D            =    590,592
    class token      D                        =        768
    positions        197*D                    =    151,296
    one block        LN 2D + qkv 3D*D + 3D + out D*D + D + LN 2D
                     + MLP D*4D + 4D + 4D*D + D = 7,087,872   (x12 = 85,054,464)
    final LayerNorm  2D                       =      1,536
    head             D*1000 + 1000            =    769,000
                                        total = 86,567,656
"""

import torch
from torch import nn


class SelfAttention(nn.Module):
    """Multi-head self-attention with one fused projection for queries, keys and values."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x):
        batch, tokens, dim = x.shape
        qkv = self.qkv(x).reshape(batch, tokens, 3, self.heads, dim // self.heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)  # each (batch, heads, tokens, head_dim)
        scores = (q @ k.transpose(-2, -1)) * (dim // self.heads) ** -0.5
        y = scores.softmax(dim=-1) @ v
        return self.out(y.transpose(1, 2).reshape(batch, tokens, dim))


class Block(nn.Module):
    """Pre-norm block: LayerNorm sits inside each branch, so the residual path stays a plain sum."""

    def __init__(self, dim: int, heads: int, mlp_dim: int, dropout: float = 0.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = SelfAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = nn.Sequential(
            nn.Linear(dim, mlp_dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(mlp_dim, dim), nn.Dropout(dropout)
        )

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class ViT(nn.Module):
    def __init__(self, image=224, patch=16, dim=768, depth=12, heads=12, mlp_dim=3072, num_classes=1000):
        super().__init__()
        patches = (image // patch) ** 2
        # A stride-`patch` convolution is the same linear map applied to each flattened patch.
        self.patch_embed = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.randn(1, patches + 1, dim) * 0.02)
        self.blocks = nn.Sequential(*(Block(dim, heads, mlp_dim) for _ in range(depth)))
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2)  # (batch, patches, dim)
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1) + self.pos_embed
        x = self.norm(self.blocks(x))
        return self.head(x[:, 0])


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = ViT().eval()
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.randn(1, 3, 224, 224))
    print(f"params = {params}")
    print(f"output_shape = {tuple(out.shape)}")


if __name__ == "__main__":
    main()
