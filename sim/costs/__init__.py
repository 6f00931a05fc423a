"""The vectorized cost core: one kernel per strategy kind, plus the workload and project.

Every quantity is a float or an array over the samples of a chunk; kernels are stepped
month by month (a loop over months on sample vectors, never over samples).
"""

from sim.costs.api import ApiKernel
from sim.costs.build import build_kernels, section
from sim.costs.kernels import KERNELS, Kernel, KernelSpec, build_kernel, engineering_hours
from sim.costs.project import Project
from sim.costs.self_hosted import SelfHostedKernel
from sim.costs.workload import Workload

__all__ = [
    "KERNELS",
    "ApiKernel",
    "Kernel",
    "KernelSpec",
    "Project",
    "SelfHostedKernel",
    "Workload",
    "build_kernel",
    "build_kernels",
    "engineering_hours",
    "section",
]
