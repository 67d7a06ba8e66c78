# kb-snippet: SE block and SE-ResNet-50 (reduction ratio 16)
# requires: torch
# expect: params = 28088024
# expect: output_shape = (1, 1000)
# source: Hu, Shen, Albanie, Sun & Wu 2018, "Squeeze-and-Excitation Networks", arXiv:1709.01507; its reduction-ratio table gives SE-ResNet-50 (r = 16) 28.1M parameters, and the exact count here, 28,088,024 (ResNet-50's 25,557,032 + 2,530,992 for the SE blocks), rounds to it
"""SE-ResNet-50: ResNet-50 with a squeeze-and-excitation block on every bottleneck's residual branch.

The SE block squeezes each channel to one number (global average pool), passes the vector through
FC(C, C/16) + ReLU + FC(C/16, C) + sigmoid, and rescales the channels with the result, letting the
network weigh channels by global context. It sits after the last BN of the branch and before the
addition, so the identity path stays untouched.

Extra parameters over ResNet-50 (25,557,032), with C the block's output width and r = 16:
    per block 2*C*C/r + C/r + C (two FC layers with biases)
    C = 256 (3 blocks):  3 * (8,192 + 16 + 256)         =    25,392
    C = 512 (4 blocks):  4 * (32,768 + 32 + 512)        =   133,248
    C = 1024 (6 blocks): 6 * (131,072 + 64 + 1,024)     =   792,960
    C = 2048 (3 blocks): 3 * (524,288 + 128 + 2,048)    = 1,579,392
                                                 total  = 2,530,992
so 25,557,032 + 2,530,992 = 28,088,024. The paper's own estimate (2/r) * sum(N_s * C_s^2) leaves
out the biases and gives 2,514,944, its "~2.5 million additional parameters"; 62% of
the increase sits in the last stage.
"""

import torch
from torch import nn


class SEBlock(nn.Module):
    """Squeeze (global average pool) and excitation (bottleneck MLP ending in a sigmoid gate)."""

    def __init__(self, channels: int, reduction: int = 16):
        super().__init__()
        self.fc1 = nn.Linear(channels, channels // reduction)
        self.fc2 = nn.Linear(channels // reduction, channels)

    def forward(self, x):
        s = x.mean(dim=(2, 3))  # squeeze: one descriptor per channel
        s = torch.sigmoid(self.fc2(torch.relu(self.fc1(s))))
        return x * s[:, :, None, None]


def conv_bn(cin, cout, kernel, stride=1):
    """Conv without bias (the BatchNorm shift plays that role) followed by BatchNorm."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, bias=False),
        nn.BatchNorm2d(cout),
    )


class SEBottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, width, stride=1, reduction=16):
        super().__init__()
        cout = width * self.expansion
        self.reduce = conv_bn(cin, width, 1)
        self.conv = conv_bn(width, width, 3, stride)
        self.expand = conv_bn(width, cout, 1)
        self.se = SEBlock(cout, reduction)
        self.shortcut = conv_bn(cin, cout, 1, stride) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        y = torch.relu(self.reduce(x))
        y = torch.relu(self.conv(y))
        y = self.se(self.expand(y))
        return torch.relu(y + self.shortcut(x))


class SEResNet50(nn.Module):
    def __init__(self, num_classes: int = 1000, reduction: int = 16):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False),
            nn.BatchNorm2d(64),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, stride=2, padding=1),
        )
        blocks = []
        cin = 64
        for width, count, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
            for i in range(count):
                blocks.append(SEBottleneck(cin, width, stride if i == 0 else 1, reduction))
                cin = width * SEBottleneck.expansion
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = self.pool(self.blocks(self.stem(x)))
        return self.fc(torch.flatten(x, 1))


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = SEResNet50().eval()
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.randn(1, 3, 224, 224))
    print(f"params = {params}")
    print(f"output_shape = {tuple(out.shape)}")


if __name__ == "__main__":
    main()
