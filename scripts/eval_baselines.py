#!/usr/bin/env python3
"""scikit-learn baselines for the flowsentry paper guides, on exactly the split and features
flowsentry used: scripts/eval.ts writes the preprocessed (Min-Max scaled, one-hot) train/test
matrices to a temporary directory and runs this script on it.

usage: eval_baselines.py <dir>   (dir holds <name>.json + <name>_{train,test}.f32 per dataset)
prints one JSON object: { dataset: { baseline: { accuracy, weightedF1, macroF1, fitSeconds } } }
"""
import json
import os
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.neural_network import MLPClassifier

try:
    from imblearn.combine import SMOTETomek
    from imblearn.over_sampling import SMOTE
except ImportError:  # imbalanced-learn is optional: the RF + SMOTE-Tomek row is then skipped
    SMOTETomek = None


def scores(y, p, seconds):
    return {
        "accuracy": float(accuracy_score(y, p)),
        "weightedF1": float(f1_score(y, p, average="weighted", zero_division=0)),
        "macroF1": float(f1_score(y, p, average="macro", zero_division=0)),
        "fitSeconds": seconds,
    }


def run(directory, name):
    meta = json.load(open(os.path.join(directory, f"{name}.json")))
    cols = meta["cols"]
    xtr = np.fromfile(os.path.join(directory, f"{name}_train.f32"), dtype=np.float32).reshape(-1, cols)
    xte = np.fromfile(os.path.join(directory, f"{name}_test.f32"), dtype=np.float32).reshape(-1, cols)
    ytr = np.array(meta["yTrain"])
    yte = np.array(meta["yTest"])
    out = {}
    t = time.time()
    rf = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1).fit(xtr, ytr)
    out["random forest"] = scores(yte, rf.predict(xte), time.time() - t)
    if SMOTETomek is not None:
        t = time.time()
        # As flowsentry's Detector: every class up to the majority, single-row classes left as they are.
        counts = np.bincount(ytr)
        targets = {c: int(counts.max()) for c in range(len(counts)) if 2 <= counts[c] < counts.max()}
        k = int(min(5, min(counts[c] for c in targets) - 1)) if targets else 5
        smote = SMOTE(sampling_strategy=targets, k_neighbors=k, random_state=0)
        xs, ys = SMOTETomek(smote=smote, random_state=0).fit_resample(xtr, ytr)
        rf2 = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1).fit(xs, ys)
        out["random forest + SMOTE-Tomek"] = scores(yte, rf2.predict(xte), time.time() - t)
    t = time.time()
    mlp = MLPClassifier(hidden_layer_sizes=(128, 64), max_iter=meta.get("mlpIter", 200), random_state=0).fit(xtr, ytr)
    out["MLP (128, 64)"] = scores(yte, mlp.predict(xte), time.time() - t)
    return out


if __name__ == "__main__":
    d = sys.argv[1]
    names = sorted(f[:-5] for f in os.listdir(d) if f.endswith(".json"))
    print(json.dumps({n: run(d, n) for n in names}))
