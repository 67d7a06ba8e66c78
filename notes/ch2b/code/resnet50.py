# kb-snippet: ResNet-50, torchvision layout (stride on the 3x3 conv)
# requires: torch
# expect: params = 25557032
# expect: output_shape = (1, 1000)
# source: He, Zhang, Ren & Sun 2016, "Deep Residual Learning for Image Recognition", arXiv:1512.03385, Table 1 (50-layer column); torchvision resnet50 has 25,557,032 parameters
"""ResNet-50: stages of 3, 4, 6 and 3 bottleneck blocks.

A bottleneck squeezes to `width` channels with a 1x1 conv, does the 3x3 conv there, and expands
to 4*width with another 1x1, so the expensive 3x3 runs on a quarter of the channels. The first
block of each stage gets a 1x1 conv + BN projection shortcut. Like torchvision ("ResNet v1.5"),
the stride sits on the 3x3 conv rather than the first 1x1; this changes accuracy, not the count.
"""

import torch
from torch import nn


def conv_bn(cin, cout, kernel, stride=1):
    """Conv without bias (the BatchNorm shift plays that role) followed by BatchNorm."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, bias=False),
        nn.BatchNorm2d(cout),
    )


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, width, stride=1):
        super().__init__()
        cout = width * self.expansion
        self.reduce = conv_bn(cin, width, 1)
        self.conv = conv_bn(width, width, 3, stride)
        self.expand = conv_bn(width, cout, 1)
        self.shortcut = conv_bn(cin, cout, 1, stride) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        y = torch.relu(self.reduce(x))
        y = torch.relu(self.conv(y))
        y = self.expand(y)
        return torch.relu(y + self.shortcut(x))


class ResNet50(nn.Module):
    def __init__(self, num_classes: int = 1000):
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
                blocks.append(Bottleneck(cin, width, stride if i == 0 else 1))
                cin = width * Bottleneck.expansion
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = self.pool(self.blocks(self.stem(x)))
        return self.fc(torch.flatten(x, 1))


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = ResNet50().eval()
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.randn(1, 3, 224, 224))
    print(f"params = {params}")
    print(f"output_shape = {tuple(out.shape)}")


if __name__ == "__main__":
    main()
