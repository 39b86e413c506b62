"""
Forecasting the airline series with prediction intervals
========================================================

:class:`~sksssm.forecasting.SpectralForecaster` is a native sktime forecaster on the
closed-form Spectral Transform Unit: the whole history is one sequence, the features at
time ``t`` are spectral features of the past of ``y`` plus its last ``ar_order`` values,
and one exact ridge regression maps them to ``y_t``. It supports sktime's
``predict_interval``.

The data is sktime's bundled monthly airline passenger series (1949-1960, no download).
We hold out the last two years and compare with the seasonal-naive forecast (the same
month one year earlier), a strong baseline on this strongly seasonal series.

The series trends upwards, and a ridge model on the raw levels extrapolates the trend
poorly; as with ARIMA's ``d``, we model the first differences instead, composing sktime's
``Differencer`` with the forecaster (``Differencer() * forecaster``), and give the model
13 autoregressive terms (one season plus one month).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sktime.datasets import load_airline
from sktime.forecasting.base import ForecastingHorizon
from sktime.split import temporal_train_test_split
from sktime.transformations.series.difference import Differencer

from sksssm.forecasting import SpectralForecaster
from sksssm.plotting import plot_forecast

y = load_airline()
y_train, y_test = temporal_train_test_split(y, test_size=24)
fh = ForecastingHorizon(y_test.index, is_relative=False)

forecaster = (Differencer() * SpectralForecaster(ar_order=13)).fit(y_train)
y_pred = forecaster.predict(fh)
intervals = forecaster.predict_interval(fh, coverage=[0.5, 0.9])


def mape(truth, forecast):
    truth, forecast = truth.to_numpy(), np.asarray(forecast)
    return float(np.mean(np.abs(forecast - truth) / truth))


seasonal_naive = np.r_[y_train.to_numpy()[-12:], y_train.to_numpy()[-12:]]
print(f"SpectralForecaster MAPE: {mape(y_test, y_pred):.3f}")
print(f"seasonal naive MAPE:     {mape(y_test, seasonal_naive):.3f}")

# %%
# The forecast with its 50% and 90% intervals
# -------------------------------------------
fig, ax = plt.subplots(figsize=(10, 4))
plot_forecast(y_train, y_pred, y_test=y_test, intervals=intervals, ax=ax)
ax.set_ylabel("passengers (thousands)")
ax.set_title("Airline passengers: last 24 months held out")
plt.show()
