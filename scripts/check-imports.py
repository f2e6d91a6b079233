#!/usr/bin/env python3
"""Fails when a target imports a module it does not declare, or depends on a target listed after it.

Reads the package graph from `swift package describe --type json` and every `import` line of each
target's sources. System modules (Foundation, Glibc, ...) need no declaration.
"""
import json, os, re, subprocess, sys

SYSTEM = {"Foundation", "FoundationEssentials", "Synchronization", "Glibc", "Darwin", "Musl", "Dispatch",
          "XCTest", "Testing", "_Concurrency", "os", "CryptoKit"}
IMPORT = re.compile(r"^\s*(?:@[\w()]+\s+)*(?:public |package |internal )?import (?:struct |class |enum |func |protocol |typealias )?(\w+)", re.M)

def header(text):
    """The file's leading imports, comments and `#if` lines: an `import` in a string below is not one."""
    kept = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("//", "#if", "#else", "#elseif", "#endif", "/*", "*")) or IMPORT.match(line):
            kept.append(line)
        else:
            break
    return "\n".join(kept)


root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
desc = json.loads(subprocess.run(["swift", "package", "describe", "--type", "json"], cwd=root, check=True,
                                 capture_output=True, text=True).stdout)
targets = desc["targets"]
order = [t["name"] for t in targets if t["type"] != "test"]
problems = []
# `describe` lists targets alphabetically; the declaration order is the order in Package.swift.
manifest = open(os.path.join(root, "Package.swift")).read()
declared_order = re.findall(r'\.(?:executableTarget|target)\(\s*name: "(\w+)"', manifest)
for t in targets:
    name = t["name"]
    declared = set(t.get("target_dependencies", [])) | set(t.get("product_dependencies", []))
    imported = set()
    for rel in t.get("sources", []):
        with open(os.path.join(root, t["path"], rel), encoding="utf-8") as f:
            imported |= set(IMPORT.findall(header(f.read())))
    imported -= SYSTEM | {name}
    for m in sorted(imported - declared):
        problems.append(f"{name} imports {m} without declaring it")
    if t["type"] != "test" and name in declared_order:
        pos = declared_order.index(name)
        for d in t.get("target_dependencies", []):
            if d in declared_order and declared_order.index(d) > pos:
                problems.append(f"{name} depends on {d}, which Package.swift lists after it")
for p in problems:
    print("check-imports:", p)
print(f"check-imports: {len(targets)} targets read, {len(problems)} problems")
sys.exit(1 if problems else 0)
