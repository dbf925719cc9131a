"""Patient-grouped case-control subsampling: every record of every patient with a positive record,
plus whole control patients drawn at random until the negatives reach ``K`` per positive.

A patient is never split (all their records are in, or none), so a 2-core machine can run a study on
a cohort of hundreds of thousands of ECGs without one patient straddling the kept and dropped parts.
The result depends only on the table, ``K`` and ``seed``; both go into the cohort's identity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.errors import ConfigError


def case_control(table: pd.DataFrame, max_negatives_per_positive: int, seed: int = 0) -> pd.DataFrame:
    """Rows of ``table`` (``patient_id``, ``label``) kept: all positives, at most ``K`` negatives
    per positive (as close to ``K`` as whole control patients allow). The case patients' own negative
    records always stay (a patient is never split), so when they alone exceed ``K`` per positive no
    control patient is drawn and the ratio is theirs."""
    k = max_negatives_per_positive
    if k < 1:
        raise ConfigError(f"--max-negatives-per-positive must be at least 1, got {k}")
    patients = table["patient_id"].astype(str)
    labels = table["label"].astype(int)
    cases = set(patients[labels == 1])
    in_case = patients.isin(cases).to_numpy()
    n_pos = int(labels.sum())
    room = k * n_pos - int((~labels.astype(bool) & in_case).sum())  # case patients' own negatives count
    controls = patients[~in_case]
    sizes = controls.value_counts().sort_index()  # sorted first: the draw does not depend on row order
    order = np.random.default_rng(seed).permutation(len(sizes))
    chosen, used = [], 0
    for i in order:
        n = int(sizes.iloc[i])
        if used + n <= room:
            chosen.append(sizes.index[i])
            used += n
        if used >= room:
            break
    keep = in_case | patients.isin(set(chosen)).to_numpy()
    return table[keep]
