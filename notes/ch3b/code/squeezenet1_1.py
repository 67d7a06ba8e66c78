# kb-snippet: SqueezeNet 1.1, torchvision layout
# requires: torch
# expect: params = 1235496
# expect: output_shape = (1, 1000)
# source: Iandola, Han, Moskewicz, Ashraf, Dally & Keutzer 2016, "SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and <0.5MB model size", arXiv:1602.07360 (Fire module, Sec. 3); version 1.1 is the authors' later revision of the layout; torchvision squeezenet1_1 has 1,235,496 parameters
"""SqueezeNet 1.1: a 3x3 stem, eight Fire modules with max pools between them, and a 1x1 conv
classifier followed by global average pooling, so the network has no fully connected layer.

A Fire module squeezes the input to s channels with a 1x1 conv, then expands in two parallel
branches, e1 1x1 convs and e3 3x3 convs, concatenated to e1 + e3 channels. All convs have biases
and ReLU. With c input channels a Fire module holds (c + 1) s + (s + 1) e1 + (9 s + 1) e3:

    conv1   3x3/2, 3 -> 64                    9*3*64 + 64              =   1,792
    fire2   c = 64,  s = 16, e1 = e3 = 64                              =  11,408
    fire3   c = 128, s = 16, e1 = e3 = 64                              =  12,432
    fire4   c = 128, s = 32, e1 = e3 = 128                             =  45,344
    fire5   c = 256, s = 32, e1 = e3 = 128                             =  49,440
    fire6   c = 256, s = 48, e1 = e3 = 192                             = 104,880
    fire7   c = 384, s = 48, e1 = e3 = 192                             = 111,024
    fire8   c = 384, s = 64, e1 = e3 = 256                             = 188,992
    fire9   c = 512, s = 64, e1 = e3 = 256                             = 197,184
    conv10  1x1, 512 -> 1000                  512*1000 + 1000          = 513,000
    total                                                              = 1,235,496

the count of torchvision's squeezenet1_1. The 1x1 classifier conv alone is 42% of it, because
the squeeze layers keep every 3x3 conv's input down to 16-64 channels.

Version 1.1 differs from the paper's 1.0 in the stem (64 filters of 3x3 instead of 96 of 7x7) and
in pooling earlier (after conv1, fire3 and fire5), which makes it cheaper to run with about the
same number of parameters. The pools use ceil_mode as in the original Caffe model. Pooling at the
end is global, so a 128x128 input is enough for a quick CPU run.
"""

import torch
from torch import nn


class Fire(nn.Module):
    def __init__(self, cin, squeeze, expand):
        super().__init__()
        self.squeeze = nn.Conv2d(cin, squeeze, 1)
        self.expand1x1 = nn.Conv2d(squeeze, expand, 1)
        self.expand3x3 = nn.Conv2d(squeeze, expand, 3, padding=1)

    def forward(self, x):
        s = torch.relu(self.squeeze(x))
        return torch.relu(torch.cat([self.expand1x1(s), self.expand3x3(s)], 1))


def pool():
    return nn.MaxPool2d(3, stride=2, ceil_mode=True)


class SqueezeNet11(nn.Module):
    def __init__(self, num_classes: int = 1000):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 3, stride=2),
            nn.ReLU(inplace=True),
            pool(),
            Fire(64, 16, 64),
            Fire(128, 16, 64),
            pool(),
            Fire(128, 32, 128),
            Fire(256, 32, 128),
            pool(),
            Fire(256, 48, 192),
            Fire(384, 48, 192),
            Fire(384, 64, 256),
            Fire(512, 64, 256),
        )
        self.classifier = nn.Sequential(
            nn.Dropout(0.5),
            nn.Conv2d(512, num_classes, 1),  # one "class map" per class, averaged below
            nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(1),
        )

    def forward(self, x):
        return torch.flatten(self.classifier(self.features(x)), 1)


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = SqueezeNet11().eval()
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.randn(1, 3, 128, 128))
    print(f"params = {params}")
    print(f"output_shape = {tuple(out.shape)}")


if __name__ == "__main__":
    main()
