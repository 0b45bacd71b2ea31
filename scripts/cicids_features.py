"""Reads the CICIDS2017 features that scripts/cicids-features.ts `runPythonOnFeatures` writes."""
import json
import os

import numpy as np


def load(d):
    """(train matrix, test matrix, train labels, test labels, class names) from directory d."""
    meta = json.load(open(os.path.join(d, "cicids.json")))
    cols = meta["cols"]
    xtr = np.fromfile(os.path.join(d, "cicids_train.f32"), dtype=np.float32).reshape(-1, cols)
    xte = np.fromfile(os.path.join(d, "cicids_test.f32"), dtype=np.float32).reshape(-1, cols)
    return xtr, xte, np.array(meta["yTrain"]), np.array(meta["yTest"]), meta["classes"]
