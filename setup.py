"""Which packages the wheel holds (the rest of the metadata is in pyproject.toml).

Every ``duban_xl*`` package, plus the user-facing folders at the repository root —
the templates and the sample ledgers — mapped into the package, so an installed
duban finds them with importlib.resources wherever it runs.
"""
from setuptools import find_packages, setup

DATA_PACKAGES = {
    "duban_xl.workbook_templates": "workbook_templates",
    "duban_xl.samples": "samples",
    "duban_xl.samples.bad": "samples/bad",
}

setup(packages=find_packages(include=["duban_xl*"]) + list(DATA_PACKAGES), package_dir=DATA_PACKAGES)
