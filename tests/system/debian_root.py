"""A real Debian 12 (bookworm) root file system for the install tests: made by debootstrap, entered by chroot.

debootstrap takes one to three minutes, so the freshly bootstrapped tree (nothing of ours in it) is kept as a
tarball in a cache folder and unpacked for every test run; the tarball's name holds everything that decides
its content. Everything the installer does inside the root (apt-get, pip, useradd) runs for real each time.

The root reaches the package registries the way this host does: its pip configuration (config files,
PIP_* variables, and the files and folders they name) and its extra CA certificates are passed in.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
# systemd: Raspberry Pi OS has it, and the installed units are verified against its unit files.
DEBOOTSTRAP = ("--variant=minbase", "--include=systemd,systemd-sysv")
CACHE = Path(os.environ.get("ARGUS_TEST_CACHE", Path.home() / ".cache" / "argus-tests"))


def host_arch() -> str:
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())


def cached_tarball(arch: str | None = None) -> Path:
    """The bootstrapped root as a tarball, made once per (suite, mirror, options, architecture). A foreign
    architecture (arm64 on an x86_64 host) is bootstrapped through qemu-user (see emulation())."""
    arch = arch or host_arch()
    key = hashlib.sha256(repr((SUITE, MIRROR, DEBOOTSTRAP, arch)).encode()).hexdigest()[:12]
    tarball = CACHE / f"debian-{SUITE}-{arch}-{key}.tar"
    if tarball.exists():
        return tarball
    if not shutil.which("debootstrap"):
        raise RuntimeError("debootstrap is missing: scripts/test installs it (Debian package debootstrap)")
    CACHE.mkdir(parents=True, exist_ok=True)
    work = CACHE / f"bootstrap-{arch}-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    try:
        result = subprocess.run(["debootstrap", f"--arch={arch}", *DEBOOTSTRAP, SUITE, str(work), MIRROR],
                                capture_output=True, text=True, timeout=1800)
        if result.returncode != 0:
            raise RuntimeError(f"debootstrap failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        partial = tarball.with_suffix(".partial")
        subprocess.run(["tar", "-C", str(work), "-cf", str(partial), "."], check=True, timeout=300)
        partial.rename(tarball)  # only a complete tarball ever has the final name
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return tarball


def unpack(dest: Path, arch: str | None = None) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-C", str(dest), "--numeric-owner", "-xpf", str(cached_tarball(arch))], check=True,
                   timeout=300)


BINFMT = Path("/proc/sys/fs/binfmt_misc")


def emulation(arch: str) -> str | None:
    """Makes the kernel run ARCH's programs through qemu-user (Debian's qemu-user-static registers the rule
    file; outside systemd nobody loads it, so it is written to binfmt_misc here). Returns why the kernel will
    not, or None once it does; a missing qemu is an error (scripts/test installs it), not a reason to skip."""
    qemu = {"arm64": "aarch64"}[arch]
    if (BINFMT / f"qemu-{qemu}").exists():
        return None
    rule = Path(f"/usr/lib/binfmt.d/qemu-{qemu}.conf")
    if not rule.exists():
        raise RuntimeError(f"{rule} is missing: scripts/test installs it (Debian package qemu-user-static)")
    if not (BINFMT / "register").exists():
        mounted = subprocess.run(["mount", "-t", "binfmt_misc", "binfmt_misc", str(BINFMT)], capture_output=True,
                                 text=True)
        if mounted.returncode != 0:
            return f"the kernel refused binfmt_misc (mount: {mounted.stderr.strip()})"
    line = next(x for x in rule.read_text().splitlines() if x.startswith(":"))
    try:
        (BINFMT / "register").write_text(line)
    except OSError as error:
        return f"the kernel refused to register qemu-{qemu} with binfmt_misc: {error}"
    return None


def _pip_config_values() -> list[str]:
    listed = subprocess.run(["python3", "-m", "pip", "config", "list"], capture_output=True, text=True,
                            timeout=60).stdout
    values = []
    for line in listed.splitlines():
        _, _, value = line.partition("=")
        values += value.strip().strip("'\"").split()
    return values + [word for k, v in os.environ.items() if k.startswith("PIP_") for word in v.split()]


def _pip_config_files() -> list[Path]:
    debug = subprocess.run(["python3", "-m", "pip", "config", "debug"], capture_output=True, text=True,
                           timeout=60).stdout
    files = []
    for line in debug.splitlines():
        line = line.strip()
        if line.endswith(", exists: True"):
            files.append(Path(line.removesuffix(", exists: True")))
    return [f for f in files if "site-packages" not in str(f) and not str(f).startswith(sys.prefix)]


@contextlib.contextmanager
def host_access(root: Path) -> Iterator[dict[str, str]]:
    """/proc and /dev in the root, the host's pip configuration and CA certificates copied in, the folders
    that configuration names (local indexes, find-links) bound read-only; yields the environment to run the
    installer with. Unmounts everything on the way out."""
    mounts: list[Path] = []

    def bind(source: Path, *options: str) -> None:
        target = root / str(source).lstrip("/")
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "--bind", str(source), str(target)], check=True)
        mounts.append(target)
        if "ro" in options:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(target)], check=True)

    try:
        (root / "proc").mkdir(exist_ok=True)
        subprocess.run(["mount", "-t", "proc", "proc", str(root / "proc")], check=True)
        mounts.append(root / "proc")
        # Read-only: device nodes still open for writing (/dev/null), but nothing in the root can delete them.
        bind(Path("/dev"), "ro")
        for config in _pip_config_files():
            copy = root / str(config).lstrip("/")
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(config, copy)
        for value in _pip_config_values():
            path = Path(value.removeprefix("file://"))
            if not path.is_absolute() or not path.exists() or path == Path("/"):
                continue
            if path.is_dir():
                # A local index DIR/simple links its files as ../../files/...: bring the whole DIR.
                bind(path.parent if path.name == "simple" else path, "ro")
            elif not str(path).startswith("/etc/ssl/"):  # certificates: ca-certificates builds the bundle
                copy = root / str(path).lstrip("/")
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, copy)
        extra_ca = Path("/usr/local/share/ca-certificates")
        if extra_ca.is_dir():
            shutil.copytree(extra_ca, root / "usr/local/share/ca-certificates", dirs_exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
        env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        yield env
    finally:
        for target in reversed(mounts):
            if subprocess.run(["umount", str(target)], capture_output=True).returncode != 0:
                subprocess.run(["umount", "--lazy", str(target)], check=False)
        assert_unmounted(root)


def mounts_below(root: Path) -> list[str]:
    prefix = str(root.resolve()).rstrip("/") + "/"
    with open("/proc/self/mountinfo") as info:
        points = [line.split()[4] for line in info]
    return [p for p in points if p.startswith(prefix)]


def assert_unmounted(root: Path) -> None:
    """Deleting a root with /dev still bound into it would delete the host's /dev: check before anyone does."""
    left = mounts_below(root)
    if left:
        raise RuntimeError(f"still mounted below {root}: {left}; unmount them before deleting it")
