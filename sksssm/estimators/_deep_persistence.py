"""Saving and loading fitted deep estimators (:meth:`save_params` / :meth:`load_params`)."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._base import fit_atomically, fitted_attributes
from ._deep_parameters import resolve_device


class DeepPersistenceMixin:
    """``save_params`` / ``load_params`` of :class:`~sksssm.estimators._deep.DeepSequenceMixin`.

    The host class provides ``net_`` and ``model_hyperparameters_`` (its
    :meth:`_model_hyperparameters` at fit) once fitted, and ``_build_net(device, seed,
    max_epochs, n_train, early_stopping)``.
    """

    def save_params(self, f_params):
        """Save the fitted model to ``f_params`` for :meth:`load_params`.

        The file holds the network's weights (``net_.module_.state_dict()``), its training
        history and the fitted attributes that prediction needs (input and target
        scaling, classes, layout), written with :func:`torch.save`.

        Parameters
        ----------
        f_params : str, path-like or file object

        Returns
        -------
        self
        """
        check_is_fitted(self, "net_")
        fitted = {
            name: getattr(self, name)
            for name in fitted_attributes(self)
            if name not in ("net_", "history_", "model_hyperparameters_")
        }
        saved = {
            "estimator": type(self).__name__,
            # Those of the fit, not set_params' since: they describe the weights.
            "hyperparameters": self.model_hyperparameters_,
            "fitted": fitted,
            "module": self.net_.module_.state_dict(),
            "history": self.net_.history,
        }
        torch.save(saved, f_params)
        return self

    def load_params(self, f_params):
        """Load a model saved by :meth:`save_params` into this estimator.

        The estimator needs the class and the hyper-parameters of the saved one (a freshly
        constructed one will do: ``PTDSSMClassifier(**params).load_params(path)``; only
        ``device``, ``verbose``, ``callbacks``, ``random_state`` and ``warm_start`` may
        differ, otherwise ``ValueError``; values are compared, not their types: ``lr=1``
        matches ``lr=1.0`` and ``d_model=np.int64(4)`` matches ``4``); it is then fitted,
        on this estimator's ``device``, and predicts exactly as the saved one: every
        fitted attribute of an earlier fit is replaced or removed. A failed load leaves
        the estimator unchanged. The file is unpickled: load only files you
        trust.

        Parameters
        ----------
        f_params : str, path-like or file object

        Returns
        -------
        self
        """
        return fit_atomically(self, type(self)._load_saved, f_params)

    def _load_saved(self, f_params):
        saved = torch.load(f_params, map_location="cpu", weights_only=False)
        if not isinstance(saved, dict) or saved.get("estimator") != type(self).__name__:
            found = saved.get("estimator") if isinstance(saved, dict) else type(saved).__name__
            raise ValueError(
                f"{f_params!r} does not hold a {type(self).__name__} saved by save_params "
                f"(found {found!r}). Load it into the class that saved it."
            )
        theirs = saved["hyperparameters"]
        changed = self._changed_hyperparameters(theirs)
        if changed:
            differ = ", ".join(f"{k}={theirs.get(k)!r}" for k in changed)
            raise ValueError(
                f"the saved model has other hyper-parameters than this {type(self).__name__}"
                f" ({differ}). Construct it with the saved model's get_params()."
            )
        # Nothing of an earlier fit survives (feature_names_in_ of a DataFrame fit, ...):
        # the loaded estimator is the saved one.
        for name in fitted_attributes(self):
            delattr(self, name)
        for name, value in saved["fitted"].items():
            setattr(self, name, value)
        self.model_hyperparameters_ = theirs
        device = resolve_device(self.device)
        net = self._build_net(device, 0, max_epochs=1, n_train=1, early_stopping=False)
        net.initialize()
        try:
            net.module_.load_state_dict(saved["module"])
        except RuntimeError as exc:
            raise ValueError(
                f"the saved weights do not fit this {type(self).__name__} (saved by another "
                f"version of sksssm?): {exc}"
            ) from exc
        net.history = saved["history"]
        self.net_, self.history_, self.device_ = net, net.history, device
        return self

    #: Hyper-parameters a saved model need not share with the estimator it is loaded into.
    _RUNTIME_PARAMETERS = ("device", "verbose", "callbacks", "random_state", "warm_start")

    def _model_hyperparameters(self):
        """Hyper-parameters that :meth:`load_params` requires to match, numpy scalars as
        Python ones (``np.int64(4)`` is ``4``)."""
        params = self.get_params(deep=False)
        return {
            k: v.item() if isinstance(v, np.generic) else v
            for k, v in params.items()
            if k not in self._RUNTIME_PARAMETERS
        }

    def _changed_hyperparameters(self, fitted, ignore=()):
        """Names of this estimator's hyper-parameters whose values differ from ``fitted``
        (a :meth:`_model_hyperparameters` dict), except ``ignore``.

        Values are compared by equality, not by their text: ``lr=1`` is ``lr=1.0``.
        """
        ours = self._model_hyperparameters()
        return [k for k in sorted(ours) if k not in ignore and ours[k] != fitted.get(k)]
