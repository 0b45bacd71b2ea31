#!/usr/bin/env python3
"""The CICIDS2017 peer methods (scikit-learn random forest, and random forest + SMOTE-Tomek, as in
scripts/eval_baselines.py) over several seeds, on the guides' split and the Detector's features.
Run by scripts/explore-peer-seeds.ts, which writes the matrices.

usage: peer_seeds.py <dir> <first seed> <end seed>
prints one line per seed: weighted and macro F1 of both methods
"""
import sys

import numpy as np
from imblearn.combine import SMOTETomek
from imblearn.over_sampling import SMOTE
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score

from cicids_features import load

xtr, xte, ytr, yte, _ = load(sys.argv[1])
counts = np.bincount(ytr)
targets = {c: int(counts.max()) for c in range(len(counts)) if 2 <= counts[c] < counts.max()}
k = int(min(5, min(counts[c] for c in targets) - 1))


def f1s(p):
    return f1_score(yte, p, average="weighted"), f1_score(yte, p, average="macro")


for seed in range(int(sys.argv[2]), int(sys.argv[3])):
    rf = f1s(RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=1).fit(xtr, ytr).predict(xte))
    smote = SMOTE(sampling_strategy=targets, k_neighbors=k, random_state=seed)
    xs, ys = SMOTETomek(smote=smote, random_state=seed).fit_resample(xtr, ytr)
    st = f1s(RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=1).fit(xs, ys).predict(xte))
    print(f"seed {seed}: random forest weighted F1 {rf[0]:.4f}, macro F1 {rf[1]:.4f}; + SMOTE-Tomek {st[0]:.4f}, {st[1]:.4f}", flush=True)
