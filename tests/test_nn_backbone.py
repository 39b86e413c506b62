"""Tests of sksssm.nn.fftconv (causal FFT convolutions) and sksssm.nn.backbone."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError
from torch import nn
from torch.nn import functional

from sksssm.nn import (
    DiagonalSSMConv,
    DiagonalSSMScan,
    HOPELayer,
    SeededDropout,
    SequenceLayer,
    SequenceModel,
    STULayer,
    causal_fft_conv,
    causal_fft_filter_mix,
    fft_size,
    is_ssm_parameter,
    kernel_spectrum,
    padding_mask,
    reverse_within_lengths,
    ssm_parameter_names,
)

TOLERANCE = {torch.float32: 1e-5, torch.float64: 1e-10}


def direct_causal_conv(u, kernel):
    """Independent reference: depthwise conv1d, left zero padding, flipped kernel."""
    n_channels = u.shape[2]
    weight = kernel.T.flip(-1).unsqueeze(1)  # (C, 1, L_k), tap j <-> lag L_k - 1 - j
    padded = functional.pad(u.transpose(1, 2), (kernel.shape[0] - 1, 0))
    return functional.conv1d(padded, weight, groups=n_channels).transpose(1, 2)


def relative_error(actual, expected):
    return ((actual - expected).abs().max() / expected.abs().max()).item()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(
    ("n_steps", "kernel_length"),
    [(50, 50), (64, 7), (20, 33), (1, 1), (257, 257), (283, 40), (1639, 1639)],
)
def test_causal_fft_conv_matches_direct_convolution(dtype, n_steps, kernel_length):
    generator = torch.Generator().manual_seed(0)
    u = torch.randn(3, n_steps, 4, generator=generator, dtype=dtype)
    kernel = torch.randn(kernel_length, 4, generator=generator, dtype=dtype)
    out = causal_fft_conv(u, kernel)
    assert out.shape == u.shape and out.dtype == dtype
    # Lags >= n_steps never reach an output, so the reference may drop them.
    expected = direct_causal_conv(u, kernel[:n_steps])
    assert relative_error(out, expected) < TOLERANCE[dtype]


def _is_5_smooth(n):
    for p in (2, 3, 5):
        while n % p == 0:
            n //= p
    return n == 1


def test_fft_size_is_the_smallest_even_5_smooth_length_without_wrap_around():
    # Independent brute force: scan upwards from the linear convolution's length.
    for n_timesteps, kernel_length in [
        (1, 1),
        (2, 1),
        (3, 3),
        (80, 80),
        (256, 256),
        (257, 257),
        (286, 286),
        (1000, 24),
        (1639, 1639),
    ]:
        needed = max(2, n_timesteps + kernel_length - 1)
        expected = next(n for n in range(needed, 4 * needed) if n % 2 == 0 and _is_5_smooth(n))
        assert fft_size(n_timesteps, kernel_length) == expected
    assert fft_size(257, 257) == 540  # not 1024, the next power of two of 513


def test_causal_fft_conv_with_precomputed_spectrum_and_multi_filter_kernel():
    generator = torch.Generator().manual_seed(1)
    u = torch.randn(2, 40, 3, generator=generator, dtype=torch.float64)
    filters = torch.randn(40, 5, generator=generator, dtype=torch.float64)
    n_fft = fft_size(40, 40)
    spectrum = kernel_spectrum(filters[:, None, :], n_fft)
    out = causal_fft_conv(u, filters[:, None, :], kernel_fft=spectrum)
    assert out.shape == (2, 40, 3, 5)
    for k in range(5):
        expected = direct_causal_conv(u, filters[:, k : k + 1].expand(40, 3))
        assert relative_error(out[..., k], expected) < 1e-10


def test_causal_fft_conv_rejects_too_small_spectrum():
    u, kernel = torch.randn(1, 30, 2), torch.randn(30, 2)
    with pytest.raises(ValueError, match="too short"):
        causal_fft_conv(u, kernel, kernel_fft=kernel_spectrum(kernel, 32))


def test_kernel_spectrum_refuses_an_odd_n_fft():
    # The convolutions recover n_fft as 2 * (F - 1) from the spectrum's length F, which is
    # wrong for an odd size: kernel_spectrum(k, 9) used to give [-11.7, 29.6, 154, 243].
    u = torch.tensor([[[1.0], [2.0], [3.0], [4.0]]], dtype=torch.float64)
    kernel = torch.tensor([[1.0], [10.0], [100.0]], dtype=torch.float64)
    for n_fft in (7, 9, 11):
        with pytest.raises(ValueError, match="n_fft must be even"):
            kernel_spectrum(kernel, n_fft)
    expected = direct_causal_conv(u, kernel)  # [1, 12, 123, 234]
    for n_fft in (6, 8, 10):  # any even size >= L + L_k - 1 is exact
        out = causal_fft_conv(u, kernel, kernel_fft=kernel_spectrum(kernel, n_fft))
        assert relative_error(out, expected) < 1e-12
        weights = torch.ones(1, 1, 1, dtype=torch.float64)
        mixed = causal_fft_filter_mix(
            u, kernel, weights, filters_fft=kernel_spectrum(kernel, n_fft)
        )
        assert relative_error(mixed, expected) < 1e-12


def test_precomputed_spectra_of_another_shape_are_refused():
    u = torch.ones(1, 4, 2)
    with pytest.raises(ValueError, match="kernel_fft must be the spectrum of the kernel"):
        causal_fft_conv(u, torch.ones(3, 2), kernel_fft=kernel_spectrum(torch.ones(3, 5), 8))
    with pytest.raises(ValueError, match="filters_fft must be the spectrum of the filters"):
        causal_fft_filter_mix(
            u,
            torch.ones(3, 2),
            torch.ones(2, 1, 2),
            filters_fft=kernel_spectrum(torch.ones(3, 4), 8),
        )


def test_fft_convolutions_of_an_empty_batch_are_empty_and_differentiable():
    # torch's FFT (MKL) refuses a batch of 0; the convolutions return the empty output.
    u = torch.randn(0, 7, 3, dtype=torch.float64, requires_grad=True)
    kernel = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
    outputs = [
        causal_fft_conv(u, kernel),
        causal_fft_conv(u, torch.randn(5, 1, 4, dtype=torch.float64)),
        causal_fft_conv(u, kernel, kernel_fft=kernel_spectrum(kernel.detach(), fft_size(7, 5))),
        causal_fft_filter_mix(u, kernel[:, :2], torch.randn(2, 2, 3, dtype=torch.float64)),
    ]
    assert [tuple(out.shape) for out in outputs] == [(0, 7, 3), (0, 7, 3, 4), (0, 7, 3), (0, 7, 2)]
    assert all(out.dtype == torch.float64 for out in outputs)
    sum(out.sum() for out in outputs).backward()
    assert u.grad.shape == u.shape and torch.equal(kernel.grad, torch.zeros_like(kernel))


@pytest.mark.parametrize(
    "make_layer",
    [
        lambda: STULayer(2, 8, 3),
        lambda: STULayer(2, 8, 3, use_tensordot=True),
        lambda: DiagonalSSMConv(2, 4, init="s4d-lin"),
        lambda: HOPELayer(2, 4),
        lambda: SequenceModel(2, 1, lambda d: HOPELayer(d, 4), d_model=4, pooling=None),
    ],
    ids=["stu", "stu_tensordot", "diagonal_conv", "hope", "sequence_model"],
)
def test_fft_layers_accept_an_empty_batch(make_layer):
    out = make_layer()(torch.randn(0, 7, 2))
    assert out.shape[:2] == (0, 7) and out.dtype == torch.float32


def test_no_wrap_around_with_impulse_at_the_end():
    # A circular convolution would send the last input back to the first outputs.
    u = torch.zeros(1, 16, 1, dtype=torch.float64)
    u[0, -1, 0] = 1.0
    out = causal_fft_conv(u, torch.ones(16, 1, dtype=torch.float64))
    assert out[0, :-1].abs().max() < 1e-12
    assert abs(out[0, -1, 0].item() - 1.0) < 1e-12


def test_causal_fft_conv_is_causal():
    generator = torch.Generator().manual_seed(2)
    u = torch.randn(2, 30, 3, generator=generator, dtype=torch.float64)
    kernel = torch.randn(30, 3, generator=generator, dtype=torch.float64)
    perturbed = u.clone()
    perturbed[:, 17:] += torch.randn(2, 13, 3, generator=generator, dtype=torch.float64)
    before, after = causal_fft_conv(u, kernel), causal_fft_conv(perturbed, kernel)
    assert torch.allclose(before[:, :17], after[:, :17], atol=1e-12)
    assert not torch.allclose(before[:, 17:], after[:, 17:])


def test_causal_fft_conv_gradients_match_direct_convolution():
    generator = torch.Generator().manual_seed(3)
    u = torch.randn(2, 25, 3, generator=generator, dtype=torch.float64, requires_grad=True)
    kernel = torch.randn(10, 3, generator=generator, dtype=torch.float64, requires_grad=True)
    weights = torch.randn(2, 25, 3, generator=generator, dtype=torch.float64)
    grads_fft = torch.autograd.grad((causal_fft_conv(u, kernel) * weights).sum(), [u, kernel])
    grads_ref = torch.autograd.grad((direct_causal_conv(u, kernel) * weights).sum(), [u, kernel])
    for got, expected in zip(grads_fft, grads_ref, strict=True):
        assert relative_error(got, expected) < 1e-10


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_filter_mix_matches_filtered_features_contracted_in_time(dtype):
    generator = torch.Generator().manual_seed(4)
    u = torch.randn(3, 45, 4, generator=generator, dtype=dtype)
    filters = torch.randn(45, 6, generator=generator, dtype=dtype)
    weights = torch.randn(6, 5, 4, generator=generator, dtype=dtype)
    features = torch.stack(
        [direct_causal_conv(u, filters[:, k : k + 1].expand(45, 4)) for k in range(6)], dim=-1
    )  # (B, L, C, K)
    expected = torch.einsum("btck,koc->bto", features, weights)
    out = causal_fft_filter_mix(u, filters, weights)
    assert out.shape == (3, 45, 5) and out.dtype == dtype
    assert relative_error(out, expected) < TOLERANCE[dtype]


def test_filter_mix_gradients_flow_to_input_and_weights():
    u = torch.randn(2, 6, 2, dtype=torch.float64, requires_grad=True)
    filters = torch.randn(9, 3, dtype=torch.float64)
    weights = torch.randn(3, 2, 2, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda a, w: causal_fft_filter_mix(a, filters, w), (u, weights)
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"d_model": 0}, "d_model"),
        ({"n_layers": 0}, "n_layers"),
        ({"dropout": 1.0}, "dropout"),
        ({"norm": "group"}, "norm"),
        ({"pooling": "max"}, "pooling"),
        ({"generator": 0}, "generator must be a torch.Generator or None, got int"),
    ],
)
def test_sequence_model_rejects_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SequenceModel(2, 1, lambda d: nn.Identity(), **kwargs)


def test_sequence_model_rejects_bad_factory_and_input():
    with pytest.raises(ValueError, match="nn.Module"):
        SequenceModel(2, 1, lambda d: "not a module")
    model = SequenceModel(2, 1, lambda d: nn.Identity(), d_model=4)
    with pytest.raises(ValueError, match="batch, time, 2"):
        model(torch.randn(3, 5, 7))


class CumulativeMean(SequenceLayer):
    """A causal layer with a long memory: running mean over time."""

    def forward(self, x):
        steps = torch.arange(1, x.shape[1] + 1, dtype=x.dtype)
        return x.cumsum(dim=1) / steps[:, None]


@pytest.mark.parametrize("norm", ["layer", "batch"])
@pytest.mark.parametrize("prenorm", [True, False])
def test_sequence_model_shapes(norm, prenorm):
    x = torch.randn(4, 9, 3)
    for pooling, shape in [("mean", (4, 2)), ("last", (4, 2)), (None, (4, 9, 2))]:
        model = SequenceModel(
            3,
            2,
            lambda d: CumulativeMean(),
            d_model=8,
            norm=norm,
            pooling=pooling,
            prenorm=prenorm,
        )
        assert model(x).shape == shape


@pytest.mark.parametrize("norm", ["layer", "batch"])
def test_sequence_model_without_pooling_is_causal(norm):
    torch.manual_seed(0)
    model = SequenceModel(3, 2, lambda d: CumulativeMean(), d_model=8, n_layers=3, norm=norm)
    model.pooling = None
    model.eval()  # BatchNorm uses running statistics: no mixing across time
    x = torch.randn(2, 20, 3)
    perturbed = x.clone()
    perturbed[:, 12:] += 1.0
    before, after = model(x), model(perturbed)
    assert torch.allclose(before[:, :12], after[:, :12], atol=1e-6)
    assert not torch.allclose(before[:, 12:], after[:, 12:], atol=1e-3)


def test_sequence_model_pooling_last_equals_last_step_of_sequence_output():
    torch.manual_seed(1)
    model = SequenceModel(3, 2, lambda d: CumulativeMean(), d_model=8, pooling=None)
    x = torch.randn(2, 10, 3)
    per_step = model(x)
    model.pooling = "last"
    assert torch.allclose(model(x), per_step[:, -1], atol=1e-6)


def test_sequence_model_dropout_only_in_training():
    torch.manual_seed(2)
    model = SequenceModel(3, 1, lambda d: CumulativeMean(), d_model=8, n_layers=1, dropout=0.5)
    x = torch.randn(5, 6, 3)
    model.train()
    assert not torch.equal(model(x), model(x))
    model.eval()
    assert torch.equal(model(x), model(x))


def test_seeded_dropout_probability_range_and_p_one():
    x = torch.randn(4, 5)
    dropped = SeededDropout(1.0, seed=0).train()(x)
    assert torch.equal(dropped, nn.Dropout(1.0).train()(x))  # zeros, not 0 / 0 = NaN
    assert torch.equal(dropped, torch.zeros_like(x))
    for p in (1.5, -0.1, float("nan"), "0.5", True):
        with pytest.raises(ValueError, match="dropout probability p"):
            SeededDropout(p, seed=0)


def test_padding_mask_and_reverse_within_lengths_validate_their_arguments():
    with pytest.raises(InvalidParameterError, match="'x' parameter of padding_mask"):
        padding_mask([[[1.0]]])
    with pytest.raises(InvalidParameterError, match="'x' parameter of reverse_within_lengths"):
        reverse_within_lengths([[[1.0]]], None)
    x = torch.arange(6.0).reshape(2, 3, 1)
    with pytest.raises(InvalidParameterError, match="'lengths' parameter"):
        reverse_within_lengths(x, [3, 3])
    for lengths in ([5, 2], [0, 2], [3], [1.0, 2.0]):
        with pytest.raises(ValueError, match=r"lengths must be .* \[1, L=3\]"):
            reverse_within_lengths(x, torch.tensor(lengths))
    reversed_ = reverse_within_lengths(x, torch.tensor([3, 2]))
    assert reversed_[:, :, 0].tolist() == [[2.0, 1.0, 0.0], [4.0, 3.0, 5.0]]


def test_sequence_model_flags_must_be_booleans():
    # scikit-learn's "boolean" rule, as the estimators' flags: bool or numpy bool.
    for name in ("prenorm", "bidirectional"):
        for value in ("no", 0, None):
            with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
                SequenceModel(2, 1, lambda d: nn.Identity(), **{name: value})
    model = SequenceModel(2, 1, lambda d: nn.Identity(), prenorm=np.False_, bidirectional=np.True_)
    assert model.prenorm is False and model.bidirectional is True


class WithSSM(SequenceLayer):
    def __init__(self, d):
        super().__init__()
        self.ssm_log_dt = nn.Parameter(torch.zeros(d))
        self.mix = nn.Linear(d, d)

    def forward(self, x):
        return self.mix(x * self.ssm_log_dt.exp())


def test_ssm_parameter_names_and_pickle():
    model = SequenceModel(2, 1, WithSSM, d_model=4, n_layers=2)
    names = ssm_parameter_names(model)
    assert names == ["blocks.0.layer.ssm_log_dt", "blocks.1.layer.ssm_log_dt"]
    assert not is_ssm_parameter("blocks.0.layer.mix.weight")
    clone = pickle.loads(pickle.dumps(model))
    x = torch.randn(2, 5, 2)
    assert torch.equal(clone(x), model(x))


@pytest.mark.parametrize(
    "make_layer",
    [
        lambda: STULayer(4, 32, 8, init="normal", random_state=0),
        lambda: DiagonalSSMConv(4, 8, random_state=0),
        lambda: DiagonalSSMScan(4, 8, random_state=0),
        lambda: HOPELayer(4, 8, random_state=0),
    ],
    ids=["stu", "diagonal_conv", "diagonal_scan", "hope"],
)
def test_layers_run_under_bfloat16_autocast(make_layer):
    # The documented route to half precision (sksssm.nn's docstring): the FFT convolutions
    # leave autocast and run in float32, so the output is within two bfloat16 epsilons.
    layer = make_layer()
    x = torch.randn(2, 32, 4, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        reference = layer(x)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = layer(x)
    assert out.shape == reference.shape and torch.isfinite(out).all()
    assert (out.float() - reference).abs().max() <= 1.6e-2 * reference.abs().max()
