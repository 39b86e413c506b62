"""The torch anchors of the benchmarks (CNN, ResNet) fit, predict and have their shape."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
anchors_deep = pytest.importorskip("benchmarks.anchors_deep")
classification = pytest.importorskip("benchmarks.classification")


def _two_classes(n, length, rng):
    """Class 1 carries a sine of 4 periods, class 0 is noise only; labels are strings."""
    y = np.array(["a", "b"] * (n // 2))
    t = np.arange(length)
    X = rng.normal(0.0, 0.5, (n, 1, length))
    X[y == "b", 0] += np.sin(2 * np.pi * 4 * t / length)
    return X, y


@pytest.mark.parametrize("anchor", [anchors_deep.ResNet, classification.CNN])
def test_anchor_fits_and_predicts_above_chance(anchor):
    rng = np.random.default_rng(0)
    X, y = _two_classes(40, 48, rng)
    X_test, y_test = _two_classes(40, 48, rng)
    model = anchor(steps=40).fit(X, y)
    predicted = model.predict(X_test)
    assert predicted.shape == (40,) and set(predicted) <= {"a", "b"}
    assert np.mean(predicted == y_test) >= 0.8


def test_resnet_has_wang_et_al_blocks():
    body, width = anchors_deep.ResNet()._body(n_channels=3)
    convs = [m for m in body.modules() if isinstance(m, torch.nn.Conv1d)]
    path_convs = [c for c in convs if c.kernel_size[0] != 1]
    assert [c.kernel_size[0] for c in path_convs] == [8, 5, 3] * 3
    assert [c.out_channels for c in path_convs] == [64] * 3 + [128] * 6
    assert width == 128 and len(body) == 3
    # 1x1 shortcut convolutions only where the channels change (3 -> 64, 64 -> 128).
    assert [(c.in_channels, c.out_channels) for c in convs if c.kernel_size[0] == 1] == [
        (3, 64),
        (64, 128),
    ]
    # "same" padding keeps the length, also for the even kernel size 8.
    assert body(torch.zeros(2, 3, 37)).shape == (2, 128, 37)


def test_resnet_masks_padding_in_the_pooling():
    """A NaN-padded (shorter) series predicts without NaN from the valid steps."""
    rng = np.random.default_rng(1)
    X, y = _two_classes(20, 40, rng)
    model = anchors_deep.ResNet(steps=5).fit(X, y)
    X_short = X[:4].copy()
    X_short[:, :, 30:] = np.nan
    assert set(model.predict(X_short)) <= {"a", "b"}
