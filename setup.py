"""Builds the explorer's assets into the package when a wheel is made.

Everything else about the package is declared in pyproject.toml. The explorer's
JavaScript is bundled from npm packages pinned in its package-lock.json; a wheel
built without the bundle would serve a page that only says it is missing, so the
build runs `npm ci` and `npm run build` first when the bundle is absent.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

EXPLORER = Path(__file__).resolve().parent / "graphsvc" / "explorer"


class BuildPyWithExplorer(build_py):
    """`build_py` that first builds the explorer's bundle if it is not there."""

    def run(self) -> None:
        if not self.editable_mode and not (EXPLORER / "static" / "index.html").exists():
            npm = shutil.which("npm")
            if npm is None:
                raise RuntimeError(
                    "building graphsvc needs npm to bundle the explorer "
                    "(install Node.js and npm, or build it first with `make explorer`)"
                )
            web = EXPLORER / "web"
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=web, check=True)
            subprocess.run([npm, "run", "build"], cwd=web, check=True)
            # The list of package data was taken before the bundle existed.
            self.__dict__.pop("data_files", None)
        super().run()


setup(cmdclass={"build_py": BuildPyWithExplorer})
