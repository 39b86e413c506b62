"""Apply one deliberate bug to each configuration rule and check the tests catch it.

Each mutation is a text substitution in one source file. The script checks that its
pattern occurs exactly once (and fails loudly otherwise: the code moved, so update the
pattern here), writes the mutated file, runs the default-suite tests that cover the rule,
restores the file (also on error or Ctrl-C) and prints a table: "caught" when pytest
reports a failing test, "SURVIVED" when every test passes, "error" for anything else
(the mutated code did not import, ...). The exit status is 0 only when every mutation is
caught.

Usage, from the repository root::

    python tools/rule_mutations.py                 # all mutations
    python tools/rule_mutations.py --list          # names only
    python tools/rule_mutations.py kpss_never_rejects vote_any_series

Issue 25 lists the rules; ``tests/test_decision_rules.py`` pins them.
"""

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULE_TESTS = "tests/test_decision_rules.py"  # first: a caught mutation stops there (-x)


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str
    pattern: str
    replacement: str
    tests: tuple

    def describe(self):
        return f"{self.path}: {self.pattern.strip().splitlines()[0]!r} -> " + repr(
            self.replacement.strip().splitlines()[0]
        )


SEASONALITY = "sksssm/forecasting/_seasonality.py"
SEARCH = "sksssm/forecasting/_search.py"
INTERVALS = "sksssm/forecasting/_intervals.py"
FORECASTING_TESTS = (RULE_TESTS, "tests/test_forecasting.py")
CLASSIFIER = "sksssm/estimators/spectral_classifier.py"
CLASSIFIER_TESTS = (RULE_TESTS, "tests/test_spectral_classifier.py")

MUTATIONS = (
    Mutation(
        "kpss_never_rejects",
        SEARCH,
        "d = int(kpss > KPSS_CRITICAL_5)",
        "d = 0",
        FORECASTING_TESTS,
    ),
    Mutation(
        "kpss_critical_x10",
        SEASONALITY,
        "KPSS_CRITICAL_5 = 0.463",
        "KPSS_CRITICAL_5 = 4.63",
        FORECASTING_TESTS,
    ),
    Mutation(
        "strength_threshold_0.9",
        SEASONALITY,
        "SEASONAL_STRENGTH_THRESHOLD = 0.64",
        "SEASONAL_STRENGTH_THRESHOLD = 0.9",
        FORECASTING_TESTS,
    ),
    Mutation(
        "strength_threshold_0.3",
        SEASONALITY,
        "SEASONAL_STRENGTH_THRESHOLD = 0.64",
        "SEASONAL_STRENGTH_THRESHOLD = 0.3",
        FORECASTING_TESTS,
    ),
    Mutation(
        "vote_any_series",
        SEASONALITY,
        "np.mean(votes) >= 0.5",
        "np.mean(votes) > 0",
        FORECASTING_TESTS,
    ),
    Mutation(
        "two_seasons_for_seasonal_difference",
        SEARCH,
        "if n_min >= 3 * sp:",
        "if n_min >= 2 * sp:",
        FORECASTING_TESTS,
    ),
    Mutation(
        "two_seasons_for_seasonality_test",
        SEASONALITY,
        "if period < 2 or n < 3 * period:",
        "if period < 2 or n < 2 * period:",
        FORECASTING_TESTS,
    ),
    Mutation(
        "acf_argmax_not_peak",
        SEASONALITY,
        "peaks = lags[(r[lags] > r[lags - 1]) & (r[lags] >= r[lags + 1]) & (r[lags] > 0)]",
        "peaks = lags",
        FORECASTING_TESTS,
    ),
    Mutation(
        "no_h_step_error_floor",
        INTERVALS,
        "sigma = np.maximum(sigma, implied_error_scale(model, sigma[0], n_steps))",
        "sigma = sigma",
        FORECASTING_TESTS,
    ),
    Mutation(
        "interval_dof_counts",
        INTERVALS,
        "return sigma, max(counts[0] - dof, 1.0)",
        "return sigma, max(counts[0], 1.0)",
        FORECASTING_TESTS,
    ),
    Mutation(
        "gcv_tie_smallest_alpha",
        "sksssm/spectral/_ridge.py",
        "return int(ties[np.argmax(alphas[ties])])",
        "return int(ties[np.argmin(alphas[ties])])",
        (RULE_TESTS, "tests/test_ridge.py", "tests/test_forecasting.py"),
    ),
    Mutation(
        "temperature_fixed_at_1",
        CLASSIFIER,
        "self.temperature_ = fit_temperature(class_scores(fit.loo_decisions), encoded)",
        "self.temperature_ = 1.0",
        CLASSIFIER_TESTS,
    ),
    Mutation(
        "loo_tie_last_candidate",
        "sksssm/spectral/_ridge_loo.py",
        "kept.append((-fit.score, next(computed), fit, c, weight))",
        "kept.append((-fit.score, -next(computed), fit, c, weight))",
        CLASSIFIER_TESTS,
    ),
    Mutation(
        "no_stratification_guard",
        "sksssm/estimators/_deep.py",
        "if self._stratify:\n            counts = np.bincount(targets)",
        "if False:\n            counts = np.bincount(targets)",
        (RULE_TESTS, "tests/test_deep.py"),
    ),
)


def apply(mutation):
    """Mutated text of the mutation's file; raises if the pattern is not there once."""
    text = (ROOT / mutation.path).read_text()
    count = text.count(mutation.pattern)
    if count != 1:
        raise SystemExit(
            f"{mutation.name}: pattern found {count} times in {mutation.path} (expected 1); "
            f"the code moved: update the pattern in tools/rule_mutations.py.\n"
            f"pattern: {mutation.pattern!r}"
        )
    return text, text.replace(mutation.pattern, mutation.replacement)


def run_tests(tests, timeout):
    command = [sys.executable, "-m", "pytest", *tests, "-m", "not slow", "-x", "-q",
               "-p", "no:cacheprovider"]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    try:
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return "error", "timeout"
    lines = result.stdout.strip().splitlines()
    summary = lines[-1] if lines else result.stderr.strip()[-200:]
    # pytest exit codes: 0 all passed, 1 some test failed, anything else an error
    outcome = {0: "SURVIVED", 1: "caught"}.get(result.returncode, "error")
    return outcome, summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="mutations to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per mutation")
    args = parser.parse_args(argv)
    known = {m.name: m for m in MUTATIONS}
    unknown = [n for n in args.names if n not in known]
    if unknown:
        parser.error(f"unknown mutations {unknown}; choose from {sorted(known)}")
    selected = [known[n] for n in args.names] if args.names else list(MUTATIONS)
    for mutation in selected:
        apply(mutation)  # every pattern is checked before anything is changed
    if args.list:
        for mutation in selected:
            print(f"{mutation.name}: {mutation.describe()}")
        return 0
    rows = []
    for mutation in selected:
        original, mutated = apply(mutation)
        path = ROOT / mutation.path
        start = time.perf_counter()
        try:
            path.write_text(mutated)
            outcome, summary = run_tests(mutation.tests, args.timeout)
        finally:
            path.write_text(original)
        rows.append((mutation.name, outcome, time.perf_counter() - start, summary))
        print(f"{mutation.name}: {outcome} ({summary})", flush=True)
    print("\n| mutation | result | seconds | pytest summary |\n|---|---|---|---|")
    for name, outcome, seconds, summary in rows:
        print(f"| {name} | {outcome} | {seconds:.0f} | {summary} |")
    caught = sum(outcome == "caught" for _, outcome, _, _ in rows)
    print(f"\n{caught} of {len(rows)} mutations caught.")
    return 0 if caught == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
