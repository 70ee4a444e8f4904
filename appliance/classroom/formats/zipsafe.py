"""Opening a zip someone uploaded without trusting it: no decompression bombs, no path tricks, no huge
members. Sizes are counted while inflating, never taken from the zip's own headers, which can lie."""
from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from appliance.classroom.importers import InvalidImport


@dataclass(frozen=True)
class ZipLimits:
    members: int = 64
    member_bytes: int = 32 * 1024 * 1024
    total_bytes: int = 96 * 1024 * 1024
    ratio: int = 200  # inflated/compressed; real CSV and XML stay far below, bombs far above


def _safe_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return not (name.startswith(("/", "\\")) or ":" in parts[0] or ".." in parts or "\x00" in name)


def read_members(data: bytes, what: str, limits: ZipLimits = ZipLimits()) -> dict[str, bytes]:
    """Every file in the zip by name (folders dropped); `what` names the upload in errors."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise InvalidImport([f"the {what} is not a valid zip file ({exc})"]) from None
    files = [i for i in infos if not i.is_dir()]
    if len(files) > limits.members:
        raise InvalidImport([f"the {what} holds {len(files)} files, at most {limits.members} are read"])
    members: dict[str, bytes] = {}
    total = 0
    for info in files:
        if not _safe_name(info.filename):
            raise InvalidImport([f"{info.filename}: a file name with a path outside the zip is refused"])
        if info.flag_bits & 0x1:
            raise InvalidImport([f"{info.filename}: encrypted zip members cannot be read"])
        budget = min(limits.member_bytes, limits.total_bytes - total,
                     max(info.compress_size, 1024) * limits.ratio)
        chunks, size = [], 0
        try:
            with archive.open(info) as member:
                while chunk := member.read(65536):
                    size += len(chunk)
                    if size > budget:
                        raise InvalidImport([f"{info.filename}: inflates to more than "
                                             f"{_mib(budget)} (a damaged file or a zip bomb); refused"])
                    chunks.append(chunk)
        except InvalidImport:  # a ValueError too: keep it from being taken for a broken zip below
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError,
                ValueError, zlib.error) as exc:
            raise InvalidImport([f"{info.filename}: cannot be unpacked ({exc})"]) from None
        total += size
        members[info.filename] = b"".join(chunks)
    return members


def _mib(n: int) -> str:
    return f"{n / 1048576:.1f} MiB" if n >= 1048576 else f"{n // 1024} KiB"
