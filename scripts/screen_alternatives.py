#!/usr/bin/env python3
"""Screening two ideas for the CICIDS2017 pipeline with reference libraries before building them into
flowsentry (quoted in docs/guides/paper-rescae-bigru.md). Run by scripts/explore-alternatives.ts,
which writes the Detector's features (one-hot + Min-Max fitted on the guides' 70 % training split).
The MLP is a PyTorch stand-in for flowsentry's (128, 64) MLP with scikit-learn's settings (Adam 0.001,
batch 200, 200 epochs, softmax cross-entropy), one thread.

usage: screen_alternatives.py <dir> forest-average <val|test> <first seed> <end seed>
       screen_alternatives.py <dir> transforms <first seed> <end seed>
forest-average: the MLP, a random forest and extra trees (100 trees each), and the average of the
  MLP's class probabilities with the forest's (MLP weight 0.3, 0.5, 0.7) and with the extra trees'
  (0.5). `val`: fitted on a stratified 80 % of the training rows (split seed = the seed), scored on
  the other 20 %; `test`: fitted on the training rows, scored on the test split.
transforms: on validation rows as above, the MLP on the Min-Max features and after a quantile
  transform to a normal or a uniform distribution, or standardisation (each fitted on the 80 %).
prints one line per seed: weighted F1 / macro F1 of each
"""
import sys

import numpy as np
import torch
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import QuantileTransformer, StandardScaler

from cicids_features import load

torch.set_num_threads(1)
xtr, xte, ytr, yte, classes = load(sys.argv[1])
K = len(classes)


def mlp(x, y, seed, epochs=200):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    m = torch.nn.Sequential(
        torch.nn.Linear(x.shape[1], 128), torch.nn.ReLU(), torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, K)
    )
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    X = torch.tensor(x, dtype=torch.float32)
    Y = torch.tensor(y)
    for _ in range(epochs):
        p = rng.permutation(len(x))
        for i in range(0, len(x), 200):
            j = p[i : i + 200]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(m(X[j]), Y[j]).backward()
            opt.step()
    return lambda z: torch.softmax(m(torch.tensor(z, dtype=torch.float32)), 1).detach().numpy()


def score(y, p):
    return "%.4f/%.4f" % (f1_score(y, p, average="weighted"), f1_score(y, p, average="macro"))


def proba(model, x):
    p = np.zeros((len(x), K))
    p[:, model.classes_] = model.predict_proba(x)
    return p


def validation(seed):
    return train_test_split(xtr, ytr, test_size=0.2, stratify=ytr, random_state=seed)


mode = sys.argv[2]
if mode == "forest-average":
    split = sys.argv[3]
    for seed in range(int(sys.argv[4]), int(sys.argv[5])):
        a, b, ya, yb = validation(seed) if split == "val" else (xtr, xte, ytr, yte)
        pm = mlp(a, ya, seed)(b)
        pr = proba(RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=1).fit(a, ya), b)
        pe = proba(ExtraTreesClassifier(n_estimators=100, random_state=seed, n_jobs=1).fit(a, ya), b)
        out = [split, seed, "mlp", score(yb, pm.argmax(1)), "rf", score(yb, pr.argmax(1)), "et", score(yb, pe.argmax(1))]
        for w in (0.3, 0.5, 0.7):
            out += ["avg%.1f" % w, score(yb, (w * pm + (1 - w) * pr).argmax(1))]
        out += ["mlp+et", score(yb, (0.5 * pm + 0.5 * pe).argmax(1))]
        print(*out, flush=True)
elif mode == "transforms":
    for seed in range(int(sys.argv[3]), int(sys.argv[4])):
        a, b, ya, yb = validation(seed)
        out = [seed, "minmax", score(yb, mlp(a, ya, seed)(b).argmax(1))]
        for name, t in (
            ("qnormal", QuantileTransformer(output_distribution="normal", random_state=0)),
            ("quniform", QuantileTransformer(random_state=0)),
            ("standard", StandardScaler()),
        ):
            t.fit(a)
            out += [name, score(yb, mlp(t.transform(a), ya, seed)(t.transform(b)).argmax(1))]
        print(*out, flush=True)
else:
    sys.exit(f"unknown mode {mode!r}: forest-average or transforms")
