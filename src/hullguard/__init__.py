"""hullguard: keep container images from becoming the entry point into production."""

__version__ = "0.1.0"
