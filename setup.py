"""Build hook for the optional C accelerator (all metadata lives in pyproject.toml).

``hullguard._tarscan`` speeds up tar header parsing (docs/adr/0210); it is
``optional``: without a C compiler or Python headers the build warns and
hullguard runs on its pure-Python reader.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "hullguard._tarscan",
            sources=["src/hullguard/_tarscan.c"],
            optional=True,
        )
    ]
)
