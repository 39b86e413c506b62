"""
Forecasting the airline series with prediction intervals
========================================================

:class:`~sksssm.forecasting.SpectralForecaster` is a native sktime forecaster on the
closed-form Spectral Transform Unit. With its defaults it configures itself from the
data: the seasonal period (12, from the monthly index and an autocorrelation test), a
log transform (the seasonal swing grows with the level), seasonal and ordinary
differencing (seasonal strength and KPSS tests), then the autoregressive order, the
number of spectral filters and the ridge penalty by exact generalized cross-validation.
Its fitted recursion is checked for stability, and it gives prediction intervals.

The data is sktime's bundled monthly airline passenger series (1949-1960, no download).
We hold out the last two years and compare with the seasonal-naive forecast (the same
month one year earlier), a strong baseline on this strongly seasonal series.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sktime.datasets import load_airline
from sktime.forecasting.base import ForecastingHorizon
from sktime.split import temporal_train_test_split

from sksssm.forecasting import SpectralForecaster
from sksssm.plotting import plot_forecast

# The fit takes a fraction of a second, so the example needs no SKSSSM_DOCS_FAST variant.
y = load_airline()
y_train, y_test = temporal_train_test_split(y, test_size=24)
fh = ForecastingHorizon(y_test.index, is_relative=False)

forecaster = SpectralForecaster().fit(y_train, fh=fh)
y_pred = forecaster.predict()
intervals = forecaster.predict_interval(coverage=[0.5, 0.9])

print(
    f"configuration: sp={forecaster.sp_}, log={forecaster.log_transform_}, "
    f"d={forecaster.d_}, D={forecaster.seasonal_d_}, ar_order={forecaster.ar_order_}, "
    f"n_filters={forecaster.n_filters_}, spectral radius {forecaster.spectral_radius_:.3f}"
)


def mape(truth, forecast):
    truth, forecast = truth.to_numpy(), np.asarray(forecast)
    return float(np.mean(np.abs(forecast - truth) / truth))


seasonal_naive = np.r_[y_train.to_numpy()[-12:], y_train.to_numpy()[-12:]]
print(f"SpectralForecaster MAPE: {mape(y_test, y_pred):.3f}")
print(f"seasonal naive MAPE:     {mape(y_test, seasonal_naive):.3f}")
inside = (y_test.to_numpy() >= intervals.iloc[:, 2]) & (y_test.to_numpy() <= intervals.iloc[:, 3])
print(f"test months inside the 90% interval: {int(inside.sum())} of {len(y_test)}")

# %%
# The forecast with its 50% and 90% intervals
# -------------------------------------------
fig, ax = plt.subplots(figsize=(10, 4))
plot_forecast(y_train, y_pred, y_test=y_test, intervals=intervals, ax=ax)
ax.set_ylabel("passengers (thousands)")
ax.set_title("Airline passengers: last 24 months held out")
plt.show()
