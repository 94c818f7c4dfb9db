#!/usr/bin/env python3
"""Deterministic test-image archives for Berth (no registry, no network).

    python3 tests/images/make_images.py --out DIR [--big-mb N] [--busybox PATH]

Writes into DIR:

  busybox.tar      `docker save` archive (Docker 25+ layout: manifest.json + repositories
                   + OCI image layout) of busybox:latest, one uncompressed layer.
  busybox-oci.tar  the same image as a pure OCI image layout, gzip layer, tag busybox:oci.
  layered.tar      `docker save` archive of berth-test/layered:1, three layers with whiteouts.
  health.tar       `docker save` archive of berth-test/health:1: busybox with a Healthcheck
                   (CMD-SHELL test -f /ok, interval 200ms, retries 2) in its config.
  rootfs.tar       plain rootfs tarball (the busybox layer, byte-identical) for `docker import`.
  big.tar          (only with --big-mb N) `docker save` archive of berth-test/big:1,
                   busybox + 4 layers of incompressible data, about N MiB.

Every byte is a function of the inputs (the busybox binary and its applet list): fixed
mtimes, uid/gid 0 unless stated, sorted entries, PAX tar headers, gzip mtime 0, compact JSON.
Running it twice gives identical files. Standard library only.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

# 2024-01-01T00:00:00Z: the mtime of every tar entry and the `created` of every image.
EPOCH = 1704067200
CREATED = "2024-01-01T00:00:00Z"

MT_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MT_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
MT_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"

ANN_IMAGE_NAME = "io.containerd.image.name"
ANN_REF_NAME = "org.opencontainers.image.ref.name"

# What `docker save` writes (moby daemon/internal/image/tarexport/save.go).
OCI_LAYOUT = b'{"imageLayoutVersion": "1.0.0"}'

DEFAULT_ENV = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]

MIB = 1 << 20
CHUNK = 4 * MIB


# --------------------------------------------------------------------------------------------
# JSON: compact, and for the OCI descriptors the same key order Go's encoding/json emits for
# the image-spec structs (dicts below are built in that order, so no sort_keys there).


def go_json(obj) -> bytes:
    """json.Marshal-like: compact, UTF-8, insertion order preserved."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_json(obj) -> bytes:
    """Image configs: compact with sorted keys (the image ID is the sha256 of these bytes)."""
    return json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def descriptor(media_type: str, digest: str, size: int, annotations: dict | None = None) -> dict:
    d = {"mediaType": media_type, "digest": digest, "size": size}
    if annotations:
        d["annotations"] = dict(sorted(annotations.items()))  # Go sorts map keys
    return d


# --------------------------------------------------------------------------------------------
# Tar writing. We emit headers with tarfile.TarInfo.tobuf (PAX format: plain ustar headers, a
# PAX extended header only when a field does not fit) and write data and padding ourselves,
# ending with two zero blocks and no record padding -- as Go's archive/tar does. That also lets
# large files stream in chunks without building them in memory.

BLOCK = 512


class HashingWriter:
    """File-like sink that counts and sha256-hashes what goes through it."""

    def __init__(self, sink):
        self.sink = sink
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        self.sha.update(data)
        self.size += len(data)
        if self.sink is not None:
            self.sink.write(data)
        return len(data)

    def flush(self):
        if self.sink is not None:
            self.sink.flush()

    @property
    def digest(self) -> str:
        return "sha256:" + self.sha.hexdigest()


@dataclass
class Entry:
    path: str  # relative, no leading "./" or "/", no trailing "/"
    kind: bytes  # tarfile.REGTYPE / DIRTYPE / SYMTYPE
    mode: int
    uid: int = 0
    gid: int = 0
    size: int = 0
    linkname: str = ""
    data: bytes | None = None  # small files
    chunks: Callable[[], Iterable[bytes]] | None = None  # large files (must yield `size` bytes)

    def sort_key(self):
        # Component-wise: a directory sorts right before its own contents.
        return tuple(self.path.split("/"))


def d(path, mode=0o755, uid=0, gid=0) -> Entry:
    return Entry(path, tarfile.DIRTYPE, mode, uid, gid)


def f(path, data: bytes, mode=0o644, uid=0, gid=0) -> Entry:
    return Entry(path, tarfile.REGTYPE, mode, uid, gid, size=len(data), data=data)


def big_file(path, size: int, chunks: Callable[[], Iterable[bytes]], mode=0o644) -> Entry:
    return Entry(path, tarfile.REGTYPE, mode, size=size, chunks=chunks)


def sym(path, target) -> Entry:
    return Entry(path, tarfile.SYMTYPE, 0o777, linkname=target)


def tar_header(e: Entry) -> bytes:
    ti = tarfile.TarInfo(e.path)  # tobuf appends "/" to directory names
    ti.type = e.kind
    ti.mode = e.mode
    ti.uid, ti.gid = e.uid, e.gid
    ti.uname = ti.gname = ""
    ti.mtime = EPOCH
    ti.size = e.size if e.kind == tarfile.REGTYPE else 0
    ti.linkname = e.linkname
    return ti.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


def write_tar(out, entries: Iterable[Entry], sort: bool = True) -> None:
    """Write a complete tar stream of `entries` to the file-like `out`."""
    entries = list(entries)
    if sort:
        entries.sort(key=Entry.sort_key)
    seen = set()
    for e in entries:
        if e.path in seen:
            raise ValueError(f"duplicate tar entry {e.path}")
        seen.add(e.path)
        out.write(tar_header(e))
        if e.kind != tarfile.REGTYPE:
            continue
        written = 0
        if e.data is not None:
            out.write(e.data)
            written = len(e.data)
        elif e.chunks is not None:
            for c in e.chunks():
                out.write(c)
                written += len(c)
        if written != e.size:
            raise ValueError(f"{e.path}: wrote {written} bytes, header says {e.size}")
        pad = -written % BLOCK
        if pad:
            out.write(b"\0" * pad)
    out.write(b"\0" * (2 * BLOCK))


# --------------------------------------------------------------------------------------------
# Blobs. Every layer / config / manifest is written once into a staging directory named by its
# digest; archives are then assembled from those files.


@dataclass
class Blob:
    digest: str  # "sha256:<hex>"
    size: int
    path: str  # file on disk holding the bytes

    @property
    def hex(self) -> str:
        return self.digest.split(":", 1)[1]


class BlobStore:
    def __init__(self, root: str):
        self.root = root
        os.makedirs(root, exist_ok=True)
        self._n = 0

    def _final(self, tmp: str, digest: str, size: int) -> Blob:
        path = os.path.join(self.root, digest.split(":", 1)[1])
        os.replace(tmp, path)
        return Blob(digest, size, path)

    def put_bytes(self, data: bytes) -> Blob:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        path = os.path.join(self.root, digest.split(":", 1)[1])
        with open(path, "wb") as fh:
            fh.write(data)
        return Blob(digest, len(data), path)

    def put_stream(self, produce: Callable[[object], None]) -> Blob:
        """`produce(writer)` writes the blob; it is hashed while it goes to disk."""
        self._n += 1
        tmp = os.path.join(self.root, f".tmp-{self._n}")
        with open(tmp, "wb", buffering=CHUNK) as fh:
            hw = HashingWriter(fh)
            produce(hw)
        return self._final(tmp, hw.digest, hw.size)

    def put_gzip(self, src: Blob) -> Blob:
        """gzip of another blob: no file name, mtime 0, level 9 -- deterministic for a given zlib."""

        def produce(w):
            with gzip.GzipFile(filename="", mode="wb", fileobj=w, compresslevel=9, mtime=0) as gz:
                with open(src.path, "rb") as fh:
                    while chunk := fh.read(CHUNK):
                        gz.write(chunk)

        return self.put_stream(produce)

    def put_tar(self, entries: Iterable[Entry]) -> Blob:
        return self.put_stream(lambda w: write_tar(w, entries))


# --------------------------------------------------------------------------------------------
# Images


@dataclass
class Layer:
    tar: Blob  # uncompressed tar: its digest is the diff_id
    blob: Blob  # what the manifest references (== tar, or its gzip)
    media_type: str
    created_by: str


@dataclass
class Image:
    name: str  # fully qualified: docker.io/library/busybox
    tag: str
    layers: list[Layer]
    config: Blob = None
    manifest: Blob = None
    config_extra: dict = field(default_factory=dict)

    @property
    def familiar_name(self) -> str:
        for prefix in ("docker.io/library/", "docker.io/"):
            if self.name.startswith(prefix):
                return self.name[len(prefix):]
        return self.name

    @property
    def repo_tag(self) -> str:
        return f"{self.familiar_name}:{self.tag}"

    @property
    def image_id(self) -> str:
        return self.config.digest


def build_image(store: BlobStore, img: Image) -> Image:
    cfg = {"Env": list(DEFAULT_ENV), "Cmd": ["sh"]}
    cfg.update(img.config_extra)
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": CREATED,
        "config": cfg,
        "rootfs": {"type": "layers", "diff_ids": [l.tar.digest for l in img.layers]},
        "history": [{"created": CREATED, "created_by": l.created_by} for l in img.layers],
    }
    img.config = store.put_bytes(canonical_json(config))
    manifest = {
        "schemaVersion": 2,
        "mediaType": MT_OCI_MANIFEST,
        "config": descriptor(MT_OCI_CONFIG, img.config.digest, img.config.size),
        "layers": [descriptor(l.media_type, l.blob.digest, l.blob.size) for l in img.layers],
    }
    img.manifest = store.put_bytes(go_json(manifest))
    return img


def write_archive(out_path: str, img: Image, docker_save: bool) -> None:
    """One image as an OCI image layout, plus manifest.json and repositories if docker_save."""
    blobs = {img.manifest.hex: img.manifest, img.config.hex: img.config}
    for l in img.layers:
        blobs[l.blob.hex] = l.blob

    index = {
        "schemaVersion": 2,
        "mediaType": MT_OCI_INDEX,
        "manifests": [
            descriptor(
                MT_OCI_MANIFEST,
                img.manifest.digest,
                img.manifest.size,
                {ANN_IMAGE_NAME: f"{img.name}:{img.tag}", ANN_REF_NAME: img.tag},
            )
        ],
    }
    files: list[Entry] = [
        d("blobs"),
        d("blobs/sha256"),
        f("index.json", go_json(index)),
        f("oci-layout", OCI_LAYOUT),
    ]
    if docker_save:
        manifest_json = [
            {
                "Config": f"blobs/sha256/{img.config.hex}",
                "RepoTags": [img.repo_tag],
                "Layers": [f"blobs/sha256/{l.blob.hex}" for l in img.layers],
            }
        ]
        # json.Encoder in Go appends a newline; save.go uses it for these two files.
        files.append(f("manifest.json", go_json(manifest_json) + b"\n"))
        repositories = {img.familiar_name: {img.tag: img.layers[-1].tar.hex}}
        files.append(f("repositories", go_json(repositories) + b"\n"))
    for hx, b in blobs.items():
        files.append(big_file(f"blobs/sha256/{hx}", b.size, file_chunks(b.path)))

    tmp = out_path + ".tmp"
    with open(tmp, "wb", buffering=CHUNK) as fh:
        write_tar(fh, files)
    os.replace(tmp, out_path)


def file_chunks(path: str) -> Callable[[], Iterator[bytes]]:
    def gen():
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk

    return gen


# --------------------------------------------------------------------------------------------
# Layer contents

PASSWD = b"""root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
user:x:1000:1000::/home/user:/bin/sh
"""

GROUP = b"""root:x:0:
daemon:x:1:
bin:x:2:
nogroup:x:65534:
user:x:1000:
"""

OS_RELEASE = b"""NAME="Berth test busybox"
ID=berth-busybox
VERSION_ID=1
PRETTY_NAME="Berth test busybox"
"""


def is_static_elf(data: bytes) -> bool:
    """True if `data` is an ELF executable without a PT_INTERP (dynamic loader) segment."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:  # 64-bit little-endian only
        return False
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        p_type, = struct.unpack_from("<I", data, phoff + i * phentsize)
        if p_type == 3:  # PT_INTERP
            return False
    return True


def busybox_entries(busybox: str) -> tuple[list[Entry], int]:
    with open(busybox, "rb") as fh:
        binary = fh.read()
    if not is_static_elf(binary):
        sys.exit(f"{busybox}: not a static x86-64 ELF binary (install busybox-static)")
    listing = subprocess.run([busybox, "--list"], check=True, capture_output=True, text=True).stdout
    applets = sorted({a.strip() for a in listing.split() if a.strip()} - {"busybox"})
    bad = [a for a in applets if "/" in a or a in (".", "..")]
    if bad:
        sys.exit(f"{busybox} --list: unexpected applet names {bad}")
    entries = [
        d("bin"),
        f("bin/busybox", binary, mode=0o755),
        d("dev"),
        d("etc"),
        f("etc/group", GROUP),
        f("etc/os-release", OS_RELEASE),
        f("etc/passwd", PASSWD),
        d("home"),
        d("home/user", uid=1000, gid=1000),
        d("proc"),
        d("root", mode=0o700),
        d("sys"),
        d("tmp", mode=0o1777),
        d("var"),
    ]
    entries += [sym(f"bin/{a}", "busybox") for a in applets]
    return entries, len(applets)


def layered_entries() -> tuple[list[Entry], list[Entry]]:
    l2 = [
        d("data"),
        f("data/a", b"a\n"),
        f("data/b", b"b\n"),
        d("data/dir"),
        f("data/dir/x", b"x\n"),
        d("data/keep"),
        f("data/keep/k", b"k\n"),
    ]
    l3 = [
        d("data"),
        f("data/.wh.a", b""),  # OCI whiteout: removes data/a
        f("data/b", b"b2\n"),
        d("data/dir"),
        f("data/dir/.wh..wh..opq", b""),  # opaque: hides data/dir/x from lower layers
        f("data/dir/y", b"y\n"),
    ]
    return l2, l3


def random_chunks(seed: bytes, size: int) -> Callable[[], Iterator[bytes]]:
    """Incompressible deterministic bytes: SHAKE-256 of the seed, in CHUNK-sized pieces
    (each piece keyed by its index, so memory stays bounded whatever the size)."""

    def gen():
        left, i = size, 0
        while left:
            n = min(CHUNK, left)
            yield hashlib.shake_256(seed + b"/" + str(i).encode()).digest(n)
            left -= n
            i += 1

    return gen


def big_layers_entries(total_mib: int, n_layers: int = 4) -> list[tuple[list[Entry], int]]:
    """Split total_mib over n_layers; each layer holds files of 1-16 MiB (sizes from a seeded
    PRNG -- random.Random(int) is stable across Python versions)."""
    rng = random.Random(20240101)
    out = []
    for li in range(n_layers):
        quota = total_mib // n_layers + (1 if li < total_mib % n_layers else 0)
        entries = [d("big"), d(f"big/layer{li + 1}")]
        fi = 0
        while quota > 0 or fi == 0:
            mib = min(rng.randint(1, 16), quota) if quota > 0 else 0
            size = mib * MIB if mib else 4096  # an empty quota still gets one small file
            name = f"big/layer{li + 1}/file{fi:03d}.bin"
            entries.append(big_file(name, size, random_chunks(f"berth-big:{name}".encode(), size)))
            quota -= mib
            fi += 1
        out.append((entries, sum(e.size for e in entries)))
    return out


# --------------------------------------------------------------------------------------------


def human(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024
    return str(n)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output directory (created if missing)")
    ap.add_argument("--big-mb", type=int, default=0, metavar="N",
                    help="also write big.tar with about N MiB of random data in 4 layers")
    ap.add_argument("--busybox", default="/bin/busybox", help="static busybox binary to package")
    args = ap.parse_args(argv)
    if args.big_mb < 0:
        ap.error("--big-mb must be >= 0")

    t0 = time.monotonic()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    summary = []

    with tempfile.TemporaryDirectory(prefix=".make_images-", dir=out) as staging:
        store = BlobStore(os.path.join(staging, "blobs"))

        bb_entries, n_applets = busybox_entries(args.busybox)
        bb_tar = store.put_tar(bb_entries)
        bb_layer = Layer(bb_tar, bb_tar, MT_LAYER_TAR,
                         f"make_images.py: busybox rootfs (bin/busybox + {n_applets} applet links)")

        # 1. busybox.tar
        busybox = build_image(store, Image("docker.io/library/busybox", "latest", [bb_layer]))
        write_archive(os.path.join(out, "busybox.tar"), busybox, docker_save=True)
        summary.append(("busybox.tar", busybox))

        # 2. busybox-oci.tar: same config (same diff_id) but a gzip layer blob
        bb_gz = store.put_gzip(bb_tar)
        oci = build_image(store, Image("docker.io/library/busybox", "oci",
                                       [Layer(bb_tar, bb_gz, MT_LAYER_GZIP, bb_layer.created_by)]))
        assert oci.image_id == busybox.image_id
        write_archive(os.path.join(out, "busybox-oci.tar"), oci, docker_save=False)
        summary.append(("busybox-oci.tar", oci))

        # 3. layered.tar
        l2, l3 = layered_entries()
        t2, t3 = store.put_tar(l2), store.put_tar(l3)
        layered = build_image(store, Image(
            "docker.io/berth-test/layered", "1",
            [bb_layer,
             Layer(t2, t2, MT_LAYER_TAR, "make_images.py: add data/a data/b data/dir/x data/keep/k"),
             Layer(t3, t3, MT_LAYER_TAR,
                   "make_images.py: whiteout data/a, opaque data/dir + data/dir/y, data/b=b2")],
            config_extra={"Labels": {"org.berth.test": "layered"}, "WorkingDir": "/data"}))
        write_archive(os.path.join(out, "layered.tar"), layered, docker_save=True)
        summary.append(("layered.tar", layered))

        # 4. health.tar: busybox with a HEALTHCHECK in its config (the image's probe is inherited
        #    by containers; --health-* flags override its fields, --no-healthcheck disables it)
        health = build_image(store, Image(
            "docker.io/berth-test/health", "1", [bb_layer],
            config_extra={"Healthcheck": {"Test": ["CMD-SHELL", "test -f /ok"],
                                          "Interval": 200_000_000, "Retries": 2}}))
        write_archive(os.path.join(out, "health.tar"), health, docker_save=True)
        summary.append(("health.tar", health))

        # 5. rootfs.tar: the busybox layer itself
        tmp = os.path.join(out, "rootfs.tar.tmp")
        with open(bb_tar.path, "rb") as src, open(tmp, "wb") as dst:
            while chunk := src.read(CHUNK):
                dst.write(chunk)
        os.replace(tmp, os.path.join(out, "rootfs.tar"))
        summary.append(("rootfs.tar", None))

        # 6. big.tar
        if args.big_mb:
            layers = [bb_layer]
            for i, (entries, payload) in enumerate(big_layers_entries(args.big_mb)):
                t = store.put_tar(entries)
                layers.append(Layer(t, t, MT_LAYER_TAR,
                                    f"make_images.py: big layer {i + 1} ({len(entries) - 2} files, "
                                    f"{payload} bytes of random data)"))
            big = build_image(store, Image("docker.io/berth-test/big", "1", layers))
            write_archive(os.path.join(out, "big.tar"), big, docker_save=True)
            summary.append(("big.tar", big))

    for name, img in summary:
        size = os.path.getsize(os.path.join(out, name))
        if img is None:
            print(f"{name:16} {'(rootfs, no image metadata)':78} {'-':28} {human(size):>10}")
        else:
            print(f"{name:16} {img.image_id:78} {img.repo_tag:28} {human(size):>10}")
    print(f"wrote {len(summary)} archives to {out} in {time.monotonic() - t0:.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
