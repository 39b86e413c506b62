"""The ``--confirm-raw-std`` group of :mod:`benchmarks.classifier_ablation` (issue 21,
session 41): a pre-registered confirmation, on fresh seeds, of
``dilation="raw", differences="standardized"`` against the default.

``SpectralFilterClassifier(dilation="raw", differences="standardized")`` (the raw head
sees the series through the dilated bank, the first differences are pooled by the
standardized head only) measured 0.8245 against the default's 0.8210 (+0.0035), 19/5/13,
at 0.93-0.98x the time, on the 37 development sets at ``random_state=0`` (sections
``classifier_ablation_raw_differences`` and ``classifier_ablation_frontier_combined``).
The seed noise of these figures (section ``classifier_ablation_seeds``,
:mod:`benchmarks._seeds`): a re-draw's mean-accuracy difference has root mean square
0.0011, the difference between averages of two seeds and of two others 0.0008. One
seed is one draw, and seed 0 is the draw the candidate was chosen on; this group draws
again, at :data:`SEEDS` (never run for this candidate), each seed's candidate against
the default at the same ``random_state``, side by side on each set.

Variants (:data:`CONFIRM_RAW_STD`): for each seed ``s``, ``"default s"`` is
``SpectralFilterClassifier(random_state=s)`` as the defaults were at the run
(:data:`PREVIOUS_DEFAULT`) and ``"raw+std s"`` is
``SpectralFilterClassifier(random_state=s, **CANDIDATE)``; both keep every other
default (``n_mixtures="auto"`` included). Runs, one after the other, into the two parts
of the section ``classifier_ablation_confirm_raw_std`` (each run rewrites its own part
and keeps the other's)::

    python -m benchmarks.classifier_ablation --confirm-raw-std --all-sets
    python -m benchmarks.classifier_ablation --confirm-raw-std --bundled

The second runs the same variants on sktime's bundled sets that are not development
sets (:data:`benchmarks._frontier_combined.BUNDLED_SETS`, official splits).

The rule, :data:`RULE`, was fixed and committed before the counted runs:

    Pre-registered confirmation rule (issue 21, session 41, fixed before the counted
    runs; seeds 1-4 were never run for this candidate): ``dilation="raw",
    differences="standardized"`` becomes the default of ``SpectralFilterClassifier`` if,
    with each seed's candidate compared with the default at the same ``random_state``
    on the 37 development sets, (a) the mean over seeds 1-4 of the mean-accuracy
    difference is at least +0.002 (about 2.5x the root mean square, 0.0008, of a
    difference between two-seed averages of pure re-draws measured in session 40), (b)
    the difference is positive at no fewer than 3 of the 4 seeds, (c) the candidate's
    total fit+predict time over the four seeds is at most 1.0x the default's, and (d) on
    sktime's 7 bundled non-development sets, the mean over seeds 1-4 of the candidate's
    mean accuracy is at least the default's - 0.003 and its total time at most 1.0x.
    Otherwise the default is unchanged.

Outcome (commit ``2d85a7c``, section ``classifier_ablation_confirm_raw_std``, logs
``benchmarks/results/classifier_ablation_confirm_raw_std_2d85a7c.log`` and
``..._bundled_2d85a7c.log``, one thread, 1-min load 1.3-2.0 and 1.2-1.9). Development
sets: the candidate minus the default +0.0036, +0.0036, +0.0013, +0.0063 at seeds 1-4
(W/D/L 17/8/12, 19/6/12, 17/8/12, 20/6/11), mean +0.0037 (a), positive at 4 of 4 (b),
366.0 s against 383.2 s, 0.96x (c). Bundled sets: mean accuracy over the seeds 0.9463
against 0.9465 (-0.0002), 32.8 s against 35.9 s, 0.91x (d). The rule passes: the
default of ``SpectralFilterClassifier`` became ``dilation="raw",
differences="standardized"``. The ``"default s"`` variants name the previous default
explicitly (:data:`PREVIOUS_DEFAULT`, which the run's ``{}`` meant at ``2d85a7c``), so
that the commands still reproduce this comparison.
"""

from __future__ import annotations

from benchmarks import _seed_confirmation
from benchmarks._seed_confirmation import SeedConfirmation

#: Fresh seeds: never run for the candidate before this group.
SEEDS = (1, 2, 3, 4)
#: The candidate's change from the defaults of the run.
CANDIDATE = {"dilation": "raw", "differences": "standardized"}
#: The defaults of the run (commit ``2d85a7c``) that the candidate changes; named here
#: since the candidate became the default.
PREVIOUS_DEFAULT = {"dilation": "none", "differences": True}
#: The rule's thresholds: (a), (b), (c) on the development sets; (d) on the bundled ones.
MIN_MEAN_GAIN = 0.002
MIN_POSITIVE_SEEDS = 3
MAX_TIME_RATIO = 1.0
BUNDLED_MAX_LOSS = 0.003
RULE = (
    "Pre-registered confirmation rule (issue 21, session 41, fixed before the counted "
    'runs; seeds 1-4 were never run for this candidate): `dilation="raw", '
    'differences="standardized"` becomes the default of `SpectralFilterClassifier` if, '
    "with each seed's candidate compared with the default at the same `random_state` on "
    "the 37 development sets, (a) the mean over seeds 1-4 of the mean-accuracy "
    f"difference is at least +{MIN_MEAN_GAIN} (about 2.5x the root mean square, 0.0008, "
    "of a difference between two-seed averages of pure re-draws measured in session "
    f"40), (b) the difference is positive at no fewer than {MIN_POSITIVE_SEEDS} of the 4 "
    "seeds, (c) the candidate's total fit+predict time over the four seeds is at most "
    f"{MAX_TIME_RATIO:.1f}x the default's, and (d) on sktime's 7 bundled "
    "non-development sets, the mean over seeds 1-4 of the candidate's mean accuracy is "
    f"at least the default's - {BUNDLED_MAX_LOSS} and its total time at most "
    f"{MAX_TIME_RATIO:.1f}x. Otherwise the default is unchanged."
)
SECTION = "classifier_ablation_confirm_raw_std"
TITLE = (
    'Classifier ablation: `dilation="raw", differences="standardized"` confirmed on '
    "fresh seeds (1-4)?"
)
DEVELOPMENT_COMMAND = "python -m benchmarks.classifier_ablation --confirm-raw-std --all-sets"
BUNDLED_COMMAND = "python -m benchmarks.classifier_ablation --confirm-raw-std --bundled"

#: The group (:class:`~benchmarks._seed_confirmation.SeedConfirmation`).
GROUP = SeedConfirmation(
    candidate=CANDIDATE,
    previous_default=PREVIOUS_DEFAULT,
    name="raw+std",
    seeds=SEEDS,
    min_mean_gain=MIN_MEAN_GAIN,
    min_positive_seeds=MIN_POSITIVE_SEEDS,
    max_time_ratio=MAX_TIME_RATIO,
    bundled_max_loss=BUNDLED_MAX_LOSS,
    rule=RULE,
    section=SECTION,
    title=TITLE,
    development_command=DEVELOPMENT_COMMAND,
    bundled_command=BUNDLED_COMMAND,
)
COMMAND = GROUP.command
#: Variant name -> its change from ``SpectralFilterClassifier()`` (its own seed).
CONFIRM_RAW_STD = GROUP.variants
over_seeds = _seed_confirmation.over_seeds
# what benchmarks.classifier_ablation reads of a confirmation group's module
development_body = GROUP.development_body
bundled_body = GROUP.bundled_body
