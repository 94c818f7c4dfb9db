#!/usr/bin/env python3
"""Validate the archives written by make_images.py against the OCI image-spec and the
`docker save` layout (Docker 25+).

    python3 tests/images/check_images.py DIR [--rebuild]

Checks, per archive: every blob's sha256 matches its name; index.json -> manifest -> config and
layer descriptors (digest, size, media type); config diff_ids == sha256 of the uncompressed
layers; manifest.json / repositories agree with the OCI layout; tar hygiene (relative paths,
uid/gid, fixed mtime, sorted, no duplicates). Across archives: busybox-oci's gzip layer
decompresses to busybox.tar's layer, both have the same image ID, layered.tar and big.tar reuse
the busybox layer byte for byte, rootfs.tar is that layer. Content: the busybox rootfs, the
layered image's merged tree after whiteouts, big.tar's incompressible files.

--rebuild regenerates everything into a temporary directory (with the same --big-mb as DIR
implies) and requires byte-identical output: the determinism check.

Exit status 0 when everything passes; every failure is printed.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import zlib

EPOCH = 1704067200
CREATED = "2024-01-01T00:00:00Z"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_TAR = "application/vnd.oci.image.layer.v1.tar"
MT_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
MIB = 1 << 20

# archive -> (docker-save?, fully qualified name:tag, familiar repo:tag, number of layers)
EXPECTED = {
    "busybox.tar": (True, "docker.io/library/busybox:latest", "busybox:latest", 1),
    "busybox-oci.tar": (False, "docker.io/library/busybox:oci", "busybox:oci", 1),
    "layered.tar": (True, "docker.io/berth-test/layered:1", "berth-test/layered:1", 3),
    "health.tar": (True, "docker.io/berth-test/health:1", "berth-test/health:1", 1),
    "big.tar": (True, "docker.io/berth-test/big:1", "berth-test/big:1", 5),
}

failures: list[str] = []


def check(cond, msg: str) -> bool:
    if not cond:
        failures.append(msg)
        print(f"  FAIL {msg}")
    return bool(cond)


def sha256_stream(fh) -> tuple[str, int]:
    h, n = hashlib.sha256(), 0
    while chunk := fh.read(1 << 22):
        h.update(chunk)
        n += len(chunk)
    return "sha256:" + h.hexdigest(), n


def check_tar_hygiene(where: str, tf: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = tf.getmembers()
    names = [m.name for m in members]
    check(len(names) == len(set(names)), f"{where}: duplicate entries")
    keys = [tuple(n.split("/")) for n in names]
    check(keys == sorted(keys), f"{where}: entries not sorted")
    for m in members:
        check(not m.name.startswith("/") and ".." not in m.name.split("/")
              and not m.name.startswith("./"), f"{where}: bad path {m.name!r}")
        check(m.mtime == EPOCH, f"{where}: {m.name} mtime {m.mtime}")
        check(m.uname == "" and m.gname == "", f"{where}: {m.name} has uname/gname")
        check(m.isfile() or m.isdir() or m.issym(), f"{where}: {m.name} unexpected type {m.type!r}")
        if m.issym():
            check(not m.linkname.startswith("/"), f"{where}: {m.name} absolute link")
        parent = m.name.rsplit("/", 1)[0] if "/" in m.name else None
        if parent is not None:
            check(parent in names[: names.index(m.name)], f"{where}: {m.name} before its parent dir")
    return members


class Archive:
    """One image archive, blobs addressed by digest."""

    def __init__(self, path: str):
        self.path = path
        self.name = os.path.basename(path)
        self.tf = tarfile.open(path, "r:")
        self.members = {m.name: m for m in check_tar_hygiene(self.name, self.tf)}
        for m in self.members.values():
            check(m.uid == 0 and m.gid == 0, f"{self.name}: {m.name} not owned by 0:0")

    def read(self, name: str) -> bytes:
        return self.tf.extractfile(self.members[name]).read()

    def open(self, name: str):
        return self.tf.extractfile(self.members[name])

    def blob_name(self, digest: str) -> str:
        algo, hx = digest.split(":", 1)
        return f"blobs/{algo}/{hx}"

    def has_blob(self, desc: dict) -> bool:
        name = self.blob_name(desc["digest"])
        return (check(name in self.members, f"{self.name}: blob {desc['digest']} missing")
                and check(self.members[name].size == desc["size"],
                          f"{self.name}: {name} size {self.members[name].size} != descriptor "
                          f"{desc['size']}"))


def validate_archive(path: str) -> dict:
    """Returns facts for the cross-archive checks: image id, diff ids, layer bytes' digests..."""
    a = Archive(path)
    docker_save, full_ref, repo_tag, n_layers = EXPECTED[a.name]
    print(f"{a.name}:")
    facts = {"archive": a}

    # blobs: name == sha256(content)
    for name, m in a.members.items():
        if name.startswith("blobs/sha256/") and m.isfile():
            dg, _ = sha256_stream(a.open(name))
            check(dg == "sha256:" + name.rsplit("/", 1)[1], f"{a.name}: {name} hashes to {dg}")
        elif name.startswith("blobs/"):
            check(name in ("blobs", "blobs/sha256"), f"{a.name}: unexpected {name}")

    # oci-layout
    check(json.loads(a.read("oci-layout")) == {"imageLayoutVersion": "1.0.0"},
          f"{a.name}: oci-layout")

    # index.json -> one manifest
    index = json.loads(a.read("index.json"))
    check(index.get("schemaVersion") == 2, f"{a.name}: index schemaVersion")
    check(index.get("mediaType") == MT_INDEX, f"{a.name}: index mediaType")
    mans = index.get("manifests", [])
    check(len(mans) == 1, f"{a.name}: index has {len(mans)} manifests")
    mdesc = mans[0]
    check(mdesc["mediaType"] == MT_MANIFEST, f"{a.name}: manifest descriptor mediaType")
    ann = mdesc.get("annotations", {})
    check(ann.get("io.containerd.image.name") == full_ref,
          f"{a.name}: io.containerd.image.name {ann.get('io.containerd.image.name')!r}")
    check(ann.get("org.opencontainers.image.ref.name") == full_ref.rsplit(":", 1)[1],
          f"{a.name}: org.opencontainers.image.ref.name")
    a.has_blob(mdesc)

    manifest = json.loads(a.read(a.blob_name(mdesc["digest"])))
    check(manifest.get("schemaVersion") == 2, f"{a.name}: manifest schemaVersion")
    check(manifest.get("mediaType") == MT_MANIFEST, f"{a.name}: manifest mediaType")
    cdesc = manifest["config"]
    check(cdesc["mediaType"] == MT_CONFIG, f"{a.name}: config mediaType")
    a.has_blob(cdesc)
    config_bytes = a.read(a.blob_name(cdesc["digest"]))
    config = json.loads(config_bytes)
    image_id = "sha256:" + hashlib.sha256(config_bytes).hexdigest()
    check(image_id == cdesc["digest"], f"{a.name}: config digest")
    facts["image_id"] = image_id
    facts["config"] = config

    # config
    check(config.get("architecture") == "amd64" and config.get("os") == "linux",
          f"{a.name}: platform")
    check(config.get("created") == CREATED, f"{a.name}: created")
    check(config.get("config", {}).get("Env") == [PATH_ENV], f"{a.name}: Env")
    check(config.get("config", {}).get("Cmd") == ["sh"], f"{a.name}: Cmd")
    rootfs = config.get("rootfs", {})
    check(rootfs.get("type") == "layers", f"{a.name}: rootfs.type")
    diff_ids = rootfs.get("diff_ids", [])
    check(len(diff_ids) == n_layers, f"{a.name}: {len(diff_ids)} diff_ids, want {n_layers}")
    history = config.get("history", [])
    check(len([h for h in history if not h.get("empty_layer")]) == len(diff_ids),
          f"{a.name}: history does not match layers")
    facts["diff_ids"] = diff_ids

    # layers: descriptor digest/size; uncompressed sha256 == diff_id; layer tar hygiene
    ldescs = manifest.get("layers", [])
    check(len(ldescs) == len(diff_ids), f"{a.name}: manifest has {len(ldescs)} layers")
    facts["layer_members"] = []
    facts["layer_blobs"] = []
    for i, (ld, diff_id) in enumerate(zip(ldescs, diff_ids)):
        a.has_blob(ld)
        check(ld["mediaType"] in (MT_TAR, MT_GZIP), f"{a.name}: layer {i} mediaType")
        if not docker_save:
            check(ld["mediaType"] == MT_GZIP, f"{a.name}: layer {i} should be gzip")
        else:
            check(ld["mediaType"] == MT_TAR, f"{a.name}: docker-save layer {i} should be tar")
        bname = a.blob_name(ld["digest"])
        facts["layer_blobs"].append(bname)
        raw = a.open(bname)
        stream = gzip.GzipFile(fileobj=raw, mode="rb") if ld["mediaType"] == MT_GZIP else raw
        dg, _ = sha256_stream(stream)
        check(dg == diff_id, f"{a.name}: layer {i} uncompressed sha256 {dg} != diff_id {diff_id}")
        raw = a.open(bname)
        lt = tarfile.open(fileobj=raw, mode="r:gz" if ld["mediaType"] == MT_GZIP else "r:")
        facts["layer_members"].append((lt, check_tar_hygiene(f"{a.name} layer {i}", lt)))

    # docker save extras, or their absence
    if docker_save:
        mj = json.loads(a.read("manifest.json"))
        check(isinstance(mj, list) and len(mj) == 1, f"{a.name}: manifest.json is not one item")
        item = mj[0]
        check(item.get("Config") == a.blob_name(cdesc["digest"]), f"{a.name}: manifest.json Config")
        check(item.get("RepoTags") == [repo_tag], f"{a.name}: RepoTags {item.get('RepoTags')}")
        layers = item.get("Layers", [])
        check(len(layers) == len(diff_ids), f"{a.name}: manifest.json Layers count")
        for p, diff_id in zip(layers, diff_ids):
            if check(p in a.members, f"{a.name}: manifest.json layer {p} missing"):
                # docker load hashes the file as is (uncompressed layers) against diff_ids
                check(sha256_stream(a.open(p))[0] == diff_id, f"{a.name}: {p} != diff_id")
        check(layers == facts["layer_blobs"], f"{a.name}: manifest.json / OCI manifest layers differ")
        repos = json.loads(a.read("repositories"))
        name, tag = repo_tag.rsplit(":", 1)
        check(repos == {name: {tag: diff_ids[-1].split(":", 1)[1]}},
              f"{a.name}: repositories {repos}")
    else:
        for extra in ("manifest.json", "repositories"):
            check(extra not in a.members, f"{a.name}: pure OCI archive has {extra}")

    # no unreferenced blobs
    referenced = {a.blob_name(mdesc["digest"]), a.blob_name(cdesc["digest"]), *facts["layer_blobs"]}
    present = {n for n, m in a.members.items() if n.startswith("blobs/sha256/") and m.isfile()}
    check(present == referenced, f"{a.name}: unreferenced blobs {sorted(present - referenced)}")

    print(f"  ok  {image_id}  {repo_tag}  {len(diff_ids)} layer(s)")
    return facts


def check_busybox_layer(lt: tarfile.TarFile, members: list[tarfile.TarInfo], where: str):
    by = {m.name: m for m in members}
    bb = by.get("bin/busybox")
    if check(bb is not None and bb.isfile(), f"{where}: bin/busybox missing"):
        check(bb.mode == 0o755, f"{where}: bin/busybox mode {oct(bb.mode)}")
        head = lt.extractfile(bb).read(4)
        check(head == b"\x7fELF", f"{where}: bin/busybox is not ELF")
    links = [m for m in members if m.issym()]
    check(len(links) > 100, f"{where}: only {len(links)} applet links")
    for m in links:
        check(m.name.startswith("bin/") and m.linkname == "busybox",
              f"{where}: odd link {m.name} -> {m.linkname}")
    for a in ("bin/sh", "bin/ls", "bin/cat", "bin/id", "bin/sleep", "bin/echo"):
        check(a in by and by[a].issym(), f"{where}: {a} missing")
    check("bin/busybox" not in [m.name for m in links], f"{where}: busybox links to itself")
    dirs = {"bin": 0o755, "dev": 0o755, "etc": 0o755, "home": 0o755, "home/user": 0o755,
            "proc": 0o755, "root": 0o700, "sys": 0o755, "tmp": 0o1777, "var": 0o755}
    for dname, mode in dirs.items():
        m = by.get(dname)
        if check(m is not None and m.isdir(), f"{where}: dir {dname} missing"):
            check(m.mode == mode, f"{where}: {dname} mode {oct(m.mode)} != {oct(mode)}")
            want = (1000, 1000) if dname == "home/user" else (0, 0)
            check((m.uid, m.gid) == want, f"{where}: {dname} owner {m.uid}:{m.gid}")
    passwd = lt.extractfile(by["etc/passwd"]).read().decode()
    for line in ("root:x:0:0:root:/root:/bin/sh", "user:x:1000:1000::/home/user:/bin/sh"):
        check(line in passwd.splitlines(), f"{where}: passwd lacks {line}")
    for u in ("daemon:", "bin:", "nobody:x:65534:65534:"):
        check(any(l.startswith(u) for l in passwd.splitlines()), f"{where}: passwd lacks {u}")
    group = lt.extractfile(by["etc/group"]).read().decode().splitlines()
    for g in ("root:x:0:", "nogroup:x:65534:", "user:x:1000:"):
        check(g in group, f"{where}: group lacks {g}")
    osr = lt.extractfile(by["etc/os-release"]).read().decode()
    check('NAME="Berth test busybox"' in osr, f"{where}: os-release")
    check("etc/hostname" not in by, f"{where}: etc/hostname must not be in the image")


def merge_layers(layers) -> dict[str, bytes | str]:
    """Apply layers with OCI whiteout semantics; returns path -> file bytes, or 'dir'/'link'."""
    tree: dict[str, bytes | str] = {}
    for lt, members in layers:
        opaque = {m.name.rsplit("/", 1)[0] for m in members if m.name.endswith("/.wh..wh..opq")}
        for o in opaque:  # hide lower content, not this layer's
            for p in [p for p in tree if p.startswith(o + "/")]:
                del tree[p]
        for m in members:
            base = m.name.rsplit("/", 1)[-1]
            parent = m.name.rsplit("/", 1)[0] if "/" in m.name else ""
            if base == ".wh..wh..opq":
                continue
            if base.startswith(".wh."):
                victim = (parent + "/" if parent else "") + base[4:]
                for p in [p for p in tree if p == victim or p.startswith(victim + "/")]:
                    del tree[p]
                continue
            if m.isdir():
                tree[m.name] = "dir"
            elif m.issym():
                tree[m.name] = "link"
            else:
                tree[m.name] = lt.extractfile(m).read() if m.size < MIB else "big"
    return tree


def check_layered(facts: dict):
    name = "layered.tar"
    cfg = facts["config"]["config"]
    check(cfg.get("Labels") == {"org.berth.test": "layered"}, f"{name}: Labels")
    check(cfg.get("WorkingDir") == "/data", f"{name}: WorkingDir")
    tree = merge_layers(facts["layer_members"])
    data = {p: v for p, v in tree.items() if p == "data" or p.startswith("data/")}
    want = {"data": "dir", "data/b": b"b2\n", "data/dir": "dir", "data/dir/y": b"y\n",
            "data/keep": "dir", "data/keep/k": b"k\n"}
    check(data == want, f"{name}: merged /data is {data}, want {want}")
    lt3, m3 = facts["layer_members"][2]
    names3 = [m.name for m in m3]
    for w in ("data/.wh.a", "data/dir/.wh..wh..opq"):
        check(w in names3, f"{name}: layer 3 lacks {w}")
        m = m3[names3.index(w)]
        check(m.isfile() and m.size == 0, f"{name}: {w} is not an empty regular file")
    lt2, m2 = facts["layer_members"][1]
    check([m.name for m in m2] == ["data", "data/a", "data/b", "data/dir", "data/dir/x",
                                   "data/keep", "data/keep/k"], f"{name}: layer 2 entries")
    print(f"  ok  merged /data after whiteouts: {sorted(data)}")


def check_big(facts: dict) -> int:
    name = "big.tar"
    total = 0
    for i, (lt, members) in enumerate(facts["layer_members"][1:], start=1):
        files = [m for m in members if m.isfile()]
        check(files, f"{name}: layer {i} has no files")
        for m in files:
            total += m.size
            if m.size >= MIB:
                check(m.size <= 16 * MIB, f"{name}: {m.name} is {m.size} bytes")
            sample = lt.extractfile(m).read(MIB)
            ratio = len(zlib.compress(sample, 6)) / len(sample)
            check(ratio > 0.99, f"{name}: {m.name} compresses to {ratio:.2f}")
    print(f"  ok  {total} bytes ({total / MIB:.0f} MiB) of incompressible data in 4 layers")
    return total // MIB


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="validate make_images.py output")
    ap.add_argument("dir")
    ap.add_argument("--rebuild", action="store_true",
                    help="regenerate into a temp dir and require byte-identical archives")
    args = ap.parse_args(argv)

    facts = {}
    for name in EXPECTED:
        p = os.path.join(args.dir, name)
        if os.path.exists(p):
            facts[name] = validate_archive(p)
        else:
            check(name == "big.tar", f"{name} missing")

    print("cross-archive:")
    bb, oci, lay = facts["busybox.tar"], facts["busybox-oci.tar"], facts["layered.tar"]
    check(bb["image_id"] == oci["image_id"], "busybox.tar and busybox-oci.tar image IDs differ")
    bb_layer_path = bb["layer_blobs"][0]
    bb_layer_digest = "sha256:" + bb_layer_path.rsplit("/", 1)[1]
    bb_bytes = bb["archive"].read(bb_layer_path)
    gz_bytes = oci["archive"].read(oci["layer_blobs"][0])
    check(gzip.decompress(gz_bytes) == bb_bytes, "busybox-oci gzip layer != busybox.tar layer")
    check(lay["diff_ids"][0] == bb_layer_digest and lay["layer_blobs"][0] == bb_layer_path,
          "layered.tar layer 1 is not the busybox layer")
    check(facts["health.tar"]["diff_ids"] == [bb_layer_digest],
          "health.tar's layer is not the busybox layer")
    with open(os.path.join(args.dir, "rootfs.tar"), "rb") as fh:
        rootfs = fh.read()
    check(rootfs == bb_bytes, "rootfs.tar != busybox layer")
    lt, members = bb["layer_members"][0]
    check_busybox_layer(lt, members, "busybox layer")
    with tarfile.open(os.path.join(args.dir, "rootfs.tar")) as rt:
        check_tar_hygiene("rootfs.tar", rt)
    print(f"  ok  busybox.tar == busybox-oci.tar image {bb['image_id']}; shared layer {bb_layer_digest}")
    check_layered(lay)
    big_mb = 0
    if "big.tar" in facts:
        big = facts["big.tar"]
        check(big["diff_ids"][0] == bb_layer_digest, "big.tar layer 1 is not the busybox layer")
        print("big.tar content:")
        big_mb = check_big(big)

    if args.rebuild:
        print("determinism:")
        here = os.path.dirname(os.path.abspath(__file__))
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [sys.executable, os.path.join(here, "make_images.py"), "--out", tmp]
            if big_mb:
                cmd += ["--big-mb", str(big_mb)]
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            for name in sorted(os.listdir(tmp)):
                with open(os.path.join(tmp, name), "rb") as a, \
                        open(os.path.join(args.dir, name), "rb") as b:
                    da, db = sha256_stream(a)[0], sha256_stream(b)[0]
                check(da == db, f"{name}: rebuild differs ({da} vs {db})")
                print(f"  {'ok ' if da == db else 'BAD'} {name} {da}")

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
