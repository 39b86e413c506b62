"""Torch cores: FFT convolutions, sequence layers and the shared backbone.

Everything here is plain PyTorch (no scikit-learn). Tensors are ``(batch, time, channels)``;
every sequence layer maps ``(B, L, d_model) -> (B, L, d_model)`` causally and keeps the
dtype and device it is given. Layer parameters are float32 or float64; for half precision
run the layers under ``torch.autocast`` (the FFT convolutions run in float32 and cast
back). :class:`STULayer` also runs converted to float16 or bfloat16 (``layer.half()``);
the diagonal and HOPE layers' complex parameterizations need float32 or float64.

Conventions
-----------
Sequence layers
    :class:`SequenceModel` builds ``n_layers`` of them with ``layer_factory(d_model)``;
    any ``nn.Module`` with the :class:`SequenceLayer` behaviour plugs in.
SSM parameters
    Parameters whose name starts with ``ssm_`` (e.g. ``ssm_log_dt``, ``ssm_lambda_re``)
    are "SSM parameters": the estimators put them in their own optimizer group with their
    own learning rate and no weight decay (skorch ``param_groups`` pattern ``"*ssm_*"``;
    so do not put ``ssm_`` inside module names). :func:`ssm_parameter_names` lists them.
    The STU has no SSM parameters (its filters are fixed buffers).
"""

from .backbone import (
    Bidirectional,
    SeededDropout,
    SequenceLayer,
    SequenceModel,
    draw_seed,
    is_ssm_parameter,
    ssm_parameter_names,
)
from .fftconv import causal_fft_conv, causal_fft_filter_mix, fft_size, kernel_spectrum
from .kernelconv import KernelConvLayer
from .padding import padding_mask, reverse_within_lengths
from .stu import STULayer, STUSkip

__all__ = [
    "Bidirectional",
    "KernelConvLayer",
    "SeededDropout",
    "SequenceLayer",
    "SequenceModel",
    "STULayer",
    "STUSkip",
    "causal_fft_conv",
    "causal_fft_filter_mix",
    "draw_seed",
    "fft_size",
    "is_ssm_parameter",
    "kernel_spectrum",
    "padding_mask",
    "reverse_within_lengths",
    "ssm_parameter_names",
]

# diagonal SSM and HOPE layers
from .diagonal import DiagonalSSMConv, DiagonalSSMScan  # noqa: E402
from .hope import HOPELayer  # noqa: E402
from .scan import associative_scan_linear  # noqa: E402

__all__ += ["DiagonalSSMConv", "DiagonalSSMScan", "HOPELayer", "associative_scan_linear"]
