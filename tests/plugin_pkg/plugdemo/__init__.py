"""A tiny ecg-automl-bench plugin that uses the plugin API of ``benchmark`` only: a model with its
search space, a normalization, and a local-only pretraining source.

The source reads ``<data root>/plugsrc/records.csv`` (``record_id, patient_id, a, b``; labels 0/1)
and one ``<record_id>.npy`` per record (12 leads x samples, in mV, at 100 Hz).
"""

import numpy as np
import pandas as pd
from torch import nn

from benchmark import (Signal, Source, StagedModel, Transform, register_model, register_source, register_space,
                       register_transform)

LEADS = ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"]


class PlugNet(StagedModel):
    def __init__(self, n_classes, in_leads, width, dropout):
        super().__init__(n_features=width, n_classes=n_classes, dropout=dropout)  # makes self.head
        self.stages.append(nn.Sequential(nn.Conv1d(in_leads, width, 7, padding=3), nn.BatchNorm1d(width), nn.ReLU()))
        self.stages.append(nn.Sequential(nn.Conv1d(width, width, 5, stride=2, padding=2), nn.ReLU()))

    def features(self, x):
        return self.forward_stages(x).mean(-1)


@register_model(family="plugnet", min_length=16)
def plugnet(n_classes: int = 1, in_leads: int = 12, width: int = 8, dropout: float = 0.0) -> StagedModel:
    return PlugNet(n_classes, in_leads, width, dropout)


@register_space(models=["plugnet"])  # the family is the model's
def space(trial, model):
    return {"width": trial.suggest_categorical("width", [4, 8]), "dropout": trial.suggest_float("dropout", 0.0, 0.2)}


@register_transform
class MedianCentre(Transform):
    """Each lead of each record minus its median."""

    kind, name = "normalization", "plug_median"

    def transform(self, X):
        X = np.asarray(X, dtype=np.float32)
        return (X - np.median(X, axis=-1, keepdims=True)).astype(np.float32)


@register_source
class PlugSource(Source):
    name = "plugsrc"
    patient_namespace = "plugsrc"
    pretraining = True  # a labelled dataset to pretrain on, found in <data root>/plugsrc/

    @property
    def label_names(self):
        return ["a", "b"]

    def available(self):
        return (self.root / "records.csv").is_file()

    def table(self):
        if self._table is None:
            self._table = pd.read_csv(self.root / "records.csv", dtype={"record_id": str, "patient_id": str})
        return self._table

    def files(self, row):
        return [self.root / f"{row['record_id']}.npy"]

    def read(self, row):
        path = self.files(row)[0]
        return Signal(np.load(path), 100.0, list(LEADS), str(path))
