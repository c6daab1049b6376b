"""Which CPU this is: its model name, and the name and features LLVM (hence Numba) compiles for.

Read by ``nncore compare`` to label its figures and by the JIT tier's planner
(:mod:`nncore.jit.planner`) to keep one plan file per CPU.
"""

import platform
import subprocess


def cpu_model():
    """The CPU's model name from /proc/cpuinfo (Linux) or ``lscpu``, else :func:`platform.processor`."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as file:
            for line in file:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=5, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return platform.processor() or None


def llvm_host():
    """The CPU name and enabled features LLVM compiles Numba's code for: ``{"cpu", "features"}``."""
    from llvmlite import binding

    features = binding.get_host_cpu_features()
    return {"cpu": binding.get_host_cpu_name(), "features": sorted(name for name, on in features.items() if on)}
