"""LTI maths: HiPPO, perturb-then-diagonalize (PTD), S4D initialisations, transfer
functions, discretization and HOPE's transfer-function sampling.

Functions documented as "(numpy|torch)" accept numpy arrays or torch tensors and return
the same type (differentiable with tensors); the others are numpy-only.
"""

from .discretization import discretize, vandermonde_kernel
from .hippo import hippo_legs, hippo_legs_nplr
from .hope import hankel_singular_values, hope_kernel
from .ptd import PTDResult, block_diagonal_ptd, perturb_then_diagonalize
from .s4d import s4d_init
from .transfer import transfer_function, transfer_function_dense

__all__ = [
    "PTDResult",
    "block_diagonal_ptd",
    "discretize",
    "hankel_singular_values",
    "hippo_legs",
    "hippo_legs_nplr",
    "hope_kernel",
    "perturb_then_diagonalize",
    "s4d_init",
    "transfer_function",
    "transfer_function_dense",
    "vandermonde_kernel",
]
