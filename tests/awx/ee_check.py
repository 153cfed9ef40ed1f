# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make ee-check`: the execution environment definitions hold together, without a container engine.

1. meta/execution-environment.yml (what ansible-builder reads from the installed collection) is
   version 1 and names requirements.txt and bindep.txt, which exist and list requests / python3.
2. `ansible-builder create -f extensions/ee/execution-environment.yml -c CONTEXT` generates the
   build context: the built collection tarball is copied where the definition expects it
   (extensions/ee/contrast_security-identity.tar.gz, removed again afterwards), and the context must
   hold a Containerfile, the tarball, and a galaxy requirements file whose entry points at the
   tarball's path inside the image build (/build/... is CONTEXT/_build/...).
3. The galaxy stage is replayed locally: `ansible-galaxy collection install -r` of that requirements
   file (with /build mapped to the context) into a scratch collections dir, so the tarball is known to
   install; then `ansible-builder introspect --sanitize` on it (what the builder stage of the image
   runs) and on COLLECTIONS (the working copy, .tmp) must list `requests` as a Python requirement
   from contrast_security.identity, and python3 as a system one.

Usage: python tests/awx/ee_check.py --tarball DIST/contrast_security-identity-X.Y.Z.tar.gz
           --context .tmp/ee-context --collections .tmp [--scratch .tmp/ee-check]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFINITION = os.path.join(ROOT, "extensions", "ee", "execution-environment.yml")
COLLECTION = "contrast_security.identity"


def tool(name):
    """Return the path of a console script next to this Python (the venv's), else the bare name."""
    candidate = os.path.join(os.path.dirname(sys.executable), name)
    return candidate if os.access(candidate, os.X_OK) else name


class CheckFailed(Exception):
    """A check did not hold."""


def check(condition, message):
    """Raise CheckFailed(message) unless condition holds."""
    if not condition:
        raise CheckFailed(message)


def run(cmd, **kwargs):
    """Run a command, echo it, fail with its output when it fails; return its stdout."""
    print("+ " + " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False, **kwargs)
    if proc.returncode != 0:
        raise CheckFailed("command failed (rc %d): %s\n%s" % (proc.returncode, " ".join(cmd), proc.stdout))
    return proc.stdout


def requirement_names(lines):
    """Return the lower-case distribution names of pip requirement lines (comments dropped)."""
    names = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
        if match:
            names.append(match.group(0).lower())
    return names


def check_collection_metadata():
    """meta/execution-environment.yml and the files it names."""
    with open(os.path.join(ROOT, "meta", "execution-environment.yml"), encoding="utf-8") as handle:
        meta = yaml.safe_load(handle)
    check(meta.get("version") == 1, "meta/execution-environment.yml: version must be 1, got %r" % meta.get("version"))
    deps = meta.get("dependencies") or {}
    check(deps.get("python") == "requirements.txt", "meta/execution-environment.yml: dependencies.python must be requirements.txt")
    check(deps.get("system") == "bindep.txt", "meta/execution-environment.yml: dependencies.system must be bindep.txt")
    with open(os.path.join(ROOT, "requirements.txt"), encoding="utf-8") as handle:
        python_reqs = requirement_names(handle)
    check("requests" in python_reqs, "requirements.txt must list requests, got %s" % python_reqs)
    with open(os.path.join(ROOT, "bindep.txt"), encoding="utf-8") as handle:
        bindep = [line.split("#", 1)[0].split() for line in handle]
    check(any(words and words[0] == "python3" for words in bindep), "bindep.txt must list python3")
    print("ok: meta/execution-environment.yml -> requirements.txt %s, bindep.txt python3" % python_reqs)


def create_context(tarball, context):
    """Run ansible-builder create with the tarball where the definition expects it; return the definition."""
    with open(DEFINITION, encoding="utf-8") as handle:
        definition = yaml.safe_load(handle)
    check(definition.get("version") == 3, "extensions/ee/execution-environment.yml must be an ansible-builder v3 definition")
    files = definition.get("additional_build_files") or []
    tarball_entries = [entry for entry in files if str(entry.get("src", "")).endswith(".tar.gz")]
    check(len(tarball_entries) == 1, "the definition must copy exactly one collection tarball (additional_build_files)")
    expected = os.path.join(os.path.dirname(DEFINITION), tarball_entries[0]["src"])
    check(not any(ch in tarball_entries[0]["src"] for ch in "*?["), "the tarball src must be a plain file name, not a glob")

    backup = None
    if os.path.lexists(expected):
        backup = expected + ".ee-check-backup"
        os.replace(expected, backup)
    shutil.copy2(tarball, expected)
    try:
        if os.path.isdir(context):
            shutil.rmtree(context)
        run([tool("ansible-builder"), "create", "-f", DEFINITION, "-c", context, "--output-filename", "Containerfile"])
    finally:
        os.unlink(expected)
        if backup:
            os.replace(backup, expected)
    return definition, tarball_entries[0]


def check_context(context, tarball, entry):
    """The build context holds the Containerfile, the tarball, and a requirements file pointing at it."""
    containerfile = os.path.join(context, "Containerfile")
    check(os.path.isfile(containerfile), "no Containerfile in %s" % context)
    build = os.path.join(context, "_build")
    copied = os.path.join(build, entry["dest"], os.path.basename(entry["src"]))
    check(os.path.isfile(copied), "the collection tarball is not in the build context: %s" % copied)
    with open(copied, "rb") as one, open(tarball, "rb") as two:
        check(one.read() == two.read(), "the tarball in the build context differs from %s" % tarball)
    with open(os.path.join(build, "requirements.yml"), encoding="utf-8") as handle:
        galaxy = yaml.safe_load(handle)
    collections = galaxy.get("collections") or []
    check(len(collections) == 1 and collections[0].get("type") == "file",
          "galaxy requirements must install exactly the tarball (type: file), got %s" % collections)
    in_image = collections[0]["name"]
    check(in_image.startswith("/build/"), "the galaxy requirement must use the tarball's absolute path under /build, got %s" % in_image)
    local = os.path.join(build, in_image[len("/build/"):])
    check(os.path.normpath(local) == os.path.normpath(copied),
          "the galaxy requirement %s is not the copied tarball %s" % (in_image, os.path.relpath(copied, context)))
    with open(containerfile, encoding="utf-8") as handle:
        text = handle.read()
    for needle in ("COPY _build /build", "ansible-galaxy collection install", "introspect.py introspect", "/output/scripts/assemble"):
        check(needle in text, "the Containerfile lacks %r" % needle)
    print("ok: build context %s: Containerfile, %s, requirements.yml -> %s" % (
        os.path.relpath(context, ROOT), os.path.relpath(copied, context), in_image))
    return local


def install_like_galaxy_stage(context, local_tarball, scratch):
    """Replay the galaxy stage: install the requirements (with /build mapped to the context)."""
    requirements = os.path.join(scratch, "requirements.yml")
    with open(requirements, "w", encoding="utf-8") as handle:
        yaml.safe_dump({"collections": [{"name": local_tarball, "type": "file"}]}, handle)
    target = os.path.join(scratch, "collections")
    run([tool("ansible-galaxy"), "collection", "install", "--force", "-r", requirements, "-p", target],
        env=dict(os.environ, ANSIBLE_GALAXY_DISABLE_GPG_VERIFY="1"))
    manifest = os.path.join(target, "ansible_collections", "contrast_security", "identity", "MANIFEST.json")
    check(os.path.isfile(manifest), "the tarball did not install %s (no %s)" % (COLLECTION, manifest))
    print("ok: the galaxy stage installs %s from the context's tarball" % COLLECTION)
    return target


def check_introspection(collections_dir, label):
    """ansible-builder introspect --sanitize sees requests (python) and python3 (system) for the collection."""
    out = run([tool("ansible-builder"), "introspect", "--sanitize", collections_dir])
    data = yaml.safe_load(out) or {}
    ours = "from collection %s" % COLLECTION
    python = [line for line in data.get("python") or [] if ours in line]
    system = [line for line in data.get("system") or [] if ours in line]
    check("requests" in requirement_names(python),
          "%s: introspect does not list requests among the python requirements of %s:\n%s" % (label, COLLECTION, out))
    check(any(line.split()[0] == "python3" for line in system),
          "%s: introspect does not list python3 among the system requirements of %s:\n%s" % (label, COLLECTION, out))
    print("ok: introspect (%s): python %s; system %s" % (label, python, system))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tarball", required=True, help="the built collection tarball")
    parser.add_argument("--context", required=True, help="build context directory to (re)create")
    parser.add_argument("--collections", required=True, help="folder holding ansible_collections/ (the working copy)")
    parser.add_argument("--scratch", help="scratch folder (default: CONTEXT-check)")
    args = parser.parse_args()
    tarball, context, collections = (os.path.abspath(p) for p in (args.tarball, args.context, args.collections))
    scratch = os.path.abspath(args.scratch or context.rstrip(os.sep) + "-check")

    started = time.monotonic()
    try:
        check(os.path.isfile(tarball), "no collection tarball at %s (run make build)" % tarball)
        check_collection_metadata()
        _definition, entry = create_context(tarball, context)
        local_tarball = check_context(context, tarball, entry)
        if os.path.isdir(scratch):
            shutil.rmtree(scratch)
        os.makedirs(scratch)
        installed = install_like_galaxy_stage(context, local_tarball, scratch)
        check_introspection(installed, "the tarball as the image installs it")
        check_introspection(collections, os.path.relpath(collections, ROOT) or ".")
    except CheckFailed as err:
        print("ee-check FAILED: %s" % err, file=sys.stderr)
        return 1
    print("ee-check: all checks passed in %.1f s" % (time.monotonic() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
