# kb-snippet: One encoder layer of the base Transformer (d_model 512, 8 heads, d_ff 2048, post-LN)
# requires: torch
# expect: params = 3152384
# expect: output_shape = (2, 10, 512)
# source: Vaswani et al. 2017, "Attention Is All You Need", arXiv:1706.03762, Sec. 3.1-3.3 and Table 3 (base: d_model 512, h 8, d_ff 2048); the count 3,152,384 is worked out by hand in the docstring below (the paper gives only the 65M total of the whole base model)
"""One encoder layer exactly as in Section 3: x = LayerNorm(x + Sublayer(x)) around self-attention
and around the position-wise feed-forward network ("post-LN"; most later models moved the norm
before the sublayer because post-LN needs learning-rate warmup to train deep stacks).

Parameters, d = 512, d_ff = 2048:
    attention   W_Q, W_K, W_V, W_O: 4*d*d + 4*d   = 1,048,576 + 2,048 = 1,050,624
    FFN         d*d_ff + d_ff + d_ff*d + d         = 1,048,576 + 2,048
                                                   + 1,048,576 + 512 = 2,099,712
    2 LayerNorms 2 * (gain d + bias d)             =                    2,048
                                                              total = 3,152,384
The 8 heads do not change the count: each head uses a 64-wide slice of the same projections.
"""

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    """Scaled dot-product attention in `heads` subspaces of size d_model / heads (Sec. 3.2)."""

    def __init__(self, d_model: int, heads: int, dropout: float):
        super().__init__()
        self.heads = heads
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)

    def split(self, x):
        batch, tokens, d_model = x.shape
        return x.view(batch, tokens, self.heads, d_model // self.heads).transpose(1, 2)

    def forward(self, x, padding_mask=None):
        q, k, v = self.split(self.w_q(x)), self.split(self.w_k(x)), self.split(self.w_v(x))
        # Dividing by sqrt(d_k) keeps the logits' variance near 1 so softmax does not saturate.
        scores = q @ k.transpose(-2, -1) / (q.shape[-1] ** 0.5)
        if padding_mask is not None:  # (batch, tokens), True where the token is padding
            scores = scores.masked_fill(padding_mask[:, None, None, :], float("-inf"))
        y = self.dropout(scores.softmax(dim=-1)) @ v
        batch, _, tokens, _ = y.shape
        return self.w_o(y.transpose(1, 2).reshape(batch, tokens, -1))


class EncoderLayer(nn.Module):
    def __init__(self, d_model: int = 512, heads: int = 8, d_ff: int = 2048, dropout: float = 0.1):
        super().__init__()
        self.attention = MultiHeadAttention(d_model, heads, dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.ffn = nn.Sequential(nn.Linear(d_model, d_ff), nn.ReLU(), nn.Linear(d_ff, d_model))
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)  # P_drop = 0.1 on each sublayer output (Sec. 5.4)

    def forward(self, x, padding_mask=None):
        x = self.norm1(x + self.dropout(self.attention(x, padding_mask)))
        return self.norm2(x + self.dropout(self.ffn(x)))


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = EncoderLayer().eval()
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.randn(2, 10, 512))
    print(f"params = {params}")
    print(f"output_shape = {tuple(out.shape)}")


if __name__ == "__main__":
    main()
