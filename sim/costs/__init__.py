"""The vectorized cost core: one kernel per strategy kind, plus the workload and project.

Every quantity is a float or an array over the samples of a chunk; kernels are stepped
month by month (a loop over months on sample vectors, never over samples).
"""

from sim.costs.api import ApiKernel
from sim.costs.build import build_kernels, section
from sim.costs.hosted import HostedFtKernel
from sim.costs.kernels import (
    KERNELS,
    Kernel,
    KernelSpec,
    build_kernel,
    engineering_hours,
    project_cost,
    retrain_cost,
)
from sim.costs.prices import PricePath
from sim.costs.project import Project
from sim.costs.quality import with_quality
from sim.costs.retraining import Retraining
from sim.costs.self_hosted import SelfHostedKernel
from sim.costs.workload import Workload, volume_sum

__all__ = [
    "KERNELS",
    "ApiKernel",
    "HostedFtKernel",
    "Kernel",
    "KernelSpec",
    "PricePath",
    "Project",
    "Retraining",
    "SelfHostedKernel",
    "Workload",
    "build_kernel",
    "build_kernels",
    "engineering_hours",
    "project_cost",
    "retrain_cost",
    "section",
    "volume_sum",
    "with_quality",
]
