#!/usr/bin/env python3
"""initramfs.py [--map=HOST:GUEST] OUT PATH...: write an uncompressed newc
cpio archive holding every PATH at its host path (directories recursively,
symbolic links as links plus what they point to, and for every ELF
executable the shared libraries ldd names), with all the parent
directories. "dir:PATH" adds an empty directory (a mount point). --map puts
what lies under the directory HOST under GUEST instead, so that the archive
does not depend on where the repository was cloned.

The benchmarks' instruction mode boots from it instead of the host's root
over 9p: 9p answers when the host gets to it, which moves guest interrupts
by a few instructions from one boot to the next.
"""
import os
import stat
import subprocess
import sys

SKIP_DIRS = {"__pycache__", "test", "tests", "idlelib", "tkinter", "turtledemo",
             "ensurepip", "lib2to3", "pydoc_data"}


def ldd_deps(path):
    try:
        out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
    except OSError:
        return []
    deps = []
    for line in out.splitlines():
        parts = line.split()
        for p in parts:
            if p.startswith("/"):
                deps.append(p)
    return deps


def is_elf(path):
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"\x7fELF"
    except OSError:
        return False


class Archive:
    def __init__(self, maps=()):
        self.entries = {}  # name in the archive -> (mode, data)
        self.maps = maps  # (host directory, its name in the archive)

    def name(self, path):
        for host, guest in self.maps:
            if path == host or path.startswith(host + "/"):
                return guest + path[len(host):]
        return path

    def put(self, path, entry):
        """Store ENTRY for the host PATH under its archive name, with its
        parent directories."""
        name = self.name(path)
        parent = os.path.dirname(name)
        while parent not in ("/", "") and parent not in self.entries:
            self.entries[parent] = (stat.S_IFDIR | 0o755, b"")
            parent = os.path.dirname(parent)
        self.entries[name] = entry

    def add(self, path):
        if path.startswith("dir:"):
            self.put(os.path.normpath(path[4:]), (stat.S_IFDIR | 0o755, b""))
            return
        path = os.path.normpath(path)
        if self.name(path) in self.entries:
            return
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            target = os.readlink(path)
            self.put(path, (stat.S_IFLNK | 0o777, target.encode()))
            self.add(os.path.join(os.path.dirname(path), target))
        elif stat.S_ISDIR(st.st_mode):
            self.put(path, (stat.S_IFDIR | 0o755, b""))
            for name in sorted(os.listdir(path)):
                if name in SKIP_DIRS:
                    continue
                self.add(os.path.join(path, name))
        elif stat.S_ISREG(st.st_mode):
            with open(path, "rb") as fh:
                data = fh.read()
            self.put(path, (stat.S_IFREG | (st.st_mode & 0o7777), data))
            if is_elf(path) and st.st_mode & 0o111:
                for dep in ldd_deps(path):
                    self.add(dep)

    def write(self, out):
        ino = 1
        with open(out, "wb") as fh:
            for path in sorted(self.entries):
                mode, data = self.entries[path]
                self.record(fh, ino, path.lstrip("/"), mode, data)
                ino += 1
            self.record(fh, ino, "TRAILER!!!", 0, b"")

    @staticmethod
    def record(fh, ino, name, mode, data):
        name_b = name.encode() + b"\0"
        fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_b), 0]
        hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
        fh.write(hdr + name_b)
        fh.write(b"\0" * ((4 - (len(hdr) + len(name_b)) % 4) % 4))
        fh.write(data)
        fh.write(b"\0" * ((4 - len(data) % 4) % 4))


def main():
    args = sys.argv[1:]
    maps = []
    while args and args[0].startswith("--map="):
        host, guest = args.pop(0)[len("--map="):].split(":", 1)
        maps.append((os.path.normpath(host), os.path.normpath(guest)))
    out, paths = args[0], args[1:]
    arc = Archive(maps)
    for p in paths:
        arc.add(p)
    arc.write(out)


if __name__ == "__main__":
    main()
