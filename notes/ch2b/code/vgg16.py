# kb-snippet: VGG-16 (configuration D), no batch norm
# requires: torch
# expect: params = 138357544
# expect: output_shape = (1, 1000)
# source: Simonyan & Zisserman 2015, "Very Deep Convolutional Networks for Large-Scale Image Recognition", arXiv:1409.1556, Table 1 column D and Table 2 (138M); torchvision vgg16 has 138,357,544 parameters
"""VGG-16: thirteen 3x3 convolutions in five blocks, then three fully connected layers.

Two stacked 3x3 convolutions see a 5x5 window and three see 7x7, with fewer parameters and more
non-linearities than one big kernel (Sec. 2.3). The convolutions hold 14,714,688 parameters; the
classifier holds the other 123,642,856, of which fc6 (25088*4096 + 4096 = 102,764,544) is most.
"""

import torch
from torch import nn

# Configuration D: output channels of each 3x3 convolution, "M" for a 2x2 max pool.
CONFIG_D = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")


def make_features(config):
    layers = []
    channels = 3
    for item in config:
        if item == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(channels, item, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            channels = item
    return nn.Sequential(*layers)


class VGG16(nn.Module):
    def __init__(self, num_classes: int = 1000, dropout: float = 0.5):
        super().__init__()
        self.features = make_features(CONFIG_D)
        self.pool = nn.AdaptiveAvgPool2d((7, 7))  # 224 input already gives 7x7; this allows others
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        x = self.pool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = VGG16().eval()
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.randn(1, 3, 224, 224))
    print(f"params = {params}")
    print(f"output_shape = {tuple(out.shape)}")


if __name__ == "__main__":
    main()
