"""The build backend: setuptools, after fetching the browser files GraphiQL needs from npm.

GraphiQL, React and ReactDOM ship their browser builds only as npm packages (no maintained Python package
carries them), so `pip install` fetches each pinned tarball from the npm registry, checks it against the
integrity hash npm publishes for it, and unpacks the few files GraphiQL's page loads into
`api/static/vendor/` (not in git; in every wheel built). Files already there with the pinned SHA-256 are
kept, so a reinstall or a build from an sdist needs no network. NPM_CONFIG_REGISTRY names a mirror.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403  (every other hook as setuptools has it)

VENDOR = Path(__file__).resolve().parent.parent / "api" / "static" / "vendor"


@dataclass(frozen=True)
class NpmPackage:
    name: str
    version: str
    integrity: str  # the tarball's hash as npm publishes it (`npm view NAME@VERSION dist.integrity`)
    files: dict[str, tuple[str, str]]  # path in the tarball -> (path under api/static/vendor, its SHA-256)

    @property
    def tarball(self) -> str:
        registry = os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org").rstrip("/")
        return f"{registry}/{self.name}/-/{self.name}-{self.version}.tgz"


_LICENSE_REACT = "52412d7bc7ce4157ea628bbaacb8829e0a9cb3c58f57f99176126bc8cf2bfc85"
PACKAGES = (
    # 4.x is GraphiQL's last line with a browser (UMD) build; 5.x ships only ES modules for a bundler.
    NpmPackage(
        "graphiql",
        "4.1.2",
        "sha512-rNlzQIAzm6i2KBXmVQWBgLvt0TloxFVB2d18bukvdsvjEuFDHsKx5IVOomL1W1o5WW+tE54+ioHb2AEKzO2cUg==",
        {
            "package/graphiql.min.js": (
                "graphiql/graphiql.min.js",
                "867226ba8af5ce7949903fc53932f78dac9f4bfc6cc8da0fd3869b8bc6c5256b",
            ),
            "package/graphiql.min.css": (
                "graphiql/graphiql.min.css",
                "30487e07635d312a63f647b140d37740a73c53332b0975bf4b1fe985ca6ec885",
            ),
            "package/LICENSE": ("graphiql/LICENSE", "4b18fbe55c4e8f9169cb702be138f4d858a2dad920c39857204ffdc9c1c9fdc4"),
        },
    ),
    # 18.x is React's last line with browser (UMD) builds, and what GraphiQL 4 needs.
    NpmPackage(
        "react",
        "18.3.1",
        "sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ==",
        {
            "package/umd/react.production.min.js": (
                "react/react.production.min.js",
                "d949f1c3687aedadcedac85261865f29b17cd273997e7f6b2bfc53b2f9d4c4dd",
            ),
            "package/LICENSE": ("react/LICENSE", _LICENSE_REACT),
        },
    ),
    NpmPackage(
        "react-dom",
        "18.3.1",
        "sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==",
        {
            "package/umd/react-dom.production.min.js": (
                "react-dom/react-dom.production.min.js",
                "35f4f974f4b2bcd44da73963347f8952e341f83909e4498227d4e26b98f66f0d",
            ),
            "package/LICENSE": ("react-dom/LICENSE", _LICENSE_REACT),
        },
    ),
)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _present(package: NpmPackage, vendor: Path) -> bool:
    for target, sha256 in package.files.values():
        path = vendor / target
        if not path.is_file() or _sha256(path.read_bytes()) != sha256:
            return False
    return True


def _check_integrity(package: NpmPackage, tarball: bytes) -> None:
    algorithm, _, expected = package.integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode()
    if actual != expected:
        raise RuntimeError(f"{package.tarball}: the tarball does not match its pinned integrity hash")


def fetch(vendor: Path = VENDOR) -> None:
    """Every pinned file under `vendor`, fetched and checked where missing or different."""
    for package in PACKAGES:
        if _present(package, vendor):
            continue
        with urllib.request.urlopen(package.tarball, timeout=120) as response:
            tarball = response.read()
        _check_integrity(package, tarball)
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            for member, (target, sha256) in package.files.items():
                extracted = archive.extractfile(member)
                if extracted is None:
                    raise RuntimeError(f"{package.tarball}: {member} is not a file")
                data = extracted.read()
                if _sha256(data) != sha256:
                    raise RuntimeError(f"{package.tarball}: {member} does not match its pinned SHA-256")
                path = vendor / target
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)


def build_wheel(wheel_directory: str, config_settings: Any = None, metadata_directory: str | None = None) -> str:
    fetch()
    return str(_setuptools.build_wheel(wheel_directory, config_settings, metadata_directory))


def build_editable(wheel_directory: str, config_settings: Any = None, metadata_directory: str | None = None) -> str:
    fetch()
    return str(_setuptools.build_editable(wheel_directory, config_settings, metadata_directory))


def build_sdist(sdist_directory: str, config_settings: Any = None) -> str:
    fetch()
    return str(_setuptools.build_sdist(sdist_directory, config_settings))
