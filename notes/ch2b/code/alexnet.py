# kb-snippet: AlexNet, torchvision layout (single-tower, 64-192-384-256-256 channels)
# requires: torch
# expect: params = 61100840
# expect: output_shape = (1, 1000)
# source: Krizhevsky, Sutskever & Hinton 2012, "ImageNet Classification with Deep Convolutional Neural Networks", NeurIPS (no arXiv); the one-tower channel widths follow Krizhevsky 2014, arXiv:1404.5997; torchvision alexnet has 61,100,840 parameters
"""AlexNet in the single-GPU form torchvision uses.

The 2012 network split every layer across two GPUs (48+48 kernels in conv1, ...) and used local
response normalisation. This layout has one tower, no LRN and an adaptive 6x6 pool before the
classifier so any input of at least 63x63 works. Parameters by layer:

    conv1  3*64*11*11 + 64     =     23,296
    conv2  64*192*5*5 + 192    =    307,392
    conv3  192*384*3*3 + 384   =    663,936
    conv4  384*256*3*3 + 256   =    884,992
    conv5  256*256*3*3 + 256   =    590,080
    fc6    9216*4096 + 4096    = 37,752,832
    fc7    4096*4096 + 4096    = 16,781,312
    fc8    4096*1000 + 1000    =  4,097,000
                         total = 61,100,840   (96% of it in the fully connected layers)
"""

import torch
from torch import nn


class AlexNet(nn.Module):
    def __init__(self, num_classes: int = 1000, dropout: float = 0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),  # overlapping pooling (Sec. 3.4)
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.pool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        x = self.pool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = AlexNet().eval()
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.randn(1, 3, 224, 224))
    print(f"params = {params}")
    print(f"output_shape = {tuple(out.shape)}")


if __name__ == "__main__":
    main()
