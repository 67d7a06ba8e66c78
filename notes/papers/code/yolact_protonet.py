# kb-snippet: YOLACT protonet (P3 256 channels -> k=32 prototypes) and mask assembly sigmoid(P C^T)
# requires: torch
# expect: params = 2368544
# expect: output_shape = (1, 32, 138, 138)
# expect: masks_shape = (138, 138, 5)
# expect: lincomb_matches_loop = True
# expect: cropped_zero_outside_box = True
# source: Bolya et al. 2019, "YOLACT: Real-time Instance Segmentation", arXiv:1904.02689, Sec. 3.1-3.3 and Fig. 3 (protonet); the parameter count is derived by hand in the docstring below
"""YOLACT splits instance segmentation into two parallel parts:

1. the protonet, an FCN on the FPN level P3, predicts k prototype masks for the whole image;
2. the detection head predicts, for every anchor, k mask coefficients next to the class scores
   and box offsets (tanh keeps them in [-1, 1] so prototypes can be added or subtracted).

After NMS the masks of the n kept detections are one matrix product:

    M = sigmoid(P @ C^T),   P: (h*w, k) prototypes,  C: (n, k) coefficients,  M: (h, w, n)

and each mask is then cropped with its predicted box (with the ground-truth box in training).

Protonet as in Fig. 3 of the paper (and the authors' config): three 3x3 convs with 256 channels,
bilinear upsampling x2, one more 3x3 conv with 256 channels, a 1x1 conv to k = 32 channels, a ReLU
after every conv (also after the last one: the paper keeps the prototypes non-negative for easier
interpretation). No BatchNorm in this head. With a 550x550 image P3 has stride 8, i.e. 69x69, so
the prototypes are 138x138, a quarter of the input side.

Parameters, a conv from a to b channels with a kxk kernel holding k*k*a*b weights + b biases:
    3x3, 256 -> 256:  9 * 256 * 256 + 256 = 589,824 + 256 = 590,080   (four of them: 2,360,320)
    1x1, 256 -> 32:   256 * 32 + 32                         =   8,224
    upsampling and ReLU have no parameters
                                                      total = 2,368,544
"""

import torch
from torch import nn
import torch.nn.functional as F


class ProtoNet(nn.Module):
    def __init__(self, in_channels: int = 256, width: int = 256, k: int = 32):
        super().__init__()
        self.before = nn.Sequential(
            nn.Conv2d(in_channels, width, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(width, width, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(width, width, 3, padding=1), nn.ReLU(inplace=True),
        )
        self.after = nn.Sequential(
            nn.Conv2d(width, width, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(width, k, 1), nn.ReLU(inplace=True),  # prototypes kept >= 0
        )

    def forward(self, p3):
        x = self.before(p3)
        x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        return self.after(x)


def assemble(protos, coeffs):
    """protos: (k, h, w) for one image, coeffs: (n, k). Returns masks (h, w, n) in (0, 1)."""
    k, h, w = protos.shape
    p = protos.permute(1, 2, 0).reshape(h * w, k)  # (h*w, k)
    return torch.sigmoid(p @ coeffs.t()).reshape(h, w, -1)


def crop(masks, boxes):
    """Zero every mask outside its box; boxes are (x1, y1, x2, y2) in prototype pixels."""
    h, w, n = masks.shape
    ys = torch.arange(h).view(h, 1, 1)
    xs = torch.arange(w).view(1, w, 1)
    x1, y1, x2, y2 = (boxes[:, i].view(1, 1, n) for i in range(4))
    inside = (xs >= x1) & (xs < x2) & (ys >= y1) & (ys < y2)
    return masks * inside, inside


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    net = ProtoNet().eval()
    params = sum(p.numel() for p in net.parameters())

    with torch.no_grad():
        p3 = torch.randn(1, 256, 69, 69)  # FPN P3 of a 550x550 image (stride 8)
        protos = net(p3)  # (1, 32, 138, 138)

        n = 5  # five detections survived NMS
        coeffs = torch.tanh(torch.randn(n, 32))  # what the head's coefficient branch would output
        masks = assemble(protos[0], coeffs)

        # The matrix product is just "weighted sum of prototypes" for every detection.
        loop = torch.stack(
            [torch.sigmoid((coeffs[i].view(32, 1, 1) * protos[0]).sum(0)) for i in range(n)], dim=-1
        )
        matches = (masks - loop).abs().max().item() < 1e-5

        boxes = torch.tensor([[10, 20, 60, 90], [0, 0, 138, 138], [70, 5, 130, 40],
                              [30, 30, 31, 31], [100, 100, 137, 120]])
        cropped, inside = crop(masks, boxes)
        zero_outside = bool((cropped[~inside] == 0).all()) and bool((cropped[inside] > 0).all())

    print(f"params = {params}")
    print(f"output_shape = {tuple(protos.shape)}")
    print(f"masks_shape = {tuple(masks.shape)}")
    print(f"lincomb_matches_loop = {matches}")
    print(f"cropped_zero_outside_box = {zero_outside}")


if __name__ == "__main__":
    main()
