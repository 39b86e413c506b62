"""Test-suite settings."""

import torch

# The tests train tiny models, for which intra-op threads only add overhead (and, on a
# shared CI machine, oversubscription): one thread keeps the suite fast and its timings
# stable. This is a test setting, not a library default.
torch.set_num_threads(1)
