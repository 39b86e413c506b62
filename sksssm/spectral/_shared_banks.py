"""Which responses poolings share: one computation per filter bank, each pooling its columns.

Poolings of the same series (the two representations of ``normalise="both"``, their
heads reduced to the positive branch at predict, heads whose filter banks differ,
``dilation="raw"``, or whose input kinds differ, ``differences="standardized"``) are
computed in one pass over the series: the inputs (the centred series and their first
differences) and their spectra once, the responses once per distinct filter bank
(:func:`response_sources`) and input kind some pooling of that bank reads, and each
pooling reads its own columns of its bank's responses (:func:`response_columns`).

Why one computation per bank rather than one union of the banks' filters: two banks
share few filters (the smooth and the dilated bank only the identity and the length-8
filters, about a tenth of the responses), and a pooling whose responses are not a
contiguous block of the union's must gather them into a copy, which cost more than those
shared filters save (profile of ``SpectralFilterClassifier(dilation="raw")`` on
EthanolLevel: the gather took 3.0 s of 29.4 s).
"""

from __future__ import annotations

import numpy as np


def same_inputs(source, state):
    """Whether two poolings filter the same inputs alike (precision, channels, filter
    rows, mixtures or none), so that one pass over the series serves both.

    Their ``differences`` may differ: the pass then filters the first differences for
    the poolings that pool them (``differences="standardized"`` of
    :class:`~sksssm.SpectralFilterClassifier`: the standardized head alone), each
    pooling reading the input kinds it pools
    (:func:`~sksssm.spectral._filter_bank._shared_responses`).
    """
    return (
        state.dtype == source.dtype
        and state.n_channels == source.n_channels
        and state.bank.shape[0] == source.bank.shape[0]
        and bool(state.mixing) == bool(source.mixing)
    )


def _matching_group(source, state, i):
    """Index of ``source``'s bank group equal to ``state``'s bank group ``i`` (the same
    filter columns and, but for the identity, the same mixing weights), or None."""
    group = state.bank_groups[i]
    for j, other in enumerate(source.bank_groups):
        if (i == 0) != (j == 0):  # the identity (no mixtures) is group 0 of every bank
            continue
        if len(other) != len(group) or not np.array_equal(
            source.bank[:, other], state.bank[:, group]
        ):
            continue
        if i == 0 or not state.mixing or np.array_equal(state.mixing[i - 1], source.mixing[j - 1]):
            return j
    return None


def response_columns(source, state):
    """Where ``state``'s responses are among ``source``'s, or None where they are not.

    ``state`` (a pooling of the same filter bank reduced to fewer filters, as
    :func:`~sksssm.spectral._feature_sets.used_responses` reduces it) computes its
    responses from the same filters and mixtures as some of ``source``'s: each of its bank
    groups equals a bank group of ``source`` (the same columns, and that group's mixing
    weights). Then ``source``'s responses, taken at the returned indices
    (``(state.n_responses,)``, in ``state``'s order), are ``state``'s own (the same FFTs
    and products per column), to each input kind (the series, and the first differences
    whether or not ``source`` pools them). None when some group has no equal in
    ``source``, or the precision or the channels differ.
    """
    if not same_inputs(source, state):
        return None
    n_source_groups = len(source.bank_groups)
    bank_columns, mixture_columns = [], []
    for i in range(len(state.bank_groups)):
        j = _matching_group(source, state, i)
        if j is None:
            return None
        bank_columns.append(source.bank_groups[j])
        if i > 0 and state.mixing:
            mixture_columns.append(source.groups[n_source_groups + j - 1])
    return np.concatenate(bank_columns + mixture_columns).astype(np.intp)


def response_sources(states):
    """The poolings whose responses are computed for ``states``, and where each reads.

    ``states`` filter the same inputs alike (:func:`same_inputs`; else a ValueError). In
    order of decreasing responses, each state reads the responses of the first source
    that holds them (:func:`response_columns`), or becomes a source itself: one bank (the
    heads of ``dilation="none"``, some reduced to its positive branch) has one source,
    the largest pooling, as before; two banks have two.

    Returns
    -------
    sources : list of PoolingState
    reads : list of tuple
        Per state, in the order of ``states``: ``(source index, columns)``, ``columns``
        None where the state reads every response of its source, else the indices of
        :func:`response_columns`.
    """
    sources, reads = [], [None] * len(states)
    for i in sorted(range(len(states)), key=lambda i: -states[i].n_responses):
        state = states[i]
        if sources and not same_inputs(sources[0], state):
            raise ValueError("The poolings do not filter the same inputs alike.")
        found = ((k, response_columns(source, state)) for k, source in enumerate(sources))
        k, columns = next(((k, c) for k, c in found if c is not None), (len(sources), None))
        if columns is None:  # a bank of its own
            columns = np.arange(state.n_responses)
            sources.append(state)
        whole = np.array_equal(columns, np.arange(sources[k].n_responses))
        reads[i] = (k, None if whole else columns)
    return sources, reads
