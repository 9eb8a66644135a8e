"""Import a library while one of its optional dependencies is kept out of the process.

Some libraries probe for a heavy package when they are imported (`try: import scipy.sparse`) and work
without it. Marked absent in `sys.modules` for the duration of the import, the probe fails as if the
package were not installed, and the running bot does not pay its memory and start-up time. If the
package is already loaded (a process that trains the intent model), the library simply finds it.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType


def import_without(module: str, absent: str) -> ModuleType:
    """`module`, imported with `absent` hidden unless either is already loaded."""
    if module in sys.modules or absent in sys.modules:
        return import_module(module)
    # A None entry makes `import absent` raise ImportError, the case the library handles.
    sys.modules[absent] = None  # type: ignore[assignment]
    try:
        return import_module(module)
    finally:
        if absent in sys.modules and sys.modules[absent] is None:
            del sys.modules[absent]
