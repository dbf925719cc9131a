"""A synthetic miniature of MIMIC-IV-ECG + MIMIC-IV-ECG-ICD in exactly PhysioNet's layout (real file
and column names, made-up patients, codes and signals; never real data)::

    ROOT/mimic-iv-ecg/record_list.csv                  subject_id,study_id,file_name,ecg_time,path
    ROOT/mimic-iv-ecg/files/p1000/p10000032/s40000000/40000000.{hea,dat}   500 Hz, 10 s, 12 leads
    ROOT/mimic-iv-ecg-ext-icd-labels/records_w_diag_icd10.csv   the columns full_preprocessing.py writes

:func:`write_mimic` returns the ground truth it wrote: per record, its patient, the code lists of
each source, where it was taken and its published fold, so a test checks the loader against what was
meant rather than against a second reading of the same file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tests.synthetic import LEADS, write_record

FS, SECONDS = 500, 10
LABEL_COLUMNS = ["file_name", "study_id", "subject_id", "ecg_time", "ed_stay_id", "ed_hadm_id", "hosp_hadm_id",
                 "ed_diag_ed", "ed_diag_hosp", "hosp_diag_hosp", "all_diag_hosp", "all_diag_all", "gender", "age",
                 "anchor_year", "anchor_age", "dod", "ecg_no_within_stay", "ecg_taken_in_ed", "ecg_taken_in_hosp",
                 "ecg_taken_in_ed_or_hosp", "fold", "strat_fold"]


def _signal(rng: np.random.Generator) -> np.ndarray:
    t = np.arange(FS * SECONDS) / FS
    beats = np.sin(2 * np.pi * rng.uniform(1.0, 1.8) * t + rng.uniform(0, 6.3)) ** 15
    return beats[:, None] * rng.uniform(0.3, 1.5, 12) + rng.normal(0, 0.05, (len(t), 12))


def write_mimic(root: Path, patients: int = 150, per_patient: int = 2, seed: int = 0) -> pd.DataFrame:
    """Write the miniature under ``root`` (a data root); returns the ground truth, one row per ECG."""
    rng = np.random.default_rng(seed)
    ecg_dir = root / "mimic-iv-ecg"
    truth, records, labels = [], [], []
    for p in range(patients):
        subject = 10000032 + 7 * p
        for j in range(per_patient):
            study = 40000000 + 13 * (p * per_patient + j)
            kind = p % 10
            # hospital discharge codes, ED discharge codes; positives of three kinds
            hosp = ["I2699", "R0602"] if (kind == 0 and j == 0) else (["I10"] if kind in (0, 1, 2, 3) else [])
            ed = ["I2609"] if (kind == 4 and j == 0) else (["R079"] if kind in (4, 5, 6, 7) else [])
            in_ed = kind in (4, 5, 6, 7, 8) or (kind == 0 and j == 0)
            in_hosp = kind in (0, 1, 2, 3)
            if kind == 9:  # an outpatient ECG: in neither, no codes
                in_ed = in_hosp = False
            path = f"files/p{str(subject)[:4]}/p{subject}/s{study}/{study}"
            write_record(ecg_dir / Path(path).parent, str(study), _signal(rng), FS, LEADS)
            all_diag_all = hosp if hosp else ed
            fold = (3 * p) % 20  # patient-grouped; spread over the kinds of record
            truth.append({"study_id": str(study), "subject_id": str(subject), "hosp": hosp, "ed": ed,
                          "all": all_diag_all, "in_ed": in_ed, "in_ed_or_hosp": in_ed or in_hosp, "fold": fold})
            records.append({"subject_id": subject, "study_id": study, "file_name": study,
                            "ecg_time": f"2180-07-{1 + j:02d} 08:44:00", "path": path})
            labels.append({"file_name": f"mimic-iv-ecg-diagnostic-electrocardiogram-matched-subset-1.0/{path}",
                           "study_id": study, "subject_id": subject, "ecg_time": f"2180-07-{1 + j:02d} 08:44:00",
                           "ed_stay_id": 30000000 + p if in_ed else "", "ed_hadm_id": "", "hosp_hadm_id": "",
                           "ed_diag_ed": str(ed), "ed_diag_hosp": str([]), "hosp_diag_hosp": str(hosp),
                           "all_diag_hosp": str(hosp), "all_diag_all": str(all_diag_all), "gender": "F",
                           "age": 60, "anchor_year": 2180, "anchor_age": 60, "dod": "", "ecg_no_within_stay": j,
                           "ecg_taken_in_ed": in_ed, "ecg_taken_in_hosp": in_hosp,
                           "ecg_taken_in_ed_or_hosp": in_ed or in_hosp, "fold": fold, "strat_fold": (p * 7) % 20})
    pd.DataFrame(records).to_csv(ecg_dir / "record_list.csv", index=False)
    label_dir = root / "mimic-iv-ecg-ext-icd-labels"
    label_dir.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(labels, columns=LABEL_COLUMNS).to_csv(label_dir / "records_w_diag_icd10.csv", index=False)
    return pd.DataFrame(truth)


def expected(truth: pd.DataFrame, codes: str = "all", ed_only: bool = False) -> pd.DataFrame:
    """The records a loader must keep and their labels, from the ground truth."""
    population = truth["in_ed"] if ed_only else truth["in_ed_or_hosp"]
    kept = truth[population & truth[codes].map(len).gt(0)]
    return pd.DataFrame({"record_id": kept["study_id"], "patient_id": kept["subject_id"],
                         "label": kept[codes].map(lambda c: int(any(x.startswith("I26") for x in c)))})
