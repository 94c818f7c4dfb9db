#!/usr/bin/env python3
"""Malicious and broken image archives for Berth's `docker load` tests.

    python3 tests/images/make_bad_images.py --out DIR --good DIR_WITH_busybox.tar

Each archive is a well-formed docker-save archive (manifest.json + config + layer blobs, with
correct digests and diff_ids) whose *layer* tries something an engine must refuse, or an archive
broken at the container level:

  bad-traversal.tar     layer entry "../escaped" and "a/../../escaped2"
  bad-absolute.tar      layer entry "/etc/berth-abs" (must land inside the layer, never on the host)
  bad-symlink.tar       "link -> /tmp/berth-outside-<tag>" then "link/evil" written through it
  bad-symlink-rel.tar   "up -> ../../../../../../tmp" relative escape
  bad-hardlink.tar      hardlink "shadow" -> "/etc/shadow" (absent from the layer)
  bad-bomb.tar          xz layer of ~46 KiB expanding to ~300 MiB of zeros (ratio ~6800)
  bad-digest.tar        a blobs/sha256/<hex> layer whose content does not match its name
  truncated.tar         busybox.tar cut in the middle of its layer

Standard library only; deterministic except the zlib version.
"""

from __future__ import annotations

import argparse
import lzma
import hashlib
import io
import json
import os
import tarfile

EPOCH = 1704067200


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def tar_bytes(entries) -> bytes:
    """entries: list of (TarInfo, data or None)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for info, data in entries:
            info.mtime = EPOCH
            if data is not None:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
            else:
                t.addfile(info)
    return buf.getvalue()


def file_entry(name: str, data: bytes, mode: int = 0o644):
    info = tarfile.TarInfo(name)
    info.type = tarfile.REGTYPE
    info.mode = mode
    return info, data


def dir_entry(name: str):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    return info, None


def symlink_entry(name: str, target: str):
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    return info, None


def hardlink_entry(name: str, target: str):
    info = tarfile.TarInfo(name)
    info.type = tarfile.LNKTYPE
    info.linkname = target
    return info, None


def image_archive(tag: str, layer_blob: bytes, diff_id: str, layer_name: str | None = None) -> bytes:
    """A docker-save archive with one layer; `layer_name` overrides the blob path."""
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
        "config": {"Cmd": ["sh"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "test"}],
    }, sort_keys=True, separators=(",", ":")).encode()
    config_path = "blobs/sha256/" + hashlib.sha256(config).hexdigest()
    layer_path = layer_name or ("blobs/sha256/" + hashlib.sha256(layer_blob).hexdigest())
    manifest = json.dumps([{"Config": config_path, "RepoTags": [tag], "Layers": [layer_path]}]).encode()
    return tar_bytes([
        dir_entry("blobs/"), dir_entry("blobs/sha256/"),
        file_entry(layer_path, layer_blob), file_entry(config_path, config),
        file_entry("manifest.json", manifest),
    ])


def plain_layer_image(tag: str, entries) -> bytes:
    layer = tar_bytes(entries)
    return image_archive(tag, layer, sha256(layer))


def bomb_image(tag: str, mib: int = 300) -> bytes:
    # A tar holding one file of zeros, xz-compressed: ~46 KiB expanding to `mib` MiB.
    size = mib << 20
    header = tarfile.TarInfo("zeros")
    header.size = size
    header.mtime = EPOCH
    head = header.tobuf(format=tarfile.PAX_FORMAT)
    compressor = lzma.LZMACompressor(preset=0)
    hasher = hashlib.sha256()
    out = bytearray()
    def feed(chunk: bytes):
        hasher.update(chunk)
        out.extend(compressor.compress(chunk))
    feed(head)
    zeros = bytes(1 << 20)
    for _ in range(mib):
        feed(zeros)
    feed(bytes(1024))  # end-of-archive blocks
    out.extend(compressor.flush())
    return image_archive(tag, bytes(out), "sha256:" + hasher.hexdigest())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--good", required=True, help="directory holding busybox.tar")
    ap.add_argument("--outside", default="/tmp/berth-outside", help="path the symlink attack targets")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    archives = {
        "bad-traversal.tar": plain_layer_image("bad/traversal:1", [
            file_entry("../escaped", b"x"), file_entry("a/../../escaped2", b"y")]),
        "bad-absolute.tar": plain_layer_image("bad/absolute:1", [
            file_entry("/etc/berth-abs", b"abs")]),
        "bad-symlink.tar": plain_layer_image("bad/symlink:1", [
            symlink_entry("link", args.outside), file_entry("link/evil", b"evil")]),
        "bad-symlink-rel.tar": plain_layer_image("bad/symlink-rel:1", [
            symlink_entry("up", "../../../../../../tmp"), file_entry("up/berth-evil-rel", b"evil")]),
        "bad-hardlink.tar": plain_layer_image("bad/hardlink:1", [
            hardlink_entry("shadow", "/etc/shadow")]),
        "bad-bomb.tar": bomb_image("bad/bomb:1"),
    }
    # A blob whose content does not match the digest in its name.
    good_layer = tar_bytes([file_entry("ok", b"ok")])
    evil_layer = tar_bytes([file_entry("ok", b"KO")])
    archives["bad-digest.tar"] = image_archive(
        "bad/digest:1", evil_layer, sha256(good_layer),
        layer_name="blobs/sha256/" + hashlib.sha256(good_layer).hexdigest())
    for name, data in archives.items():
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(data)
    with open(os.path.join(args.good, "busybox.tar"), "rb") as f:
        busybox = f.read()
    with open(os.path.join(args.out, "truncated.tar"), "wb") as f:
        f.write(busybox[: len(busybox) // 2])
    for name in sorted(os.listdir(args.out)):
        print(f"{name:22} {os.path.getsize(os.path.join(args.out, name)):>10} bytes")


if __name__ == "__main__":
    main()
