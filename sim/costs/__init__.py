"""The vectorized cost core: one module per strategy kind, plus the workload and project.

Every quantity is a float or an array over the samples of a chunk; kernels are stepped
month by month (a loop over months on sample vectors, never over samples).
"""

from sim.costs.api import ApiKernel
from sim.costs.kinds import KINDS, Kind, build_kernel
from sim.costs.project import Project
from sim.costs.self_hosted import SelfHostedKernel
from sim.costs.workload import Workload

__all__ = ["KINDS", "ApiKernel", "Kind", "Project", "SelfHostedKernel", "Workload", "build_kernel"]
