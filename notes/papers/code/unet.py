# kb-snippet: U-Net as in the paper (unpadded 3x3 convs, 64 to 1024 channels, 2 classes, 572x572 in, 388x388 out)
# requires: torch
# expect: params = 31030658
# expect: output_shape = (1, 2, 388, 388)
# source: Ronneberger, Fischer & Brox 2015, "U-Net: Convolutional Networks for Biomedical Image Segmentation", arXiv:1505.04597, Fig. 1 and Sec. 2; the paper gives no parameter count, the count 31,030,658 is derived in the docstring below and matches the commonly quoted ~31.0M
"""U-Net following Fig. 1: a contracting path of two unpadded 3x3 convs + ReLU per level with 2x2
max pooling, an expanding path of 2x2 up-convolutions that halve the channels, concatenation with
the centre crop of the matching contracting features, two more 3x3 convs, and a final 1x1 conv.
No batch norm (it postdates the paper); every conv has a bias. The input is one grey channel.

Unpadded convs shrink each map by 2 pixels, which is why a 572x572 tile yields a 388x388 map: the
border pixels lack full context and the paper predicts only the centre (overlap-tile strategy).

Parameters, a 3x3 conv from a to b channels holding 9ab + b:
    contracting   1->64: 640         64->64: 36,928
                  64->128: 73,856    128->128: 147,584
                  128->256: 295,168  256->256: 590,080
                  256->512: 1,180,160   512->512: 2,359,808
    bottom        512->1024: 4,719,616  1024->1024: 9,438,208      subtotal 18,842,048
    expanding     up 1024->512 (2x2: 4ab + b): 2,097,664, 1024->512: 4,719,104, 512->512: 2,359,808
                  up 512->256: 524,544,  512->256: 1,179,904,  256->256: 590,080
                  up 256->128: 131,200,  256->128: 295,040,    128->128: 147,584
                  up 128->64: 32,832,    128->64: 73,792,      64->64: 36,928
    output        1x1, 64->2: 130                               subtotal 12,188,610
                                                                   total 31,030,658
"""

import torch
from torch import nn


def double_conv(cin, cout):
    """Two unpadded 3x3 convolutions, each followed by ReLU."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3), nn.ReLU(inplace=True), nn.Conv2d(cout, cout, 3), nn.ReLU(inplace=True)
    )


def centre_crop(x, size):
    """Crop the middle `size` x `size` window: the contracting maps are larger than the expanding ones."""
    top = (x.shape[-2] - size[0]) // 2
    left = (x.shape[-1] - size[1]) // 2
    return x[..., top : top + size[0], left : left + size[1]]


class UNet(nn.Module):
    def __init__(self, in_channels: int = 1, num_classes: int = 2, widths=(64, 128, 256, 512, 1024)):
        super().__init__()
        self.down = nn.ModuleList()
        cin = in_channels
        for width in widths:
            self.down.append(double_conv(cin, width))
            cin = width
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ModuleList()
        self.merge = nn.ModuleList()
        for width in reversed(widths[:-1]):
            self.up.append(nn.ConvTranspose2d(cin, width, kernel_size=2, stride=2))
            self.merge.append(double_conv(2 * width, width))  # skip features + upsampled features
            cin = width
        self.head = nn.Conv2d(cin, num_classes, 1)

    def forward(self, x):
        skips = []
        for i, block in enumerate(self.down):
            x = block(x)
            if i < len(self.down) - 1:
                skips.append(x)
                x = self.pool(x)
        for up, merge, skip in zip(self.up, self.merge, reversed(skips), strict=True):
            x = up(x)
            x = merge(torch.cat([centre_crop(skip, x.shape[-2:]), x], dim=1))
        return self.head(x)


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = UNet().eval()
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.randn(1, 1, 572, 572))
    print(f"params = {params}")
    print(f"output_shape = {tuple(out.shape)}")


if __name__ == "__main__":
    main()
