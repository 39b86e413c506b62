"""Damped Holt written out in component form, for the trend member's tests."""


def holt_recursion(x, start, alpha, beta, phi):
    """Gardner and McKenzie's damped Holt from ``start = (l_0, b_0)``, one step at a time:
    ``l_t = alpha x_t + (1 - alpha)(l_{t-1} + phi b_{t-1})``,
    ``b_t = beta (l_t - l_{t-1}) + (1 - beta) phi b_{t-1}``; returns l_n, b_n, SSE."""
    (level, trend), sse = start, 0.0
    for value in x[1:]:
        sse += (value - level - phi * trend) ** 2
        previous = level
        level = alpha * value + (1 - alpha) * (level + phi * trend)
        trend = beta * (level - previous) + (1 - beta) * phi * trend
    return level, trend, sse
