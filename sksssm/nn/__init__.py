"""Torch cores: FFT convolutions, sequence layers and the shared backbone.

Everything here is plain PyTorch (no scikit-learn). Tensors are ``(batch, time, channels)``;
every sequence layer maps ``(B, L, d_model) -> (B, L, d_model)`` causally and keeps the
dtype and device it is given.

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

from .backbone import SequenceLayer, SequenceModel, is_ssm_parameter, ssm_parameter_names
from .fftconv import causal_fft_conv, causal_fft_filter_mix, fft_size, kernel_spectrum
from .stu import STULayer

__all__ = [
    "SequenceLayer",
    "SequenceModel",
    "STULayer",
    "causal_fft_conv",
    "causal_fft_filter_mix",
    "fft_size",
    "is_ssm_parameter",
    "kernel_spectrum",
    "ssm_parameter_names",
]

# diagonal SSM and HOPE layers
# (sksssm/nn/diagonal.py and sksssm/nn/hope.py do not exist yet; their author adds e.g.
#  ``from .diagonal import DiagonalSSM, S5Layer`` / ``from .hope import HOPELayer`` here and
#  extends __all__.)
