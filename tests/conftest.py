"""Suite-wide settings."""

import os

# Threaded BLAS thrashes on small machines when other work shares the cores;
# set before numpy is first imported by a test module.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
