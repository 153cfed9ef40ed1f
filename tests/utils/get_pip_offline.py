# Copyright: Contributors to the contrast_security.identity collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline stand-in for ansible-test's pip bootstrap script (get-pip-X.Y.py).

ansible-test bootstraps pip in every virtual environment it creates by running
``~/.ansible/test/cache/get_pip_<version>.py``, downloading it first when it is
missing. The download host is unreachable here (and in air-gapped networks), so
``make bootstrap`` copies this file to that path when no real script is there.

It installs pip from the interpreter's bundled wheel (ensurepip), then upgrades
to the requested packages (``pip==<version>``) through the normally configured
package index. ensurepip runs in a subprocess: in-process it would drop the
machine's pip configuration (index, CA bundle).
"""

from __future__ import annotations

import subprocess
import sys

IGNORED = ("--no-setuptools", "--no-wheel")


def main() -> None:
    """Install pip, then the packages and options ansible-test passed."""
    args = [arg for arg in sys.argv[1:] if arg not in IGNORED]
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--upgrade"] + args)


if __name__ == "__main__":
    main()
