# kb-snippet: RepVGG block: three training-time branches re-parameterised into one 3x3 conv
# requires: torch
# expect: params = 41344
# expect: max_abs_diff_ok = True
# expect: output_shape = (1, 64, 32, 32)
# source: Ding et al. 2021, "RepVGG: Making VGG-style ConvNets Great Again", arXiv:2101.03697, Sec. 3.3 (structural re-parameterisation); the count is this block's with 64 channels: 3x3 conv 36,864 + 1x1 conv 4,096 + three BatchNorms 3*128 = 41,344
"""A RepVGG block trains as relu(BN(conv3x3(x)) + BN(conv1x1(x)) + BN(x)) and deploys as
relu(conv3x3'(x) + b'), because every branch is linear once BatchNorm uses fixed statistics:

- BN(conv(x)) with kernel K equals a conv with kernel K * gamma/std and bias beta - mean*gamma/std,
  where std = sqrt(running_var + eps);
- a 1x1 kernel is a 3x3 kernel that is zero except at the centre;
- the identity is a 3x3 kernel whose centre is 1 on the diagonal (output channel i reads input i);
- convolutions are linear in their kernel, so the three kernels and biases simply add up.

The BatchNorm statistics and affine parameters are set to random values first: with the defaults
(mean 0, var 1, gamma 1, beta 0) each BN is nearly the identity and a wrong fusion could still pass.
"""

import torch
from torch import nn
import torch.nn.functional as F


class RepVGGBlock(nn.Module):
    """Training-time form: 3x3 conv+BN, 1x1 conv+BN and (same width, stride 1) an identity BN."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv3 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(channels)
        self.conv1 = nn.Conv2d(channels, channels, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.bn_id = nn.BatchNorm2d(channels)

    def forward(self, x):
        return torch.relu(self.bn3(self.conv3(x)) + self.bn1(self.conv1(x)) + self.bn_id(x))


def fold_bn(kernel, bn):
    """Kernel and bias of the conv that equals `bn(conv(x, kernel))` in eval mode."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    return kernel * scale.view(-1, 1, 1, 1), bn.bias - bn.running_mean * scale


def reparameterise(block: RepVGGBlock) -> nn.Conv2d:
    """One 3x3 conv (with bias) that computes the block's pre-activation sum."""
    channels = block.conv3.out_channels
    identity = torch.zeros(channels, channels, 3, 3)
    identity[torch.arange(channels), torch.arange(channels), 1, 1] = 1.0

    k3, b3 = fold_bn(block.conv3.weight, block.bn3)
    k1, b1 = fold_bn(F.pad(block.conv1.weight, [1, 1, 1, 1]), block.bn1)  # 1x1 -> centred 3x3
    kid, bid = fold_bn(identity, block.bn_id)

    fused = nn.Conv2d(channels, channels, 3, padding=1, bias=True)
    fused.weight.copy_(k3 + k1 + kid)
    fused.bias.copy_(b3 + b1 + bid)
    return fused


def randomise_bn(bn: nn.BatchNorm2d) -> None:
    """Give a BatchNorm statistics and affine parameters far from the identity."""
    c = bn.num_features
    bn.running_mean.copy_(torch.randn(c) * 0.5)
    bn.running_var.copy_(torch.rand(c) * 1.5 + 0.5)
    bn.weight.copy_(torch.rand(c) + 0.5)
    bn.bias.copy_(torch.randn(c) * 0.5)


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    block = RepVGGBlock(64)
    params = sum(p.numel() for p in block.parameters())
    with torch.no_grad():
        for bn in (block.bn3, block.bn1, block.bn_id):
            randomise_bn(bn)
        block.eval()  # the fusion holds only with running statistics, i.e. in eval mode
        deploy = reparameterise(block).eval()
        x = torch.randn(1, 64, 32, 32)
        y_train = block(x)
        y_deploy = torch.relu(deploy(x))
    max_abs_diff = (y_train - y_deploy).abs().max().item()
    print(f"params = {params}")
    print(f"max_abs_diff_ok = {max_abs_diff < 1e-5}")
    print(f"output_shape = {tuple(y_deploy.shape)}")


if __name__ == "__main__":
    main()
