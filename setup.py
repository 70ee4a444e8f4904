"""Installs top-level web/ (templates, static files) as the package appliance.web; the rest is in pyproject.toml."""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["appliance", "appliance.*"]) + ["appliance.web"],
    package_dir={"appliance.web": "web"},
)
