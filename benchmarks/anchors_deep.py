"""A ResNet anchor for time-series classification, trained like the CNN anchor.

The residual network of Wang, Yan and Oates (2017), "Time series classification from
scratch with deep neural networks: a strong baseline": three residual blocks; each block
is three convolutions (kernel sizes 8, 5 and 3, "same" padding, each followed by batch
normalisation, ReLU after the first two and after the sum) plus a shortcut (a 1x1
convolution with batch normalisation where the number of channels changes, batch
normalisation alone otherwise); 64, 128 and 128 channels; global average pooling over
the valid time steps; a linear softmax layer.

Training is the CNN anchor's (:class:`benchmarks._classification_models.CNN`), so the two anchors
differ in architecture only: inputs standardized per channel with the training mean and
standard deviation, Adam with learning rate 1e-3, batches of 16, cross-entropy, a fixed
budget of ``CNN_STEPS`` = 600 optimizer steps (the paper trains for 1,500 epochs; a fixed
step budget keeps the anchor's cost bounded and equal to the CNN's in steps), seed 0.
"""

from __future__ import annotations

from torch import nn

from benchmarks.classification import CNN, CNN_STEPS, SEED

#: (output channels, kernel sizes of the block's three convolutions) per residual block.
RESNET_BLOCKS = ((64, (8, 5, 3)), (128, (8, 5, 3)), (128, (8, 5, 3)))


class ResidualBlock(nn.Module):
    """Three convolution + batch-norm layers and a shortcut, ReLU after the sum."""

    def __init__(self, in_channels, out_channels, kernel_sizes):
        super().__init__()
        layers = []
        channels = in_channels
        for i, k in enumerate(kernel_sizes):
            layers += [
                nn.Conv1d(channels, out_channels, k, padding="same"),
                nn.BatchNorm1d(out_channels),
            ]
            if i < len(kernel_sizes) - 1:  # the last activation comes after the sum
                layers.append(nn.ReLU())
            channels = out_channels
        self.path = nn.Sequential(*layers)
        # A 1x1 convolution matches the channels where they change (Wang et al.).
        self.shortcut = (
            nn.BatchNorm1d(out_channels)
            if in_channels == out_channels
            else nn.Sequential(
                nn.Conv1d(in_channels, out_channels, 1), nn.BatchNorm1d(out_channels)
            )
        )

    def forward(self, x):
        return nn.functional.relu(self.path(x) + self.shortcut(x))


class ResNet(CNN):
    """Wang et al.'s ResNet (3 residual blocks, 64/128/128 channels), 600 Adam steps.

    Everything but the body is the CNN anchor's: standardization, masked global average
    pooling over valid steps (unequal lengths), the linear head, Adam (lr 1e-3), batches
    of 16 and the fixed step budget.
    """

    def __init__(self, steps=CNN_STEPS, seed=SEED):
        super().__init__(steps=steps, seed=seed)

    def _body(self, n_channels):
        blocks, channels = [], n_channels
        for out_channels, kernel_sizes in RESNET_BLOCKS:
            blocks.append(ResidualBlock(channels, out_channels, kernel_sizes))
            channels = out_channels
        return nn.Sequential(*blocks), channels
