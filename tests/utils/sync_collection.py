# Copyright: Contributors to the contrast_security.identity collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mirror the working tree into an ``ansible_collections/<namespace>/<name>`` tree.

ansible-test needs the collection at a real path ending in
``ansible_collections/contrast_security/identity``; the repository root is the
collection root, so ``make collection`` copies it there (``.tmp/`` by default).

What is copied is what git would consider part of the tree: tracked files plus
untracked files that are not ignored (``git ls-files -co --exclude-standard``).
Files in the copy that are no longer in that list are deleted (stale files from
earlier runs, generated integration config), except ansible-test's own
``tests/output``. Unchanged files (same size and mtime) are not copied again.

The copy gets an empty git repository of its own: ansible-test walks up from
the collection root looking for ``.git``; without one it would find the outer
repository, in which ``.tmp/`` is ignored, and see no files at all.

Usage: python tests/utils/sync_collection.py SOURCE DEST
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

KEEP = (".git", "tests/output")


def source_files(src: str) -> set[str]:
    """Return the paths git considers part of the working tree (relative, existing files)."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=src, check=True, stdout=subprocess.PIPE,
    ).stdout.decode("utf-8", "surrogateescape")
    # --cached still lists tracked files deleted in the working tree: skip them.
    return {p for p in out.split("\0") if p and os.path.lexists(os.path.join(src, p))}


def kept(rel: str) -> bool:
    """Return True for paths in the copy that belong to the tools, not the source."""
    return any(rel == k or rel.startswith(k + "/") for k in KEEP)


def same(src: str, dst: str) -> bool:
    """Return True when dst already holds a copy of src (same size and mtime)."""
    if os.path.islink(src) or os.path.islink(dst) or not os.path.isfile(dst):
        return False
    s, d = os.stat(src), os.stat(dst)
    return s.st_size == d.st_size and int(s.st_mtime) == int(d.st_mtime)


def sync(src: str, dest: str) -> tuple[int, int]:
    """Mirror src into dest; return (copied, deleted) counts."""
    files = source_files(src)
    copied = deleted = 0
    os.makedirs(dest, exist_ok=True)

    # Delete what is no longer part of the source, then the folders this emptied.
    folders = []
    for root, dirs, names in os.walk(dest):
        rel_root = os.path.relpath(root, dest)
        rel_root = "" if rel_root == "." else rel_root
        dirs[:] = [d for d in dirs if not kept(os.path.join(rel_root, d))]
        folders.extend(os.path.join(root, d) for d in dirs if not os.path.islink(os.path.join(root, d)))
        for name in names + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            if os.path.join(rel_root, name) not in files:
                os.unlink(os.path.join(root, name))
                deleted += 1
    for folder in reversed(folders):
        if not os.listdir(folder):
            os.rmdir(folder)

    for rel in sorted(files):
        s, d = os.path.join(src, rel), os.path.join(dest, rel)
        if same(s, d):
            continue
        os.makedirs(os.path.dirname(d), exist_ok=True)
        if os.path.lexists(d) or os.path.isdir(d):
            if os.path.isdir(d) and not os.path.islink(d):
                shutil.rmtree(d)
            else:
                os.unlink(d)
        if os.path.islink(s):
            os.symlink(os.readlink(s), d)
        else:
            shutil.copy2(s, d)
        copied += 1

    if not os.path.exists(os.path.join(dest, ".git")):
        subprocess.run(["git", "init", "-q", dest], check=True)
    return copied, deleted


def main() -> None:
    """Command line entry point."""
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    src, dest = (os.path.abspath(p) for p in sys.argv[1:])
    parts = dest.split(os.sep)
    if len(parts) < 3 or parts[-3] != "ansible_collections":
        sys.exit("DEST must end in ansible_collections/<namespace>/<name>: %s" % dest)
    copied, deleted = sync(src, dest)
    print("collection copy %s: %d copied, %d deleted" % (dest, copied, deleted))


if __name__ == "__main__":
    main()
